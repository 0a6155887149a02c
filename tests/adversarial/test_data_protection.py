"""Data protection end to end, through Slack (a whole case) and Teams (up to the returns): a fictional family
on the case's watch list, their names, dates of birth and address typed into return forms, commands and
channel messages along the way. Every Web API call, connector and Graph payload, response_url reply, modal
and invoke answer, audit detail and log line the bot produced (any level, except the SQLite driver's DEBUG
trace of statement parameters) is scanned for them: zero hits."""
from __future__ import annotations

import json
import re
import logging
from datetime import date, time

import pytest

from bot.audit import full_detail
from tests.adversarial.conftest import audit_actions
from tests.driver import Driver

CODE = "rr-2026-001"
# A fictional family (not real people).
NAMES = ["Ellie-Mae Thornbury", "Karen Thornbury", "Dwayne Pollitt"]
DOBS = ["14/03/2019", "2019-03-14", "14 March 2019", "02/11/1990"]
ADDRESS = ["27 Larkspur Close", "YO17 9QT"]
LEAK = f"{NAMES[0]} (DOB {DOBS[0]}) lives with {NAMES[1]} (born {DOBS[3]}) at {ADDRESS[0]}, Malton {ADDRESS[1]}"
NEEDLES = NAMES + DOBS + ADDRESS + ["Thornbury", "Larkspur", "Pollitt"]


def hits(text: str) -> list[str]:
    return [n for n in NEEDLES if re.search(re.escape(n), text, re.IGNORECASE)]


def uid(h, key: str) -> str:  # noqa: ANN001
    return h.rt.partnership.member(key).slack_user_id


def card(fake, channel: str, action_id: str) -> dict:  # noqa: ANN001
    return next(m for m in reversed(fake.posts_in(channel)) if action_id in json.dumps(m.get("blocks") or []))


async def test_a_whole_case_in_slack_never_repeats_the_familys_details(slack, caplog):
    caplog.set_level(logging.DEBUG)
    h, fake = slack, slack.fake
    answers: list = []  # everything the adapter answered over HTTP (slash replies, modal answers)

    async def cmd(key: str, text: str, channel: str) -> None:
        status, reply = await h.slack.command(uid(h, key), text, channel)
        assert status < 500, reply
        answers.append(reply)
        await h.settle()

    h.clock.on(date(2026, 9, 7))
    await cmd("bu_officer", 'new pseudonym="Child V" aware=2026-09-01 sin=2026-09-07', "C0GENERAL1")
    channel = next(iter(fake.channels))
    await cmd("bu_officer", "watch {} {}".format(CODE, " ".join(f'"{n}"' for n in NAMES)), "D0BUDM001")
    assert "watches for 3 names" in answers[-1]["text"]
    await cmd("sprg_chair", "triage notifiable", channel)
    await cmd("sprg_chair", f'kloe "Contact between {NAMES[1]} and the school"', channel)  # refused by the guard
    await cmd("sprg_chair", 'kloe "Information sharing between health and education"', channel)
    await cmd("bu_officer", "request police,health,social_care,education,ambulance", channel)

    # A member pastes the family's details into the case channel.
    ts = fake.human_message(channel, uid(h, "sprg_health"), LEAK)
    status, _ = await h.slack.event({"type": "message", "channel": channel, "user": uid(h, "sprg_health"), "text": LEAK,
                                     "ts": ts, "event_ts": ts, "channel_type": "group"})
    assert status == 200
    await h.settle()

    # The police lead types the family's details into free-text fields of the return form. A return is written
    # about the child: it is kept in the store as written, but never reaches a card, a reply or the report as
    # written (issue 15). A form with a mistake in it is not shown back with the details in it.
    police_dm = fake.ims[uid(h, "lead_police")]
    h.clock.on(date(2026, 9, 15))
    await h.slack.click(uid(h, "lead_police"), card(fake, police_dm, "rr_return_open"), "rr_return_open", channel=police_dm)
    await h.settle()
    form = fake.views[-1]
    entered = {"completed_by_role": "Detective Sergeant", "senior_signoff_role": "Detective Inspector",
               "signoff_date": "2026-09-15", "nature_of_involvement": LEAK, "chronology_1_date": "2026-07-01",
               "chronology_1_source": "Control room", "chronology_1_event": f"Call from {NAMES[1]} at {ADDRESS[0]}",
               "immediate_actions": f"Visit to {ADDRESS[0]} {ADDRESS[1]}; {NAMES[2]} spoken to."}
    status, answer = await h.slack.submit(uid(h, "lead_police"), form, {**entered, "signoff_date": None})
    assert status == 200 and answer["response_action"] == "errors", answer  # the sign-off date is missing
    answers.append(answer)
    status, answer = await h.slack.submit(uid(h, "lead_police"), form, entered)
    answers.append(answer)
    assert answer["response_action"] == "update", answer
    await h.settle()

    # The rest of the case, typed as Slack users (the core's own replies are scanned too).
    d = Driver(h.rt.core, h.clock, platform="slack")
    d.case_code = CODE
    replies = []
    for key in ("health", "social_care", "education", "ambulance"):
        replies.append(await d.ok(f"lead_{key}", "return"))
    await h.settle()
    await d.ok("bu_officer", "pack")
    d.on(date(2026, 9, 21))
    await d.ok("sprg_chair", "meeting rrm 2026-09-21")
    for key in ("sprg_police", "sprg_health", "sprg_education", "sprg_social_care"):
        await d.ok(key, 'vote lcspr reason="multi-agency learning about information sharing"')
    replies.append(await d.run("sprg_chair", f'vote no-lcspr reason="{NAMES[0]} is already known"'))
    await d.ok("sprg_chair", 'recommend lcspr reason="multi-agency learning"')
    await d.ok("bu_officer", "report")
    await h.settle()
    d.on(date(2026, 9, 22))
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve")
    await d.ok("bu_officer", "submit")
    d.on(date(2026, 10, 12))
    await d.ok("bu_officer", "panel agrees ref=CSPRP-123")
    await d.ok("bu_officer", "shared all")
    await d.ok("bu_officer", "briefing done")
    replies.append(await d.run("bu_officer", f'action add owner=education due=2027-03-01 "Visit {NAMES[1]} at {ADDRESS[0]}"'))
    await d.ok("bu_officer", 'action add owner=education due=2027-03-01 "Refresh DSL training"')
    await h.settle()
    for day in (date(2026, 10, 13), date(2027, 2, 26), date(2027, 3, 2)):  # reminders, including overdue ones
        h.clock.on(day, time(9, 30))
        await h.rt.ticker.tick()
        await h.settle()
    await d.ok("lead_education", "action done 1")
    await d.ok("bu_officer", "close")
    await h.settle()
    assert await d.state() == "CLOSED"
    audit = await d.audit()
    assert "pii_blocked" in [a.action for a in audit]
    assert not replies[-1].ok and not replies[-2].ok  # the action and the view naming the family were refused
    async with h.rt.db.read() as s:
        from sqlalchemy import select
        from storage.models import LineOfEnquiry
        assert len((await s.execute(select(LineOfEnquiry))).all()) == 1  # the kloe naming the mother was refused

    # -- the scan ------------------------------------------------------------------------------------------
    produced = {
        "Web API calls": json.dumps([c.params for c in fake.calls], default=str),
        "response_url replies": json.dumps(fake.responses, default=str),
        "HTTP answers": json.dumps(answers, default=str),
        "core replies": json.dumps([r.text for r in replies], default=str),
        "audit details": json.dumps([full_detail(a) for a in audit], default=str),
        "report versions": json.dumps(await report_texts(h.rt.db)),
        # Every line at any level, except the SQLite driver's DEBUG trace of statement parameters (the stored
        # return is meant to be in the database; `rapidreview serve` logs at INFO, where that trace is off).
        "log lines": "\n".join(f"{r.name} {r.levelname} {r.getMessage()}" for r in caplog.records
                               if not (r.name == "aiosqlite" and r.levelno < logging.INFO)),
    }
    assert {where: hits(text) for where, text in produced.items() if hits(text)} == {}
    assert len(fake.calls) > 50 and len(caplog.records) > 0  # the scan saw a whole case


async def report_texts(db) -> list[str]:  # noqa: ANN001
    from sqlalchemy import select
    from storage.models import ReportDocument, ReportVersion
    async with db.read() as s:
        return [v.content for v in (await s.execute(select(ReportVersion))).scalars()] + \
            [doc.content for doc in (await s.execute(select(ReportDocument))).scalars()]


async def test_a_case_in_teams_never_repeats_the_familys_details(teams, caplog):
    caplog.set_level(logging.DEBUG)
    t = teams
    t.on(date(2026, 9, 7))
    await t.say("bu_officer", 'new pseudonym="Child V" aware=2026-09-01 sin=2026-09-07')
    ch = t.channel(CODE)
    await t.say("bu_officer", "watch {} {}".format(CODE, " ".join(f'"{n}"' for n in NAMES)), personal=True)
    await t.say("sprg_chair", "triage notifiable", where=ch)
    await t.say("sprg_chair", f'kloe "Contact between {NAMES[1]} and the school"', where=ch)
    await t.say("sprg_chair", 'kloe "Information sharing between health and education"', where=ch)
    await t.say("bu_officer", "request police,education", where=ch)
    await t.say("sprg_health", LEAK, where=ch, mention=False)
    t.on(date(2026, 9, 15))
    request = {"card": "agency_request", "case": CODE, "agency": "police"}
    answers = [await t.click("lead_police", "return", request, personal=True, inputs={
        "completed_by_role": "Detective sergeant", "senior_signoff_role": "Head of public protection",
        "signoff_date": "2026-09-15", "involvement_period": "2025 to 2026", "nature_of_involvement": LEAK,
        "chron1_date": "2026-03-02", "chron1_source": "Response team", "chron1_event": f"Call from {NAMES[1]}",
        "chron1_action": f"Visit to {ADDRESS[0]}", "went_well": f"{NAMES[2]} seen the same day."})]
    answers.append(await t.click("lead_education", "nil", {**request, "agency": "education"}, personal=True))
    for day in (date(2026, 9, 16), date(2026, 9, 18)):  # reminders for the outstanding police return
        t.on(day, time(9, 30))
        await t.rt.ticker.tick()
        await t.settle()
    actions = await audit_actions(t.rt.db)
    assert "pii_blocked" in actions and len(t.graph.hidden) >= 1
    produced = {
        "connector payloads": json.dumps([c.body for c in t.connector.calls], default=str),
        "graph payloads": json.dumps([c.body for c in t.graph.calls], default=str),
        "invoke answers": json.dumps(answers, default=str),
        "log lines": "\n".join(f"{r.name} {r.levelname} {r.getMessage()}" for r in caplog.records
                               if not (r.name == "aiosqlite" and r.levelno < logging.INFO)),
    }
    assert {where: hits(text) for where, text in produced.items() if hits(text)} == {}
    assert len(t.connector.calls) > 10


async def test_teams_a_return_with_the_familys_details_is_never_echoed_back(teams):
    t = teams
    t.on(date(2026, 9, 7))
    await t.say("bu_officer", 'new pseudonym="Child V" aware=2026-09-01 sin=2026-09-07')
    ch = t.channel(CODE)
    await t.say("bu_officer", "watch {} {}".format(CODE, " ".join(f'"{n}"' for n in NAMES)), personal=True)
    await t.say("sprg_chair", "triage notifiable", where=ch)
    await t.say("bu_officer", "request police", where=ch)
    inputs = {"completed_by_role": "Detective sergeant", "nature_of_involvement": LEAK, "signoff_date": "2026-09-15",
              "senior_signoff_role": "Inspector", "chron1_date": "2026-03-02", "chron1_source": "Control room",
              "chron1_event": f"Call from {NAMES[1]}"}
    request = {"card": "agency_request", "case": CODE, "agency": "police"}
    # With a mistake in it, the form comes back with the error but without what was typed.
    answer = await t.click("lead_police", "return", request, personal=True, inputs={**inputs, "senior_signoff_role": ""})
    assert "senior" in json.dumps(answer).lower() and hits(json.dumps(answer)) == []
    # Complete, it is kept in the store; the answer says which fields were flagged, never what they hold.
    answer = await t.click("lead_police", "return", request, personal=True, inputs=inputs)
    assert "a date of birth" in json.dumps(answer) and hits(json.dumps(answer)) == []
