"""The case board: every open case with its stage, next deadline and who is late, and its timeline.

Shown in the sandbox at /board. It names a case by its code and pseudonym only; the rest is status
words, dates, and agency and partner names. (In production it would sit behind the same sign-in as the
report links; until that exists it is not served outside the sandbox.)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from typing import Any

from adapters.sandbox.timeline import Event, case_events, svg
from bot.calendar import format_human, london_date


@dataclass(frozen=True)
class BoardCase:
    code: str
    pseudonym: str
    track: str
    stage: str
    next_deadline: dict[str, Any] | None
    late: list[str]
    approvals: str | None
    events: list[Event]


async def open_cases(rt, today: date) -> list[BoardCase]:  # noqa: ANN001 (server.app.Runtime)
    """The open cases, soonest next deadline first."""
    out = []
    for case in await rt.core.open_cases(today):
        view, f = case.view, case.file
        late = list(view["overdue"]) + [d["label"] for d in view["deadlines"] if d["overdue"]]
        approvals = view["approvals"]["count"] if view["report_version"] else None
        out.append(BoardCase(view["case_code"], view["pseudonym"], view["label"], view["state_label"],
                             view["next_deadline"], late, approvals,
                             case_events(f, rt.partnership, rt.calendar, today)))
    return sorted(out, key=lambda b: (b.next_deadline["date"] if b.next_deadline else "9999", b.code))


async def render(rt, now: datetime) -> str:  # noqa: ANN001
    """The board's changing part (the page swaps it in when the sandbox changes)."""
    today = london_date(now)
    cases = await open_cases(rt, today)
    head = f'<p class="today-line">Today is <strong>{format_human(today)}</strong>. {len(cases)} open case{"s" if len(cases) != 1 else ""}.</p>'
    if not cases:
        return head + '<p>No open cases yet. In the sandbox, open one as the Business Unit: <code>new pseudonym="Child V" aware=DATE</code>, or run <code>rapidreview demo</code>.</p>'
    return head + "".join(_case(b, rt.calendar, today) for b in cases)


def _case(b: BoardCase, cal, today: date) -> str:  # noqa: ANN001
    slug = "case-" + "".join(ch if ch.isalnum() else "-" for ch in b.code)
    nd = b.next_deadline
    next_text = (f'{escape(nd["label"])}, {escape(nd["human"])}' + (' <strong class="overdue">(overdue)</strong>' if nd["overdue"] else "")
                 if nd else "None")
    late = ", ".join(escape(x) for x in b.late) if b.late else "Nobody"
    facts = [("Stage", escape(b.stage)), ("Next deadline", next_text),
             ("Late", f'<span class="{"overdue" if b.late else ""}">{late}</span>')]
    if b.approvals:
        facts.append(("Executive approvals", escape(b.approvals)))
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    items = "".join(f'<li data-date="{e.on}" data-kind="{e.kind}">{escape(e.title)}</li>' for e in b.events)
    return (f'<article class="case" id="{slug}" data-case="{escape(b.code)}" aria-labelledby="{slug}-h">'
            f'<h2 id="{slug}-h">{escape(b.code)} / {escape(b.pseudonym)} <span class="track">{escape(b.track)}</span></h2>'
            f'<dl class="facts">{dl}</dl>'
            f'<div class="timeline-scroll" tabindex="0" role="region" aria-label="Timeline of {escape(b.code)}, scrolls sideways">'
            f'{svg(b.code, b.pseudonym, b.events, cal, today)}</div>'
            f'<details><summary>Dates as a list</summary><ul class="dates">{items}</ul></details></article>')


LEGEND = ('<ul class="legend" aria-label="Key">'
          '<li><span class="swatch weekend"></span>Weekend</li><li><span class="swatch holiday"></span>Bank holiday</li>'
          '<li><span class="swatch today"></span>Today</li><li><span class="swatch status-met"></span>Met or done</li>'
          '<li><span class="swatch status-open"></span>To come</li><li><span class="swatch status-late"></span>Overdue or '
          'disagreed</li><li>◆ statutory clock, ■ agency return, ● meeting, ▲ executive decision</li></ul>')


def page(fragment: str, partnership_name: str) -> str:
    return f"""<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Case board: Rapid Review sandbox</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/sandbox/static/sandbox.css"></head>
<body class="board-page">
<a class="skip" href="#cases">Skip to the cases</a>
<p class="banner" role="note"><strong>Sandbox — fictional data only</strong></p>
<header class="board-head"><h1>Case board</h1><p>{escape(partnership_name)}: every open case, its stage, next deadline and
who is late. <a href="/oversight">Oversight report</a> · <a href="/">Back to the sandbox</a></p>{LEGEND}</header>
<main id="cases" aria-live="polite">{fragment}</main>
<script src="/sandbox/static/board.js"></script>
</body></html>"""
