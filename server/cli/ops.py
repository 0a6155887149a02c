"""Operators' commands: `db upgrade`, `serve`, `audit verify`."""
from __future__ import annotations

import argparse
import asyncio
import os
import sys

from bot.partnership import PartnershipFileError
from bot.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="database tasks")
    dbsub = db.add_subparsers(dest="db_command", required=True, metavar="TASK")
    up = dbsub.add_parser("upgrade", help="apply migrations to RAPIDREVIEW_DATABASE_URL")
    up.set_defaults(handler=_db_upgrade)

    serve = sub.add_parser("serve", help="start the bot (HTTP on RAPIDREVIEW_HOST:RAPIDREVIEW_PORT)")
    serve.set_defaults(handler=_serve)

    aud = sub.add_parser("audit", help="audit trail tasks")
    audsub = aud.add_subparsers(dest="audit_command", required=True, metavar="TASK")
    verify = audsub.add_parser("verify", help="check the audit trail's hash chain; report the first broken link")
    verify.set_defaults(handler=_audit_verify)
    register_operations(sub)


def _db_upgrade(_args: argparse.Namespace) -> int:
    from server.app import prepare_settings
    from storage.db import upgrade

    # The same database `serve` will use (the sandbox keeps its own file when no URL is set).
    settings = prepare_settings(Settings())
    upgrade(settings.database_url)
    print(f"database is up to date ({_safe(settings.database_url)})")
    return 0


def _serve(_args: argparse.Namespace) -> int:
    from server.app import serve
    from server.startup import StartupRefused

    from server.ops import configure_logging

    try:
        configure_logging(os.environ)  # RAPIDREVIEW_LOG_FORMAT=json: one JSON object per line
    except ValueError as exc:
        print(f"rapidreview: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(serve(Settings()))
    except PartnershipFileError as exc:
        print(f"rapidreview: the partnership file cannot be used.\n{exc}", file=sys.stderr)
        return 2
    except StartupRefused as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


def _audit_verify(_args: argparse.Namespace) -> int:
    from bot.audit import verify
    from storage.db import Database

    async def run() -> int:
        db = Database(Settings().database_url)
        try:
            async with db.read() as s:
                report = await verify(s)
        finally:
            await db.dispose()
        if report.ok:
            print(f"audit trail intact: {report.records} records, every link verified")
            return 0
        print(f"audit trail BROKEN at record {report.first_broken_seq}: {report.why} "
              f"({report.records} records read)")
        return 1

    return asyncio.run(run())


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def register_operations(sub: argparse._SubParsersAction) -> None:
    """`reminders list` and `outbox` for the Business Unit's administrator."""
    rem = sub.add_parser("reminders", help="reminder rows")
    remsub = rem.add_subparsers(dest="reminders_command", required=True, metavar="TASK")
    ls = remsub.add_parser("list", help="pending reminders, soonest first")
    ls.add_argument("--case", help="one case, e.g. rr-2026-007")
    ls.add_argument("--due-before", dest="due_before", help="only those due before this date (YYYY-MM-DD)")
    ls.set_defaults(handler=_reminders_list)
    out = sub.add_parser("outbox", help="messages waiting to be delivered (or dead letters)")
    out.add_argument("--dead", action="store_true", help="only messages that gave up after repeated failures")
    out.set_defaults(handler=_outbox)


def _reminders_list(args: argparse.Namespace) -> int:
    from datetime import date, time

    from sqlalchemy import select

    from bot.calendar import LONDON, at_london_time
    from storage.db import Database
    from storage.models import Case, Reminder

    before = None
    if args.due_before:
        try:
            before = date.fromisoformat(args.due_before)
        except ValueError:
            print(f"rapidreview: bad date '{args.due_before}' for --due-before: use YYYY-MM-DD, for example 2026-12-18",
                  file=sys.stderr)
            return 2

    async def run() -> int:
        db = Database(Settings().database_url)
        try:
            async with db.read() as s:
                q = (select(Reminder, Case.code).join(Case, Case.id == Reminder.case_id)
                     .where(Reminder.status == "pending").order_by(Reminder.due_at, Reminder.id))
                if args.case:
                    q = q.where(Case.code == args.case.lower())
                if before:
                    q = q.where(Reminder.due_at < at_london_time(before, time(0, 0)))
                rows = (await s.execute(q)).all()
        finally:
            await db.dispose()
        if not rows:
            print("no pending reminders")
            return 0
        for r, code in rows:
            when = r.due_at.astimezone(LONDON).strftime("%a %d %b %Y %H:%M")
            print(f"{when}  {code}  {r.kind:<26} {r.subject or '-':<12} to {', '.join(r.recipients)}")
        print(f"{len(rows)} pending reminder(s)")
        return 0

    return asyncio.run(run())


def _outbox(args: argparse.Namespace) -> int:
    from collections import Counter

    from sqlalchemy import select

    from bot.calendar import LONDON
    from storage.db import Database
    from storage.models import OutboxEffect

    async def run() -> int:
        db = Database(Settings().database_url)
        try:
            async with db.read() as s:
                statuses = Counter((await s.execute(select(OutboxEffect.status))).scalars())
                want = ("dead",) if args.dead else ("pending", "claimed", "dead")
                rows = (await s.execute(select(OutboxEffect).where(OutboxEffect.status.in_(want))
                                        .order_by(OutboxEffect.id).limit(500))).scalars().all()
        finally:
            await db.dispose()
        print("outbox: " + (", ".join(f"{n} {k}" for k, n in sorted(statuses.items())) or "empty"))
        for r in rows:
            when = r.next_attempt_at.astimezone(LONDON).strftime("%d %b %H:%M")
            error = f"  last error: {r.last_error}" if r.last_error else ""
            print(f"#{r.id} {r.status:<8} {r.case_code or '-':<12} {r.platform:<8} {r.kind:<16} attempts {r.attempts}"
                  f"  next {when}{error}")
        if args.dead and statuses.get("dead"):
            print(f"{statuses['dead']} dead letter(s): these were not delivered; check the platform's configuration.")
        return 0

    return asyncio.run(run())
