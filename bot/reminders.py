"""The reminders a case needs now, as rows with a due instant (09:00 London, working days only).

Recomputed inside the transaction of every change, so nothing stale is ever sent: pending rows
are replaced, rows already sent are never planned again. Delivery is the ticker's job.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import escalation
from bot.calendar import WorkingDayCalendar, at_london_time, format_human, london_date
from bot.casefile import CaseFile
from bot.deadlines import case_deadlines
from bot.partnership import Partnership, Role
from bot.report.briefing import monthly_digest_days, progress_text
from bot.states import AGENCY_OUTSTANDING, RR_CLOCK_RUNNING, AgencyState, CaseState, StatutoryPartnerKeys
from storage.models import Reminder, ReminderPreference


@dataclass(frozen=True)
class PlannedReminder:
    kind: str
    subject: str
    on: date
    recipients: tuple[str, ...]
    text: str
    context: dict = field(default_factory=dict)


class _Planner:
    """One case as the rules see it (state, deadlines, who is who), and the two shapes of reminder they plan."""

    def __init__(self, f: CaseFile, p: Partnership, cal: WorkingDayCalendar, today: date):
        self.f, self.p, self.cal, self.today = f, p, cal, today
        self.c = f.case
        self.state = CaseState(f.case.state)
        self.policy = p.reminders
        self.label = f"{f.case.code} / {f.case.pseudonym}"
        self.deadlines = {x.key: x for x in case_deadlines(f.case, cal, p.timescales)}
        self.bu, self.pm = self.keys(Role.BUSINESS_UNIT), self.keys(Role.PARTNERSHIP_MANAGER)

    def keys(self, *roles: Role) -> tuple[str, ...]:
        return tuple(m.key for m in self.p.members_with(*roles))

    def due(self, key: str, *, unmet: bool = False) -> date | None:
        """The case's `key` deadline, if it has one (and, with `unmet`, only while it is not yet met)."""
        d = self.deadlines.get(key)
        return None if d is None or (unmet and d.met) else d.due

    def working(self, d: date) -> date:
        """A reminder for a due date that is not a working day goes on the last working day before it."""
        return d if self.cal.is_working_day(d) else self.cal.working_days_before(d, 1)

    def before(self, kind: str, subject: str, due: date, offsets, recipients, what: str) -> list[PlannedReminder]:  # noqa: ANN001
        due_wd = self.working(due)
        out = []
        for n in offsets:
            on = self.cal.working_days_before(due_wd, n) if n else due_wd
            when = "today" if n == 0 else f"in {n} working day{'s' if n != 1 else ''}"
            out.append(PlannedReminder(kind, subject, on, tuple(recipients),
                                       f"{self.label}: {what} due {when} ({format_human(due)})",
                                       {"offset": n, "due": due.isoformat()}))
        return out

    def overdue(self, kind: str, subject: str, due: date, ladder, what: str,  # noqa: ANN001
                days: int | None = None) -> list[PlannedReminder]:
        """Each working day after the due date, for a bounded number of days, escalating along `ladder`."""
        on = self.working(due)
        out = []
        for k in range(1, (days if days is not None else self.policy.overdue_daily_for) + 1):
            on = self.cal.next_working_day(on)
            recipients = ladder(k) if callable(ladder) else ladder
            out.append(PlannedReminder(f"{kind}_overdue", subject, on, tuple(recipients),
                                       f"{self.label}: {what} overdue (due {format_human(due)})",
                                       {"overdue_working_days": k, "due": due.isoformat()}))
        return out

    def agency_ladder(self, agency_key: str):  # noqa: ANN201
        """Agency lead, then their SPRG representative, then the Business Unit, then the Partnership Manager."""
        steps = {
            "agency_lead": self.p.agency_leads(agency_key),
            "sprg_representative": [m.key for m in self.p.members if m.agency == agency_key and m.has(Role.SPRG_MEMBER)],
            "business_unit": list(self.bu),
            "partnership_manager": list(self.pm),
        }
        order = [steps[s] for s in self.policy.escalation if s in steps]

        def ladder(k: int) -> list[str]:
            # AS-10: on the first overdue day the lead, their SPRG representative and the Business Unit hear.
            reach = min(len(order), k + 2)
            return sorted({key for group in order[:reach] for key in group})
        return ladder


DIGEST = "daily_digest"
ACTION_PLAN_DIGEST = "action_plan_digest"
SNOOZED = "snoozed"
CHANNEL = "#channel"  # a recipient meaning "the case channel" rather than a person
DIGEST_HORIZON = 10  # working days of digests planned ahead; the ticker plans more as they run out
DIGEST_STATES = RR_CLOCK_RUNNING | {CaseState.LOCAL_REVIEW}


def family(kind: str) -> str:
    """A reminder's family: its kind without the overdue suffix (what Done / Not mine apply to)."""
    return kind.removesuffix("_overdue")


# -- the rules: each plans one kind of reminder for the case as it stands, its wording beside it ---------------

def _notification(c: _Planner) -> list[PlannedReminder]:
    """The Business Unit notifies the Secretary of State and Ofsted: reminded until it is recorded, also after a
    notify-only death converts to a SIN (issue 14 item 10: the conversion must not drop a statutory clock's
    reminders)."""
    due = c.due("notification_due", unmet=True)
    if due is None:
        return []
    what = "Secretary of State and Ofsted notification"
    return (c.before("notification_due", "", due, c.policy.sin_due, c.bu, what)
            + c.overdue("notification_due", "", due, c.bu + c.pm, what))


def _sin(c: _Planner) -> list[PlannedReminder]:
    """Awaiting the decision to notify: the SIN goes to the Panel."""
    due = c.due("sin_due")
    if c.state != CaseState.SIN_DECISION or due is None:
        return []
    what = "SIN to the Panel"
    return (c.before("sin_due", "", due, c.policy.sin_due, c.bu, what)
            + c.overdue("sin_due", "", due, c.bu + c.pm, what))


def _rapid_review(c: _Planner) -> list[PlannedReminder]:
    """While the rapid review clock runs: the review to the Panel (no overdue nagging: the digest says it)."""
    due = c.due("rapid_review_due")
    if c.state not in RR_CLOCK_RUNNING or c.c.track != "rapid_review" or due is None:
        return []
    return c.before("rapid_review_due", "", due, c.policy.rapid_review_due,
                    c.bu + c.keys(Role.SPRG_CHAIR) + c.pm, "rapid review to the Panel")


def _rapid_review_overdue(c: _Planner) -> list[PlannedReminder]:
    """The rapid review late: escalated every working day while its clock still runs (issue 14 item 5)."""
    due = c.due("rapid_review_due")
    if c.state not in RR_CLOCK_RUNNING or c.c.track != "rapid_review" or due is None:
        return []
    return escalation.rapid_review_overdue(c, due, c.today, PlannedReminder)


def _safety_actions(c: _Planner) -> list[PlannedReminder]:
    """Each open immediate safety action (issue 14 item 17)."""
    return escalation.safety_actions(c) if c.f.safety else []


def _local_review(c: _Planner) -> list[PlannedReminder]:
    """A local review's own due date (issue 14 item 16)."""
    due = c.due("local_review_due", unmet=True)
    if c.state != CaseState.LOCAL_REVIEW or due is None:
        return []
    return escalation.local_review_due(c, due)


def _agency_returns(c: _Planner) -> list[PlannedReminder]:
    """Each outstanding agency return: its leads (or the Business Unit if it has none), escalating when late."""
    if c.state not in (CaseState.INFO_GATHERING, CaseState.LOCAL_REVIEW):
        return []
    out = []
    for r in c.f.requests:
        if AgencyState(r.state) in AGENCY_OUTSTANDING:
            what = f"{c.p.agency(r.agency_key).name} return"
            out += c.before("agency_return", r.agency_key, r.due_on, c.policy.agency_return,
                            c.p.agency_leads(r.agency_key) or c.bu, what)
            out += c.overdue("agency_return", r.agency_key, r.due_on, c.agency_ladder(r.agency_key), what)
    return out


def _executive_approval(c: _Planner) -> list[PlannedReminder]:
    """Each partner yet to decide on the current report version: its executive leads, every working day from
    the day after it was sent until the rapid review is due and `overdue_daily_for` days beyond."""
    version = c.f.current_version
    if c.state != CaseState.EXEC_APPROVAL or version is None:
        return []
    approved = c.f.approvals_by_partner()
    start = london_date(version.created_at)
    end = c.due("rapid_review_due") or c.cal.add_working_days(start, 5)
    days = c.cal.working_days_late(start, end) + c.policy.overdue_daily_for
    out = []
    for partner in StatutoryPartnerKeys:
        if partner in approved:
            continue
        agency = c.p.partner_agency(partner)
        leads = tuple(m.key for m in c.p.members if m.agency == agency.key and m.has(Role.EXECUTIVE_LEAD))
        on = start
        for _ in range(days):
            on = c.cal.next_working_day(on)
            out.append(PlannedReminder("executive_approval", partner, on, leads,
                                       f"{c.label}: your decision on report v{version.number} is awaited",
                                       {"version": version.number}))
    return out


def _panel_chase(c: _Planner) -> list[PlannedReminder]:
    """Submitted and waiting: the Business Unit chases the Panel for its response."""
    due = c.due("panel_chase")
    if c.state not in (CaseState.SUBMITTED_TO_PANEL, CaseState.AWAITING_PANEL) or due is None:
        return []
    return c.before("panel_chase", "", due, (0,), c.bu, "chase the Panel for its response")


def _response_sharing(c: _Planner) -> list[PlannedReminder]:
    """The Panel's response not yet shared with everyone it goes to."""
    due = c.due("response_shared_due")
    if due is None or all(s.done_at is not None for s in c.f.sharing):
        return []
    what = "sharing the Panel's response"
    return (c.before("response_sharing", "", due, (0,), c.bu, what)
            + c.overdue("response_sharing", "", due, c.bu + c.pm, what, days=5))


def _actions(c: _Planner) -> list[PlannedReminder]:
    """Each open action: its owners (the agency's leads and the Sub Group), then the Business Unit when late."""
    out = []
    for a in c.f.actions:
        if a.status != "done":
            owners = tuple(c.p.action_owners(a.owner_agency))
            out += c.before("action_item", str(a.number), a.due_on, c.policy.action_item, owners, f"action {a.number}")
            out += c.overdue("action_item", str(a.number), a.due_on, owners + c.bu, f"action {a.number}", days=5)
    return out


def _action_plan_digest(c: _Planner) -> list[PlannedReminder]:
    """The Practice and Learning Sub Group's monthly progress digest (first working day of each month), until
    the month after the last open action is due. Counts, numbers and owners only."""
    open_actions = [a for a in c.f.actions if a.status != "done"]
    if not open_actions:
        return []
    subgroup = c.keys(Role.LEARNING_SUBGROUP) or c.bu
    return [PlannedReminder(ACTION_PLAN_DIGEST, "", on, subgroup,
                            f"{c.label}: action plan progress on {format_human(on)}: {progress_text(c.f, c.p, on)}",
                            {"month": on.strftime("%Y-%m")})
            for on in monthly_digest_days(c.cal, c.today, max(a.due_on for a in open_actions))]


def _daily_digest(c: _Planner) -> list[PlannedReminder]:
    """A daily digest in the case channel while the review runs (its content is computed when it is sent)."""
    if not (c.c.channel_opened and c.state in DIGEST_STATES):
        return []
    on = c.today if c.cal.is_working_day(c.today) else c.cal.next_working_day(c.today)
    out = []
    for _ in range(DIGEST_HORIZON):
        out.append(PlannedReminder(DIGEST, "", on, (CHANNEL,), f"{c.label}: daily digest"))
        on = c.cal.next_working_day(on)
    return out


_LCSPR_DEADLINES = (("lcspr_publication_due", "LCSPR publication"),
                    ("panel_copy_due", "LCSPR copy to the Panel, Secretary of State and Ofsted"))


def _lcspr(c: _Planner) -> list[PlannedReminder]:
    """An LCSPR under way: its publication and the copy to the Panel, 10 and 3 working days ahead and on the day."""
    if c.c.lcspr_stage in ("published", "on_hold", "not_started"):
        return []
    out = []
    for key, what in _LCSPR_DEADLINES:
        due = c.due(key, unmet=True)
        if due is not None:
            out += c.before(key, "", due, (10, 3, 0), c.bu + c.pm, what)
    return out


# In this order (the order rows are written in; the first of two equal reminders wins).
RULES = (_notification, _sin, _rapid_review, _rapid_review_overdue, _safety_actions, _local_review, _agency_returns,
         _executive_approval, _panel_chase, _response_sharing, _actions, _action_plan_digest, _daily_digest, _lcspr)


def plan(f: CaseFile, p: Partnership, cal: WorkingDayCalendar, today: date) -> list[PlannedReminder]:
    """Every reminder the case's current state calls for (past ones included; the caller filters)."""
    if CaseState(f.case.state) == CaseState.CLOSED:
        return []
    case = _Planner(f, p, cal, today)
    return [r for rule in RULES for r in rule(case)]


def _apply_preferences(r: PlannedReminder, prefs: dict[tuple[str, str, str], str], bu: tuple[str, ...]) -> tuple[str, ...]:
    """Drop people who pressed Done; route Not mine to the Business Unit."""
    out: set[str] = set()
    for key in r.recipients:
        action = prefs.get((key, family(r.kind), r.subject))
        if action == "dismissed":
            continue
        if action == "not_mine":
            out.update(bu)
            continue
        out.add(key)
    return tuple(sorted(out))


async def recompute(session: AsyncSession, f: CaseFile, p: Partnership, cal: WorkingDayCalendar,
                    now: datetime) -> list[Reminder]:
    """Replace the case's pending reminders with what it needs now (same transaction as the change).

    Sent rows are never planned again; a person's snoozed reminder survives while the thing it is
    about is still planned, and is dropped once it is done."""
    cid = f.case.id
    await session.execute(delete(Reminder).where(Reminder.case_id == cid, Reminder.status == "pending",
                                                 Reminder.kind != SNOOZED))
    done = set((await session.execute(
        select(Reminder.kind, Reminder.subject, Reminder.due_at).where(Reminder.case_id == cid))).all())
    prefs = {(m, fam, subj): action for m, fam, subj, action in (await session.execute(
        select(ReminderPreference.member_key, ReminderPreference.family, ReminderPreference.subject,
               ReminderPreference.action).where(ReminderPreference.case_id == cid))).all()}
    bu = tuple(m.key for m in p.members_with(Role.BUSINESS_UNIT))
    t = time.fromisoformat(p.reminders.time)
    rows: list[Reminder] = []
    seen: set[tuple] = set()
    planned_families: set[tuple[str, str]] = set()
    for r in plan(f, p, cal, london_date(now)):
        due_at = at_london_time(r.on, t)
        recipients = _apply_preferences(r, prefs, bu)
        planned_families.add((family(r.kind), r.subject))
        key = (r.kind, r.subject, due_at)
        if due_at <= now or key in done or key in seen or not recipients:
            continue
        seen.add(key)
        rows.append(Reminder(case_id=cid, kind=r.kind, subject=r.subject, due_at=due_at, recipients=list(recipients),
                             context={"case_code": f.case.code, "pseudonym": f.case.pseudonym, "text": r.text, **r.context},
                             created_at=now))
    session.add_all(rows)
    snoozed = (await session.execute(select(Reminder).where(
        Reminder.case_id == cid, Reminder.status == "pending", Reminder.kind == SNOOZED))).scalars().all()
    for row in snoozed:
        if (family(row.context.get("kind", "")), row.subject) not in planned_families:
            await session.delete(row)  # the thing it was about is done
    return rows
