"""The oversight report as Markdown (the report's small dialect, so the .docx is made from it) and as CSV.

Only figures, dates, case codes, pseudonyms and agency names reach these: everything is escaped with the
report's own `inline`/`cell`, so even a pseudonym cannot turn into a heading or a table.
"""
from __future__ import annotations

import csv
import io
from itertools import groupby

from bot.calendar import format_human
from bot.oversight.figures import OUTCOME_LABELS, Oversight
from bot.report.blocks import cell, inline

MARKING = "OFFICIAL-SENSITIVE"
MEASURES = {"sin": "SIN", "rapid_review": "Rapid review", "lcspr_publication": "LCSPR publication"}
CHART_TITLES = {
    "timeliness_by_quarter": "SINs and rapid reviews on time, by quarter",
    "rapid_review_days": "Working days from the SIN to the rapid review going to the Panel",
    "returns_by_agency": "Agency returns on time, by agency",
    "actions_by_agency": "Action plan items by agency",
}


def title(o: Oversight) -> str:
    return f"Oversight report: {o.period.human}"


def _num(value) -> str:  # noqa: ANN001
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return str(value)


def to_markdown(o: Oversight, *, charts: bool = False) -> str:
    """The whole report. With `charts`, a `[chart:key-with-hyphens]` line marks where each picture goes (the
    .docx puts the PNG there; the Markdown file on its own leaves them out)."""
    out = [f"# {inline(title(o))}", "",
           f"**{MARKING}** · {inline(o.partnership)}. Figures as at {format_human(o.as_at)}, built from the cases "
           "the bot holds. Cases appear by case code and pseudonym only; no free text from any case is included.", "",
           "Working days are Monday to Friday, not an England and Wales bank holiday, counted as the bot counts "
           "them for every deadline. Each figure's definition is in the table beside it, so it can be checked.", ""]
    for section, figs in groupby(o.figures, key=lambda f: f.section):
        out += [f"## {inline(section)}", "", "| Figure | Value | Definition |", "|---|---|---|"]
        out += [f"| {cell(f.label)} | {cell(f.shown)} | {cell(f.definition)} |" for f in figs]
        out.append("")
        if section == "Timeliness":
            out += _quarters(o) + (["[chart:timeliness-by-quarter]", "", "[chart:rapid-review-days]", ""] if charts else [])
        elif section == "Agency returns":
            out += _agencies(o) + (["[chart:returns-by-agency]", ""] if charts else [])
        elif section == "Action plan":
            out += _actions(o) + (["[chart:actions-by-agency]", ""] if charts else [])
    out += _cases(o)
    return "\n".join(out).rstrip() + "\n"


def _quarters(o: Oversight) -> list[str]:
    rows = ["### By quarter", "", "| Quarter | SINs | SINs on time | Rapid reviews | Rapid reviews on time |",
            "|---|---|---|---|---|"]
    for q in o.quarters:
        rows.append(f"| {cell(q.label)} | {q.sin.n} | {_pct(q.sin.on_time, q.sin.n)} | {q.rapid_review.n} | "
                    f"{_pct(q.rapid_review.on_time, q.rapid_review.n)} |")
    return rows + [""]


def _pct(k: int, n: int) -> str:
    return f"{k} ({round(100 * k / n)}%)" if n else "0"


def _agencies(o: Oversight) -> list[str]:
    if not o.agencies:
        return ["No agency return was due in the period.", ""]
    rows = ["### By agency", "", "| Agency | Due | On time | Late | Missing after due date | On time % | "
            "Median working days late | Nil returns | Waived |", "|---|---|---|---|---|---|---|---|---|"]
    for a in o.agencies:
        rows.append(f"| {cell(a.agency)} | {a.requests} | {a.on_time} | {len(a.late)} | {a.outstanding_overdue} | "
                    f"{_num(a.pct)} | {_num(a.median_late)} | {a.nil} | {a.waived} |")
    return rows + [""]


def _actions(o: Oversight) -> list[str]:
    if not o.actions:
        return ["No action plan item was on the plan.", ""]
    rows = ["### By agency", "", "| Agency | Completed | of which late | Open | Overdue |", "|---|---|---|---|---|"]
    for a in o.actions:
        rows.append(f"| {cell(a.agency)} | {a.completed} | {a.completed_late} | {a.open} | {a.overdue} |")
    return rows + [""]


def _cases(o: Oversight) -> list[str]:
    rows = ["## Cases against their clocks", "",
            "Each case by its code and pseudonym: the clock's start, its due date, when the step was done, on which "
            "working day of the clock, and how many working days late.", ""]
    if not o.cases:
        return rows + ["No case reached one of these steps in the period."]
    rows += ["| Case | Pseudonym | Step | Clock started | Due | Done | Working day | Working days late |",
             "|---|---|---|---|---|---|---|---|"]
    for c in o.cases:
        rows.append(f"| {cell(c.code)} | {cell(c.pseudonym)} | {MEASURES[c.measure]} | {format_human(c.anchor)} | "
                    f"{format_human(c.due)} | {format_human(c.done)} | {c.working_day} | {c.late} |")
    return rows


def to_csv(o: Oversight) -> str:
    """One row per figure, then per agency, per action owner, per quarter and per case: a spreadsheet's input."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["table", "key", "label", "value", "definition"])
    w.writerow(["report", "marking", "Protective marking", MARKING, ""])
    w.writerow(["report", "period_from", "From", o.period.start.isoformat(), ""])
    w.writerow(["report", "period_to", "To", o.period.end.isoformat(), ""])
    w.writerow(["report", "as_at", "As at", o.as_at.isoformat(), "Overdue returns and actions are judged on this day."])
    for f in o.figures:
        w.writerow(["figure", f.key, _safe(f.label), _opt(f.value), _safe(f.definition)])
    w.writerow([])
    w.writerow(["agency", "requests", "on_time", "late", "missing_after_due", "on_time_pct", "median_late",
                "worst_late", "nil", "waived"])
    for a in o.agencies:
        w.writerow([_safe(a.agency), a.requests, a.on_time, len(a.late), a.outstanding_overdue, _opt(a.pct),
                    _opt(a.median_late), max(a.late) if a.late else "", a.nil, a.waived])
    w.writerow([])
    w.writerow(["action_owner", "completed", "completed_late", "open", "overdue"])
    for x in o.actions:
        w.writerow([_safe(x.agency), x.completed, x.completed_late, x.open, x.overdue])
    w.writerow([])
    w.writerow(["quarter", "from", "to", "sins", "sins_on_time", "rapid_reviews", "rapid_reviews_on_time"])
    for q in o.quarters:
        w.writerow([q.label, q.start.isoformat(), q.end.isoformat(), q.sin.n, q.sin.on_time, q.rapid_review.n,
                    q.rapid_review.on_time])
    w.writerow([])
    w.writerow(["panel_outcome", "label", "count"])
    for key, n in o.outcomes.items():
        w.writerow([key, OUTCOME_LABELS[key], n])
    w.writerow([])
    w.writerow(["case", "pseudonym", "step", "clock_started", "due", "done", "working_day", "working_days_late"])
    for c in o.cases:
        w.writerow([_safe(c.code), _safe(c.pseudonym), c.measure, c.anchor.isoformat(), c.due.isoformat(),
                    c.done.isoformat(), c.working_day, c.late])
    return buf.getvalue()


def _opt(v) -> str:  # noqa: ANN001
    return "" if v is None else _num(v)


def _safe(text: str) -> str:
    """A spreadsheet must not run a cell as a formula (CSV injection): a leading = + - @ gets a quote."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
