"""`rapidreview oversight`: the partnership's oversight figures for a period, with their definitions.

    rapidreview oversight --from 2026-04-01 --to 2027-03-31                       (Markdown on the screen)
    rapidreview oversight --from 2026-04-01 --to 2027-03-31 --out report.docx     (.docx, .md, .csv or .zip)

For the Business Unit's yearly report. The files are OFFICIAL-SENSITIVE: written readable by their owner
only (0600), never over an existing file unless --force is given; every export is audited.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import date, datetime, timezone
from pathlib import Path

from bot.settings import Settings

_EXT = {".docx": "docx", ".md": "md", ".csv": "csv", ".zip": "zip"}
_EXAMPLE = "for example --from 2026-04-01 --to 2027-03-31"


def register(sub: argparse._SubParsersAction) -> None:
    ov = sub.add_parser("oversight", help="the partnership's oversight figures for a period (yearly report)",
                        description="Counts, timeliness, agency returns, the Panel's outcomes and the action plan for "
                                    "a period, computed from the cases with each figure's definition. Cases appear by "
                                    f"code and pseudonym only. Dates are YYYY-MM-DD, {_EXAMPLE}.")
    ov.add_argument("--from", dest="start", required=True, metavar="DATE", help="first day of the period (YYYY-MM-DD)")
    ov.add_argument("--to", dest="end", required=True, metavar="DATE", help="last day of the period (YYYY-MM-DD)")
    ov.add_argument("--out", metavar="FILE", help="write the report to FILE: .docx, .md, .csv or .zip "
                                                   "(default: Markdown on standard output)")
    ov.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    ov.add_argument("--today", metavar="DATE", help="judge overdue returns and actions on this day if the period has "
                                                    "not ended (default: today in London)")
    ov.set_defaults(handler=_oversight)


def _fail(message: str) -> int:
    print(f"rapidreview oversight: {message}", file=sys.stderr)
    return 2


def _date(raw: str, flag: str) -> date:
    from bot.calendar import parse_iso_date

    try:
        return parse_iso_date(raw)
    except ValueError:
        raise ValueError(f"{flag} '{raw}' is not a date: use YYYY-MM-DD, {_EXAMPLE}") from None


def _oversight(args: argparse.Namespace) -> int:
    from bot.calendar import london_date
    from bot.oversight.figures import Period

    try:
        start, end = _date(args.start, "--from"), _date(args.end, "--to")
        today = _date(args.today, "--today") if args.today else london_date(datetime.now(timezone.utc))
    except ValueError as exc:
        return _fail(str(exc))
    if end < start:
        return _fail(f"--to {end.isoformat()} is before --from {start.isoformat()}: {_EXAMPLE}")
    try:
        period = Period(start, end)
    except ValueError as exc:
        return _fail(f"{exc}: {_EXAMPLE}")
    out = Path(args.out) if args.out else None
    fmt = "md"
    if out is not None:
        fmt = _EXT.get(out.suffix.lower(), "")
        if not fmt:
            return _fail(f"--out must end in {', '.join(_EXT)}, for example --out oversight-2026-27.docx")
        if out.exists() and not args.force:
            return _fail(f"{out} exists: choose another name or add --force to overwrite it")
        if not out.parent.is_dir():
            return _fail(f"{out.parent} is not a folder")
    return asyncio.run(run(Settings(), period, today, fmt, out))


async def run(settings: Settings, period, today: date, fmt: str, out: Path | None) -> int:  # noqa: ANN001
    from sqlalchemy.exc import DBAPIError

    from bot import audit
    from bot.calendar import CalendarRangeError
    from bot.oversight import oversight
    from bot.oversight.files import render
    from bot.partnership import load_partnership
    from server.app import make_calendar
    from storage.db import Database

    partnership = load_partnership(settings.partnership)
    cal = make_calendar(settings, partnership)
    db = Database(settings.database_url)
    now = datetime.now(timezone.utc)
    try:
        try:
            o = await oversight(db, partnership, cal, period, today)
            data = render(o, fmt, now)
        except CalendarRangeError as exc:
            return _fail(f"{exc}: choose dates the bank-holiday calendar covers, {_EXAMPLE}")
        except DBAPIError as exc:
            first = str(exc.orig or exc).splitlines()[0][:200]
            print(f"rapidreview oversight: cannot read the cases ({first}): check RAPIDREVIEW_DATABASE_URL, and run "
                  "`rapidreview db upgrade` if the database is new", file=sys.stderr)
            return 1
        if out is None:
            sys.stdout.write(data.decode("utf-8"))
        else:
            write_private(out, data)
        async with db.transaction() as s:
            await audit.append(s, audit.AuditEntry("oversight_exported", platform="cli", detail={
                "from": period.start.isoformat(), "to": period.end.isoformat(), "format": fmt,
                "to_file": out is not None}), now)
    finally:
        await db.dispose()
    if out is not None:
        print(f"wrote {out} ({fmt}, {len(data)} bytes, readable by you only). It is OFFICIAL-SENSITIVE: keep it off "
              "shared drives and out of chat channels.")
    return 0


def write_private(path: Path, data: bytes) -> None:
    """Write `data` readable and writable by the owner only (0600), also when replacing a file (--force)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an existing file keeps its mode on open(); make it private before writing
        with os.fdopen(fd, "wb") as f:
            fd = -1
            f.write(data)
    finally:
        if fd != -1:
            os.close(fd)
