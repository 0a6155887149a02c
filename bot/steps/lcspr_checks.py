"""LCSPR checks (issue 14 item 12; domain S15).

* A publication planned after the 6-month due date is accepted only with a reason (audited), and warned about.
* `lcspr decided` when the approved recommendation was no LCSPR records the partners' own decision: a reason
  is required, and the difference is audited.
* The copy of the report to the Panel, the Secretary of State and Ofsted (at least 7 working days before
  publication) is recorded as sent, with its date; its reminders then stop.
"""
from __future__ import annotations

from bot.context import StepContext
from bot.deadlines import lcspr_publication_due, panel_copy_due
from bot.effects import notice
from bot.calendar import format_human
from bot.steps.common import refuse_identifying_text


def before_step(ctx: StepContext, step: str) -> str | None:
    """Checks that run before an LCSPR step; returns a warning to add to the reply (or refuses)."""
    c, reason = ctx.case, ctx.args.get("reason")
    refuse_identifying_text(ctx, reason, "reason")
    if step == "decided" and c.recommendation and c.recommendation != "LCSPR":
        if not reason:
            ctx.refuse(f"The approved recommendation was {c.recommendation}, not an LCSPR. If the partners decided on an "
                       "LCSPR anyway, record their decision with its reason, for example: lcspr decided "
                       f'{ctx.today.isoformat()} reason="partners decided to review the multi-agency learning"')
        ctx.audit("lcspr_decided_against_recommendation", recommendation=c.recommendation, reason=reason)
        return "Recorded as the partners' decision, differing from the approved recommendation."
    if step == "planned" and c.lcspr_decided_on and ctx.args.get("date"):
        due = lcspr_publication_due(ctx.cal, ctx.partnership.timescales, c.lcspr_decided_on).date
        planned = ctx.args["date"]
        if planned > due:
            if not reason:
                ctx.refuse(f"{format_human(planned)} is after the LCSPR's publication due date ({format_human(due)}: 6 months after "
                           "the decision). Say why it will be late, for example: lcspr planned "
                           f'{planned.isoformat()} reason="the independent reviewer needs more time"')
            c.lcspr_late_reason = reason
            ctx.audit("lcspr_publication_late", planned=planned, due=due, reason=reason)
            return f"Warning: publication is planned after its due date ({format_human(due)}); the reason is recorded."
    return None


async def copy_sent(ctx: StepContext) -> None:
    c = ctx.case
    if c.state == "NATIONAL_REVIEW" or c.lcspr_stage in ("not_started", "on_hold"):
        ctx.refuse("There is no LCSPR under way on this case.")
    d = ctx.args.get("date") or ctx.today
    if d > ctx.today:
        ctx.refuse(f"{d.isoformat()} is in the future (today is {ctx.today.isoformat()}).")
    c.lcspr_copy_sent_on = d
    late = ""
    if c.lcspr_publication_planned_on:
        due = panel_copy_due(ctx.cal, ctx.partnership.timescales, c.lcspr_publication_planned_on)
        if d > due:
            late = f" That is after it was due ({format_human(due)}): at least 7 working days before publication."
    ctx.audit("lcspr_copy_sent", on=d)
    ctx.emit(notice(c.code, f"LCSPR report sent to the Panel, the Secretary of State and Ofsted on {format_human(d)}.{late}"))
    ctx.say(f"Recorded: the LCSPR copy was sent on {format_human(d)}.{late}")
