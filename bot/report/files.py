"""The documents as files (Word, Markdown, a zip for the pack). Who may have which is in the role table
(bot/roles.py `document_refusal`).

The report goes only to the Business Unit, the SPRG chair, the executive leads (and their deputies)
and the Independent Scrutineer (domain §1.3, §5.2): by a direct message with a short-lived link, or
to an adapter through `report_file`, never as a file in the case channel. The practitioners'
briefing is for sharing, so more people may have it. Every hand-over is audited; every refusal too.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.report.briefing import BRIEFING, action_plan_markdown, briefing_markdown, one_page_warning
from bot.calendar import LONDON, WorkingDayCalendar, london_date
from bot.casefile import CaseFile, load_case_file
from bot.partnership import Partnership
from bot.report.build import build_markdown, load_parts, with_signoff
from bot.report.docx import DocInfo, to_docx
from bot.report.kinds import DOCUMENTS
from bot.report.pack import PACK
from storage.models import Case, ReportDocument

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_TYPES = {"docx": DOCX, "md": "text/markdown; charset=utf-8", "zip": "application/zip"}
FORMATS = {kind: d.formats for kind, d in DOCUMENTS.items()}
_TITLES = {kind: d.title for kind, d in DOCUMENTS.items()}


class DocumentMissing(LookupError):
    """The document asked for does not exist (yet)."""


class LinkRefused(PermissionError):
    """A link that verified but may not be served now (the person is no longer entitled, the case is gone)."""


@dataclass(frozen=True)
class RenderedFile:
    filename: str
    content_type: str
    data: bytes
    kind: str
    version: int | None = None
    warning: str | None = None  # e.g. a briefing longer than one page


def _stamp(f: CaseFile, kind: str, version: int | None, ext: str) -> str:
    v = f"-v{version}" if version else ""
    return f"{f.case.code}-{kind}{v}.{ext}"


def _info(f: CaseFile, p: Partnership, kind: str, number: int | None, ident: str, created: datetime) -> DocInfo:
    label = f"{_TITLES[kind]}{f' v{number}' if number and kind == 'report' else ''}"
    return DocInfo(title=f"{f.case.code} {label}", header_line=f"{f.case.code} / {f.case.pseudonym} · {label}",
                   identifier=ident, author=p.partnership.short_name, created=created)


async def render(session, p: Partnership, cal: WorkingDayCalendar, case: Case, kind: str, version: int | None,  # noqa: ANN001
                 fmt: str, now: datetime) -> RenderedFile:
    """One document of the case as a file. Raises DocumentMissing when it does not exist yet."""
    if fmt not in FORMATS[kind]:
        raise DocumentMissing(f"the {_TITLES[kind].lower()} comes as {' or '.join(FORMATS[kind])}, not {fmt}")
    f = await load_case_file(session, case)
    today = london_date(now)
    if kind == "report":
        v = next((x for x in f.versions if x.number == version), None) if version else f.current_version
        if v is None:
            raise DocumentMissing(f"{case.code} has no report v{version}" if version else f"{case.code} has no report version yet")
        text = with_signoff(v.content, f, p, v)
        return _file(f, p, kind, v.number, text, fmt, f"rapidreview:{case.code}:report:v{v.number}:{v.content_hash[:12]}",
                     v.created_at)
    if kind == "draft":
        cur = f.current_version.number if f.current_version else 0
        text = build_markdown(f, p, cal, cur + 1, await load_parts(session, case.id), today)
        text = text.replace("# Rapid Review Report\n", "# Rapid Review Report (draft, not a version)\n", 1)
        return _file(f, p, kind, None, text, fmt, f"rapidreview:{case.code}:draft:v{cur}", now)
    if kind == "pack":
        q = select(ReportDocument).where(ReportDocument.case_id == case.id, ReportDocument.kind == PACK)
        packs = list((await session.execute(q.order_by(ReportDocument.number))).scalars())
        doc = next((d for d in packs if d.number == version), None) if version else (packs[-1] if packs else None)
        if doc is None:
            raise DocumentMissing(f"{case.code} has not been submitted to the Panel yet: there is no pack")
        v = next(x for x in f.versions if x.number == doc.report_version)
        report_md = with_signoff(v.content, f, p, v)
        if fmt == "md":
            return RenderedFile(_stamp(f, "panel-pack", doc.number, "md"), _TYPES["md"],
                                (doc.content + "\n---\n\n" + report_md).encode(), kind, doc.number)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            covering = to_docx(doc.content, _info(f, p, "pack", doc.number, f"rapidreview:{case.code}:pack:v{doc.number}",
                                                  doc.created_at))
            report = to_docx(report_md, _info(f, p, "report", v.number,
                                              f"rapidreview:{case.code}:report:v{v.number}:{v.content_hash[:12]}", v.created_at))
            for name, data in ((f"{case.code}-covering-summary.docx", covering),
                               (f"{case.code}-rapid-review-report-v{v.number}.docx", report)):
                z.writestr(zipfile.ZipInfo(name, date_time=doc.created_at.astimezone(LONDON).timetuple()[:6]), data)
        return RenderedFile(_stamp(f, "panel-pack", doc.number, "zip"), _TYPES["zip"], buf.getvalue(), kind, doc.number)
    if kind == "sprg-pack":
        from bot.report.sprg_pack import ready, sprg_pack_markdown

        if not ready(f):
            raise DocumentMissing(f"the SPRG pack of {case.code} has not been circulated yet")
        cur = f.current_version.number if f.current_version else 0
        text = sprg_pack_markdown(build_markdown(f, p, cal, cur + 1, await load_parts(session, case.id), today))
        return _file(f, p, kind, None, text, fmt, f"rapidreview:{case.code}:sprg-pack", now)
    if kind == "briefing":  # as issued (`briefing done` keeps it), or a fresh draft until then
        issued = (await session.execute(select(ReportDocument).where(
            ReportDocument.case_id == case.id, ReportDocument.kind == BRIEFING)
            .order_by(ReportDocument.number.desc()))).scalars().first()
        text = issued.content if issued else briefing_markdown(f, p, await load_parts(session, case.id), today)
        doc = _file(f, p, kind, None, text, fmt, f"rapidreview:{case.code}:briefing:{'issued' if issued else 'draft'}",
                    issued.created_at if issued else now)
        return RenderedFile(doc.filename, doc.content_type, doc.data, kind, None, one_page_warning(text))
    text = action_plan_markdown(f, p, today)
    return _file(f, p, kind, None, text, fmt, f"rapidreview:{case.code}:action-plan", now)


def _file(f: CaseFile, p: Partnership, kind: str, number: int | None, text: str, fmt: str, ident: str,
          created: datetime) -> RenderedFile:
    name = {"report": "rapid-review-report", "draft": "rapid-review-report-draft"}.get(kind, kind)
    if fmt == "md":
        return RenderedFile(_stamp(f, name, number, "md"), _TYPES["md"], text.encode(), kind, number)
    return RenderedFile(_stamp(f, name, number, "docx"), DOCX, to_docx(text, _info(f, p, kind, number, ident, created)),
                        kind, number)
