"""Learning and actions after the Panel's response, and the LCSPR child workflow (S14, S15)."""
from __future__ import annotations

from bot.acting import own_agency_as_lead
from bot.context import StepContext
from bot.effects import direct_message, notice, post_card
from bot.states import LCSPR_TRANSITIONS, CaseState, LcsprStage
from bot.calendar import format_human
from bot.steps.common import refuse_identifying_text
from storage.models import ActionItem


def _into_learning(ctx: StepContext) -> CaseState | None:
    return CaseState.LEARNING_AND_ACTIONS if ctx.case.state == CaseState.RESPONSE_SHARED else None


async def briefing_done(ctx: StepContext) -> CaseState | None:
    if ctx.case.briefing_done_on is not None:
        ctx.refuse(f"The practitioners' briefing was already recorded on {format_human(ctx.case.briefing_done_on)}.")
    ctx.case.briefing_done_on = ctx.today
    from bot.steps.report import issue_briefing  # the briefing document itself

    doc = await issue_briefing(ctx)
    ctx.audit("briefing_done", content_hash=doc.content_hash)
    ctx.emit(notice(ctx.case.code, "Practitioners' briefing issued."))
    return _into_learning(ctx)


def _action_context(ctx: StepContext, item: ActionItem) -> dict:
    return {"case_code": ctx.case.code, "pseudonym": ctx.case.pseudonym, "number": item.number,
            "owner": ctx.partnership.agency(item.owner_agency).name, "text": item.text,
            "due_human": format_human(item.due_on), "status": item.status}


async def action_add(ctx: StepContext) -> CaseState | None:
    a = ctx.args
    if a["owner"] not in {x.key for x in ctx.partnership.agencies}:
        ctx.refuse(f"Unknown owner agency '{a['owner']}'. Agencies are: {', '.join(x.key for x in ctx.partnership.agencies)}.")
    if a["due"] <= ctx.today:
        ctx.refuse(f"due={a['due'].isoformat()} is not in the future.")
    refuse_identifying_text(ctx, a["text"], "action")
    number = max((x.number for x in ctx.file.actions), default=0) + 1
    item = ActionItem(case_id=ctx.case.id, number=number, owner_agency=a["owner"], text=a["text"], due_on=a["due"])
    ctx.session.add(item)
    ctx.file.actions.append(item)
    ctx.audit("action_added", number=number, owner=a["owner"], due_on=a["due"])
    context = _action_context(ctx, item)
    ctx.emit(post_card(ctx.case.code, "action_item", context))
    for key in ctx.partnership.action_owners(a["owner"]):
        ctx.emit(direct_message(ctx.case.code, key, "action_item", context))
    ctx.say(f"Action {number} added for {context['owner']}, due {context['due_human']}.")
    return _into_learning(ctx)


async def action_done(ctx: StepContext) -> None:
    item = next((x for x in ctx.file.actions if x.number == ctx.args["number"]), None)
    if item is None:
        ctx.refuse(f"There is no action {ctx.args['number']} on {ctx.case.code}.")
    own = own_agency_as_lead(ctx.actor, "action", "done")
    if own and item.owner_agency != own:
        ctx.refuse(f"Action {item.number} belongs to {ctx.partnership.agency(item.owner_agency).name}.", access=True)
    evidence = ctx.args.get("evidence")
    if item.status == "done" and not evidence:
        ctx.refuse(f"Action {item.number} is already done.")
    refuse_identifying_text(ctx, evidence, "evidence")
    name = ctx.partnership.agency(item.owner_agency).name
    # The evidence is for the Practice and Learning Sub Group's action plan, not for the channel.
    if item.status == "done":  # evidence added afterwards
        item.evidence = evidence
        ctx.audit("action_evidence_added", number=item.number)
        ctx.emit(notice(ctx.case.code, f"Action {item.number} ({name}): evidence of completion recorded."))
        return
    item.status, item.done_at, item.done_by = "done", ctx.now, ctx.actor.key
    item.evidence = evidence or None
    ctx.audit("action_done", number=item.number, evidence=bool(evidence))
    ctx.emit(notice(ctx.case.code, f"Action {item.number} ({name}) done"
                                   + (" (evidence of completion recorded)." if evidence else ".")))
    if not evidence:
        ctx.say(f"Action {item.number} is done. To record the evidence of completion for the Practice and Learning "
                f'Sub Group: action done {item.number} evidence="..."')


async def lcspr(ctx: StepContext) -> None:
    c, step = ctx.case, ctx.cmd.option
    stage = LcsprStage(c.lcspr_stage)
    if c.state == CaseState.NATIONAL_REVIEW or stage == LcsprStage.ON_HOLD:
        ctx.refuse("A national review was commissioned: no LCSPR runs for this case (it is on hold).")
    if step == "publish":
        return _publish_decision(ctx, stage)
    nxt = LCSPR_TRANSITIONS.get((stage, step))
    if nxt is None:
        ctx.refuse(f"The LCSPR is at '{stage.value.replace('_', ' ')}': `lcspr {step}` does not apply now.")
    from bot.steps.lcspr_checks import before_step  # issue 14 item 12

    warning = before_step(ctx, step)
    if warning:
        ctx.say(warning)
    d = ctx.args.get("date")
    if step == "decided":
        if d > ctx.today:
            ctx.refuse(f"{d.isoformat()} is in the future.")
        c.lcspr_decided_on = d
        pub = ctx.cal.add_calendar_months(d, ctx.partnership.timescales.lcspr_publication_months)
        warn = f" ({pub.warning})" if pub.warning else ""
        ctx.emit(notice(c.code, f"LCSPR decided on {format_human(d)}: publication due {format_human(pub.date)}{warn}."))
        ctx.audit("deadline_computed", lcspr_publication_due=pub.date)
    elif step == "planned":
        if d <= ctx.today:
            ctx.refuse(f"The planned publication date {d.isoformat()} must be in the future.")
        c.lcspr_publication_planned_on = d
        copy_due = ctx.cal.working_days_before(d, ctx.partnership.timescales.panel_copy_working_days_before_publication)
        ctx.emit(notice(c.code, f"LCSPR publication planned for {format_human(d)}: copy to the Panel, Secretary of State and Ofsted by {format_human(copy_due)}."))
        ctx.audit("deadline_computed", panel_copy_due=copy_due)
    elif step == "published":
        c.lcspr_published_on = d
        ctx.emit(notice(c.code, f"LCSPR published on {format_human(d)}."))
        if c.lcspr_publish_decision is None:
            ctx.say("Record the partners' decision to publish too: lcspr publish full|improvements DATE")
    else:
        d = d or ctx.today
        if d > ctx.today:
            ctx.refuse(f"{d.isoformat()} is in the future.")
        c.lcspr_reviewer_appointed_on = d
        ctx.emit(notice(c.code, f"LCSPR reviewer appointed on {format_human(d)}."))
    c.lcspr_stage = nxt
    ctx.audit("lcspr_step", step=step, on=d, stage=nxt)


PUBLISH_FORMS = {"full": "full_report", "improvements": "improvements_only"}


def _publish_decision(ctx: StepContext, stage: LcsprStage) -> None:
    """The partners' decision to publish the full report, or only the information about improvements
    (domain §5.1: when publishing the report is inappropriate)."""
    c = ctx.case
    if stage in (LcsprStage.NOT_STARTED, LcsprStage.PUBLISHED):
        ctx.refuse("Record the decision to publish between `lcspr decided` and `lcspr published`.")
    d = ctx.args.get("date") or ctx.today
    if d > ctx.today:
        ctx.refuse(f"{d.isoformat()} is in the future.")
    c.lcspr_publish_decision, c.lcspr_publish_decided_on = PUBLISH_FORMS[ctx.args["form"]], d
    what = "the full report" if ctx.args["form"] == "full" else "the information about improvements only"
    ctx.audit("lcspr_publish_decided", form=c.lcspr_publish_decision, on=d)
    ctx.emit(notice(c.code, f"The partners decided on {format_human(d)} to publish {what}."))
