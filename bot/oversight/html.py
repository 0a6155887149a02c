"""The oversight report as an HTML fragment for a web page (the sandbox's /oversight, a signed-link page).

Every value is escaped here; the charts are SVG pictures with their text alternative (and the tables beside
them carry the same numbers, so nothing is shown only as a picture).
"""
from __future__ import annotations

import base64
from html import escape
from itertools import groupby

from bot.calendar import format_human
from bot.oversight.charts import alt_text
from bot.oversight.figures import Oversight
from bot.oversight.render import CHART_TITLES, MARKING, MEASURES, title

_CHARTS_AFTER = {"Timeliness": ("timeliness_by_quarter", "rapid_review_days"),
                 "Agency returns": ("returns_by_agency",), "Action plan": ("actions_by_agency",)}


def _v(value) -> str:  # noqa: ANN001
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return escape(str(value))


def _table(caption: str, head: list[str], rows: list[list[str]], cls: str = "") -> str:
    ths = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join("<tr>" + f'<th scope="row">{r[0]}</th>' + "".join(f"<td>{c}</td>" for c in r[1:]) + "</tr>"
                   for r in rows)
    return (f'<div class="table-scroll" role="region" tabindex="0" aria-label="{escape(caption)} (scrolls sideways)">'
            f'<table class="oversight-table {cls}"><caption>{escape(caption)}</caption><thead><tr>{ths}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _chart(o: Oversight, key: str, svg: bytes) -> str:
    data = base64.b64encode(svg).decode("ascii")
    return (f'<figure class="chart"><img src="data:image/svg+xml;base64,{data}" alt="{escape(alt_text(o, key))}" '
            f'width="800" height="380"><figcaption>{escape(CHART_TITLES[key])}</figcaption></figure>')


def fragment(o: Oversight, charts: dict[str, bytes]) -> str:
    """The report's body: a section per group of figures, each figure with its definition, and the charts."""
    out = [f'<p class="marking"><strong>{MARKING}</strong></p>',
           f"<p>{escape(o.partnership)}: figures for {escape(o.period.human)}, as at {format_human(o.as_at)}, built "
           "from the cases the bot holds. Cases appear by case code and pseudonym only; no free text from any case "
           "is included. Working days are Monday to Friday, not an England and Wales bank holiday, counted as the "
           "bot counts them for every deadline.</p>"]
    for n, (section, figs) in enumerate(groupby(o.figures, key=lambda f: f.section), start=1):
        sid = f"s{n}"
        rows = [[escape(f.label), _v(f.value), escape(f.definition)] for f in figs]
        out.append(f'<section aria-labelledby="{sid}"><h2 id="{sid}">{escape(section)}</h2>')
        out.append(_table(f"{section}: figures and definitions", ["Figure", "Value", "Definition"], rows, "figures"))
        if section == "Timeliness":
            out.append(_table("Timeliness by quarter", ["Quarter", "SINs", "SINs on time", "Rapid reviews",
                                                        "Rapid reviews on time"],
                              [[escape(q.label), str(q.sin.n), str(q.sin.on_time), str(q.rapid_review.n),
                                str(q.rapid_review.on_time)] for q in o.quarters]))
        elif section == "Agency returns" and o.agencies:
            out.append(_table("Agency returns by agency", ["Agency", "Due", "On time", "Late", "Missing after due date",
                                                           "On time %", "Median working days late", "Nil returns",
                                                           "Waived"],
                              [[escape(a.agency), str(a.requests), str(a.on_time), str(len(a.late)),
                                str(a.outstanding_overdue), _v(a.pct), _v(a.median_late), str(a.nil), str(a.waived)]
                               for a in o.agencies]))
        elif section == "Action plan" and o.actions:
            out.append(_table("Action plan items by agency", ["Agency", "Completed", "of which late", "Open", "Overdue"],
                              [[escape(a.agency), str(a.completed), str(a.completed_late), str(a.open), str(a.overdue)]
                               for a in o.actions]))
        out += [_chart(o, key, charts[key]) for key in _CHARTS_AFTER.get(section, ()) if key in charts]
        out.append("</section>")
    out.append('<section aria-labelledby="cases-h"><h2 id="cases-h">Cases against their clocks</h2>')
    if o.cases:
        out.append(_table("Each case's clock: start, due date, when done, working day and working days late",
                          ["Case", "Pseudonym", "Step", "Clock started", "Due", "Done", "Working day",
                           "Working days late"],
                          [[escape(c.code), escape(c.pseudonym), MEASURES[c.measure], format_human(c.anchor),
                            format_human(c.due), format_human(c.done), str(c.working_day), str(c.late)]
                           for c in o.cases]))
    else:
        out.append("<p>No case reached one of these steps in the period.</p>")
    out.append("</section>")
    return "".join(out)


def heading(o: Oversight) -> str:
    return escape(title(o))
