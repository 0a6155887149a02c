"""Correcting a mistyped awareness or SIN date after it was recorded: a reason is required and audited,
the channel is told what changed (not why), and every deadline and reminder follows the new date."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.audit import full_detail
from storage.models import AgencyRequest, Reminder
from tests.driver import Driver
from tests.scenarios import to_approval, to_gathering


async def _deadlines(d: Driver) -> dict[str, str]:
    view = (await d.ok("bu_officer", "status")).card[1]
    return {x["key"]: x["date"] for x in view["deadlines"]}


async def _pending_reminders(d: Driver) -> list[tuple[str, str]]:
    async with d.core.db.read() as s:
        rows = (await s.execute(select(Reminder).where(Reminder.sent_at.is_(None)))).scalars()
        return sorted((r.kind, r.due_at.isoformat()) for r in rows)


async def test_a_mistyped_sin_date_is_corrected_with_a_reason_and_the_rapid_review_clock_follows(core, clock):
    d = Driver(core, clock)
    await to_gathering(d)  # SIN recorded as Mon 7 Sep 2026
    d.on(date(2026, 9, 10))
    before, reminders = await _deadlines(d), await _pending_reminders(d)
    assert before["rapid_review_due"] == "2026-09-28"
    refused = await d.refused("bu_officer", "sin 2026-09-08")
    assert 'say why, for example: sin 2026-09-08 reason="' in refused.text
    assert await _deadlines(d) == before  # a refused correction changes nothing
    r = await d.ok("bu_officer", 'sin 2026-09-08 reason="the SIN went on Tuesday; Monday was the draft"')
    assert "corrected from Mon 7 Sep 2026 to Tue 8 Sep 2026" in r.text
    after = await _deadlines(d)
    assert after["rapid_review_due"] == "2026-09-29" and after["sin_due"] == before["sin_due"]
    # the five agencies' returns were due on the date the old SIN gave them: they move with it, and are told
    async with d.core.db.read() as s:
        dues = {r.agency_key: r.due_on for r in (await s.execute(select(AgencyRequest))).scalars()}
    assert set(dues.values()) == {date(2026, 9, 18)} and "Agency returns now due: " in r.text
    told = [e.payload["member"] for e in await d.outbox()
            if e.kind == "direct_message" and "return is now due Fri 18 Sep 2026" in str(e.payload)]
    assert sorted(told) == sorted(f"lead_{a}" for a in ("police", "health", "social_care", "education", "ambulance"))
    assert len(await d.audit("agency_due_moved")) == 5
    assert await _pending_reminders(d) != reminders  # reminders were recomputed from the new date
    [entry] = await d.audit("sin_corrected")
    assert full_detail(entry) == {"from": "2026-09-07", "to": "2026-09-08",
                            "reason": "the SIN went on Tuesday; Monday was the draft"}
    notices = [e.payload for e in await d.outbox() if e.kind == "post_card" and e.payload.get("card") == "notice"
               and "corrected" in str(e.payload)]
    assert len(notices) == 1 and "Monday was the draft" not in str(notices[0])  # the reason stays in the audit
    assert await d.state() == "INFO_GATHERING"


async def test_the_awareness_date_can_be_corrected_but_never_after_the_sin(core, clock):
    d = Driver(core, clock)
    await to_gathering(d)  # aware Tue 1 Sep, SIN Mon 7 Sep
    d.on(date(2026, 9, 10))
    r = await d.refused("bu_officer", 'aware 2026-09-08 reason="typo"')
    assert "after the SIN was submitted (2026-09-07)" in r.text
    r = await d.ok("bu_officer", 'aware 2026-08-31 reason="the referral arrived on the Monday"')
    assert (await _deadlines(d))["sin_due"] == "2026-09-07"  # 5 working days from Mon 31 Aug (bank holiday)
    assert [e.detail["to"] for e in await d.audit("la_aware_corrected")] == ["2026-08-31"]
    assert "nothing to correct" in (await d.refused("bu_officer", 'aware 2026-08-31 reason="again"')).text


async def test_only_the_business_unit_corrects_and_a_reason_that_identifies_anyone_is_refused(core, clock):
    d = Driver(core, clock)
    await to_gathering(d)
    d.on(date(2026, 9, 10))
    r = await d.refused("lead_police", 'sin 2026-09-08 reason="typo"')
    assert "Only the" in r.text and len(await d.audit("access_refused")) == 1
    r = await d.refused("bu_officer", 'sin 2026-09-08 reason="DOB 01/02/2015 was typed instead"')
    assert "Nothing was saved" in r.text
    assert (await _deadlines(d))["rapid_review_due"] == "2026-09-28" and not await d.audit("sin_corrected")


async def test_no_correction_once_the_report_is_with_the_executive_leads(core, clock):
    """A report version carries both dates and approvals bind to it: a correction would leave it wrong."""
    d = Driver(core, clock)
    await to_approval(d)
    for text in ('sin 2026-09-08 reason="typo"', 'aware 2026-08-31 reason="typo"'):
        r = await d.refused("bu_officer", text)
        assert "corrected" not in r.text and await d.state() == "EXEC_APPROVAL"
    assert not await d.audit("sin_corrected") and not await d.audit("la_aware_corrected")
