"""A rapid review running late (issue 14 item 5): the Panel told of the delay, with the reason.

The reason is free text: it goes to the audit trail and into the report (a document behind a signed link),
never into the channel, a card or a reminder. Daily escalation while the rapid review is overdue is planned
by bot/escalation.py.
"""
from __future__ import annotations

from bot.context import StepContext
from bot.deadlines import case_deadlines
from bot.effects import direct_message, notice
from bot.partnership import Role
from bot.calendar import format_human
from bot.steps.common import refuse_identifying_text


async def panel_told_of_delay(ctx: StepContext) -> None:
    c = ctx.case
    reason = ctx.args["reason"]
    refuse_identifying_text(ctx, reason, "reason for the delay")
    on = ctx.args.get("date") or ctx.today
    if on > ctx.today:
        ctx.refuse(f"date={on.isoformat()} is in the future (today is {ctx.today.isoformat()}): record it once the "
                   "Panel has been told.")
    again = c.panel_told_of_delay_on is not None
    c.panel_told_of_delay_on, c.panel_delay_reason = on, reason
    due = next((d.due for d in case_deadlines(c, ctx.cal, ctx.partnership.timescales) if d.key == "rapid_review_due"), None)
    ctx.audit("panel_told_of_delay", on=on, reason=reason, rapid_review_due=due, again=again)
    text = f"Panel told of the delay on {format_human(on)}, with the reason (kept in the case store and the report)."
    ctx.emit(notice(c.code, text))
    for key in ctx.members_with(Role.PARTNERSHIP_MANAGER, Role.SPRG_CHAIR, Role.EXECUTIVE_LEAD):
        ctx.emit(direct_message(c.code, key, "notice", {"case_code": c.code, "text": f"{c.code} / {c.pseudonym}: {text}"}))
    ctx.say(f"Recorded: {text}")
