"""`rapidreview demo`: fill the sandbox's database with a fictional year: nine past cases and three current ones."""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import datetime, time, timezone


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="fill the sandbox with a fictional year of cases (nine past, three current)",
                          description="Opens a fictional year of cases in the sandbox's database by running the members' "
                                      "commands through the core: nine from the past twelve months (some late, one "
                                      "executive disagreement, one LCSPR, for the oversight page), then three current "
                                      "ones: one gathering agency returns (one overdue), one awaiting executive "
                                      "approval after a disagreement, one awaiting the Panel.")
    demo.add_argument("--today", metavar="DATE", help="count the cases' dates back from this day (YYYY-MM-DD; "
                                                      "default: RAPIDREVIEW_SANDBOX_TODAY, or today in London)")
    demo.add_argument("--again", action="store_true", help="add the cases again even if the sandbox already has some")
    demo.add_argument("--if-sandbox", action="store_true",
                      help="do nothing (and succeed) when `serve` would not start the sandbox here (`make run` uses this)")
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    from adapters.sandbox.config import DEFAULT_DATABASE_URL, START_DATE, decide
    from adapters.sandbox.demo import DemoRefused, check_database, fill, today_in_london
    from server.app import build_runtime
    from bot.calendar import CalendarRangeError, at_london_time
    from bot.grammar import ParseError, parse_date
    from bot.settings import Settings
    from storage.db import upgrade

    raw = args.today or os.environ.get(START_DATE, "").strip()
    try:
        today = parse_date(raw, "--today") if raw else today_in_london()
    except ParseError as exc:
        print(f"rapidreview demo: {exc}", file=sys.stderr)
        return 2
    settings = Settings()
    decision = decide(os.environ, settings.host)
    if args.if_sandbox and not decision.on:
        print(f"No demo cases: the sandbox does not run here ({decision.reason}).")
        return 0
    # The sandbox's own file unless RAPIDREVIEW_DATABASE_URL names another (even when Slack or Teams is set up).
    if "database_url" not in settings.model_fields_set:
        settings = settings.model_copy(update={"database_url": DEFAULT_DATABASE_URL})
    if settings.database_url == DEFAULT_DATABASE_URL:
        upgrade(settings.database_url)
    rt = build_runtime(settings)

    async def run() -> int:
        try:
            existing = await check_database(rt.core)
            if existing and not args.again:
                print(f"The sandbox already holds {existing} case{'s' if existing != 1 else ''}: nothing added "
                      "(use --again to add the demo's cases again).")
                return 0
            # A chosen day starts at 09:00 there, as the sandbox's clock does with RAPIDREVIEW_SANDBOX_TODAY.
            now = at_london_time(today, time(9, 0)) if raw else datetime.now(timezone.utc)
            codes = await fill(rt, today, now)
        except DemoRefused as exc:
            print(f"rapidreview demo: {exc}", file=sys.stderr)
            return 0 if args.if_sandbox else 2
        except CalendarRangeError as exc:
            print(f"rapidreview demo: {exc}", file=sys.stderr)
            return 2
        finally:
            await rt.db.dispose()
        if _listening(settings.host, settings.port):
            print(f"Something is already listening on {settings.host}:{settings.port}: if it is the sandbox, restart it "
                  "to see these cases (it rebuilds its channels from the database when it starts).")
        print(f"{len(codes)} fictional cases are in the sandbox: " + ", ".join(codes) + ".\n"
              f"Start it with `rapidreview serve` (or `make run`) and open http://{settings.host}:{settings.port}/; "
              "the case board is at /board and the oversight report at /oversight.")
        return 0

    return asyncio.run(run())


def _listening(host: str, port: int) -> bool:
    import socket

    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False
