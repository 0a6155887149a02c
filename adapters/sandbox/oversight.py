"""The oversight report in the sandbox, beside the case board: GET /oversight (the page, with a period form)
and GET /oversight/download (the same report as .docx, .md, .csv or .zip).

Served only where the sandbox is (loopback, fictional data); the figures come from the core
(bot.oversight), never from the tables directly. Charts are drawn in a worker thread, so the first
drawing (which loads matplotlib) does not hold up the sandbox's other requests.
"""
from __future__ import annotations

import asyncio
from datetime import date
from html import escape

from aiohttp import web

from bot.calendar import CalendarRangeError, london_date, parse_iso_date
from bot.oversight import oversight
from bot.oversight.figures import Oversight, Period

EXAMPLE = "for example from 2026-04-01 to 2027-03-31"


def default_period(today: date) -> Period:
    """The current calendar year: the yearly report's usual span, and what the chat's `oversight` shows."""
    return Period(date(today.year, 1, 1), date(today.year, 12, 31))


def period_from_query(query, today: date) -> Period:  # noqa: ANN001 (a MultiDict)
    """The period named by ?from=&to=, or the current year; ValueError with a plain message when it is wrong."""
    raw_from, raw_to = (query.get("from") or "").strip(), (query.get("to") or "").strip()
    if not raw_from and not raw_to:
        return default_period(today)
    try:
        start = parse_iso_date(raw_from)
    except ValueError:
        raise ValueError(f"'From' must be a date written YYYY-MM-DD, {EXAMPLE}.") from None
    try:
        end = parse_iso_date(raw_to)
    except ValueError:
        raise ValueError(f"'To' must be a date written YYYY-MM-DD, {EXAMPLE}.") from None
    if end < start:
        raise ValueError(f"'To' ({end.isoformat()}) is before 'From' ({start.isoformat()}): {EXAMPLE}.")
    try:
        return Period(start, end)
    except ValueError as exc:
        raise ValueError(f"{str(exc).capitalize()}: {EXAMPLE}.") from None


async def figures(rt, period: Period, today: date) -> Oversight:  # noqa: ANN001 (server.app.Runtime)
    return await oversight(rt.db, rt.partnership, rt.calendar, period, today)


def _form(period: Period | None, raw: dict[str, str], error: str | None) -> str:
    start = raw.get("from") or (period.start.isoformat() if period else "")
    end = raw.get("to") or (period.end.isoformat() if period else "")
    err = (f'<p class="error-message" id="period-error" role="alert"><strong>There is a problem:</strong> '
           f"{escape(error)}</p>") if error else ""
    described = ' aria-describedby="period-error" aria-invalid="true"' if error else ""
    return (f'<form class="period" method="get" action="/oversight" aria-label="Period">{err}'
            f'<div><label for="from">From</label><input id="from" name="from" type="date" value="{escape(start)}" '
            f'required{described}></div>'
            f'<div><label for="to">To</label><input id="to" name="to" type="date" value="{escape(end)}" '
            f'required{described}></div><button type="submit">Show</button></form>')


def page(body: str, partnership_name: str, heading: str) -> str:
    return f"""<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading}: Rapid Review sandbox</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/sandbox/static/sandbox.css"></head>
<body class="board-page oversight-page">
<a class="skip" href="#report">Skip to the report</a>
<p class="banner" role="note"><strong>Sandbox — fictional data only</strong></p>
<header class="board-head"><h1>{heading}</h1><p>{escape(partnership_name)}: the figures the safeguarding partners
account for in their yearly report, drawn from the cases. <a href="/board">Case board</a> · <a href="/">Back to the
sandbox</a></p></header>
<main id="report">{body}</main>
</body></html>"""


async def render(rt, now, query) -> tuple[int, str]:  # noqa: ANN001
    """(HTTP status, the page) for the query's period."""
    from bot.oversight.charts import KEYS, draw
    from bot.oversight.html import fragment, heading

    today = london_date(now)
    raw = {k: str(query.get(k) or "") for k in ("from", "to")}
    name = rt.partnership.partnership.name
    try:
        period = period_from_query(query, today)
        o = await figures(rt, period, today)
    except (ValueError, CalendarRangeError) as exc:
        return 400, page(_form(None, raw, str(exc)), name, "Oversight report")
    charts = await asyncio.to_thread(lambda: {key: draw(o, key, "svg") for key in KEYS})
    q = f"from={period.start.isoformat()}&amp;to={period.end.isoformat()}"
    downloads = ('<p class="downloads">Download: ' + " · ".join(
        f'<a href="/oversight/download?{q}&amp;format={fmt}" download>{label}</a>'
        for fmt, label in (("docx", "Word (.docx)"), ("md", "Markdown (.md)"), ("csv", "CSV (.csv)"),
                           ("zip", "all, with the charts (.zip)"))) + "</p>")
    return 200, page(_form(period, raw, None) + downloads + fragment(o, charts), name, heading(o))


async def download(rt, now, query) -> web.Response:  # noqa: ANN001
    from bot.oversight.files import CONTENT_TYPES, file_name
    from bot.oversight.files import render as render_file

    today = london_date(now)
    fmt = str(query.get("format") or "")
    if fmt not in CONTENT_TYPES:
        return web.Response(status=400, text="format must be docx, md, csv or zip, for example format=docx\n")
    try:
        period = period_from_query(query, today)
        o = await figures(rt, period, today)
    except (ValueError, CalendarRangeError) as exc:
        return web.Response(status=400, text=f"{exc}\n")
    data = await asyncio.to_thread(render_file, o, fmt, now)
    content_type, _, charset = CONTENT_TYPES[fmt].partition("; charset=")
    return web.Response(body=data, content_type=content_type, charset=charset or None,
                        headers={"Content-Disposition": f'attachment; filename="{file_name(o, fmt)}"'})
