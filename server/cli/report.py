"""`rapidreview report export|import`: the report's files for the Business Unit's administrator.

    rapidreview report export rr-2026-014 --version 2 --out report-v2.docx   (.docx, .md or .html)
    rapidreview report export rr-2026-014 --kind pack --out pack.zip
    rapidreview report export rr-2026-014 --kind briefing --out briefing.docx
    rapidreview report import rr-2026-014 edited.docx --as bu_officer

The administrator runs these on the server, so they are not limited by chat roles; every export is
audited. An import acts for a named member, so the role matrix and the PII guard still apply.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime, timezone
from pathlib import Path

from bot.report.kinds import KINDS
from bot.settings import Settings

_EXT = {".docx": "docx", ".md": "md", ".zip": "zip", ".html": "html"}


def register(sub: argparse._SubParsersAction) -> None:
    rep = sub.add_parser("report", help="the Rapid Review Report's files (export, import an edited copy)")
    rsub = rep.add_subparsers(dest="report_command", required=True, metavar="TASK")
    ex = rsub.add_parser("export", help="write a report version (or the pack, briefing, action plan) to a file")
    ex.add_argument("case", help="case code, e.g. rr-2026-014")
    ex.add_argument("--version", type=int, help="report version (default: the current one) or pack number")
    ex.add_argument("--kind", choices=KINDS, default="report", help="which document (default: report)")
    ex.add_argument("--out", required=True, help="file to write: .docx, .md, .html (or .zip for the pack); "
                                                 "written for you only (0600), never through a symbolic link")
    ex.add_argument("--force", action="store_true", help="replace the file if it exists")
    ex.set_defaults(handler=_export)
    im = rsub.add_parser("import", help="read an edited .docx back into the next report version")
    im.add_argument("case", help="case code, e.g. rr-2026-014")
    im.add_argument("file", help="the edited Word file")
    im.add_argument("--as", dest="member", required=True,
                    help="the member key the edit is made for (the SPRG chair or a Business Unit officer)")
    im.set_defaults(handler=_import)


def _runtime(settings: Settings):  # noqa: ANN202
    from server.app import make_calendar
    from bot.partnership import load_partnership
    from storage.db import Database

    partnership = load_partnership(settings.partnership)
    return Database(settings.database_url), partnership, make_calendar(settings, partnership)


def _export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    fmt = _EXT.get(out.suffix.lower())
    if fmt is None:
        print(f"rapidreview: --out must end in {', '.join(_EXT)}", file=sys.stderr)
        return 2
    return asyncio.run(export(Settings(), args.case.lower(), args.kind, args.version, fmt, out, force=args.force))


class Unwritable(Exception):
    """Why the export's file cannot be written (said to the administrator as it is)."""


def _writable(out: Path, force: bool) -> None:
    if out.is_symlink():
        raise Unwritable(f"{out} is a symbolic link: the report is never written through one (choose another --out)")
    if out.exists() and not force:
        raise Unwritable(f"{out} exists: choose another --out, or add --force to replace it")
    if out.exists() and not out.is_file():
        raise Unwritable(f"{out} is not a regular file")


def write_private(out: Path, data: bytes, force: bool) -> None:
    """Write an OFFICIAL-SENSITIVE file: readable by its owner only (0600, whatever the umask), never through a
    symbolic link (O_NOFOLLOW; also checked first for a clear message), and never over a file unless asked to."""
    import os
    import tempfile

    _writable(out, force)
    if not out.exists():
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return
    # --force over an existing file: a new private file beside it, then renamed over it (the name, not a target).
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".rapidreview-", suffix=out.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


async def export(settings: Settings, code: str, kind: str, version: int | None, fmt: str, out: Path, *,
                 force: bool = False) -> int:
    from sqlalchemy import select

    from bot import audit
    from bot.report.files import DocumentMissing, FORMATS, render
    from bot.report.html import to_html
    from storage.models import Case

    if fmt not in (*FORMATS[kind], "html") or (fmt == "html" and "md" not in FORMATS[kind]):
        print(f"rapidreview: the {kind} can be written as {', '.join(FORMATS[kind])} or html", file=sys.stderr)
        return 2
    try:
        _writable(out, force)  # before any work: say at once if the file cannot be written
    except Unwritable as exc:
        print(f"rapidreview: {exc}", file=sys.stderr)
        return 2
    db, partnership, cal = _runtime(settings)
    now = datetime.now(timezone.utc)
    try:
        async with db.read() as s:
            case = (await s.execute(select(Case).where(Case.code == code))).scalar_one_or_none()
            if case is None:
                print(f"rapidreview: there is no case {code}", file=sys.stderr)
                return 2
            try:
                doc = await render(s, partnership, cal, case, kind, version, "md" if fmt == "html" else fmt, now)
            except DocumentMissing as exc:
                print(f"rapidreview: {exc}", file=sys.stderr)
                return 2
        data = to_html(doc.data.decode("utf-8")).encode("utf-8") if fmt == "html" else doc.data
        try:
            write_private(out, data, force)
        except Unwritable as exc:
            print(f"rapidreview: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:  # e.g. a link made since the check (O_NOFOLLOW refuses it), a full disk
            print(f"rapidreview: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        async with db.transaction() as s:
            await audit.append(s, audit.AuditEntry("report_exported", case_code=code, platform="cli",
                                                   detail={"kind": kind, "version": doc.version, "format": fmt}), now)
    finally:
        await db.dispose()
    print(f"wrote {out} ({kind}{f' v{doc.version}' if doc.version else ''}, {len(data)} bytes). "
          "It is OFFICIAL-SENSITIVE: keep it off shared drives and out of chat channels.")
    if doc.warning:
        print(f"rapidreview: {doc.warning}", file=sys.stderr)
    return 0


def _import(args: argparse.Namespace) -> int:
    from bot.report.docx import MAX_UPLOAD_BYTES

    path = Path(args.file)
    try:
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            print(f"rapidreview: {path} is {path.stat().st_size / 1e6:.1f} MB; a report is at most "
                  f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB", file=sys.stderr)
            return 2
        data = path.read_bytes()
    except OSError as exc:
        print(f"rapidreview: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return asyncio.run(import_file(Settings(), args.case.lower(), data, path.name, args.member))


async def import_file(settings: Settings, code: str, data: bytes, filename: str, member_key: str) -> int:
    from bot.context import Invocation
    from bot.core import Core
    from bot.documents import import_report

    db, partnership, cal = _runtime(settings)
    member = next((m for m in partnership.members if m.key == member_key), None)
    if member is None:
        print(f"rapidreview: '{member_key}' is not a member key in the partnership file", file=sys.stderr)
        return 2
    try:
        core = Core(db, partnership, cal)
        inv = Invocation(platform="cli", platform_user=f"cli:{member_key}", member=member, private=True)
        reply = await import_report(core, inv, code, data, filename)
    finally:
        await db.dispose()
    print(reply.text, file=sys.stdout if reply.ok else sys.stderr)
    return 0 if reply.ok else 1
