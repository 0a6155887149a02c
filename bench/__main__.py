"""`make bench`: run each benchmark, print a readable table and write bench/results.json.

BENCH_ONLY=slack_ack,queries runs a subset; each module reads its own BENCH_* variables to shrink sizes."""
from __future__ import annotations

import importlib
import json
import os
import time
from pathlib import Path

BENCHES = ("slack_ack", "teams_invoke", "outbox_drain", "queries", "footprint")


def _flat(figures: dict, prefix: str = "") -> list[str]:
    out = []
    for k, v in figures.items():
        if isinstance(v, dict):
            out += _flat(v, f"{prefix}{k}.")
        else:
            out.append(f"{prefix}{k}={v}")
    return out


def main() -> None:
    only = [b for b in os.environ.get("BENCH_ONLY", "").split(",") if b]
    results: dict = {}
    for name in BENCHES:
        if only and name not in only:
            continue
        try:
            module = importlib.import_module(f"bench.{name}")
        except ImportError as exc:
            results[name] = {"skipped": {"reason": str(exc)}}
            continue
        t0 = time.monotonic()
        print(f"running {name} ...", flush=True)
        results[name] = module.run()
        results[name]["_elapsed"] = {"seconds": round(time.monotonic() - t0, 1)}
    out = Path(__file__).parent / "results.json"
    out.write_text(json.dumps(results, indent=2))
    for bench, rows in results.items():
        print(f"\n{bench}")
        for row, figures in rows.items():
            shown = _flat(figures) if isinstance(figures, dict) else [str(figures)]
            print(f"  {row:<28} " + "  ".join(shown))
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
