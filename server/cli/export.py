"""`rapidreview export CASE --out case.zip`: a case's whole record, for a subject access request, a Panel or
Ofsted request, or an inspection.

The zip holds the case's dates and decisions, every report version with its hash (and whether the text still
matches it), the agency returns, votes, executive decisions, documents, actions, and the case's audit trail with
each record's hash and the whole chain's verification at the time of export. MANIFEST.json lists every
file's SHA-256. After erasure the same export still works: erased text reads "[erased]" and every hash is there.

The file is OFFICIAL-SENSITIVE: it is written owner-only (0600), never through a symbolic link, and an
existing file is only replaced with --force. The export is audited.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import os
import sys
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from bot.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    ex = sub.add_parser("export", help="write a case's whole record to a zip (audit trail, report versions, returns)")
    ex.add_argument("case", help="case code, e.g. rr-2026-014")
    ex.add_argument("--out", required=True, help="the zip to write, e.g. rr-2026-014-record.zip")
    ex.add_argument("--force", action="store_true", help="replace the file if it exists")
    ex.add_argument("--as", dest="member", default=None, help="your member key, recorded in the audit trail")
    ex.set_defaults(handler=_export)


class ExportRefused(ValueError):
    pass


def _export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".zip":
        print(f"rapidreview: --out must end in .zip, for example {args.case.lower()}-record.zip", file=sys.stderr)
        return 2
    return asyncio.run(export(Settings(), args.case.lower(), out, force=args.force, member=args.member))


async def export(settings: Settings, code: str, out: Path, *, force: bool = False, member: str | None = None,
                 now: datetime | None = None) -> int:
    from bot import audit
    from bot.partnership import load_partnership
    from storage.db import Database

    now = now or datetime.now(timezone.utc)
    partnership = load_partnership(settings.partnership)
    if member is not None and not any(m.key == member for m in partnership.members):
        print(f"rapidreview: '{member}' is not a member key in the partnership file", file=sys.stderr)
        return 2
    try:
        _check_target(out, force)
    except ExportRefused as exc:
        print(f"rapidreview: {exc}", file=sys.stderr)
        return 2
    db = Database(settings.database_url)
    try:
        async with db.read() as s:
            files = await collect(s, code, now)
        if files is None:
            print(f"rapidreview: there is no case {code}", file=sys.stderr)
            return 2
        data = zip_bytes(files)
        try:
            write_private(out, data, force=force)
        except ExportRefused as exc:
            print(f"rapidreview: {exc}", file=sys.stderr)
            return 2
        async with db.transaction() as s:
            await audit.append(s, audit.AuditEntry("case_exported", case_code=code, actor_key=member, platform="cli",
                                                   detail={"files": len(files), "sha256": hashlib.sha256(data).hexdigest()}),
                               now)
    finally:
        await db.dispose()
    print(f"wrote {out} ({len(files)} files, {len(data)} bytes, owner-only). It is OFFICIAL-SENSITIVE: keep it off "
          "shared drives and out of chat channels.")
    return 0


# -- the file ------------------------------------------------------------------------------------------------
def _check_target(out: Path, force: bool) -> None:
    if out.is_symlink():
        raise ExportRefused(f"{out} is a symbolic link: refusing to write through it (give the real path)")
    if out.exists() and not force:
        raise ExportRefused(f"{out} exists: give another name, or --force to replace it")
    if out.exists() and not out.is_file():
        raise ExportRefused(f"{out} is not a regular file")
    if not out.parent.is_dir():
        raise ExportRefused(f"the folder {out.parent} does not exist")


def write_private(out: Path, data: bytes, *, force: bool) -> None:
    """Owner-only, never through a symlink, never over an existing file unless forced. The bytes go to a new
    temporary file (O_EXCL|O_NOFOLLOW, mode 0600) beside the target, then take its name: os.link refuses an
    existing name; with --force os.replace swaps the name itself (a symlink there is replaced, not followed)."""
    _check_target(out, force)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except FileExistsError:
        raise ExportRefused(f"{tmp} is in the way (an earlier export was interrupted?): remove it and retry") from None
    try:
        os.fchmod(fd, 0o600)  # whatever the umask says
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if force:
            os.replace(tmp, out)
        else:
            try:
                os.link(tmp, out, follow_symlinks=False)
            except FileExistsError:
                raise ExportRefused(f"{out} exists: give another name, or --force to replace it") from None
            os.unlink(tmp)
    finally:
        if tmp.exists():
            tmp.unlink()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    manifest = {name: hashlib.sha256(body).hexdigest() for name, body in sorted(files.items())}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in sorted(files.items()):
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), body)
        z.writestr(zipfile.ZipInfo("MANIFEST.json", date_time=(1980, 1, 1, 0, 0, 0)), _json({"sha256": manifest}))
    return buf.getvalue()


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _row(obj: Any, *, skip: tuple[str, ...] = ("id", "case_id")) -> dict[str, Any]:
    return {k: _plain(v) for k, v in obj.model_dump().items() if k not in skip}


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=_plain) + "\n").encode("utf-8")


# -- the record ----------------------------------------------------------------------------------------------
async def collect(s, code: str, now: datetime) -> dict[str, bytes] | None:  # noqa: ANN001
    """Every file of the export, by name. None when there is no such case."""
    from sqlalchemy import select

    from bot import audit
    from storage import models as m

    case = (await s.execute(select(m.Case).where(m.Case.code == code))).scalar_one_or_none()
    if case is None:
        return None

    async def rows(model: Any, *order: Any) -> list[Any]:
        return list((await s.execute(select(model).where(model.case_id == case.id).order_by(*order))).scalars())

    files: dict[str, bytes] = {}
    files["case.json"] = _json(_row(case, skip=("id",)))
    versions = await rows(m.ReportVersion, m.ReportVersion.number)
    files["report_versions.json"] = _json([
        {"version": v.number, "content_hash": v.content_hash, "created_by": v.created_by, "created_at": v.created_at,
         "file": f"report/v{v.number}.md",
         "text_matches_hash": hashlib.sha256(v.content.encode("utf-8")).hexdigest() == v.content_hash,
         "text_erased": case.erased_on is not None}
        for v in versions])
    for v in versions:
        files[f"report/v{v.number}.md"] = v.content.encode("utf-8")
    documents = await rows(m.ReportDocument, m.ReportDocument.kind, m.ReportDocument.number)
    files["documents.json"] = _json([{**_row(d, skip=("id", "case_id", "content")), "file": f"documents/{d.kind}-{d.number}.md"}
                                     for d in documents])
    for d in documents:
        files[f"documents/{d.kind}-{d.number}.md"] = d.content.encode("utf-8")
    files["returns.json"] = _json([_row(r) for r in await rows(m.AgencyRequest, m.AgencyRequest.agency_key)])
    files["decisions.json"] = _json({
        "recommendation": {"recommendation": case.recommendation, "reason": case.recommendation_reason,
                           "refer_as_possibly_national": case.refer_as_possibly_national},
        "votes": [_row(v) for v in await rows(m.Vote, m.Vote.cast_at, m.Vote.id)],
        "executive_decisions": [_row(d) for d in await rows(m.ExecutiveDecision, m.ExecutiveDecision.decided_at,
                                                            m.ExecutiveDecision.id)],
        "panel": {"outcome": case.panel_outcome, "ref": case.panel_ref, "response_on": case.panel_response_on},
    })
    files["record.json"] = _json({
        "lines_of_enquiry": [_row(x) for x in await rows(m.LineOfEnquiry, m.LineOfEnquiry.number)],
        "report_sections": [_row(x) for x in await rows(m.ReportSection, m.ReportSection.key)],
        "report_criteria": [_row(x) for x in await rows(m.ReportCriterion, m.ReportCriterion.key)],
        "sharing": [_row(x) for x in await rows(m.SharingTask, m.SharingTask.recipient)],
        "actions": [_row(x) for x in await rows(m.ActionItem, m.ActionItem.number)],
    })
    events = list((await s.execute(select(m.AuditEvent).where(m.AuditEvent.case_code == code)
                                   .order_by(m.AuditEvent.seq))).scalars())
    files["audit.jsonl"] = b"".join(
        json.dumps({"seq": e.seq, "at": e.at.isoformat(), "action": e.action, "actor": e.actor_key,
                    "platform": e.platform, "platform_user": e.platform_user, "detail": audit.full_detail(e),
                    "content_digest": e.content_digest, "prev_hash": e.prev_hash, "hash": e.hash},
                   sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n" for e in events)
    chain = await audit.verify(s)
    files["audit_chain.json"] = _json({"verified_at": now, "records_in_whole_trail": chain.records, "intact": chain.ok,
                                       "first_broken_seq": chain.first_broken_seq, "why": chain.why})
    files["README.txt"] = (
        f"Record of {case.code} ({case.pseudonym}), exported {now.isoformat()}. OFFICIAL-SENSITIVE.\n"
        "case.json: dates, state, retention. decisions.json: votes, recommendation, executive decisions, Panel.\n"
        "report/: every report version; report_versions.json gives each one's SHA-256 and whether the text still\n"
        "matches it. returns.json: the agency returns. audit.jsonl: this case's audit records with their hashes;\n"
        "audit_chain.json: the whole trail's verification when exported. MANIFEST.json: SHA-256 of every file.\n"
        + (f"The case's personal content was erased on {case.erased_on.isoformat()}: such text reads [erased].\n"
           if case.erased_on else "")).encode("utf-8")
    return files
