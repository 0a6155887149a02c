"""Retention on the command line, for the Business Unit and the Partnership Manager (never through chat):

    rapidreview retention status [--all]
    rapidreview retention run                       (what the ticker does daily, now)
    rapidreview hold rr-2026-014 --reason "Police investigation" --as partnership_manager
    rapidreview hold rr-2026-014 --release --reason "CPS decision made" --as partnership_manager
    rapidreview erase rr-2026-014 --reason "court order 2027/12" --as partnership_manager

Erasing and holds act for a named member who must hold the Business Unit or Partnership Manager role; each
is audited under that member with its reason. Wrong input gets one line on stderr and exit status 2.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime, timezone

from bot.settings import Settings

_CODE_EXAMPLE = "rr-2026-014"


def register(sub: argparse._SubParsersAction) -> None:
    ret = sub.add_parser("retention", help="what the retention policy will delete or erase, and when")
    rsub = ret.add_subparsers(dest="retention_command", required=True, metavar="TASK")
    st = rsub.add_parser("status", help="closed cases: when their chat is deleted and their record erased")
    st.add_argument("--all", action="store_true", help="open cases too")
    st.set_defaults(handler=_status)
    run = rsub.add_parser("run", help="carry out what is due now (the ticker does this once a day)")
    run.set_defaults(handler=_run)

    hold = sub.add_parser("hold", help="place (or --release) a legal hold: the case's chat and record are kept")
    hold.add_argument("case", help=f"case code, e.g. {_CODE_EXAMPLE}")
    hold.add_argument("--reason", required=True, help="why, e.g. \"police investigation\" (kept in the audit trail)")
    hold.add_argument("--as", dest="member", required=True, help="your member key (Business Unit or Partnership Manager)")
    hold.add_argument("--release", action="store_true", help="lift the hold instead")
    hold.set_defaults(handler=_hold)

    erase = sub.add_parser("erase", help="erase a closed case's personal content now (audited; cannot be undone)")
    erase.add_argument("case", help=f"case code, e.g. {_CODE_EXAMPLE}")
    erase.add_argument("--reason", required=True, help="why, e.g. \"court order 2027/12\" (kept in the audit trail)")
    erase.add_argument("--as", dest="member", required=True, help="your member key (Business Unit or Partnership Manager)")
    erase.set_defaults(handler=_erase)


def _fail(message: str) -> int:
    print(f"rapidreview: {message}", file=sys.stderr)
    return 2


def _custodian(partnership, key: str) -> str | None:  # noqa: ANN001
    """None if `key` may hold or erase; otherwise why not."""
    from bot.retention import CUSTODIANS

    member = next((m for m in partnership.members if m.key == key), None)
    if member is None:
        return f"'{key}' is not a member key in the partnership file (for example: --as partnership_manager)"
    if not any(member.has(r) for r in CUSTODIANS):
        return (f"{key} cannot do this: only the Business Unit or the Partnership Manager can hold or erase a case "
                "(for example: --as partnership_manager)")
    return None


def _reason(text: str) -> str | None:
    text = " ".join(text.split())
    if len(text) < 3:
        return None
    return text[:500]


def _db(settings: Settings):  # noqa: ANN202
    from bot.partnership import load_partnership
    from storage.db import Database

    return Database(settings.database_url), load_partnership(settings.partnership)


def _status(args: argparse.Namespace) -> int:
    return asyncio.run(status(Settings(), show_all=args.all))


async def status(settings: Settings, *, show_all: bool = False, now: datetime | None = None) -> int:
    from bot import retention
    from bot.calendar import london_date

    db, p = _db(settings)
    today = london_date(now or datetime.now(timezone.utc))
    try:
        async with db.read() as s:
            rows = await retention.status(s, p)
    finally:
        await db.dispose()
    r = p.retention
    print(f"policy: chat deleted {r.chat_days_after_close} days after closure; records erased "
          f"{r.records_years_after_close} years after closure (or the LCSPR's publication); "
          f"delivered queue rows kept {r.delivered_outbox_days} days")
    shown = [x for x in rows if show_all or x.closed_on is not None]
    if not shown:
        print("no closed cases")
        return 0
    for x in shown:
        def when(due, done, due_now: bool) -> str:  # noqa: ANN001
            if done:
                return f"done {done.isoformat()}"
            if due is None:
                return "-"
            return f"DUE (since {due.isoformat()})" if due_now else due.isoformat()

        parts = [f"{x.code:<14}", f"{x.state:<20}", f"closed {x.closed_on.isoformat() if x.closed_on else '-':<10}",
                 f"chat: {when(x.chat_due_on, x.chat_purged_on, x.chat_due(today)):<24}",
                 f"record: {when(x.records_due_on, x.erased_on, x.records_due(today))}"]
        if x.legal_hold:
            parts.append("LEGAL HOLD (nothing is deleted)")
        elif x.waiting and x.closed_on is not None:
            parts.append(f"record waits: {x.waiting}")
        print("  ".join(parts))
    due = sum(1 for x in shown if x.chat_due(today) or x.records_due(today))
    print(f"{due} case(s) due now" + (" (the ticker does this daily; `rapidreview retention run` does it now)" if due else ""))
    return 0


def _run(_args: argparse.Namespace) -> int:
    from bot import retention

    async def go() -> int:
        db, p = _db(Settings())
        try:
            res = await retention.run_due(db, p, datetime.now(timezone.utc))
        finally:
            await db.dispose()
        print(f"chat deletion queued for {res.chats} case(s); {res.erased} case(s) erased; "
              f"{res.outbox_rows} delivered queue row(s) and {res.inbound_keys} de-duplication key(s) purged. "
              "Channel deletions are carried out by the running bot.")
        return 0

    return asyncio.run(go())


def _hold(args: argparse.Namespace) -> int:
    return asyncio.run(hold(Settings(), args.case.lower(), args.member, args.reason, release=args.release))


async def hold(settings: Settings, code: str, member: str, reason: str, *, release: bool = False,
               now: datetime | None = None) -> int:
    from bot import retention

    db, p = _db(settings)
    try:
        why = _custodian(p, member)
        if why:
            return _fail(why)
        text = _reason(reason)
        if text is None:
            return _fail('give a reason of a few words, for example --reason "police investigation"')
        try:
            async with db.transaction() as s:
                await retention.set_hold(s, code, now or datetime.now(timezone.utc), on=not release, reason=text,
                                         actor_key=member)
        except retention.RetentionRefused as exc:
            return _fail(str(exc))
    finally:
        await db.dispose()
    print(f"{code}: legal hold {'released: its retention clocks run again' if release else 'placed: nothing of it will be deleted or erased until it is released'}")
    return 0


def _erase(args: argparse.Namespace) -> int:
    return asyncio.run(erase(Settings(), args.case.lower(), args.member, args.reason))


async def erase(settings: Settings, code: str, member: str, reason: str, *, now: datetime | None = None) -> int:
    from bot import retention

    db, p = _db(settings)
    try:
        why = _custodian(p, member)
        if why:
            return _fail(why)
        text = _reason(reason)
        if text is None:
            return _fail('give a reason of a few words, for example --reason "court order 2027/12"')
        try:
            async with db.transaction() as s:
                counts = await retention.erase_now(s, code, now or datetime.now(timezone.utc), reason=text,
                                                   actor_key=member)
        except retention.RetentionRefused as exc:
            return _fail(str(exc))
    finally:
        await db.dispose()
    done = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
    print(f"{code} erased ({done or 'nothing held personal content'}). Codes, dates, decisions and hashes are kept; "
          "the audit trail still verifies. The case channel is deleted by the running bot.")
    if counts.get("audit_event_not_erasable"):
        print(f"rapidreview: {counts['audit_event_not_erasable']} audit record(s) predate erasable audit content "
              "(their chain was already broken when migrated) and were left as they are", file=sys.stderr)
    return 0
