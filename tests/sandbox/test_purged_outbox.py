"""Delivered outbox rows can be purged (retention) without changing what the sandbox shows: after a restart
its conversations are drawn again from what the core says it has shown (Core.shown), and the board is a core
view of the open cases, so neither reads the outbox."""
from __future__ import annotations

from sqlalchemy import delete

from adapters.sandbox import board
from bot.settings import Settings
from server.app import build_runtime
from storage.models import OutboxEffect
from tests.sandbox.conftest import serve_sandbox
from tests.sandbox.test_flow import open_case, to_approval

PEOPLE = ("bu_officer", "exec_council", "exec_icb", "lead_police", "sprg_chair")


def _cards(state: dict) -> tuple:
    """The cards in order, and the pinned one's id (other cards get fresh ids when drawn again)."""
    conv = state["conversation"]
    return ([(m.get("card_kind"), m["card"]) for m in conv["messages"] if m["kind"] == "card"],
            conv["pinned"] and conv["pinned"]["id"])


async def _seen(box, code: str) -> dict:  # noqa: ANN001
    """Every conversation each person has, and the cards in each."""
    out = {}
    for who in PEOPLE:
        listing = await box.state(who)
        out[who] = [c["label"] for c in listing["conversations"]]
        for conv in listing["conversations"]:
            out[(who, conv["id"])] = _cards(await box.state(who, conv["id"]))
    return out


async def _restarted(rt):  # noqa: ANN001, ANN202
    return await serve_sandbox(build_runtime(Settings(database_url=rt.settings.database_url, tick_seconds=3600)),
                               {"RAPIDREVIEW_SANDBOX_TODAY": "2026-12-22"})


async def test_after_delivered_outbox_rows_are_purged_a_restart_shows_the_same_cards_and_board(sandbox, rt):
    code = await open_case(sandbox)
    await to_approval(sandbox, code)
    await sandbox.click("exec_council", "dm:exec_council", "executive_approval", "Approve v1")
    await sandbox.client.close()
    # What a restart shows with every outbox row still there (what people did with a card, and what they
    # typed, were in memory only, purge or not) ...
    kept = await _restarted(rt)
    try:
        before = await _seen(kept, code)
        board_before = await board.render(kept.rt, kept.rt.core.clock())
    finally:
        await kept.client.close()
    assert len(before[("bu_officer", code)][0]) > 5

    async with rt.db.transaction() as s:
        purged = (await s.execute(delete(OutboxEffect).where(OutboxEffect.status == "delivered"))).rowcount
    assert purged > 30

    # ... is what it shows once the delivered rows are gone.
    again = await _restarted(rt)
    try:
        assert await _seen(again, code) == before
        assert await board.render(again.rt, again.rt.core.clock()) == board_before
        # Cards still update in place afterwards: the slot's message id came back with it.
        await again.click("exec_icb", "dm:exec_icb", "executive_approval", "Approve v1")
        channel = await again.state("bu_officer", code)
        approvals = [m for m in channel["conversation"]["messages"] if m.get("card_kind") == "executive_approval"]
        assert len(approvals) == 1 and "2 of 3" in str(approvals[0]["card"])
    finally:
        await again.client.close()
