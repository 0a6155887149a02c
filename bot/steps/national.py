"""The national-review route (S16, AS-16; issue 14 item 14): the Panel leads, local partners cooperate.

The Panel's requests for information are tracked (`panel information`, then `submit` once it is sent), and
the case closes like any other only with the practitioners' briefing issued and no request left open.
"""
from __future__ import annotations

from bot.context import StepContext
from bot.effects import notice
from bot.calendar import format_human
from bot.steps.common import refuse_identifying_text


async def information_requested(ctx: StepContext) -> None:
    c = ctx.case
    refuse_identifying_text(ctx, ctx.args.get("ref"), "reference")
    on = ctx.args.get("date") or ctx.today
    if on > ctx.today:
        ctx.refuse(f"date={on.isoformat()} is in the future (today is {ctx.today.isoformat()}).")
    c.national_info_requested_on = on
    ctx.audit("national_review_information_requested", on=on, ref=ctx.args.get("ref"))
    ctx.emit(notice(c.code, f"The Panel asked for information for the national review ({format_human(on)}). Send it, then "
                            "record it with `submit`."))
    ctx.say("Recorded the Panel's request. Once the information is sent: `submit`.")


def guard_information_sent(ctx: StepContext) -> str | None:
    if ctx.case.national_info_requested_on is None:
        return "The Panel has no open request for information on this national review: nothing to send."
    return None


async def information_sent(ctx: StepContext) -> None:
    c = ctx.case
    asked = c.national_info_requested_on
    c.national_info_requested_on = None
    ctx.audit("panel_information_sent", national_review=True, requested_on=asked)
    ctx.emit(notice(c.code, f"The information the Panel asked for on {format_human(asked)} has been sent."))
    ctx.say("Recorded: the information was sent to the Panel.")


def close_blockers(c) -> list[str]:  # noqa: ANN001
    out = []
    if c.briefing_done_on is None:
        out.append("the practitioners' briefing is not done (`briefing done`)")
    if c.national_info_requested_on is not None:
        out.append(f"the Panel's request for information of {format_human(c.national_info_requested_on)} is open "
                   "(send it, then `submit`)")
    return out
