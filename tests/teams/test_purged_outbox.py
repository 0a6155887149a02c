"""Delivered outbox rows can be purged (retention) without changing what a Teams card shows when it is
refreshed: the adapter asks the core for the card's current context (Core.current_card), never the outbox."""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, select

from storage.models import Case, OutboxEffect

CODE = "rr-2026-001"


async def test_card_refreshes_are_the_same_after_delivered_outbox_rows_are_purged(teams):
    t = teams
    t.on(date(2026, 9, 7))
    await t.say("bu_officer", 'new pseudonym="Child V" aware=2026-09-01 sin=2026-09-07')
    ch = t.channel(CODE)
    await t.say("sprg_chair", "triage notifiable", where=ch)
    await t.say("bu_officer", "request police,health,social_care,education,ambulance", where=ch)
    t.on(date(2026, 9, 16))
    for key in ("police", "health", "social_care", "education", "ambulance"):
        await t.say(f"lead_{key}", f"return case={CODE}", personal=True)
    await t.say("bu_officer", "pack", where=ch)
    t.on(date(2026, 9, 21))
    await t.say("sprg_chair", "meeting rrm 2026-09-21", where=ch)
    await t.say("sprg_police", 'vote lcspr reason="multi-agency learning"', where=ch)
    await t.say("sprg_chair", 'recommend lcspr reason="multi-agency learning"', where=ch)
    await t.say("bu_officer", "report", where=ch)
    await t.say("exec_council", f"approve case={CODE}", personal=True)
    async with t.rt.db.read() as s:
        assert (await s.execute(select(Case.state).where(Case.code == CODE))).scalar_one() == "EXEC_APPROVAL"
    cards = [  # (who, card data, in the channel?)
        ("exec_icb", {"card": "executive_approval", "case": CODE}, True),
        ("sprg_police", {"card": "executive_approval", "case": CODE}, True),
        ("sprg_health", {"card": "vote", "case": CODE}, True),
        ("lead_police", {"card": "agency_request", "case": CODE, "agency": "police"}, False),
        ("lead_education", {"card": "agency_request", "case": CODE, "agency": "education"}, False),
        ("bu_officer", {"card": "case_status", "case": CODE}, True),
    ]

    async def refreshed() -> list[dict]:
        return [await (t.click(who, "refresh", data, where=ch, trigger="automatic") if in_channel else
                       t.click(who, "refresh", data, personal=True, trigger="automatic"))
                for who, data, in_channel in cards]

    before = await refreshed()
    assert all(r["type"] == "application/vnd.microsoft.card.adaptive" for r in before), before
    async with t.rt.db.transaction() as s:
        purged = (await s.execute(delete(OutboxEffect).where(OutboxEffect.status == "delivered"))).rowcount
    assert purged > 30
    async with t.rt.db.read() as s:
        assert (await s.execute(select(func.count()).select_from(OutboxEffect))).scalar_one() == 0
    assert await refreshed() == before
