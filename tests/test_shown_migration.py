"""Migration 0005 fills `shown_effect` for cases that already exist from their outbox rows: what it fills in is
what the core would have written itself (bot.outbox.enqueue), so the Teams card refresh and the sandbox see
an upgraded database as they would a new one."""
from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import delete, select

from storage.db import alembic_config, upgrade
from storage.models import ShownEffect
from tests.driver import Driver
from tests.scenarios import to_approval

FIELDS = ("case_id", "case_code", "platform", "kind", "card", "member_key", "slot", "payload", "outbox_id",
          "created_at", "shown_at")


async def _shown(db) -> list[tuple]:  # noqa: ANN001
    async with db.read() as s:
        rows = (await s.execute(select(ShownEffect).order_by(ShownEffect.id))).scalars().all()
    return [tuple(getattr(r, f) for f in FIELDS) for r in rows]


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_the_migration_fills_in_what_the_core_writes(db, core, clock, dispatcher):
    d = Driver(core, clock)
    await to_approval(d)
    await dispatcher.drain()
    d.on(date(2026, 9, 23))
    await d.ok("exec_council", "approve")  # what this approval asks to show is left undelivered
    written = await _shown(db)
    assert any(r[10] is None for r in written) and any(r[10] is not None for r in written)
    assert any(r[6] == "approval" for r in written) and any(r[5] for r in written)

    from alembic import command

    async with db.transaction() as s:
        await s.execute(delete(ShownEffect))
    await db.dispose()
    await asyncio.to_thread(command.downgrade, alembic_config(db.url), "0004")
    upgrade(db.url)
    filled = await _shown(db)
    assert filled == written
