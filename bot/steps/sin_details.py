"""SIN details the Panel asks for (issue 14 item 19; domain §3.1): the incident date, the category of abuse or
neglect, the number of children, and whether the safeguarding partners were consulted on notifying.

Held in the store and used by the report and the Panel submission pack; never posted, and the audit records
only which details were set.
"""
from __future__ import annotations

from bot.context import StepContext
from bot.calendar import format_human

from bot.states import ABUSE_CATEGORIES as CATEGORIES  # noqa: E402,F401


async def record(ctx: StepContext) -> None:
    c, a = ctx.case, ctx.args
    given = [k for k in ("incident", "category", "children", "consulted") if a.get(k) is not None]
    if not given:
        ctx.refuse("Give at least one detail, for example: sin details incident=2026-08-30 category=neglect "
                   "children=1 consulted=yes")
    incident = a.get("incident")
    if incident is not None:
        if incident > ctx.today:
            ctx.refuse(f"incident={incident.isoformat()} is in the future (today is {ctx.today.isoformat()}).")
        if c.la_aware_on and incident > c.la_aware_on:
            ctx.refuse(f"incident={incident.isoformat()} is after the council became aware ({format_human(c.la_aware_on)}).")
        c.incident_on = incident
    if a.get("category") is not None:
        c.abuse_category = a["category"]
    if a.get("children") is not None:
        c.children_count = a["children"]
    if a.get("consulted") is not None:
        c.partners_consulted = a["consulted"]
    ctx.audit("sin_details_set", fields=given)
    ctx.say(f"SIN details recorded ({', '.join(given)}). They are kept in the case store for the report and the "
            "Panel pack, and never posted in the channel.")
