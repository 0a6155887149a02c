"""Initial case discussion and information gathering: lines of enquiry, meetings, agency requests."""
from __future__ import annotations

from bot.calendar import LONDON, format_human
from bot.deadlines import agency_return_due
from bot import pii, return_screen
from bot.agency_return import validate_return
from bot.acting import own_agency_as_lead
from bot.return_screen import CONFIRM_FIELD
from bot.context import StepContext, Refusal
from bot.effects import direct_message, invite, notice
from bot.partnership import Role
from bot.states import AGENCY_LABELS, AGENCY_TRANSITIONS, AgencyState, CaseState
from bot.steps.common import refuse_identifying_text
from storage.models import AgencyRequest, LineOfEnquiry


async def kloe(ctx: StepContext) -> None:
    refuse_identifying_text(ctx, ctx.args["text"], "line of enquiry")
    number = len(ctx.file.lines_of_enquiry) + 1
    ctx.session.add(LineOfEnquiry(case_id=ctx.case.id, number=number, text=ctx.args["text"],
                                  added_by=ctx.actor.key, added_at=ctx.now))
    ctx.audit("line_of_enquiry_added", number=number)
    ctx.say(f"Line of enquiry {number} recorded.")


async def meeting(ctx: StepContext) -> CaseState | None:
    which, d = ctx.cmd.option, ctx.args["date"]
    if which == "icdm":
        ctx.case.icdm_on = d
        label = "Initial case discussion"
    else:
        ctx.case.rrm_on = d
        label = "Rapid Review Meeting"
    ctx.audit("meeting_set", meeting=which, on=d)
    ctx.emit(notice(ctx.case.code, f"{label}: {format_human(d)}."))
    if which == "rrm" and ctx.case.state == CaseState.PACK_CIRCULATED:
        return CaseState.RAPID_REVIEW_MEETING
    return None


def guard_request(ctx: StepContext) -> str | None:
    known = {a.key for a in ctx.partnership.agencies}
    unknown = [a for a in ctx.args["agencies"] if a not in known]
    if unknown:
        return (f"Unknown agency {', '.join(repr(u) for u in unknown)}. Agencies are: "
                f"{', '.join(sorted(known))}. Example: request police,education")
    again = [a for a in ctx.args["agencies"] if ctx.file.request(a)]
    if again:
        return f"Already requested: {', '.join(ctx.partnership.agency(a).name for a in again)}."
    return None


async def request(ctx: StepContext) -> CaseState | None:
    c, p = ctx.case, ctx.partnership
    names, leads = [], []
    kloes = [loe.text for loe in ctx.file.lines_of_enquiry]
    for key in dict.fromkeys(ctx.args["agencies"]):
        due = agency_return_due(c, ctx.today, ctx.cal, p.timescales)
        req = AgencyRequest(case_id=c.id, agency_key=key, state=AgencyState.REQUESTED, due_on=due, requested_at=ctx.now)
        ctx.session.add(req)
        ctx.file.requests.append(req)
        agency = p.agency(key)
        names.append(agency.name)
        ctx.audit("agency_requested", agency=key, due_on=due)
        for lead in p.agency_leads(key):
            leads.append(lead)
            ctx.emit(direct_message(c.code, lead, "agency_request", {
                "case_code": c.code, "pseudonym": c.pseudonym, "agency_key": key, "agency": agency.name,
                "due": due.isoformat(), "due_human": format_human(due), "lines_of_enquiry": kloes}))
    if leads:
        ctx.emit(invite(c.code, leads, "agency asked for information"))
    due = ctx.file.request(ctx.args["agencies"][0]).due_on
    ctx.emit(notice(c.code, f"Information requested from {', '.join(names)}: returns due {format_human(due)}."))
    return CaseState.INFO_GATHERING if c.state == CaseState.INITIAL_CASE_DISCUSSION else None


def _agency_for(ctx: StepContext) -> str:
    """Which agency the command is about: named, or the agency lead's own."""
    key = ctx.args.get("agency")
    own = own_agency_as_lead(ctx.actor, ctx.cmd.verb, ctx.cmd.option)
    if key is None:
        if own:
            key = own
        else:
            ctx.refuse(f"Which agency? For example: {ctx.cmd.verb} police")
    if key not in {a.key for a in ctx.partnership.agencies}:
        ctx.refuse(f"Unknown agency '{key}'. Agencies are: {', '.join(a.key for a in ctx.partnership.agencies)}.")
    if own and key != own:
        mine = ctx.partnership.agency(ctx.actor.agency).name
        ctx.refuse(f"You can act only for {mine}, not for {ctx.partnership.agency(key).name}.", access=True)
    if ctx.file.request(key) is None:
        ctx.refuse(f"{ctx.partnership.agency(key).name} has not been asked for information on {ctx.case.code}.")
    return key


def _move(ctx: StepContext, key: str, command: str) -> AgencyRequest:
    req = ctx.file.request(key)
    state = AgencyState(req.state)
    nxt = AGENCY_TRANSITIONS.get((state, command))
    if nxt is None:
        name = ctx.partnership.agency(key).name
        ctx.refuse(f"{name}'s request is {AGENCY_LABELS[state]}: `{command}` does not apply now.")
    req.state = nxt
    return req


async def agency_step(ctx: StepContext) -> None:
    """ack / return / nil / query / accept / waive on one agency's request (domain §2.3)."""
    verb = ctx.cmd.verb
    key = _agency_for(ctx)
    name = ctx.partnership.agency(key).name
    reason = ctx.args.get("reason")
    refuse_identifying_text(ctx, reason, "reason")
    note = ""  # what the return's author is told about identifying content (never posted)
    req = _move(ctx, key, verb)
    c = ctx.case
    if verb == "ack":
        req.acknowledged_at = ctx.now
        text = f"{name}: request acknowledged."
    elif verb in ("return", "nil"):
        req.submitted_at, req.submitted_by = ctx.now, ctx.actor.key
        req.return_data, note = ({"nil_return": True}, "") if verb == "nil" else _validated_fields(ctx, key)
        late = ctx.cal.working_days_late(req.due_on, ctx.today)
        when = ctx.now.astimezone(LONDON).strftime("%H:%M")
        what = "nil return" if verb == "nil" else ("resubmitted" if req.state == AgencyState.RESUBMITTED else "submitted")
        text = f"{name}: {what} {when}" + (f" ({late} working day{'s' if late != 1 else ''} late)." if late else ".")
    elif verb == "query":
        req.query_reason = reason
        text = f"{name}: query raised on the return."
        for lead in ctx.partnership.agency_leads(key):
            ctx.emit(direct_message(c.code, lead, "notice", {"case_code": c.code, "text":
                f"{c.code} / {c.pseudonym}: a query was raised on {name}'s return. The Business Unit will be in touch; "
                "resubmit with `return` when it is answered."}))
    elif verb == "accept":
        text = f"{name}: return accepted."
    else:  # waive
        req.waived_reason, req.waived_by = reason, ctx.actor.key
        text = f"{name}: waived by {'the SPRG chair' if ctx.actor.has(Role.SPRG_CHAIR) else 'the Business Unit'}."
    ctx.audit(f"agency_{verb}", agency=key, state=req.state, **({"reason": reason} if reason else {}))
    ctx.emit(notice(c.code, text))
    ctx.say(text + note)


HOW_TO_SUBMIT_A_RETURN = (
    "A return's contents cannot be typed into a command (they would sit in the chat). Open **Submit return** on your "
    "information request card (in your direct messages with the bot) and fill in the form there; or send the return "
    "to the Business Unit by secure email and record that it arrived with `return AGENCY`, for example: return police")


def _validated_fields(ctx: StepContext, agency_key: str) -> tuple[dict, str]:
    """A structured return from a form is checked field by field; a bare `return` records receipt only
    (the return arrived another way, e.g. by secure email to the Business Unit)."""
    fields = ctx.args.get("fields")
    if not fields:
        return {"received_outside_chat": True}, ""
    if not isinstance(fields, dict):  # typed in a command: a return is never typed into a chat (issue 14 item 15)
        ctx.refuse(HOW_TO_SUBMIT_A_RETURN)
    fields = dict(fields)
    confirmed = fields.pop(CONFIRM_FIELD, None) in (True, "true", "yes", "on", "1", ["on"], ["true"])
    watch = ctx.case.watch_names or ()
    ret, errors = validate_return(fields)
    if errors:
        # A form that fails validation is shown back to fix, but never with its typed text if any of it
        # looks identifying (on Teams the form is a card in the conversation).
        identifying = any(pii.scan(t, watch) for t in _strings(fields))
        raise Refusal("The return has problems: " + "; ".join(errors.values()), field_errors=errors, pii=identifying)
    # A return is written about the child: identifying content is kept in the store, and the author is told
    # (by field and kind only) what the report will leave out or make safe (bot/return_screen.py).
    data = ret.model_dump(mode="json")
    found = return_screen.flags(data, watch)
    if found:
        ctx.audit("return_screened", agency=agency_key, fields=found, confirmed=confirmed)
    if confirmed:
        data[CONFIRM_FIELD] = True
    return data, return_screen.flag_message(found, confirmed)


def _strings(value) -> list[str]:  # noqa: ANN001
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def guard_pack(ctx: StepContext) -> str | None:
    if not ctx.file.requests:
        return "No agency has been asked yet: `request police,education` first."
    waiting = [ctx.partnership.agency(r.agency_key).name for r in ctx.file.outstanding]
    if waiting:
        return (f"The pack cannot be circulated while {', '.join(waiting)} "
                f"{'is' if len(waiting) == 1 else 'are'} outstanding. Wait for the return, or the SPRG chair can "
                'waive it: waive education reason="..."')
    return None


async def pack(ctx: StepContext) -> CaseState:
    ctx.audit("pack_circulated")
    meeting = (f" Rapid Review Meeting scheduled for {format_human(ctx.case.rrm_on)}; on the day, record it held: "
               "`meeting rrm held`." if ctx.case.rrm_on else " Set the meeting: `meeting rrm DATE`.")
    ctx.emit(notice(ctx.case.code, "Pack circulated to the SPRG (links by direct message)." + meeting))
    from bot.steps.sprg_pack import send_links  # issue 14 item 9: the pack is a document people can open

    send_links(ctx)
    return CaseState.PACK_CIRCULATED
