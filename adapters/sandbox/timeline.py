"""One case's dates as a picture (SVG): the statutory clock, agency returns, meetings and executive
decisions on a day-by-day strip, with weekends and bank holidays shaded and today marked.

Every date comes from the case's records and the core's deadline rules (bot.deadlines), and whether a day
is a working day from bot.calendar: nothing here counts working days itself. Text is the case code and
pseudonym, agency and partner names and status words only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from bot.calendar import WorkingDayCalendar, format_human, london_date
from bot.casefile import CaseFile
from bot.deadlines import case_deadlines
from bot.partnership import Partnership
from bot.states import AGENCY_OUTSTANDING, AgencyState

LANES = (("clock", "Statutory clock"), ("returns", "Agency returns"), ("meetings", "Meetings"),
         ("approvals", "Executive decisions"))
SHORT_DEADLINES = {"sin_due": "SIN due", "notification_due": "Notify due", "rapid_review_due": "Rapid review due",
                   "panel_chase": "Chase Panel", "response_shared_due": "Share response", "local_review_due": "Local review due"}
PARTNER_SHORT = {"local_authority": "LA", "icb": "ICB", "police": "Police"}
STATUS_WORDS = {"met": "met", "done": "done", "overdue": "overdue", "late": "late", "open": "to come",
                "approved": "approved", "disagreed": "disagreed", "void": "void"}
MIN_DAYS, MAX_DAYS = 21, 150
LEFT, DAY_W, HEAD, ROW_H, LANE_PAD = 124, 24, 40, 18, 10
CHAR_W = 6.2  # average width of an 11 px sans-serif character, for keeping labels apart


@dataclass(frozen=True)
class Event:
    on: date
    lane: str
    kind: str
    label: str  # short, drawn beside the marker
    title: str  # a whole sentence: the tooltip, and the list under the picture
    status: str


def case_events(f: CaseFile, p: Partnership, cal: WorkingDayCalendar, today: date) -> list[Event]:
    """The dates worth drawing for one case, from its records and the core's deadlines."""
    c = f.case
    out: list[Event] = []
    if c.sin_submitted_on:
        out.append(Event(c.sin_submitted_on, "clock", "sin_submitted", "SIN sent",
                         f"SIN submitted {format_human(c.sin_submitted_on)}", "done"))
    for d in case_deadlines(c, cal, p.timescales):
        if d.key not in SHORT_DEADLINES:
            continue  # the LCSPR's months-long dates belong to another picture
        status = "met" if d.met else "overdue" if today > d.due else "open"
        out.append(Event(d.due, "clock", d.key, SHORT_DEADLINES[d.key],
                         f"{d.label}: due {format_human(d.due)} ({STATUS_WORDS[status]})", status))
    if c.rr_submitted_on:
        out.append(Event(c.rr_submitted_on, "clock", "submitted", "To Panel",
                         f"Rapid review submitted to the Panel {format_human(c.rr_submitted_on)}", "done"))
    if c.panel_response_on:
        out.append(Event(c.panel_response_on, "clock", "panel_response", "Panel replied",
                         f"The Panel's response {format_human(c.panel_response_on)}", "done"))
    for r in f.requests:
        state = AgencyState(r.state)
        name = p.agency(r.agency_key).name
        status = ("late" if today > r.due_on else "open") if state in AGENCY_OUTSTANDING else "met"
        word = {"late": "overdue", "open": "outstanding"}.get(status, state.value.lower().replace("_", " "))
        out.append(Event(r.due_on, "returns", "agency_return", r.agency_key.replace("_", " ").capitalize(),
                         f"{name}: return due {format_human(r.due_on)} ({word})", status))
    for kind, label, on in (("icdm", "ICDM", c.icdm_on), ("rrm", "RRM", c.rrm_on)):
        if on:
            what = "Initial case discussion" if kind == "icdm" else "Rapid Review Meeting"
            status = "done" if on < today else "open"
            out.append(Event(on, "meetings", kind, label, f"{what} {format_human(on)}", status))
    current = f.current_version
    for d in f.decisions:
        on = london_date(d.decided_at)
        live = not d.void and current is not None and d.report_version == current.number
        status = ("approved" if d.decision == "approve" else "disagreed") if live else "void"
        mark = "✓" if d.decision == "approve" else "✗"
        verb = "approved" if d.decision == "approve" else "disagreed with"
        partner = PARTNER_SHORT.get(d.partner, d.partner)
        title = f"{partner} {verb} report v{d.report_version} on {format_human(on)}" + ("" if live else " (void: replaced by a later version)")
        out.append(Event(on, "approvals", f"decision_{d.decision}", f"{partner} {mark} v{d.report_version}", title, status))
    return sorted(out, key=lambda e: (e.on, e.lane, e.label))


def span(events: list[Event], today: date) -> tuple[date, date]:
    """The days to draw: every event and today, a little either side, at least three weeks."""
    days = [e.on for e in events] + [today]
    # Room on the right for the last labels, which are drawn after their markers.
    ends = [e.on + timedelta(days=math.ceil((14 + len(e.label) * CHAR_W) / DAY_W)) for e in events]
    start, end = min(days) - timedelta(days=2), max([*days, *ends]) + timedelta(days=1)
    if (end - start).days + 1 < MIN_DAYS:
        end = start + timedelta(days=MIN_DAYS - 1)
    if (end - start).days + 1 > MAX_DAYS:
        start = end - timedelta(days=MAX_DAYS - 1)
    return start, end


def _rows(events: list[Event], start: date) -> dict[Event, int]:
    """Stack labels that would overlap on one line into further lines of the same lane."""
    row_of: dict[Event, int] = {}
    ends: list[float] = []
    for e in events:
        x = LEFT + (e.on - start).days * DAY_W + DAY_W / 2 - 5
        width = 14 + len(e.label) * CHAR_W
        for i, end in enumerate(ends):
            if x > end:
                ends[i] = x + width
                row_of[e] = i
                break
        else:
            ends.append(x + width)
            row_of[e] = len(ends) - 1
    return row_of


def _marker(e: Event, cx: float, cy: float) -> str:
    cls = f"marker {e.status}"
    if e.lane == "clock":
        return f'<path class="{cls}" d="M{cx:.1f} {cy - 6:.1f} l6 6 l-6 6 l-6 -6 z"/>'
    if e.lane == "returns":
        return f'<rect class="{cls}" x="{cx - 5:.1f}" y="{cy - 5:.1f}" width="10" height="10"/>'
    if e.lane == "meetings":
        return f'<circle class="{cls}" cx="{cx:.1f}" cy="{cy:.1f}" r="5.5"/>'
    return f'<path class="{cls}" d="M{cx:.1f} {cy - 6:.1f} l6 11 l-12 0 z"/>'


def svg(code: str, pseudonym: str, events: list[Event], cal: WorkingDayCalendar, today: date) -> str:
    """The timeline picture for one case, with a title and description for screen readers."""
    start, end = span(events, today)
    n = (end - start).days + 1
    uid = "tl-" + "".join(ch if ch.isalnum() else "-" for ch in code)
    lanes = []
    y = HEAD
    for key, label in LANES:
        lane_events = [e for e in events if e.lane == key and start <= e.on <= end]
        rows = _rows(lane_events, start)
        height = LANE_PAD * 2 + ROW_H * max(1, 1 + max(rows.values(), default=0))
        lanes.append((key, label, lane_events, rows, y, height))
        y += height
    width, height = LEFT + n * DAY_W + 8, y + 6
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" aria-labelledby="{uid}-t {uid}-d" data-start="{start}" data-end="{end}">',
           f'<title id="{uid}-t">Timeline of {escape(code)} / {escape(pseudonym)}</title>',
           f'<desc id="{uid}-d">{escape(_describe(events, start, end, today))}</desc>',
           f'<defs><pattern id="{uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
           'patternTransform="rotate(45)"><rect class="holiday-fill" width="6" height="6"/>'
           '<line class="holiday-hatch" x1="0" y1="0" x2="0" y2="6"/></pattern></defs>']
    # Days: shading, then the date header.
    month = None
    for i in range(n):
        d = start + timedelta(days=i)
        x = LEFT + i * DAY_W
        if d.weekday() >= 5:
            out.append(f'<rect class="day weekend" data-date="{d}" x="{x}" y="{HEAD - 14}" width="{DAY_W}" '
                       f'height="{height - HEAD + 8}"><title>{format_human(d)}: weekend</title></rect>')
        elif not cal.is_working_day(d):
            out.append(f'<rect class="day holiday" data-date="{d}" x="{x}" y="{HEAD - 14}" width="{DAY_W}" '
                       f'height="{height - HEAD + 8}" fill="url(#{uid}-hatch)"><title>{format_human(d)}: bank holiday'
                       '</title></rect>')
        if d.month != month:
            month = d.month
            out.append(f'<text class="month" x="{x + 2}" y="12">{format_human(d).split()[2]} {d.year}</text>'
                       f'<line class="month-edge" x1="{x}" y1="0" x2="{x}" y2="{height}"/>')
        out.append(f'<text class="daynum" x="{x + DAY_W / 2:.1f}" y="{HEAD - 3}">{d.day}</text>')
    # Lanes and their events.
    for key, label, lane_events, rows, top, h in lanes:
        out.append(f'<g class="lane" data-lane="{key}"><line class="lane-edge" x1="0" y1="{top}" x2="{width}" y2="{top}"/>'
                   f'<text class="lane-label" x="6" y="{top + LANE_PAD + 12}">{escape(label)}</text>')
        for e in lane_events:
            cx = LEFT + (e.on - start).days * DAY_W + DAY_W / 2
            cy = top + LANE_PAD + 8 + rows[e] * ROW_H
            out.append(f'<g class="event {e.kind} {e.status}" data-kind="{e.kind}" data-date="{e.on}" '
                       f'data-status="{e.status}"><title>{escape(e.title)}</title>{_marker(e, cx, cy)}'
                       f'<text class="label" x="{cx + 9:.1f}" y="{cy + 4:.1f}">{escape(e.label)}</text></g>')
        out.append("</g>")
    if start <= today <= end:
        x = LEFT + (today - start).days * DAY_W + DAY_W / 2
        out.append(f'<g class="today" data-date="{today}"><title>Today, {format_human(today)}</title>'
                   f'<line x1="{x:.1f}" y1="{HEAD - 14}" x2="{x:.1f}" y2="{height}"/>'
                   f'<text x="{x + 3:.1f}" y="{HEAD - 16}">Today</text></g>')
    out.append("</svg>")
    return "".join(out)


def _describe(events: list[Event], start: date, end: date, today: date) -> str:
    parts = [f"From {format_human(start)} to {format_human(end)}; today is {format_human(today)}."]
    parts += [e.title + "." for e in events]
    return " ".join(parts)
