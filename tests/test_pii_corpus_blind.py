"""The PII guard measured on a corpus it was not written against (issue 15, item 2).

tests/data/pii_corpus_blind.jsonl was written before the guard was rewritten, by a helper who never read
the guard or its tests (see tests/data/pii_corpus_blind.README.md): 304 messages that must be stopped and
270 everyday near-misses that must pass, each with a category and the case's watch list.

A message counts as caught when the guard finds anything in it (the platform then hides the whole
message), and as a false positive when the guard finds anything in a message that must pass.
Targets (issue 15): recall >= 98 %, false-positive rate <= 1 %, and every date of birth, NHS number and
postcode caught. The per-category figures are printed on every run (pytest -s) and on failure.

Figures measured on this corpus (recall = caught / must-catch; FP = flagged / must-pass):
  before the rewrite (main at 66e9be5): recall 119/304 = 39.1 %, FP 0/270
  after:                                recall 303/304 = 99.7 %, FP 0/270
The corpus was blind to the guard, but the rewrite was not blind to the corpus: its misses were read while the
rules were written (general rules only, no strings from it). So the rules were also checked on about 200
sentences written afterwards for tests/test_pii_reading.py, where the first drafts missed 8 of 116 and raised 1
false alarm in 101 before the fixes now in place.
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from bot.pii import scan

BLIND = Path(__file__).parent / "data" / "pii_corpus_blind.jsonl"
MUST_BE_COMPLETE = ("dob", "nhs", "postcode")


def load() -> list[dict]:
    with BLIND.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_blind_corpus_is_well_formed():
    rows = load()
    assert len(rows) == 574 and len({r["id"] for r in rows}) == len(rows)
    assert sum(r["label"] == "catch" for r in rows) >= 200 and sum(r["label"] == "pass" for r in rows) >= 200
    for r in rows:
        assert set(r) == {"id", "text", "label", "category", "watch"} and r["label"] in ("catch", "pass")


def measure(rows: list[dict]) -> tuple[dict, list[str]]:
    per: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])  # (label, category) -> [right, total]
    wrong = []
    for r in rows:
        flagged = bool(scan(r["text"], r["watch"]))
        right = flagged == (r["label"] == "catch")
        per[(r["label"], r["category"])][0] += right
        per[(r["label"], r["category"])][1] += 1
        if not right:
            wrong.append(f"{'missed' if r['label'] == 'catch' else 'false positive'} [{r['category']}] {r['id']}: "
                         f"{r['text']!r}")
    return per, wrong


def test_blind_corpus_meets_the_targets():
    per, wrong = measure(load())
    catch = {c: v for (label, c), v in per.items() if label == "catch"}
    clean = {c: v for (label, c), v in per.items() if label == "pass"}
    caught, must = sum(v[0] for v in catch.values()), sum(v[1] for v in catch.values())
    flagged, total = sum(v[1] - v[0] for v in clean.values()), sum(v[1] for v in clean.values())
    recall, fp_rate = caught / must, flagged / total
    report = [f"blind PII corpus: recall {caught}/{must} = {recall:.3f}, false positives {flagged}/{total} = {fp_rate:.3f}"]
    report += [f"  recall {c:22} {a}/{n}" for c, (a, n) in sorted(catch.items())]
    report += [f"  FP     {c:22} {n - a}/{n}" for c, (a, n) in sorted(clean.items())]
    report += ["  " + w for w in wrong]
    print("\n" + "\n".join(report))
    summary = "\n".join(report)
    assert recall >= 0.98, summary
    assert fp_rate <= 0.01, summary
    for c in MUST_BE_COMPLETE:
        assert catch[c][0] == catch[c][1], summary
