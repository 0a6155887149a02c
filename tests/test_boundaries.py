"""Boundaries the architecture promises (the import rules are in test_imports.py): migrations match the models;
no effect, card context or reminder produced by the scenarios carries identifying data."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from bot.audit import full_detail
from bot import pii
from bot.context import Invocation
from storage.models import AuditEvent, OutboxEffect, Reminder
from tests.driver import Driver
from tests.scenarios import to_approval

async def test_migrations_produce_exactly_the_models_schema(db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    def diff(conn):  # noqa: ANN001
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), SQLModel.metadata)

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


# A fictional family: what must never appear in a channel, card, reminder or DM.
FAMILY = ["Jayden Smith", "Kerry Smith", "Dean Bairstow"]
FAMILY_FRAGMENTS = ["Jayden", "Kerry", "Bairstow", "03/02/2019", "2019-02-03", "12 High St", "YO17 7HH"]


async def test_no_effect_or_reminder_of_a_whole_case_carries_identifying_data(core, clock, db):
    d = Driver(core, clock)
    await to_approval(d)
    inv = Invocation(platform="fake", platform_user="U0FIC0001", member=core.partnership.member("bu_officer"), private=True)
    await core.set_watch_names(inv, d.case_code, FAMILY)
    # People slip: free text with the family's details is refused before anything is stored or posted.
    r = await d.refused("exec_police", 'disagree reason="Kerry Smith DOB 03/02/2019 should be interviewed"')
    assert "Kerry" not in r.text
    await core.screen_message(Invocation(platform="fake", platform_user="U0FIC0004", member=core.partnership.member("sprg_police"),
                                         text="Dean Bairstow lives at 12 High St, YO17 7HH", case_code=d.case_code))
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve")
    await d.ok("bu_officer", "submit")
    d.on(date(2026, 10, 9))
    await d.ok("bu_officer", "panel agrees")
    await d.ok("bu_officer", "shared all")
    r = await d.refused("learning_lead", 'action add owner=education due=2027-03-01 "Check in with Jayden Smith at 12 High St"')
    assert "Nothing was saved" in r.text and "Jayden" not in r.text
    await d.ok("learning_lead", 'action add owner=education due=2027-03-01 "Refresh the DSL information-sharing training"')
    await d.ok("bu_officer", "briefing done")
    reminders = list(await d.reminders())  # before closing removes the pending ones
    await d.ok("bu_officer", "action done 1")
    await d.ok("bu_officer", "close")
    async with db.read() as s:
        effects = (await s.execute(select(OutboxEffect))).scalars().all()
        reminders += (await s.execute(select(Reminder))).scalars().all()
        audit = (await s.execute(select(AuditEvent))).scalars().all()
    blobs = [json.dumps(e.payload) for e in effects] + [json.dumps(r.context) for r in reminders] + \
            [json.dumps(full_detail(a)) for a in audit]
    assert len(effects) > 40 and reminders
    for blob in blobs:
        for fragment in FAMILY_FRAGMENTS:
            assert fragment not in blob, f"{fragment!r} leaked into {blob[:200]}"
        assert not pii.scan(blob, FAMILY), blob[:200]
    # Every effect names its case by code and pseudonym only.
    for e in effects:
        ctx = e.payload.get("context", {})
        if "pseudonym" in ctx:
            assert ctx["pseudonym"] == "Child V"
