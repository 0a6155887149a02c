"""Reading cards in tests, and checking them with Microsoft's adaptivecards library under Node."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pytest

JS = Path(__file__).resolve().parents[1] / "js"
VALIDATOR = JS / "validate_cards.js"
BUNDLE = JS / "node_modules" / "adaptivecards" / "dist" / "adaptivecards.js"


def all_text(node: Any) -> str:
    """Every text a person could read on a card (text blocks, facts, labels), joined."""
    out: list[str] = []

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            for k in ("text", "title", "value", "label"):
                if isinstance(x.get(k), str):
                    out.append(x[k])
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(node)
    return "\n".join(out)


def action_titles(card: dict) -> list[str]:
    """Titles of every action on the card, inside show-cards too."""
    out: list[str] = []

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            if str(x.get("type", "")).startswith("Action.") and "title" in x:
                out.append(x["title"])
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(card)
    return out


def tooling_missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not BUNDLE.exists():
        return "tests/js/node_modules is missing: run `make js` (npm install in tests/js)"
    return None


def require_tooling() -> None:
    """In CI the card checks must run; elsewhere a missing tool skips them with the reason."""
    why = tooling_missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"{why}; CI must validate the Teams cards")
        pytest.skip(why)


def validate_with_adaptivecards(cards: list[dict], folder: Path) -> dict[str, Any]:
    """Run tests/js/validate_cards.js over the cards; `failures` maps file -> its parse/validation events."""
    why = tooling_missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"{why}; CI must validate the Teams cards")
        warnings.warn(f"Teams cards not validated: {why}")
        return {"failures": {}, "report": {}}
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i, card in enumerate(cards):
        path = folder / f"card-{i:03d}.json"
        path.write_text(json.dumps(card))
        files.append(str(path))
    proc = subprocess.run(["node", str(VALIDATOR), *files], capture_output=True, text=True, timeout=120)
    report = json.loads(proc.stdout)
    failures = {f: r for f, r in report.items() if r["parse"] or r["validation"]}
    assert (proc.returncode != 0) == bool(failures), proc.stderr
    return {"failures": failures, "report": report}
