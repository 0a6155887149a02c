"""Daily escalation while the rapid review is overdue (issue 14 item 5).

Each working day after the due date, while the 15-working-day clock is still running: the Business Unit,
the Partnership Manager and the SPRG chair, and from the second overdue day the executive leads too. The text
says whether the Panel has been told of the delay (only the date; the reason is never in a reminder).
Planned a horizon ahead like the daily digest; the ticker's re-planning keeps it going while it is overdue.
"""
from __future__ import annotations

from datetime import date

from bot.calendar import format_human
from bot.partnership import Role

HORIZON = 10  # working days planned beyond today (re-planned as the digests run out)


def rapid_review_overdue(pl, due: date, today: date, make) -> list:  # noqa: ANN001 (reminders._Planner, PlannedReminder)
    c = pl.f.case
    out = []
    first = pl.keys(Role.BUSINESS_UNIT) + pl.keys(Role.PARTNERSHIP_MANAGER) + pl.keys(Role.SPRG_CHAIR)
    execs = pl.keys(Role.EXECUTIVE_LEAD)
    told = (f" Panel told of the delay on {format_human(c.panel_told_of_delay_on)}." if c.panel_told_of_delay_on
            else ' The Panel has not been told of the delay: panel delay reason="…"')
    end = max(today, due)
    for _ in range(HORIZON):
        end = pl.cal.next_working_day(end)
    on, k = pl.working(due), 0
    while True:
        on = pl.cal.next_working_day(on)
        if on > end:
            break
        k += 1
        recipients = tuple(sorted(set(first + (execs if k >= 2 else ()))))
        out.append(make("rapid_review_due_overdue", "", on, recipients,
                           f"{pl.label}: rapid review to the Panel overdue by {k} working day{'s' if k != 1 else ''} "
                           f"(due {format_human(due)}).{told}",
                           {"overdue_working_days": k, "due": due.isoformat()}))
    return out


def local_review_due(pl, due: date) -> list:  # noqa: ANN001 (reminders._Planner)
    """Issue 14 item 16: the local review's own due date is reminded (10, 3 and 0 working days before) to the
    Business Unit and the SPRG chair, then escalated to the Partnership Manager while it is overdue."""
    bu, chair, pm = pl.keys(Role.BUSINESS_UNIT), pl.keys(Role.SPRG_CHAIR), pl.keys(Role.PARTNERSHIP_MANAGER)
    return (pl.before("local_review_due", "", due, (10, 3, 0), bu + chair, "local review")
            + pl.overdue("local_review_due", "", due, bu + chair + pm, "local review"))


def safety_actions(pl) -> list:  # noqa: ANN001 (reminders._Planner)
    """Issue 14 item 17: each open immediate safety action is reminded on its due day to its agency's lead and the
    Business Unit, and escalated daily (adding the SPRG chair) for five working days when overdue."""
    bu, chair = pl.keys(Role.BUSINESS_UNIT), pl.keys(Role.SPRG_CHAIR)
    out = []
    for a in pl.f.safety:
        if a.status == "done":
            continue
        leads = tuple(m.key for m in pl.p.members if m.agency == a.owner_agency and m.has(Role.AGENCY_LEAD))
        out += pl.before("safety_action", str(a.number), a.due_on, (0,), leads + bu, f"immediate safety action {a.number}")
        out += pl.overdue("safety_action", str(a.number), a.due_on, leads + bu + chair,
                          f"immediate safety action {a.number}", days=5)
    return out
