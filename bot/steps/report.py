"""Steps for writing the report: narrative sections, criteria answers, links, and new versions.

Narrative text is stored, never posted: replies and audit records name the section, not its words.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select

from bot.report import blocks as md
from bot.context import StepContext
from bot.effects import direct_message
from bot.report.build import (ANSWERS, CRITERIA, FIELDS, MAX_SECTION, NARRATIVES, ReportParts, build_markdown, content_hash,
                        load_parts)
from bot.report.files import FORMATS
from bot.report.kinds import DOCUMENTS, named
from bot.roles import document_refusal
from bot.report.links import signer
from bot.report.pack import PACK
from bot.steps.common import refuse_identifying_text
from storage.models import ReportCriterion, ReportDocument, ReportSection, ReportVersion

_TITLES = {kind: d.in_a_sentence for kind, d in DOCUMENTS.items()}


def section_label(key: str) -> str:
    return NARRATIVES[key].label if key in NARRATIVES else FIELDS[key].lower()


def _clean(key: str, text: str | None) -> str:
    return md.normalize_narrative(text) if key in NARRATIVES else " ".join((text or "").split())


async def _store_section(ctx: StepContext, key: str, text: str) -> bool:
    """Save (or clear) one section; True when it changed."""
    row = (await ctx.session.execute(select(ReportSection).where(
        ReportSection.case_id == ctx.case.id, ReportSection.key == key))).scalar_one_or_none()
    if not text:
        if row is None:
            return False
        await ctx.session.delete(row)
        return True
    if row is not None and row.text == text:
        return False
    if row is None:
        ctx.session.add(ReportSection(case_id=ctx.case.id, key=key, text=text, updated_by=ctx.actor.key,
                                      updated_at=ctx.now))
    else:
        row.text, row.updated_by, row.updated_at = text, ctx.actor.key, ctx.now
    return True


async def _store_criterion(ctx: StepContext, key: str, answer: str | None, rationale: str) -> bool:
    row = (await ctx.session.execute(select(ReportCriterion).where(
        ReportCriterion.case_id == ctx.case.id, ReportCriterion.key == key))).scalar_one_or_none()
    if answer is None:
        if row is None:
            return False
        await ctx.session.execute(delete(ReportCriterion).where(ReportCriterion.id == row.id))
        return True
    if row is not None and (row.answer, row.rationale) == (answer, rationale):
        return False
    if row is None:
        ctx.session.add(ReportCriterion(case_id=ctx.case.id, key=key, answer=answer, rationale=rationale,
                                        answered_by=ctx.actor.key, answered_at=ctx.now))
    else:
        row.answer, row.rationale, row.answered_by, row.answered_at = answer, rationale, ctx.actor.key, ctx.now
    return True


def _next_hint(ctx: StepContext) -> str:
    cur = ctx.file.current_version
    n = cur.number + 1 if cur else 1
    return f"It goes into v{n} when you run `report` (which sends v{n} to the executive leads)."


async def section(ctx: StepContext) -> None:
    key = ctx.cmd.option
    text = _clean(key, ctx.args.get("text"))
    if len(text) > MAX_SECTION:
        ctx.refuse(f"The {section_label(key)} is too long ({len(text)} characters; at most {MAX_SECTION}).")
    refuse_identifying_text(ctx, text, section_label(key))
    changed = await _store_section(ctx, key, text)
    ctx.audit("report_section_set", section=key, characters=len(text), changed=changed)
    what = "cleared" if not text else "saved" if changed else "unchanged"
    ctx.say(f"The {section_label(key)} is {what}. {_next_hint(ctx)}")


async def criterion(ctx: StepContext) -> None:
    key, answer, reason = ctx.cmd.option, ctx.args["answer"], " ".join(ctx.args["reason"].split())
    refuse_identifying_text(ctx, reason, "rationale")
    changed = await _store_criterion(ctx, key, answer, reason)
    ctx.audit("report_criterion_set", criterion=key, answer=answer, changed=changed)
    table = "reg 3" if key.startswith("national-") else "reg 11"
    ctx.say(f"Recorded {table} criterion ({key.removeprefix('national-')}): {ANSWERS[answer].lower()}. {_next_hint(ctx)}")


async def link(ctx: StepContext) -> None:
    """A 24-hour link to a document, by direct message to the person who asked (and only to them)."""
    kind = ctx.cmd.option or "report"
    fmt = ctx.args.get("fmt") or FORMATS[kind][0]
    if fmt not in FORMATS[kind]:
        ctx.refuse(f"The {_TITLES[kind]} comes as {' or '.join(FORMATS[kind])}.")
    why = document_refusal(ctx.actor, kind, ctx.file)
    if why:
        ctx.refuse(why, access=True)
    c, f = ctx.case, ctx.file
    version = None
    if kind == "sprg-pack":
        from bot.report.sprg_pack import ready

        if not ready(f):
            ctx.refuse("The SPRG pack has not been circulated yet: the Business Unit circulates it with `pack`.")
    if kind in ("report", "draft", "pack") and c.track == "local_review":
        ctx.refuse("A local review has no Rapid Review Report for the Panel.")
    if kind == "report":
        asked = ctx.args.get("version")
        v = next((x for x in f.versions if x.number == asked), None) if asked else f.current_version
        if v is None:
            ctx.refuse(f"There is no report v{asked}." if asked else "There is no report version yet: `report` makes v1.")
        version = v.number
    elif kind == "pack":
        packs = list((await ctx.session.execute(select(ReportDocument.number).where(
            ReportDocument.case_id == c.id, ReportDocument.kind == PACK).order_by(ReportDocument.number))).scalars())
        if not packs:
            ctx.refuse("There is no Panel submission pack yet: `submit` makes it.")
        version = ctx.args.get("version") or packs[-1]
        if version not in packs:
            ctx.refuse(f"There is no submission pack {version}.")
    url, expires = issue_link(ctx, ctx.actor.key, kind, version, fmt)
    title = named(kind, version)
    ctx.emit(direct_message(c.code, ctx.actor.key, "notice", {
        "case_code": c.code, "text": f"{c.code} / {c.pseudonym}: {title} ({fmt}). Your link, valid until {expires}: "
                                     f"{url} . It is for you only: please do not forward it."}))
    ctx.say(f"I have sent you a link to the {title} by direct message. It works for 24 hours.")


def issue_link(ctx: StepContext, member_key: str, kind: str, version: int | None, fmt: str) -> tuple[str, str]:
    """(url, expiry in words) for one member; audited without the token."""
    s = signer()
    token, claims = s.issue(member_key, ctx.case.code, kind, version, fmt, ctx.now)
    ctx.audit("report_link_issued", member=member_key, kind=kind, version=version, format=fmt, expires=claims.expires)
    return s.url(token), claims.expires_human


# -- new versions ---------------------------------------------------------------------------------------
@dataclass
class NewVersion:
    version: ReportVersion
    previous: ReportVersion | None
    changed: list[str] = field(default_factory=list)  # section titles changed since the previous version
    notes: list[str] = field(default_factory=list)  # what an upload changed, and what of it was not kept
    voided: int = 0


async def create_version(ctx: StepContext) -> NewVersion:
    """The next report version from the case as it stands (after applying an uploaded Word file, if any)."""
    f, c = ctx.file, ctx.case
    notes: list[str] = []
    imported = ctx.args.get("imported")
    if imported is not None:
        notes = await _apply_import(ctx, imported)
    parts: ReportParts = await load_parts(ctx.session, c.id)
    prev = f.current_version
    number = (prev.number if prev else 0) + 1
    markdown = build_markdown(f, ctx.partnership, ctx.cal, number, parts, ctx.today)
    changed = md.changed_sections(prev.content if prev else None, markdown)
    if imported is not None and prev is not None and not changed:
        ctx.refuse(f"The uploaded file changes nothing that v{prev.number} does not already say, so no new version was "
                   "made." + (" " + " ".join(notes) if notes else ""))
    digest = content_hash(markdown)
    version = ReportVersion(case_id=c.id, number=number, content_hash=digest, content=markdown,
                            created_by=ctx.actor.key, created_at=ctx.now)
    ctx.session.add(version)
    voided = 0
    for d in f.decisions:
        if not d.void:
            d.void, voided = True, voided + 1
    f.versions.append(version)
    ctx.audit("report_version_created", version=number, content_hash=digest, voided_decisions=voided,
              source="upload" if imported is not None else "records", changed_sections=changed)
    return NewVersion(version, prev, changed, notes, voided)


async def _apply_import(ctx: StepContext, imp: dict) -> list[str]:
    if imp.get("problems"):
        ctx.refuse("The uploaded report cannot be read back: " + "; ".join(imp["problems"]) + ".")
    c, cur = ctx.case, ctx.file.current_version
    if imp.get("case_code") and imp["case_code"] != c.code:
        ctx.refuse(f"That file is the report of {imp['case_code']}, not {c.code}. Nothing was changed.")
    base, cur_n = imp.get("base_version"), cur.number if cur else 0
    if imp.get("kind") == "report" and base is not None and base != cur_n:
        ctx.refuse(f"That file was exported from v{base}, but v{cur_n} is the current version: download v{cur_n} "
                   "(`link`), make your edits in it and upload it again. Nothing was changed.")
    if imp.get("kind") == "draft" and base is not None and base != cur_n:
        ctx.refuse(f"That draft was made before v{cur_n}: download the draft again (`link draft`) and redo the edits there.")
    changed: list[str] = []
    for key, text in (imp.get("sections") or {}).items():
        if key not in NARRATIVES and key not in FIELDS:
            continue
        text = _clean(key, text)
        if len(text) > MAX_SECTION:
            ctx.refuse(f"The {section_label(key)} is too long ({len(text)} characters; at most {MAX_SECTION}).")
        refuse_identifying_text(ctx, text, f"{section_label(key)} (in the uploaded file)")
        if (key == "rationale" and c.recommendation_reason and text == md.normalize_narrative(c.recommendation_reason)
                and not await _has_section(ctx, key)):
            continue  # the recommendation's own reason, shown until a rationale is written: not an edit
        if await _store_section(ctx, key, text):
            changed.append(section_label(key))
    for key, (answer, rationale) in (imp.get("criteria") or {}).items():
        if key not in CRITERIA or (answer is not None and answer not in ANSWERS):
            continue
        rationale = " ".join((rationale or "").split())
        refuse_identifying_text(ctx, rationale, "criterion rationale (in the uploaded file)")
        if await _store_criterion(ctx, key, answer, rationale):
            changed.append(f"criterion {'reg 3 ' if key.startswith('national-') else ''}({key.removeprefix('national-')})")
    ctx.audit("report_uploaded", changed=changed, not_kept=imp.get("ignored") or [])
    notes = [f"Read back from the uploaded file: {', '.join(changed)}." if changed else
             "The uploaded file changed none of the parts written by the SPRG chair and the Business Unit."]
    if imp.get("ignored"):
        notes.append("Edits in " + "; ".join(imp["ignored"]) + " were not kept: those parts are built from the case's "
                     "records (agency returns, dates, views). Change the record instead, or add the point to a "
                     "narrative section.")
    return notes


async def _has_section(ctx: StepContext, key: str) -> bool:
    return (await ctx.session.execute(select(ReportSection.id).where(
        ReportSection.case_id == ctx.case.id, ReportSection.key == key))).first() is not None


async def issue_briefing(ctx: StepContext) -> ReportDocument:
    """Keep the practitioners' briefing as issued (`briefing done`), so what agencies shared can be shown again."""
    from sqlalchemy import func

    from bot.report.briefing import BRIEFING, briefing_markdown, one_page_warning

    c = ctx.case
    text = briefing_markdown(ctx.file, ctx.partnership, await load_parts(ctx.session, c.id), ctx.today)
    number = (await ctx.session.execute(select(func.count()).select_from(ReportDocument).where(
        ReportDocument.case_id == c.id, ReportDocument.kind == BRIEFING))).scalar() + 1
    doc = ReportDocument(case_id=c.id, kind=BRIEFING, number=number, content=text, content_hash=content_hash(text),
                         created_by=ctx.actor.key, created_at=ctx.now)
    ctx.session.add(doc)
    warning = one_page_warning(text)
    if warning:
        ctx.say(f"Practitioners' briefing recorded as issued (`link briefing` gets it). {warning}")
    return doc
