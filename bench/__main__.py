"""`make bench`: run each benchmark, print a readable table and write bench/results.json."""
from __future__ import annotations

import json
from pathlib import Path

from bench import outbox_drain


def main() -> None:
    results = {"outbox_drain": outbox_drain.run()}
    out = Path(__file__).parent / "results.json"
    out.write_text(json.dumps(results, indent=2))
    for bench, rows in results.items():
        print(f"\n{bench}")
        for name, figures in rows.items():
            print(f"  {name:<26} " + "  ".join(f"{k}={v}" for k, v in figures.items()))
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
