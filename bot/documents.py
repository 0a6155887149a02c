"""Documents as use cases beside the core: a file for an adapter, a file for a signed link, an edited copy read back.

The formatting lives in bot/report/; who may have what is the role table (bot/roles.py); these functions
join them to the store and the audit trail, and an import goes through `Core.handle` like any command.
"""
from __future__ import annotations

from sqlalchemy import select

from bot import audit
from bot.calendar import london_date
from bot.casefile import load_case_file
from bot.context import Invocation, Reply
from bot.core import Core
from bot.grammar import Command
from bot.report.build import build_markdown, load_parts
from bot.report.docx import NotAWordFile, from_docx
from bot.report.files import DocumentMissing, LinkRefused, RenderedFile, render
from bot.roles import document_refusal
from bot.report.links import LinkClaims
from bot.report.readback import IDENTIFIER, Imported, read_report
from storage.models import Case

async def report_file(core: Core, inv: Invocation, case_code: str, kind: str = "report", version: int | None = None,
                      fmt: str = "docx") -> tuple[Reply, RenderedFile | None]:
    """(Reply, RenderedFile | None): a document for an adapter to send to this person privately.

    Refused (and audited) for anyone not entitled: an agency lead never obtains the report."""
    now = core.clock()
    doc, access_refused = None, False
    async with core.db.read() as s:
        case = (await s.execute(select(Case).where(Case.code == case_code))).scalar_one_or_none()
        if case is None:
            why = f"There is no case {case_code}."
        else:
            why = document_refusal(inv.member, kind, await load_case_file(s, case))
            access_refused = why is not None
        if why is None:
            try:
                doc = await render(s, core.partnership, core.calendar, case, kind, version, fmt, now)
            except DocumentMissing as exc:
                why = str(exc)[0].upper() + str(exc)[1:] + "."
    action = "report_file_sent" if doc else "access_refused" if access_refused else "command_refused"
    async with core.db.transaction() as s:
        await audit.append(s, audit.AuditEntry(
            action, case_code=case_code, actor_key=inv.member.key if inv.member else None, platform=inv.platform,
            platform_user=inv.platform_user,
            detail={"command": f"file {kind}", "version": doc.version if doc else version, "format": fmt,
                    **({"why": why} if why else {})}), now)
    if doc is None:
        return Reply(False, why, case_code), None
    return Reply(True, f"{doc.filename} is ready." + (f" {doc.warning}" if doc.warning else ""), case_code), doc


async def serve_link(core: Core, claims: LinkClaims) -> RenderedFile:
    """The file a verified link names, if the person it names may still have it (audited either way)."""
    now = core.clock()
    p = core.partnership
    member = next((m for m in p.members if m.key == claims.member), None)
    async with core.db.read() as s:
        case = (await s.execute(select(Case).where(Case.code == claims.case_code))).scalar_one_or_none()
        why = None if case else "This case no longer exists"
        if case is not None:
            f = await load_case_file(s, case)
            why = document_refusal(member, claims.kind, f)
        doc = None
        if why is None:
            try:
                doc = await render(s, p, core.calendar, case, claims.kind, claims.version, claims.fmt, now)
            except DocumentMissing as exc:
                why = str(exc)
    async with core.db.transaction() as s:
        await audit.append(s, audit.AuditEntry(
            "report_link_used" if doc else "report_link_refused", case_code=claims.case_code, actor_key=claims.member,
            platform="web", detail={"kind": claims.kind, "version": claims.version, "format": claims.fmt,
                                    **({"why": why} if why else {})}), now)
    if doc is None:
        raise LinkRefused(why)
    return doc


async def import_report(core: Core, inv: Invocation, case_code: str, data: bytes, filename: str = "") -> Reply:
    """An edited Word copy of the report, read back into the next version (through `report`, so the
    role matrix, the lifecycle, the PII guard and the audit trail all apply)."""
    async with core.db.read() as s:
        case = (await s.execute(select(Case).where(Case.code == case_code))).scalar_one_or_none()
        f = await load_case_file(s, case) if case else None
        parts = await load_parts(s, case.id) if case else None
    try:
        read = from_docx(data)
    except NotAWordFile as exc:
        imported = Imported(problems=[str(exc)])
    else:
        base = None
        if f is not None:
            m = IDENTIFIER.match(read.identifier or "")
            if m and m.group("kind") == "draft":
                cur = f.current_version.number if f.current_version else 0
                base = build_markdown(f, core.partnership, core.calendar, cur + 1, parts, london_date(core.clock()))
            elif m:
                v = next((x for x in f.versions if x.number == int(m.group("version"))), None)
                base = v.content if v else None
            elif f.current_version:
                base = f.current_version.content
        imported = read_report(read, base)
    cmd = Command("report", None, {"imported": imported.as_args(), "filename": filename[:120]})
    return await core.handle(Invocation(platform=inv.platform, platform_user=inv.platform_user, member=inv.member,
                                        command=cmd, case_code=case_code, private=inv.private))
