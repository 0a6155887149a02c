"""The oversight report: the partnership's figures for a period, drawn from the cases themselves.

facts.py reads dates, states and outcomes from the store (never free text); figures.py computes each figure
with its definition through the one deadline engine, into the parts of model.py; render.py writes Markdown and
CSV; charts.py draws the pictures (matplotlib, imported only when a chart is drawn); html.py writes the page's
body; files.py assembles the .docx and the .zip; chat.py answers `oversight`; links.py signs links to it.
"""
from __future__ import annotations

from datetime import date

from bot.oversight.facts import load_facts
from bot.oversight.figures import Oversight, Period, compute
from bot.partnership import Partnership
from bot.calendar import WorkingDayCalendar
from storage.db import Database


async def oversight(db: Database, partnership: Partnership, cal: WorkingDayCalendar, period: Period,
                    today: date) -> Oversight:
    """The figures for the period as at its end (or today, if the period has not ended)."""
    facts = await load_facts(db)
    return compute(facts, cal, partnership.timescales, period, min(period.end, today),
                   agency_names={a.key: a.name for a in partnership.agencies},
                   partnership=partnership.partnership.name)
