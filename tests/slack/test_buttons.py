"""Buttons go through the core with the same authorisation as text; replays and double clicks act once;
reminder cards' Done / Snooze until tomorrow / Not mine reach the core's reminder actions."""
from __future__ import annotations

import json
from datetime import date, time

from sqlalchemy import select

from storage.models import Case, Reminder

BU, PM, MEMBER, LEAD_POLICE, STRANGER = "U0FIC0001", "U0FIC0002", "U0FIC0004", "U0FIC0011", "U0NOTKNOWN"


def _card(fake, channel: str, action_id: str) -> dict:  # noqa: ANN001
    return next(m for m in reversed(fake.posts_in(channel)) if action_id in json.dumps(m["blocks"]))


async def _requested(slack) -> tuple[str, str]:  # noqa: ANN001
    """A case in information gathering with the police asked; returns (case channel, police lead's DM)."""
    slack.clock.on(date(2026, 9, 7))
    await slack.slack.command(BU, 'new pseudonym="Child V" aware=2026-09-01 sin=2026-09-07')
    await slack.settle()
    channel = next(iter(slack.fake.channels))
    for user, text in ((BU, "triage notifiable"), (BU, "request police")):
        status, reply = await slack.slack.command(user, text, channel=channel)
        assert status == 200, reply
    await slack.settle()
    return channel, slack.fake.ims[LEAD_POLICE]


async def _state(slack) -> str:  # noqa: ANN001
    async with slack.rt.db.read() as s:
        return (await s.execute(select(Case.state))).scalar_one()


async def test_a_replayed_click_acts_once(slack):
    _, dm = await _requested(slack)
    card = _card(slack.fake, dm, "rr_ack")
    payload_calls = []

    async def capture(body: str, content_type: str, **kw):  # noqa: ANN003
        payload_calls.append(body)
        return await original(body, content_type, **kw)

    original, slack.slack.post = slack.slack.post, capture
    await slack.slack.click(LEAD_POLICE, card, "rr_ack", channel=dm)
    slack.slack.post = original
    status, _ = await slack.slack.post(payload_calls[0], "application/x-www-form-urlencoded")  # the same signed request
    assert status == 200
    await slack.settle()
    assert len(await slack.audit("agency_ack")) == 1
    assert len([r for r in slack.fake.responses if "acknowledged" in r[1]["text"]]) == 1


async def test_a_button_is_authorised_like_the_typed_command(slack):
    channel, dm = await _requested(slack)
    card = _card(slack.fake, dm, "rr_nil")
    # Someone else presses the police lead's Nil return (e.g. a forwarded card): refused, audited, nothing changes.
    await slack.slack.click(MEMBER, card, "rr_nil", channel=dm)
    await slack.slack.click(STRANGER, card, "rr_nil", channel=dm)
    await slack.settle()
    told = [r[1]["text"] for r in slack.fake.responses]
    assert any("Only the" in t and "can run `nil`" in t for t in told)
    assert any("not set up as a member" in t for t in told)
    assert len(await slack.audit("access_refused")) == 2 and not await slack.audit("agency_nil")
    assert all(r[1]["response_type"] == "ephemeral" and r[1]["replace_original"] is False for r in slack.fake.responses)
    # A form button checks first too: the SPRG member cannot open the police return.
    await slack.slack.click(MEMBER, _card(slack.fake, dm, "rr_return_open"), "rr_return_open", channel=dm)
    await slack.settle()
    assert slack.fake.views == [] and len(await slack.audit("access_refused")) == 3


async def test_reminder_buttons_reach_the_core(slack):
    slack.clock.on(date(2026, 9, 1))
    await slack.slack.command(BU, 'new pseudonym="Child V" aware=2026-09-01')
    await slack.settle()
    slack.clock.on(date(2026, 9, 7), time(9, 30))  # the SIN is due tomorrow: a reminder goes out at 09:00
    await slack.rt.ticker.tick()
    await slack.settle()
    bu_dm, pm_dm = slack.fake.ims[BU], slack.fake.ims[PM]
    reminder = _card(slack.fake, bu_dm, "rr_reminder_snooze")
    assert "SIN to the Panel due in 1 working day" in reminder["text"]
    await slack.slack.click(BU, reminder, "rr_reminder_snooze", channel=bu_dm)
    await slack.slack.click(PM, _card(slack.fake, pm_dm, "rr_reminder_not_mine"), "rr_reminder_not_mine", channel=pm_dm)
    await slack.slack.click(STRANGER, reminder, "rr_reminder_done", channel=bu_dm)
    await slack.settle()
    told = [r[1]["text"] for r in slack.fake.responses]
    assert any("remind you again on Tue 8 Sep 2026" in t for t in told), told
    assert any("goes to the Business Unit instead of you" in t for t in told), told
    assert any("not set up as a member" in t for t in told), told
    async with slack.rt.db.read() as s:
        snoozed = list((await s.execute(select(Reminder).where(Reminder.kind == "snoozed"))).scalars())
    assert [r.recipients for r in snoozed] == [["bu_officer"]]
    assert len(await slack.audit("reminder_snoozed")) == 1 and len(await slack.audit("reminder_not_mine")) == 1
