"""The read-only answers the registry names (`query=` and `before=` in bot/grammar.py).

Each takes (core, invocation, member, command, case code) after the core has parsed, identified and
authorised the request, and returns the Reply; a `before=` answer returns None to let the command
run as usual. None of them writes, except the audit record of an access refusal.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from bot.acting import own_agency_as_lead
from bot.casefile import load_case_file
from bot.calendar import CalendarRangeError, london_date
from bot.calendar_guard import deadline_out_of_range_text, year_of
from bot.context import Invocation, Reply
from bot.deadlines import case_deadlines
from bot.grammar import Command, help_text
from bot.headline import headline
from bot.partnership import Member, Role
from bot.roles import allowed_verbs
from bot.states import STATE_LABELS, CaseState
from bot.steps.decision import approval_context, repeated_approval as _repeated_approval_text
from bot.views import case_view, status_text
from storage.models import AgencyRequest, Case

log = logging.getLogger("rapidreview.core")

if TYPE_CHECKING:  # the core calls these; they only use what it passes in
    from bot.core import Core

LIST_PAGE = 20  # `list` shows this many open cases at a time (a chat message, read on a phone)


async def help(core: Core, inv: Invocation, member: Member, cmd: Command, code: str | None) -> Reply:  # noqa: A001
    """The commands this person may run, or one command's usage."""
    return Reply(True, help_text(cmd.args.get("topic"), allowed_verbs(member)))


async def status(core: Core, inv: Invocation, member: Member, cmd: Command, code: str) -> Reply:
    async with core.db.read() as s:
        case = (await s.execute(select(Case).where(Case.code == code))).scalar_one_or_none()
        if case is None:
            return Reply(False, f"There is no case {code}.")
        f = await load_case_file(s, case)
    if own_agency_as_lead(member, "status") and f.request(member.agency) is None:
        return await core.refuse_access(inv, member, Command("status"), code,
                                        f"Your agency has not been asked about {code}, so its status is not shown to you.")
    try:
        view = case_view(f, core.partnership, core.calendar, london_date(core.clock()))
    except CalendarRangeError as exc:  # a deadline in a year without bank holiday data: never guessed
        log.error("no bank holiday data: case=%s status year=%s", code, year_of(exc))
        return Reply(False, deadline_out_of_range_text(code, case.pseudonym, exc), code)
    return Reply(True, status_text(view), code, ("case_status", view))


async def list_cases(core: Core, inv: Invocation, member: Member, cmd: Command, code: str | None) -> Reply:
    """Open cases, oldest first, LIST_PAGE at a time: three statements and deadlines worked out for one
    page only, so the answer stays quick however many cases are open."""
    page = int(cmd.args.get("page") or 1)
    p = core.partnership
    today = london_date(core.clock())
    async with core.db.read() as s:
        total = (await s.execute(select(func.count()).select_from(Case).where(Case.state != CaseState.CLOSED))).scalar_one()
        pages = max(1, -(-total // LIST_PAGE))
        if page > pages:
            return Reply(False, f"There {'is' if pages == 1 else 'are'} only {pages} page{'s' if pages > 1 else ''} of "
                                f"open cases ({total}). Try: list page={pages}")
        cases = list((await s.execute(
            select(Case).where(Case.state != CaseState.CLOSED).order_by(Case.year, Case.number)
            .limit(LIST_PAGE).offset((page - 1) * LIST_PAGE))).scalars())
        overdue_rows = (await s.execute(
            select(AgencyRequest.case_id, AgencyRequest.agency_key)
            .where(AgencyRequest.case_id.in_([c.id for c in cases]), AgencyRequest.due_on < today,
                   AgencyRequest.state.in_(("REQUESTED", "ACKNOWLEDGED", "QUERY_RAISED"))))).all() if cases else []
    late: dict[int, list[str]] = {}
    for case_id, agency in overdue_rows:
        late.setdefault(case_id, []).append(p.agency(agency).name)
    if not cases:
        return Reply(True, "No open cases.", data={"cases": [], "total": 0, "page": 1, "pages": 1})
    lines, data = [], []
    for c in cases:
        nxt = headline(case_deadlines(c, core.calendar, p.timescales), c.state)
        line = f"• {c.code} / {c.pseudonym}: {STATE_LABELS[CaseState(c.state)]}"
        if nxt:
            line += f"; next: {nxt.label} {nxt.due.strftime('%a')} {nxt.due.day} {nxt.due.strftime('%b %Y')}"
        if late.get(c.id):
            line += f"; late: {', '.join(sorted(late[c.id]))}"
        lines.append(line)
        data.append({"case_code": c.code, "pseudonym": c.pseudonym, "state": c.state,
                     "next_deadline": nxt.due.isoformat() if nxt else None, "late": sorted(late.get(c.id, []))})
    if pages == 1:
        head = f"Open cases ({total}):"
    else:
        first = (page - 1) * LIST_PAGE + 1
        more = f"; next: list page={page + 1}" if page < pages else ""
        head = f"Open cases {first}–{first + len(cases) - 1} of {total} (page {page} of {pages}{more}):"
    return Reply(True, head + "\n" + "\n".join(lines), data={"cases": data, "total": total, "page": page, "pages": pages})


async def repeated_approval(core: Core, inv: Invocation, member: Member, cmd: Command, code: str) -> Reply | None:
    """Approve pressed again by the person whose approval of this version stands: answered from a plain
    read. Under the write lock, twenty such taps at once would queue behind each other and real work."""
    partner = core.partnership.partner_of(member)
    if partner is None:
        return None  # refused (and audited) on the normal path
    async with core.db.read() as s:
        case = (await s.execute(select(Case).where(Case.code == code))).scalar_one_or_none()
        if case is None or CaseState(case.state) not in (CaseState.EXEC_APPROVAL, CaseState.APPROVED):
            return None
        f = await load_case_file(s, case, only=("versions", "decisions"))
        text = _repeated_approval_text(f, partner.value, member.key, cmd.args.get("version"))
    # The card as it stands comes with the answer, so a platform showing cards need not look it up again.
    return Reply(True, text, code, ("executive_approval", approval_context(f))) if text else None


async def oversight(core: Core, inv: Invocation, member: Member, cmd: Command, code: str | None) -> Reply:
    """This year's headline figures and the asker's link to the full oversight report."""
    from bot.oversight.chat import headline  # here, not at the top: the figures' module loads only when asked

    return await headline(core, inv)
