"""From referral to triage: opening a case, the SIN clock, notify-only deaths, SPRG triage, closing."""
from __future__ import annotations

from sqlalchemy import func, select

from bot.calendar import format_human, london_date
from bot.deadlines import agency_return_due, case_deadlines
from bot.context import StepContext
from bot.effects import archive_channel, direct_message, notice
from bot.partnership import Role
from bot.retention import members_removed_at_close
from bot.states import NOTIFY_ONLY_KINDS, CaseState
from bot.steps.common import refuse_identifying_text, open_case_channel
from storage.models import Case


# Where the case is discussed; an adapter whose "channel" is something else (a Teams thread) says so instead.
CHANNEL_SENTENCE = "Its private channel is #{code}."


async def allocate_code(ctx: StepContext) -> tuple[int, int, str]:
    year = ctx.today.year
    top = (await ctx.session.execute(select(func.max(Case.number)).where(Case.year == year))).scalar()
    number = (top or 0) + 1
    return year, number, f"{ctx.partnership.partnership.case_code_prefix}-{year}-{number:03d}"


def _not_future(ctx: StepContext, d, what: str) -> None:  # noqa: ANN001
    if d is not None and d > ctx.today:
        ctx.refuse(f"{what} {d.isoformat()} is in the future (today is {ctx.today.isoformat()}).")


def guard_new(ctx: StepContext) -> str | None:
    sin = ctx.args.get("sin")
    if sin is not None and sin > ctx.today:
        return f"sin={sin.isoformat()} is in the future (today is {ctx.today.isoformat()}): record the SIN once it is sent."
    return None


async def new(ctx: StepContext) -> CaseState:
    a = ctx.args
    refuse_identifying_text(ctx, a.get("residing"), "residing partnership")
    refuse_identifying_text(ctx, a.get("lead"), "lead partnership")
    if a.get("lead"):
        state = CaseState.CONTRIBUTING
    elif a["kind"] in NOTIFY_ONLY_KINDS and not a.get("sin"):
        state = CaseState.NOTIFICATION_ONLY if a.get("aware") else CaseState.REFERRAL_RECEIVED
    elif a.get("sin"):
        state = CaseState.RR_INITIATED
    elif a.get("aware"):
        state = CaseState.SIN_DECISION
    else:
        state = CaseState.REFERRAL_RECEIVED
    year, number, code = await allocate_code(ctx)
    case = Case(code=code, year=year, number=number, pseudonym=a["pseudonym"], kind=a["kind"], state=state,
                platform=ctx.inv.platform, la_aware_on=a.get("aware"), sin_submitted_on=a.get("sin"),
                residing_partnership=a.get("residing"), lead_partnership=a.get("lead"),
                created_at=ctx.now, updated_at=ctx.now)
    ctx.session.add(case)
    await ctx.session.flush()
    from bot.casefile import CaseFile

    ctx.file = CaseFile(case=case)
    ctx.audit("case_opened", kind=a["kind"], la_aware_on=a.get("aware"), sin_submitted_on=a.get("sin"),
              residing_partnership=a.get("residing"), lead_partnership=a.get("lead"))
    if state == CaseState.CONTRIBUTING:
        # AS-19 (reverse): the incident happened elsewhere; that partnership leads the rapid review.
        for key in ctx.members_with(Role.BUSINESS_UNIT, Role.PARTNERSHIP_MANAGER):
            ctx.emit(direct_message(code, key, "notice", {"case_code": code, "text":
                f"{code} / {case.pseudonym}: contributing record opened. {a['lead']} leads the rapid review; "
                "our agencies contribute to it. No rapid review clock runs here."}))
        ctx.say(f"Opened {code} / {case.pseudonym} as a contributing record: {a['lead']} leads the review.")
        return state
    if state == CaseState.NOTIFICATION_ONLY:
        # AS-18: no rapid review channel, clock or requests; the Business Unit is told what is due.
        due = next(d for d in case_deadlines(case, ctx.cal, ctx.partnership.timescales) if d.key == "notification_due")
        for key in ctx.members_with(Role.BUSINESS_UNIT):
            ctx.emit(direct_message(code, key, "notice", {"case_code": code, "text":
                f"{code} / {case.pseudonym}: notify the Secretary of State and Ofsted by {format_human(due.due)}. "
                "No rapid review is needed unless abuse or neglect is suspected."}))
        ctx.say(f"Opened {code} / {case.pseudonym} as a notification-only case: "
                f"Secretary of State and Ofsted notification due {format_human(due.due)}.")
        return state
    open_case_channel(ctx)
    ctx.say(f"Opened {code} / {case.pseudonym}. {CHANNEL_SENTENCE.format(code=code)}")
    aware = a.get("aware")
    if aware is not None and aware > ctx.today:
        # Accepted (the clock is still right for that date) but flagged: most often a mistyped year.
        ctx.say(f"Note: aware={aware.isoformat()} is in the future (today is {ctx.today.isoformat()}); "
                "check the date.")
    if a.get("residing"):
        # AS-19: we lead (the incident happened here); the residing partnership is informed and invited.
        text = (f"Cross-boundary case: the child normally lives in {a['residing']}. Inform that partnership's "
                "safeguarding children partnership and invite it to contribute.")
        ctx.emit(notice(code, text))
        for key in ctx.members_with(Role.PARTNERSHIP_MANAGER):
            ctx.emit(direct_message(code, key, "notice", {"case_code": code, "text": f"{code} / {case.pseudonym}: {text}"}))
    if state == CaseState.RR_INITIATED:
        _announce_rapid_review(ctx)
    return state


async def aware(ctx: StepContext) -> CaseState:
    _not_future(ctx, ctx.args["date"], "aware")
    was = CaseState(ctx.case.state)
    if was == CaseState.NOTIFICATION_ONLY and ctx.case.la_aware_on is not None:
        # Issue 14 item 10: the first awareness still drives the Secretary of State / Ofsted notification; the
        # new one (of suspected abuse or neglect) starts the SIN clock. Both are kept.
        ctx.case.notification_aware_on = ctx.case.la_aware_on
    ctx.case.la_aware_on = ctx.args["date"]
    ctx.audit("la_aware_recorded", la_aware_on=ctx.args["date"], converted_from=was.value,
              notification_aware_on=ctx.case.notification_aware_on)
    if was == CaseState.REFERRAL_RECEIVED and ctx.case.kind in NOTIFY_ONLY_KINDS:
        return CaseState.NOTIFICATION_ONLY
    if was == CaseState.NOTIFICATION_ONLY:
        # AS-18(b): abuse or neglect is now suspected; the SIN clock runs from this awareness.
        open_case_channel(ctx)
    return CaseState.SIN_DECISION


def guard_sin(ctx: StepContext) -> str | None:
    d = ctx.args["date"]
    if ctx.case.la_aware_on is None:
        return "Record when the council became aware first, for example: aware 2026-12-18"
    if d < ctx.case.la_aware_on:
        return f"The SIN date {d.isoformat()} is before the council became aware ({ctx.case.la_aware_on.isoformat()})."
    if d > ctx.today:
        return f"The SIN date {d.isoformat()} is in the future (today is {ctx.today.isoformat()})."
    return None


async def sin(ctx: StepContext) -> CaseState:
    ctx.case.sin_submitted_on = ctx.args["date"]
    ctx.audit("sin_recorded", sin_submitted_on=ctx.args["date"])
    _announce_rapid_review(ctx)
    return CaseState.RR_INITIATED


def _announce_rapid_review(ctx: StepContext) -> None:
    """Executive, Chair and Scrutineer are told a rapid review has started (NYSCP: the Partnership Manager)."""
    c = ctx.case
    deadlines = {d.key: d for d in case_deadlines(c, ctx.cal, ctx.partnership.timescales)}
    rr = deadlines["rapid_review_due"]
    sin_due = deadlines.get("sin_due")
    late = f" {sin_due.note}." if sin_due and sin_due.note else ""
    text = f"Rapid review started for {c.code} / {c.pseudonym}: due to the Panel {format_human(rr.due)}.{late}"
    ctx.emit(notice(c.code, text))
    for key in ctx.members_with(Role.EXECUTIVE_LEAD, Role.PARTNERSHIP_CHAIR, Role.INDEPENDENT_SCRUTINEER):
        ctx.emit(direct_message(c.code, key, "notice", {"case_code": c.code, "text": text}))
    ctx.audit("deadline_computed", rapid_review_due=rr.due, sin_late=sin_due.note if sin_due else None)


async def sin_not_met(ctx: StepContext) -> CaseState:
    ctx.audit("sin_criteria_not_met")
    ctx.emit(notice(ctx.case.code, f"{ctx.case.code}: SIN criteria not met. A local learning review may still be run (`triage local`), or `close`."))
    return CaseState.LOCAL_CONSIDERATION


async def informed(ctx: StepContext) -> CaseState | None:
    d = ctx.args.get("date") or ctx.today
    _not_future(ctx, d, "informed")
    ctx.case.partnership_informed_on = d
    ctx.audit("partners_informed", on=d)
    return CaseState.SPRG_TRIAGE if ctx.case.state == CaseState.RR_INITIATED else None


async def notified(ctx: StepContext) -> None:
    _not_future(ctx, ctx.args["date"], "notified")
    ctx.case.sos_notified_on = ctx.args["date"]
    ctx.audit("sos_ofsted_notified", on=ctx.args["date"])
    ctx.say(f"Recorded: Secretary of State and Ofsted notified on {format_human(ctx.args['date'])}.")


async def triage_notifiable(ctx: StepContext) -> CaseState:
    ctx.case.triaged_on = ctx.today
    ctx.audit("triaged", decision="notifiable")
    ctx.emit(notice(ctx.case.code, f"SPRG triage: notifiable. Next: lines of enquiry (`kloe`), meeting dates and agency requests (`request police,education`)."))
    return CaseState.INITIAL_CASE_DISCUSSION


async def triage_local(ctx: StepContext) -> CaseState:
    ctx.case.triaged_on = ctx.today
    ctx.case.track = "local_review"
    ctx.audit("triaged", decision="local_review")
    ctx.emit(notice(ctx.case.code, f"{ctx.case.code} / {ctx.case.pseudonym} is now a Local Review: no Panel submission."))
    return CaseState.LOCAL_REVIEW


async def triage_withdrawn(ctx: StepContext) -> CaseState:
    """S3(c): the SIN criteria are found not met. The reason is recorded (audit only: free text) and the Panel,
    which holds the notification, must be told; the rapid review clock stops."""
    reason = ctx.args.get("reason")
    refuse_identifying_text(ctx, reason, "reason")
    c = ctx.case
    ctx.audit("triaged", decision="sin_withdrawn", reason=reason)
    ctx.emit(notice(c.code, "SIN criteria found not met: the notification is withdrawn and the rapid review is no "
                            "longer required. Next: a local review (`triage local`) or `close`."))
    for key in ctx.members_with(Role.BUSINESS_UNIT):
        ctx.emit(direct_message(c.code, key, "notice", {"case_code": c.code, "text":
            f"{c.code} / {c.pseudonym}: tell the Panel through the notification system that the SIN is withdrawn, "
            "with the reason recorded by the SPRG."}))
    for key in ctx.members_with(Role.EXECUTIVE_LEAD, Role.PARTNERSHIP_CHAIR, Role.INDEPENDENT_SCRUTINEER):
        ctx.emit(direct_message(c.code, key, "notice", {"case_code": c.code, "text":
            f"{c.code} / {c.pseudonym}: the SIN was withdrawn (criteria not met); no rapid review will be sent."}))
    ctx.say("Recorded: SIN withdrawn, with the reason. The Business Unit is asked to tell the Panel.")
    return CaseState.SIN_WITHDRAWN


def guard_close(ctx: StepContext) -> str | None:
    f = ctx.file
    state = CaseState(f.case.state)
    if state == CaseState.LEARNING_AND_ACTIONS or state == CaseState.NATIONAL_REVIEW:
        missing = []
        if any(s.done_at is None for s in f.sharing):
            missing.append("the Panel's response is not yet shared with everyone (`shared`)")
        if state == CaseState.LEARNING_AND_ACTIONS and f.case.briefing_done_on is None:
            missing.append("the practitioners' briefing is not done (`briefing done`)")
        if state == CaseState.NATIONAL_REVIEW:  # issue 14 item 14: the briefing, and no open Panel request
            from bot.steps.national import close_blockers

            missing.extend(close_blockers(f.case))
        open_actions = [str(a.number) for a in f.actions if a.status != "done"]
        if open_actions:
            missing.append(f"action plan item(s) {', '.join(open_actions)} are open (`action done N`)")
        if missing:
            return "Cannot close yet: " + "; ".join(missing) + "."
    from bot.steps.safety import open_actions  # issue 14 item 17

    unsafe = open_actions(f)
    if unsafe:
        return (f"Cannot close yet: immediate safety action(s) {', '.join(unsafe)} are open (`safety done N`).")
    if state == CaseState.LOCAL_REVIEW:
        # A local review is closed with its learning issued and no agency asked still owing a return.
        missing = []
        if f.outstanding:
            names = ", ".join(ctx.partnership.agency(r.agency_key).name for r in f.outstanding)
            missing.append(f"returns are outstanding from {names} (record them, or `waive AGENCY reason=\"…\"`)")
        if f.case.briefing_done_on is None:
            missing.append("the practitioners' briefing is not done (`briefing done`)")
        if missing:
            return "Cannot close the local review yet: " + "; ".join(missing) + "."
    live = _live_lcspr(f.case)
    if live:
        return live
    owed = any(d.key == "notification_due" and not d.met
               for d in case_deadlines(f.case, ctx.cal, ctx.partnership.timescales))
    if owed or (state == CaseState.NOTIFICATION_ONLY and f.case.sos_notified_on is None):
        # A looked-after child's or care leaver's death is notified to the Secretary of State and Ofsted whatever
        # else happens to the case: closing must not drop that statutory clock.
        return "Record the Secretary of State / Ofsted notification first, for example: notified 2026-04-08"
    return None


def _live_lcspr(c) -> str | None:  # noqa: ANN001
    """Issue 14 item 2: the LCSPR has its own 6-month clock, reminders and copy to the Panel, Secretary of State
    and Ofsted, all tracked on this case; closing would silently drop them. So the case stays open (and says
    what it is waiting for) until the LCSPR is published, or put on hold by a national review."""
    if c.lcspr_stage not in ("decided", "reviewer_appointed", "publication_planned"):
        return None
    waiting = "its publication is planned" if c.lcspr_stage == "publication_planned" else "it is under way"
    return (f"Cannot close yet: the LCSPR is live ({waiting}); its publication clock, reminders and the copy to the "
            "Panel, Secretary of State and Ofsted run on this case. Record `lcspr published DATE` first; the case "
            "can then be closed.")


async def close(ctx: StepContext) -> CaseState:
    ctx.case.closed_on = ctx.today
    ctx.audit("case_closed", reason=ctx.args.get("reason"))
    if ctx.case.channel_opened:
        ctx.emit(notice(ctx.case.code, f"{ctx.case.code} / {ctx.case.pseudonym} is closed. The channel will be archived."))
        ctx.emit(members_removed_at_close(ctx.case.code, ctx.partnership))
        ctx.emit(archive_channel(ctx.case.code))
    return CaseState.CLOSED


# -- corrections: a mistyped date is put right, with a reason, and every deadline follows it -------------
async def correct_aware(ctx: StepContext) -> CaseState | None:
    """`aware DATE reason="…"` after the awareness date was recorded: the SIN and rapid review clocks move."""
    c, new = ctx.case, ctx.args["date"]
    _not_future(ctx, new, "aware")
    if c.sin_submitted_on is not None and new > c.sin_submitted_on:
        ctx.refuse(f"The council cannot have become aware on {new.isoformat()}, after the SIN was submitted "
                   f"({c.sin_submitted_on.isoformat()}). If the SIN date is wrong too, correct it first with `sin`.")
    text = _correct(ctx, "la_aware_on", "aware", "the date the council became aware", "la_aware_corrected")
    ctx.emit(notice(c.code, text))
    ctx.say(text)
    return None


async def correct_sin(ctx: StepContext) -> CaseState | None:
    """`sin DATE reason="…"` once the SIN is recorded: the 15-working-day rapid review clock moves, and so do
    the outstanding agency returns still due on the date the old SIN gave them (a date set by hand stays)."""
    c, new, p = ctx.case, ctx.args["date"], ctx.partnership
    if c.sin_submitted_on is None:
        ctx.refuse("No SIN submission is recorded for this case, so there is no date to correct.")
    why = guard_sin(ctx)
    if why:
        ctx.refuse(why)
    pending = [(r, london_date(r.requested_at)) for r in ctx.file.outstanding]
    by_old_sin = {r.id: agency_return_due(c, asked, ctx.cal, p.timescales) for r, asked in pending}
    text = _correct(ctx, "sin_submitted_on", "sin", "the date the SIN was submitted", "sin_corrected")
    moved = []
    for r, asked in pending:
        due = agency_return_due(c, asked, ctx.cal, p.timescales)
        if r.due_on == by_old_sin[r.id] and due != r.due_on:
            r.due_on = due
            moved.append(r)
            ctx.audit("agency_due_moved", agency=r.agency_key, due_on=due)
    if moved:
        text += " Agency returns now due: " + "; ".join(f"{p.agency(r.agency_key).name} {format_human(r.due_on)}" for r in moved) + "."
        for r in moved:
            for key in p.agency_leads(r.agency_key):
                ctx.emit(direct_message(c.code, key, "notice", {
                    "case_code": c.code, "text": f"{c.code}: the SIN date was corrected, so your agency's return is "
                                                 f"now due {format_human(r.due_on)}."}))
    ctx.emit(notice(c.code, text))
    ctx.say(text)
    return None


def _correct(ctx: StepContext, field: str, verb: str, what: str, action: str) -> str:
    """Check and record the corrected date; returns what the channel is told."""
    c, new, reason = ctx.case, ctx.args["date"], ctx.args.get("reason")
    old = getattr(c, field)
    if old == new:
        ctx.refuse(f"{what[0].upper()}{what[1:]} is already recorded as {format_human(new)}: nothing to correct.")
    if not reason:
        ctx.refuse(f"{c.code} already has {what} ({old.isoformat()}). To correct it, say why, for example: "
                   f'{verb} {new.isoformat()} reason="the referral was logged with the wrong date"')
    refuse_identifying_text(ctx, reason, "reason")
    setattr(c, field, new)
    ctx.audit(action, **{"from": old.isoformat(), "to": new.isoformat(), "reason": reason})
    due = "; ".join(f"{d.label} {format_human(d.due)}" for d in case_deadlines(c, ctx.cal, ctx.partnership.timescales)
                    if not d.met)
    # The reason stays in the audit trail: the channel is told what changed, not why (it is free text).
    return (f"{what[0].upper()}{what[1:]} was corrected from {format_human(old)} to {format_human(new)}. Deadlines and reminders "
            f"now follow the new date{': ' + due if due else ''}.")
