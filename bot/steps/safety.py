"""Immediate safety actions during the rapid review (issue 14 item 17; domain §3.2 purpose 2, heading 7).

From the first days: who is at risk now (a category: the child, siblings, other children; never a name), what
is being done, by which agency, by when. Each is tracked (reminded on its due day, escalated when overdue),
built into the report's immediate-actions section, and must be done before the case closes. The channel hears
numbers, owners and dates only; the text goes to the owning agency's lead by direct message.
"""
from __future__ import annotations

from bot.context import StepContext
from bot.effects import direct_message, notice
from bot.partnership import Role
from bot.calendar import format_human
from bot.steps.common import refuse_identifying_text
from storage.models import SafetyAction

AT_RISK = {"child": "the child", "siblings": "siblings", "other-children": "other children"}


def _leads(ctx: StepContext, agency: str) -> list[str]:
    return [m.key for m in ctx.partnership.members if m.agency == agency and m.has(Role.AGENCY_LEAD)]


async def add(ctx: StepContext) -> None:
    a, p = ctx.args, ctx.partnership
    if a["owner"] not in {x.key for x in p.agencies}:
        ctx.refuse(f"Unknown owner agency '{a['owner']}'. Agencies are: {', '.join(x.key for x in p.agencies)}.")
    if a["due"] < ctx.today:
        ctx.refuse(f"due={a['due'].isoformat()} is in the past (today is {ctx.today.isoformat()}).")
    refuse_identifying_text(ctx, a["text"], "safety action")
    number = max((x.number for x in ctx.file.safety), default=0) + 1
    item = SafetyAction(case_id=ctx.case.id, number=number, at_risk=a["at_risk"], owner_agency=a["owner"],
                        text=a["text"], due_on=a["due"], created_by=ctx.actor.key, created_at=ctx.now)
    ctx.session.add(item)
    ctx.file.safety.append(item)
    name = p.agency(a["owner"]).name
    ctx.audit("safety_action_added", number=number, owner=a["owner"], at_risk=a["at_risk"], due_on=a["due"])
    ctx.emit(notice(ctx.case.code, f"Immediate safety action {number} ({AT_RISK[a['at_risk']]}): {name}, due "
                                   f"{format_human(a['due'])}."))
    for key in _leads(ctx, a["owner"]):
        ctx.emit(direct_message(ctx.case.code, key, "notice", {"case_code": ctx.case.code, "text":
            f"{ctx.case.code} / {ctx.case.pseudonym}: immediate safety action {number} for {name}, due "
            f"{format_human(a['due'])}: {a['text']} When it is done: safety done {number}"}))
    ctx.say(f"Immediate safety action {number} recorded for {name}, due {format_human(a['due'])}.")


async def done(ctx: StepContext) -> None:
    item = next((x for x in ctx.file.safety if x.number == ctx.args["number"]), None)
    if item is None:
        ctx.refuse(f"There is no immediate safety action {ctx.args['number']} on {ctx.case.code}.")
    only_lead = ctx.actor.has(Role.AGENCY_LEAD) and not any(ctx.actor.has(r) for r in (Role.BUSINESS_UNIT, Role.SPRG_CHAIR))
    if only_lead and item.owner_agency != ctx.actor.agency:
        ctx.refuse(f"Safety action {item.number} belongs to {ctx.partnership.agency(item.owner_agency).name}.", access=True)
    if item.status == "done":
        ctx.refuse(f"Immediate safety action {item.number} is already done.")
    item.status, item.done_at, item.done_by = "done", ctx.now, ctx.actor.key
    ctx.audit("safety_action_done", number=item.number)
    ctx.emit(notice(ctx.case.code, f"Immediate safety action {item.number} "
                                   f"({ctx.partnership.agency(item.owner_agency).name}) done."))
    ctx.say(f"Immediate safety action {item.number} is done.")


def open_actions(f) -> list[str]:  # noqa: ANN001
    return [str(x.number) for x in f.safety if x.status != "done"]
