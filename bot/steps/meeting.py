"""The Rapid Review Meeting as a fact with a date (issue 14 item 3; domain S6-S7).

A future date *schedules* it (with a warning when it is after the rapid review due date); holding it is
recorded on or after that date, and only once the pack has been circulated, since the meeting considers the
pack. The recommendation waits for a held meeting (S7 → S8: the state moves only when it is held).
"""
from __future__ import annotations

from bot.context import StepContext
from bot.deadlines import case_deadlines
from bot.effects import notice
from bot.states import CaseState
from bot.calendar import format_human

_HOLD = "meeting rrm held"


def _rr_due(ctx: StepContext):  # noqa: ANN202
    return next((d.due for d in case_deadlines(ctx.case, ctx.cal, ctx.partnership.timescales)
                 if d.key == "rapid_review_due"), None)


def _schedule(ctx: StepContext, d) -> None:  # noqa: ANN001
    c = ctx.case
    c.rrm_on, c.rrm_held_on = d, None
    ctx.audit("meeting_set", meeting="rrm", on=d, held=False)
    due = _rr_due(ctx) if c.track == "rapid_review" else None
    late = due is not None and d > due
    warn = (f" Warning: that is after the rapid review is due ({format_human(due)}); the report cannot be approved "
            "in time. Consider an earlier date, or telling the Panel of the delay.") if late else ""
    if late:
        ctx.audit("meeting_after_rr_due", on=d, rapid_review_due=due)
    ctx.emit(notice(c.code, f"Rapid Review Meeting scheduled for {format_human(d)}.{warn}"))
    ctx.say(f"Rapid Review Meeting scheduled for {format_human(d)}. On the day, record it held: `{_HOLD}`.{warn}")


def _hold(ctx: StepContext, d) -> CaseState:  # noqa: ANN001
    c = ctx.case
    c.rrm_on, c.rrm_held_on = d, d
    ctx.audit("meeting_held", meeting="rrm", on=d)
    ctx.emit(notice(c.code, f"Rapid Review Meeting held on {format_human(d)}. Next: the SPRG chair's recommendation "
                            '(recommend lcspr|no-lcspr reason="…").'))
    return CaseState.RAPID_REVIEW_MEETING


async def rrm(ctx: StepContext) -> CaseState | None:
    c, today = ctx.case, ctx.today
    d, held = ctx.args.get("date"), ctx.args.get("held", False)
    state = CaseState(c.state)
    if state == CaseState.LOCAL_REVIEW:  # a local review's meeting is a date on its own timescale
        c.rrm_on = d or today
        ctx.audit("meeting_set", meeting="rrm", on=c.rrm_on, held=c.rrm_on <= today)
        ctx.emit(notice(c.code, f"Meeting: {format_human(c.rrm_on)}."))
        return None
    pack_out = state == CaseState.PACK_CIRCULATED
    if held:
        d = d or (c.rrm_on if c.rrm_on and c.rrm_on <= today else None) or today
        if c.rrm_on and c.rrm_on > today and ctx.args.get("date") is None:
            ctx.refuse(f"The Rapid Review Meeting is scheduled for {format_human(c.rrm_on)}: record it held on or after "
                       f"that day (or move it: meeting rrm DATE).")
    if d > today:
        if held:
            ctx.refuse(f"{d.isoformat()} is in the future (today is {today.isoformat()}): a meeting is recorded "
                       "as held on or after its date.")
        _schedule(ctx, d)
        return None
    # A date today or in the past: the meeting has happened.
    if not pack_out:
        if d == today and not held:  # scheduled for today, before the pack goes out this morning
            _schedule(ctx, d)
            return None
        ctx.refuse("The Rapid Review Meeting considers the pack, which has not been circulated yet: circulate it "
                   "first (`pack`). A meeting can be scheduled now with a date from today on, for example "
                   f"meeting rrm {ctx.cal.next_working_day(today).isoformat()}")
    return _hold(ctx, d)
