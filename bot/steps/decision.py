"""The meeting's views, the recommendation, report versions and the three executive leads' decisions."""
from __future__ import annotations

from bot.casefile import CaseFile
from bot.deadlines import case_deadlines, working_days_left
from bot.context import StepContext
from bot.effects import direct_message, invite, notice, post_card
from bot.partnership import PARTNER_LABELS, Role
from bot.steps.report import create_version, issue_link
from bot.states import RECOMMENDATIONS, CaseState, StatutoryPartnerKeys
from bot.calendar import format_human
from bot.steps.common import refuse_identifying_text
from bot.steps.oversight import tell_oversight
from storage.models import ExecutiveDecision, Vote


def _approval_context(ctx: StepContext) -> dict:
    return approval_context(ctx.file)


def approval_context(f: CaseFile) -> dict:
    """What the executive approval card shows: the version, each partner's decision and the tally."""
    v = f.current_version
    approvals = f.approvals_by_partner()
    against = {d.partner for d in f.disagreements()}
    return {
        "case_code": f.case.code, "pseudonym": f.case.pseudonym, "version": v.number if v else None,
        "content_hash": v.content_hash[:12] if v else None,
        "partners": [{"partner": k, "label": PARTNER_LABELS[k],
                      "status": "approved" if k in approvals else "disagreed" if k in against else "awaiting"}
                     for k in StatutoryPartnerKeys],
        "count": f"{len(approvals)} of {len(StatutoryPartnerKeys)}", "complete": f.unanimous,
        "recommendation": f.case.recommendation,
        "national": f.case.refer_as_possibly_national,
    }


def _vote_context(ctx: StepContext) -> dict:
    p = ctx.partnership
    votes = [{"member": p.member(v.member_key).name, "choice": v.choice, "national": v.national} for v in ctx.file.votes]
    return {"case_code": ctx.case.code, "pseudonym": ctx.case.pseudonym, "votes": votes,
            "lcspr": sum(v["choice"] == "lcspr" for v in votes),
            "no_lcspr": sum(v["choice"] == "no-lcspr" for v in votes),
            "national": sum(v["national"] for v in votes)}


async def vote(ctx: StepContext) -> None:
    refuse_identifying_text(ctx, ctx.args["reason"], "rationale")
    existing = next((v for v in ctx.file.votes if v.member_key == ctx.actor.key), None)
    if existing is None:
        existing = Vote(case_id=ctx.case.id, member_key=ctx.actor.key, choice=ctx.cmd.option,
                        national=ctx.args["national"], reason=ctx.args["reason"], cast_at=ctx.now)
        ctx.session.add(existing)
        ctx.file.votes.append(existing)
        changed = False
    else:
        changed = (existing.choice, existing.national) != (ctx.cmd.option, ctx.args["national"])
        existing.choice, existing.national = ctx.cmd.option, ctx.args["national"]
        existing.reason, existing.cast_at = ctx.args["reason"], ctx.now
    ctx.audit("vote_cast", choice=ctx.cmd.option, national=ctx.args["national"], changed=changed,
              reason=ctx.args["reason"])
    ctx.emit(_slot(post_card(ctx.case.code, "vote", _vote_context(ctx)), "vote"))
    ctx.say(f"Your view is recorded: {ctx.cmd.option}{' (national)' if ctx.args['national'] else ''}. "
            "Views are advisory; you can change yours until the report goes to the executive leads.")


def _slot(effect, slot: str):  # noqa: ANN001
    """Mark a card as one that is posted once and then updated in place (vote tally, approvals)."""
    effect.payload["slot"] = slot
    return effect


async def recommend(ctx: StepContext) -> CaseState:
    refuse_identifying_text(ctx, ctx.args["reason"], "rationale")
    c = ctx.case
    c.recommendation = RECOMMENDATIONS[ctx.cmd.option]
    c.refer_as_possibly_national = ctx.args["national"]
    c.recommendation_reason = ctx.args["reason"]
    ctx.audit("recommendation_recorded", recommendation=c.recommendation, national=c.refer_as_possibly_national,
              reason=ctx.args["reason"])
    ctx.emit(notice(c.code, f"Recommendation recorded: {c.recommendation}"
                    + (" (may be of national importance)" if c.refer_as_possibly_national else "")
                    + ". Next: `report` sends the report to the executive leads."))
    return CaseState.REPORT_DRAFTING


def guard_report(ctx: StepContext) -> str | None:
    if not ctx.case.recommendation:
        return 'Record the recommendation first, for example: recommend no-lcspr reason="learning via briefing"'
    return None


async def report(ctx: StepContext) -> CaseState:
    c = ctx.case
    from bot.steps.revision import unchanged_after_disagreement

    new = await create_version(ctx)  # from the records, or from an uploaded Word file (bot/report_steps.py)
    number = new.version.number
    why = unchanged_after_disagreement(ctx, new)
    if why:
        ctx.refuse(why)
    leads = ctx.members_with(Role.EXECUTIVE_LEAD)
    ctx.emit(invite(c.code, leads, "executive approval opened"))
    context = _approval_context(ctx)
    # What changed since the last version: section titles only, never content, and only in DMs.
    changes = {"changed_since": new.previous.number if new.previous else None, "changed_sections": new.changed}
    for key in leads:
        url, expires = issue_link(ctx, key, "report", number, "docx")
        ctx.emit(direct_message(c.code, key, "executive_approval",
                                {**context, **changes, "report_url": url, "link_expires": expires}))
    ctx.emit(_slot(post_card(c.code, "executive_approval", context), "approval"))
    since = (f" Changed since v{new.previous.number}: {'; '.join(new.changed) or 'nothing'}."
             if new.previous else "")
    for key in ctx.members_with(Role.SPRG_CHAIR, Role.BUSINESS_UNIT):
        url, expires = issue_link(ctx, key, "report", number, "docx")
        ctx.emit(direct_message(c.code, key, "notice", {"case_code": c.code, "text":
            f"{c.code} / {c.pseudonym}: report v{number} is with the executive leads.{since} Your link, valid until "
            f"{expires}: {url} . It is for you only: please do not forward it."}))
    tell_oversight(ctx, f"report v{number} has gone to the executive leads for approval"
                        + (f" (after a reconsideration of v{new.previous.number})" if new.previous else "") + ".")
    void_note = " Earlier approvals are void: all three must approve this version." if number > 1 else ""
    ctx.emit(notice(c.code, f"Report v{number} sent to the executive leads for approval.{void_note}"))
    if new.notes:  # an uploaded Word file: say what was read back and what could not be kept
        for line in new.notes:
            ctx.say(line)
        ctx.say(f"Report v{number} made and sent to the executive leads (links by direct message).{since}")
    return CaseState.EXEC_APPROVAL


def _partner(ctx: StepContext) -> str:
    partner = ctx.partnership.partner_of(ctx.actor)
    if partner is None:
        ctx.refuse("Only an executive lead of the local authority, ICB or police can decide on the report.", access=True)
    return partner.value


def _version_check(ctx: StepContext) -> None:
    cur = ctx.file.current_version
    asked = ctx.args.get("version")
    if cur is None:
        ctx.refuse("There is no report version to decide on yet.")
    if asked is not None and asked > cur.number:
        ctx.refuse(f"There is no v{asked}: the current version is v{cur.number}. Please read v{cur.number} and "
                   f"decide on it (approve v{cur.number}).")
    if asked is not None and asked != cur.number:
        ctx.refuse(f"v{asked} is not the current version: v{cur.number} is. Decisions on earlier versions are void; "
                   f"please read v{cur.number} and decide on it.")


def repeated_approval(f: CaseFile, partner: str, member_key: str, version: int | None) -> str | None:
    """What to say when this person presses Approve again on the version they already approved (a double tap,
    a second device, a forwarded card): nothing changes, so it needs no lock, no write and no audit record."""
    cur = f.current_version
    mine = f.approvals_by_partner().get(partner)
    if cur is None or mine is None or mine.member_key != member_key or version not in (None, cur.number):
        return None
    return (f"You have already approved v{cur.number} for {PARTNER_LABELS[partner]} "
            f"({len(f.approvals_by_partner())} of 3 partners so far). Nothing more is needed from you.")


async def approve(ctx: StepContext) -> CaseState:
    partner = _partner(ctx)
    _version_check(ctx)
    f = ctx.file
    if partner in f.approvals_by_partner():
        ctx.refuse(f"{PARTNER_LABELS[partner]} has already approved v{f.current_version.number}.")
    cur = f.current_version
    d = ExecutiveDecision(case_id=f.case.id, partner=partner, member_key=ctx.actor.key, report_version=cur.number,
                          content_hash=cur.content_hash, decision="approve", decided_at=ctx.now)
    ctx.session.add(d)
    f.decisions.append(d)
    ctx.audit("executive_approved", partner=partner, version=cur.number, content_hash=cur.content_hash,
              deputy=ctx.actor.deputy_of is not None)
    context = _approval_context(ctx)
    ctx.emit(_slot(post_card(f.case.code, "executive_approval", context), "approval"))
    if f.unanimous:
        ctx.emit(notice(f.case.code, f"All three partners approved v{cur.number}. The Business Unit can now `submit` it to the Panel."))
        tell_oversight(ctx, f"all three partners approved report v{cur.number}; it goes to the Panel next.")
        ctx.say(f"Approved v{cur.number} for {PARTNER_LABELS[partner]}: all three partners have now approved.")
        return CaseState.APPROVED
    ctx.emit(notice(f.case.code, f"{PARTNER_LABELS[partner]} approved v{cur.number} ({context['count']})."))
    ctx.say(f"Approved v{cur.number} for {PARTNER_LABELS[partner]} ({context['count']}).")
    return CaseState.EXEC_APPROVAL


async def disagree(ctx: StepContext) -> CaseState:
    partner = _partner(ctx)
    _version_check(ctx)
    refuse_identifying_text(ctx, ctx.args["reason"], "reason")
    f, c = ctx.file, ctx.case
    cur = f.current_version
    d = ExecutiveDecision(case_id=c.id, partner=partner, member_key=ctx.actor.key, report_version=cur.number,
                          content_hash=cur.content_hash, decision="disagree", reason=ctx.args["reason"], decided_at=ctx.now)
    ctx.session.add(d)
    f.decisions.append(d)
    ctx.audit("executive_disagreed", partner=partner, version=cur.number, content_hash=cur.content_hash,
              reason=ctx.args["reason"])
    text = (f"{PARTNER_LABELS[partner]} disagreed with v{cur.number}. The SPRG chair and Business Unit will prepare "
            f"v{cur.number + 1}; all three partners must then approve it.")
    ctx.emit(notice(c.code, text), _slot(post_card(c.code, "executive_approval", _approval_context(ctx)), "approval"))
    for key in ctx.members_with(Role.SPRG_CHAIR, Role.BUSINESS_UNIT):
        ctx.emit(direct_message(c.code, key, "notice", {"case_code": c.code, "text": text}))
    rr = next((x for x in case_deadlines(c, ctx.cal, ctx.partnership.timescales) if x.key == "rapid_review_due"), None)
    if rr is not None:
        left = working_days_left(ctx.cal, ctx.today, rr.due)
        if left <= ctx.partnership.timescales.at_risk_working_days:
            # AS-13: warn, never extend the due date automatically.
            alert = (f"{c.code} / {c.pseudonym}: risk of missing the 15-working-day expectation "
                     f"({left} working day{'s' if left != 1 else ''} left, due {format_human(rr.due)}): consider informing the Panel.")
            for key in ctx.members_with(Role.PARTNERSHIP_MANAGER):
                ctx.emit(direct_message(c.code, key, "notice", {"case_code": c.code, "text": alert}))
            ctx.audit("at_risk_alert", working_days_left=left, rapid_review_due=rr.due)
    ctx.say(f"Recorded your disagreement with v{cur.number} for {PARTNER_LABELS[partner]}.")
    return CaseState.EXEC_DISAGREEMENT


def guard_submit(ctx: StepContext) -> str | None:
    if ctx.case.state == CaseState.APPROVED and not ctx.file.unanimous:
        return "All three partners must approve the current version before it goes to the Panel."
    if ctx.case.state == CaseState.PANEL_RESPONDED and ctx.case.panel_outcome != "REQUESTS_INFORMATION":
        return "The Panel has not asked for more information: nothing to send."
    return None


async def submit(ctx: StepContext) -> CaseState:
    c = ctx.case
    if c.state == CaseState.PANEL_RESPONDED:
        ctx.audit("panel_information_sent")
        ctx.emit(notice(c.code, "The information the Panel asked for has been sent. Awaiting the Panel."))
        return CaseState.AWAITING_PANEL
    from bot.steps.revision import edited_since_approval

    v = ctx.file.current_version
    edited = await edited_since_approval(ctx, v)
    if edited and not ctx.args.get("as_approved"):
        ctx.refuse(f"Parts of the report changed after v{v.number} was approved: {'; '.join(edited)}. Those changes are "
                   f"not in v{v.number}. Make a new version with them (`report`: all three partners approve it again), "
                   f"or submit v{v.number} exactly as approved: submit as-approved")
    if edited:
        ctx.audit("submitted_without_later_edits", version=v.number, changed_sections=edited)
    c.rr_submitted_on = ctx.today
    pack = await _submission_pack(ctx, v)
    ctx.audit("submitted_to_panel", version=v.number, content_hash=v.content_hash, recommendation=c.recommendation,
              national=c.refer_as_possibly_national, pack=pack.number, pack_hash=pack.content_hash)
    ctx.emit(notice(c.code, f"Rapid review v{v.number} submitted to the Panel on {format_human(ctx.today)} "
                            f"(submission pack {pack.number})."))
    tell_oversight(ctx, f"rapid review v{v.number} submitted to the Panel on {format_human(ctx.today)} "
                        f"(recommendation: {c.recommendation}{', may be of national importance' if c.refer_as_possibly_national else ''}).")
    for key in ctx.members_with(Role.BUSINESS_UNIT):
        url, expires = issue_link(ctx, key, "pack", pack.number, "zip")
        ctx.emit(direct_message(c.code, key, "notice", {"case_code": c.code, "text":
            f"{c.code} / {c.pseudonym}: Panel submission pack {pack.number} (report v{v.number} and covering summary). "
            f"Your link, valid until {expires}: {url} . It is for you only: please do not forward it."}))
    return CaseState.SUBMITTED_TO_PANEL


async def _submission_pack(ctx: StepContext, version):  # noqa: ANN001, ANN202
    """The final report plus the covering summary, stored with the submission (domain §3.3)."""
    from sqlalchemy import func, select

    from bot.report.build import load_parts
    from bot.report.pack import PACK, new_pack
    from storage.models import ReportDocument

    c = ctx.case
    number = (await ctx.session.execute(select(func.count()).select_from(ReportDocument).where(
        ReportDocument.case_id == c.id, ReportDocument.kind == PACK))).scalar() + 1
    parts = await load_parts(ctx.session, c.id)
    pack = new_pack(ctx.file, ctx.partnership, ctx.cal, version, number, ctx.today, parts.sections.get("sin-ref"),
                    ctx.actor.key, ctx.now)
    ctx.session.add(pack)
    return pack
