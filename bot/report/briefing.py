"""After the Panel's response: the one-page practitioners' briefing, the action plan document, and
the words of the monthly progress digest for the Practice and Learning Sub Group.

The briefing is made from the learning parts only (the SPRG's multi-agency learning, each agency's
single-agency learning, the action plan), so it can go to agencies to share with practitioners.
"""
from __future__ import annotations

from datetime import date, timedelta

from bot.report import blocks as md
from bot.calendar import LONDON, WorkingDayCalendar, format_human
from bot.casefile import CaseFile
from bot.partnership import Partnership
from bot.report.build import NATURE_LABELS, ReportParts, environment, safe_return, tidy
from bot.states import PANEL_OUTCOMES

BRIEFING = "briefing"  # the report_document kind of an issued briefing
ONE_PAGE_WORDS = 550  # about what fits on one A4 page at 10.5 pt with the headings
_PANEL = {v: v.replace("_", " ").lower() for v in PANEL_OUTCOMES.values()}
_NO_LEARNING = ("The SPRG's summary of the multi-agency learning is still to be written "
                "(`section learning \"...\"`).")


def briefing_markdown(f: CaseFile, p: Partnership, parts: ReportParts, on: date) -> str:
    c = f.case
    by_agency = [{"agency": p.agency(r.agency_key).name,
                  "text": safe_return(f, r.return_data)["single_agency_learning"]}
                 for r in f.requests if (r.return_data or {}).get("single_agency_learning", "").strip()]
    decision = {"LCSPR": "The safeguarding partners decided to commission a local child safeguarding practice review.",
                "NO_LCSPR_LEARNING_VIA_OTHER_ROUTE": "The safeguarding partners decided that the learning is best "
                "taken forward through this briefing and the action plan, without a local child safeguarding practice "
                "review."}.get(c.recommendation or "", "The safeguarding partners' decision is still to be recorded.")
    if c.track == "local_review":
        decision = "The Safeguarding Practice Review Group held a local learning review."
    context = {
        "case": {"code": c.code, "pseudonym": c.pseudonym, "partnership": p.partnership.name,
                 "short_name": p.partnership.short_name},
        "on": format_human(on), "nature": NATURE_LABELS.get(c.kind, "a death or serious harm").lower(),
        "decision": decision, "panel": _PANEL.get(c.panel_outcome or "", ""),
        "kloes": [loe.text for loe in f.lines_of_enquiry],
        "learning": md.narrative(parts.sections.get("learning"), _NO_LEARNING),
        "by_agency": by_agency,
        "actions": [{"owner": p.agency(a.owner_agency).name, "due": format_human(a.due_on), "text": a.text,
                     "done": a.status == "done"} for a in f.actions],
    }
    return tidy(environment().get_template("briefing.md.j2").render(context))


def words(markdown: str) -> int:
    return sum(len(b.text.split()) + sum(len(md.plain(c).split()) for r in b.rows for c in r)
               for b in md.parse(markdown))


def one_page_warning(markdown: str) -> str | None:
    n = words(markdown)
    if n <= ONE_PAGE_WORDS:
        return None
    return (f"The briefing has {n} words, more than fits on one page (about {ONE_PAGE_WORDS}): "
            "shorten the multi-agency learning or ask agencies for shorter single-agency learning.")


def progress_text(f: CaseFile, p: Partnership, on: date) -> str:
    """Counts, numbers and owners only (what a reminder may carry): never the actions' words."""
    total = len(f.actions)
    done = [a for a in f.actions if a.status == "done"]
    late = [a for a in f.actions if a.status != "done" and a.due_on < on]
    text = f"{total} action{'s' if total != 1 else ''}: {len(done)} done, {total - len(done)} open"
    if late:
        text += "; overdue: " + ", ".join(f"action {a.number} ({p.agency(a.owner_agency).name}, due "
                                          f"{format_human(a.due_on)})" for a in late)
    return text + "."


def action_plan_markdown(f: CaseFile, p: Partnership, on: date) -> str:
    actions = [{"number": a.number, "owner": p.agency(a.owner_agency).name, "text": a.text,
                "due": format_human(a.due_on), "status": a.status, "evidence": a.evidence or "",
                "done_on": format_human(a.done_at.astimezone(LONDON).date()) if a.done_at else ""} for a in f.actions]
    context = {"case": {"code": f.case.code, "pseudonym": f.case.pseudonym, "partnership": p.partnership.name},
               "on": format_human(on), "progress": progress_text(f, p, on), "actions": actions}
    return tidy(environment().get_template("action_plan.md.j2").render(context))


MAX_MONTHLY_DIGESTS = 12


def monthly_digest_days(cal: WorkingDayCalendar, today: date, last_due: date) -> list[date]:
    """The first working day of each month after `today`, up to the month after `last_due`."""
    out: list[date] = []
    y, m = today.year, today.month
    end = (last_due.replace(day=1) + timedelta(days=32)).replace(day=1)  # the month after the last due date
    while len(out) < MAX_MONTHLY_DIGESTS:
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        first = date(y, m, 1)
        if first > end:
            break
        out.append(first if cal.is_working_day(first) else cal.next_working_day(first))
    return out
