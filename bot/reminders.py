"""The reminders a case needs now, as rows with a due instant (09:00 London, working days only).

Recomputed inside the transaction of every change, so nothing stale is ever sent: pending rows
are replaced, rows already sent are never planned again. Delivery is the ticker's job.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendar import WorkingDayCalendar, at_london_time, format_human, london_date
from bot.casefile import CaseFile
from bot.deadlines import case_deadlines
from bot.partnership import Partnership, Role
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
    def __init__(self, f: CaseFile, p: Partnership, cal: WorkingDayCalendar):
        self.f, self.p, self.cal = f, p, cal
        self.policy = p.reminders
        self.out: list[PlannedReminder] = []
        self.label = f"{f.case.code} / {f.case.pseudonym}"

    def keys(self, *roles: Role) -> tuple[str, ...]:
        return tuple(m.key for m in self.p.members_with(*roles))

    def working(self, d: date) -> date:
        """A reminder for a due date that is not a working day goes on the last working day before it."""
        return d if self.cal.is_working_day(d) else self.cal.working_days_before(d, 1)

    def before(self, kind: str, subject: str, due: date, offsets, recipients, what: str) -> None:  # noqa: ANN001
        due_wd = self.working(due)
        for n in offsets:
            on = self.cal.working_days_before(due_wd, n) if n else due_wd
            when = "today" if n == 0 else f"in {n} working day{'s' if n != 1 else ''}"
            self.out.append(PlannedReminder(kind, subject, on, tuple(recipients),
                                            f"{self.label}: {what} due {when} ({format_human(due)})",
                                            {"offset": n, "due": due.isoformat()}))

    def overdue(self, kind: str, subject: str, due: date, ladder, what: str, days: int | None = None) -> None:  # noqa: ANN001
        """Each working day after the due date, for a bounded number of days, escalating along `ladder`."""
        on = self.working(due)
        for k in range(1, (days if days is not None else self.policy.overdue_daily_for) + 1):
            on = self.cal.next_working_day(on)
            recipients = ladder(k) if callable(ladder) else ladder
            self.out.append(PlannedReminder(f"{kind}_overdue", subject, on, tuple(recipients),
                                            f"{self.label}: {what} overdue (due {format_human(due)})",
                                            {"overdue_working_days": k, "due": due.isoformat()}))

    def agency_ladder(self, agency_key: str):  # noqa: ANN201
        """Agency lead, then their SPRG representative, then the Business Unit, then the Partnership Manager."""
        steps = {
            "agency_lead": [m.key for m in self.p.members if m.agency == agency_key and m.has(Role.AGENCY_LEAD)],
            "sprg_representative": [m.key for m in self.p.members if m.agency == agency_key and m.has(Role.SPRG_MEMBER)],
            "business_unit": list(self.keys(Role.BUSINESS_UNIT)),
            "partnership_manager": list(self.keys(Role.PARTNERSHIP_MANAGER)),
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


def plan(f: CaseFile, p: Partnership, cal: WorkingDayCalendar, today: date) -> list[PlannedReminder]:
    """Every reminder the case's current state calls for (past ones included; the caller filters)."""
    c, pl, pol = f.case, _Planner(f, p, cal), p.reminders
    state = CaseState(c.state)
    if state == CaseState.CLOSED:
        return []
    d = {x.key: x for x in case_deadlines(c, cal, p.timescales)}
    bu, pm = pl.keys(Role.BUSINESS_UNIT), pl.keys(Role.PARTNERSHIP_MANAGER)
    # The Secretary of State / Ofsted notification is reminded until it is recorded, also after a notify-only
    # death converts to a SIN (issue 14 item 10: the conversion must not drop a statutory clock's reminders).
    if "notification_due" in d and not d["notification_due"].met:
        due = d["notification_due"].due
        pl.before("notification_due", "", due, pol.sin_due, bu, "Secretary of State and Ofsted notification")
        pl.overdue("notification_due", "", due, bu + pm, "Secretary of State and Ofsted notification")
    if state == CaseState.SIN_DECISION and "sin_due" in d:
        due = d["sin_due"].due
        pl.before("sin_due", "", due, pol.sin_due, bu, "SIN to the Panel")
        pl.overdue("sin_due", "", due, bu + pm, "SIN to the Panel")
    if state in RR_CLOCK_RUNNING and c.track == "rapid_review" and "rapid_review_due" in d:
        pl.before("rapid_review_due", "", d["rapid_review_due"].due, pol.rapid_review_due,
                  bu + pl.keys(Role.SPRG_CHAIR) + pm, "rapid review to the Panel")
        from bot.escalation import rapid_review_overdue  # issue 14 item 5: daily while overdue

        rapid_review_overdue(pl, d["rapid_review_due"].due, today, PlannedReminder)
    if f.safety:
        from bot.escalation import safety_actions  # issue 14 item 17

        safety_actions(pl)
    if state == CaseState.LOCAL_REVIEW and "local_review_due" in d and not d["local_review_due"].met:
        from bot.escalation import local_review_due  # issue 14 item 16

        local_review_due(pl, d["local_review_due"].due)
    if state in (CaseState.INFO_GATHERING, CaseState.LOCAL_REVIEW):
        for r in f.requests:
            if AgencyState(r.state) in AGENCY_OUTSTANDING:
                name = p.agency(r.agency_key).name
                leads = [m.key for m in p.members if m.agency == r.agency_key and m.has(Role.AGENCY_LEAD)]
                pl.before("agency_return", r.agency_key, r.due_on, pol.agency_return, leads or bu, f"{name} return")
                ladder = pl.agency_ladder(r.agency_key)
                pl.overdue("agency_return", r.agency_key, r.due_on, ladder, f"{name} return")
    if state == CaseState.EXEC_APPROVAL and f.current_version is not None:
        approved = f.approvals_by_partner()
        start = london_date(f.current_version.created_at)
        end = d["rapid_review_due"].due if "rapid_review_due" in d else cal.add_working_days(start, 5)
        days = cal.working_days_late(start, end) + pol.overdue_daily_for
        for partner in StatutoryPartnerKeys:
            if partner in approved:
                continue
            agency = p.partner_agency(partner)
            leads = [m.key for m in p.members if m.agency == agency.key and m.has(Role.EXECUTIVE_LEAD)]
            on = start
            for _ in range(days):
                on = cal.next_working_day(on)
                pl.out.append(PlannedReminder("executive_approval", partner, on, tuple(leads),
                                              f"{pl.label}: your decision on report v{f.current_version.number} is awaited",
                                              {"version": f.current_version.number}))
    if state in (CaseState.SUBMITTED_TO_PANEL, CaseState.AWAITING_PANEL) and "panel_chase" in d:
        pl.before("panel_chase", "", d["panel_chase"].due, (0,), bu, "chase the Panel for its response")
    if "response_shared_due" in d and any(s.done_at is None for s in f.sharing):
        due = d["response_shared_due"].due
        pl.before("response_sharing", "", due, (0,), bu, "sharing the Panel's response")
        pl.overdue("response_sharing", "", due, bu + pm, "sharing the Panel's response", days=5)
    for a in f.actions:
        if a.status != "done":
            owners = tuple(m.key for m in p.members if (m.agency == a.owner_agency and m.has(Role.AGENCY_LEAD))
                           or m.has(Role.LEARNING_SUBGROUP))
            pl.before("action_item", str(a.number), a.due_on, pol.action_item, owners, f"action {a.number}")
            pl.overdue("action_item", str(a.number), a.due_on, owners + bu, f"action {a.number}", days=5)
    open_actions = [a for a in f.actions if a.status != "done"]
    if open_actions:
        # The Practice and Learning Sub Group's monthly progress digest (first working day of each month),
        # until the month after the last open action is due. Counts, numbers and owners only.
        from bot.report.briefing import monthly_digest_days, progress_text

        subgroup = pl.keys(Role.LEARNING_SUBGROUP) or bu
        for on in monthly_digest_days(cal, today, max(a.due_on for a in open_actions)):
            pl.out.append(PlannedReminder(ACTION_PLAN_DIGEST, "", on, subgroup,
                                          f"{pl.label}: action plan progress on {format_human(on)}: {progress_text(f, p, on)}",
                                          {"month": on.strftime("%Y-%m")}))
    if c.channel_opened and state in DIGEST_STATES:
        # A daily digest in the case channel (content is computed fresh when it is sent).
        on = today if cal.is_working_day(today) else cal.next_working_day(today)
        for _ in range(DIGEST_HORIZON):
            pl.out.append(PlannedReminder(DIGEST, "", on, (CHANNEL,), f"{pl.label}: daily digest"))
            on = cal.next_working_day(on)
    if c.lcspr_stage not in ("published", "on_hold", "not_started"):
        for key, what in (("lcspr_publication_due", "LCSPR publication"),
                          ("panel_copy_due", "LCSPR copy to the Panel, Secretary of State and Ofsted")):
            if key in d and not d[key].met:
                pl.before(key, "", d[key].due, (10, 3, 0), bu + pm, what)
    return pl.out


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
