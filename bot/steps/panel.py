"""The Panel's response and sharing it with the six recipients (domain §2.2 S11-S13, AS-14 to AS-16)."""
from __future__ import annotations

from bot.context import StepContext
from bot.effects import direct_message, notice, post_card
from bot.partnership import Role
from bot.states import PANEL_OUTCOMES, SHARING_RECIPIENTS, CaseState, LcsprStage
from bot.calendar import format_human
from bot.steps.common import refuse_identifying_text
from bot.steps.decision import _approval_context, _slot
from storage.models import SharingTask


async def acknowledged(ctx: StepContext) -> CaseState:
    ctx.audit("panel_acknowledged")
    ctx.emit(notice(ctx.case.code, "The Panel acknowledged the rapid review. Awaiting its response."))
    return CaseState.AWAITING_PANEL


def _record(ctx: StepContext) -> str:
    c = ctx.case
    outcome = PANEL_OUTCOMES[ctx.cmd.option]
    refuse_identifying_text(ctx, ctx.args.get("ref"), "reference")
    on = ctx.args.get("date") or ctx.today
    if on > ctx.today:
        ctx.refuse(f"date={on.isoformat()} is in the future (today is {ctx.today.isoformat()}).")
    c.panel_outcome, c.panel_response_on = outcome, on
    if ctx.args.get("ref"):
        c.panel_ref = ctx.args["ref"]
    ctx.audit("panel_response_recorded", outcome=outcome, ref=ctx.args.get("ref"), on=on)
    # Domain §5.2 rule 6: only the outcome is posted; the letter stays in the store.
    ctx.emit(_slot(post_card(c.code, "panel_response", {"case_code": c.code, "pseudonym": c.pseudonym,
                                                         "outcome": outcome, "received": format_human(on)}), "panel"))
    return outcome


def _create_sharing(ctx: StepContext) -> None:
    due = ctx.cal.add_working_days(ctx.case.panel_response_on, ctx.partnership.timescales.response_share_working_days)
    existing = {s.recipient for s in ctx.file.sharing}
    for recipient in SHARING_RECIPIENTS:
        if recipient not in existing:
            task = SharingTask(case_id=ctx.case.id, recipient=recipient, due_on=due)
            ctx.session.add(task)
            ctx.file.sharing.append(task)
    ctx.emit(_slot(post_card(ctx.case.code, "sharing", _sharing_context(ctx)), "sharing"))


def _sharing_context(ctx: StepContext) -> dict:
    return {"case_code": ctx.case.code, "pseudonym": ctx.case.pseudonym,
            "tasks": [{"recipient": s.recipient, "label": SHARING_RECIPIENTS[s.recipient], "done": s.done_at is not None,
                       "due_human": format_human(s.due_on)} for s in ctx.file.sharing]}


async def responded(ctx: StepContext) -> CaseState:
    """agrees / local review more appropriate / requests information."""
    outcome = _record(ctx)
    if outcome == "REQUESTS_INFORMATION":
        ctx.emit(notice(ctx.case.code, "The Panel asked for more information. Send it, then record it with `submit`."))
    else:
        _create_sharing(ctx)
    return CaseState.PANEL_RESPONDED


async def disagrees(ctx: StepContext) -> CaseState:
    """AS-15: back to the partners for a fresh unanimous decision; the old one stays in the audit trail."""
    _record(ctx)
    voided = 0
    for d in ctx.file.decisions:
        if not d.void:
            d.void, voided = True, voided + 1
    ctx.audit("approvals_voided", why="panel_disagrees", count=voided)
    c = ctx.case
    context = _approval_context(ctx)
    for key in ctx.members_with(Role.EXECUTIVE_LEAD):
        ctx.emit(direct_message(c.code, key, "executive_approval", context))
    ctx.emit(notice(c.code, "The Panel asked the partners to reconsider. All three executive leads must decide again "
                            "(the Panel's points are in the case store)."))
    return CaseState.EXEC_APPROVAL


async def national(ctx: StepContext) -> CaseState:
    """AS-16: national review; no LCSPR child workflow or 6-month clock runs."""
    _record(ctx)
    if ctx.case.lcspr_stage not in (LcsprStage.NOT_STARTED, LcsprStage.PUBLISHED):
        ctx.case.lcspr_stage = LcsprStage.ON_HOLD
        ctx.audit("lcspr_on_hold", why="national_review_commissioned")
    _create_sharing(ctx)
    return CaseState.NATIONAL_REVIEW


def guard_shared(ctx: StepContext) -> str | None:
    if not ctx.file.sharing:
        return "There is no Panel response to share yet."
    who = ctx.args["recipient"]
    if who != "all":
        task = next(s for s in ctx.file.sharing if s.recipient == who)
        if task.done_at is not None:
            return f"Already recorded as shared with the {SHARING_RECIPIENTS[who]}."
    return None


async def shared(ctx: StepContext) -> CaseState | None:
    who = ctx.args["recipient"]
    for s in ctx.file.sharing:
        if s.done_at is None and who in ("all", s.recipient):
            s.done_at = ctx.now
            ctx.audit("response_shared", recipient=s.recipient)
    ctx.emit(_slot(post_card(ctx.case.code, "sharing", _sharing_context(ctx)), "sharing"))
    remaining = [SHARING_RECIPIENTS[s.recipient] for s in ctx.file.sharing if s.done_at is None]
    if remaining:
        ctx.say(f"Recorded. Still to share with: {', '.join(remaining)}.")
        return None
    ctx.say("Recorded: the Panel's response is shared with all six recipients.")
    if ctx.case.state == CaseState.PANEL_RESPONDED:
        ctx.emit(notice(ctx.case.code, "Panel response shared. Next: the practitioners' briefing (`briefing done`) and any action plan."))
        return CaseState.RESPONSE_SHARED
    return None
