"""Operators' commands: `db upgrade`, `serve`, `audit verify`."""
from __future__ import annotations

import argparse
import asyncio
import logging
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


def _db_upgrade(_args: argparse.Namespace) -> int:
    from storage.db import upgrade

    settings = Settings()
    upgrade(settings.database_url)
    print(f"database is up to date ({_safe(settings.database_url)})")
    return 0


def _serve(_args: argparse.Namespace) -> int:
    from bot.app import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(serve(Settings()))
    except PartnershipFileError as exc:
        print(f"rapidreview: the partnership file cannot be used.\n{exc}", file=sys.stderr)
        return 2
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
