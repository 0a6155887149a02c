"""The `rapidreview` command line: the composition root for operators' commands.

Each group of subcommands lives in its own module with a `register(subparsers)` function; this
module only wires them together, so adding a command never means editing a long if/elif chain.
Exit status 2 means the input was wrong (argparse uses the same convention).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    from server.cli import sandbox as sandbox_cli
    from server.cli import dates as cli_dates
    from server.cli import manifest as cli_manifest
    from server.cli import ops as cli_ops
    from server.cli import oversight as cli_oversight
    from server.cli import report as cli_report
    from server.cli import export as cli_export
    from server.cli import retention as cli_retention

    parser = argparse.ArgumentParser(
        prog="rapidreview",
        description="Child Safeguarding Rapid Review bot: deadlines, database and server.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    cli_dates.register(sub)
    cli_ops.register(sub)
    sandbox_cli.register(sub)
    cli_manifest.register(sub)
    cli_report.register(sub)
    cli_export.register(sub)
    cli_retention.register(sub)
    cli_oversight.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    result = args.handler(args)
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
