"""A whole rapid review in Slack, over real HTTP, on SQLite and PostgreSQL (issue 4, "Done means").

/rapidreview new -> private channel + invites -> triage -> requests -> returns (a nil by button, a late
one by the form) -> pack -> views by card and form -> report -> a disagreement, then three approvals by
button -> submit -> Panel agrees -> shared -> briefing -> action done -> close (archived).
"""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from storage.models import Case
from tests.slack.conftest import Harness, find_element
from tests.slack.fake_slack import BOT_USER

GENERAL = "C0GENERAL1"
RETURN_TEXT = "Welfare visit by the school nurse after a missed appointment"  # must never reach a channel


class Run:
    """The review group at work: people type /rapidreview in the case channel and press buttons."""

    def __init__(self, h: Harness):
        self.h, self.p = h, h.rt.partnership
        self.channel = GENERAL

    def uid(self, key: str) -> str:
        return self.p.member(key).slack_user_id

    async def say(self, key: str, text: str, channel: str | None = None) -> str:
        status, reply = await self.h.slack.command(self.uid(key), text, channel or self.channel)
        assert status == 200, reply
        await self.h.settle()
        return reply["text"]

    async def state(self) -> str:
        async with self.h.rt.db.read() as s:
            return (await s.execute(select(Case.state))).scalar_one()

    def card(self, channel: str, action_id: str) -> dict:
        """The newest message in a channel (or DM) that has this button."""
        for m in reversed(self.h.fake.posts_in(channel)):
            if action_id in json.dumps(m.get("blocks") or []):
                return m
        raise AssertionError(f"no card with {action_id} in {channel}")

    def dm(self, key: str) -> str:
        return self.h.fake.ims[self.uid(key)]

    async def click(self, key: str, channel: str, action_id: str, **kw) -> None:  # noqa: ANN003
        status, body = await self.h.slack.click(self.uid(key), self.card(channel, action_id), action_id, channel=channel, **kw)
        assert status == 200, body
        await self.h.settle()

    async def open_form(self, key: str, channel: str, action_id: str) -> dict:
        before = len(self.h.fake.views)
        await self.click(key, channel, action_id)
        assert len(self.h.fake.views) == before + 1, "the button did not open a form"
        return self.h.fake.views[-1]

    async def submit(self, key: str, view: dict, entered: dict) -> dict:
        status, body = await self.h.slack.submit(self.uid(key), view, entered)
        assert status == 200, body
        await self.h.settle()
        return body

    def told(self) -> str:
        """The last ephemeral reply sent through a response_url."""
        return self.h.fake.responses[-1][1]["text"]


async def test_a_whole_case_in_slack(slack):
    h, fake = slack, slack.fake
    r = Run(h)
    # -- Tue 1 Sep: the Business Unit opens the case from a general channel -----------------------------------
    h.clock.on(date(2026, 9, 1))
    reply = await r.say("bu_officer", 'new pseudonym="Child V" aware=2026-09-01 kind=serious_harm')
    assert "Opened rr-2026-001 / Child V" in reply
    created = fake.of("conversations.create")
    assert [c.params["name"] for c in created] == ["rr-2026-001"] and created[0].params["is_private"] in (True, "true", "1")
    channel = created[0].response["channel"]["id"]
    r.channel = channel
    ch = fake.channels[channel]
    core_group = {r.uid(k) for k in ("bu_officer", "partnership_manager", "sprg_chair", "sprg_police", "sprg_health",
                                     "sprg_education", "sprg_social_care")}
    assert ch["members"] == core_group | {BOT_USER}
    assert ch["topic"].startswith("rr-2026-001 / Child V") and "rr-2026-001" in ch["purpose"]
    status_msg = next(m for m in fake.posts_in(channel) if "rr_" not in json.dumps(m["blocks"]) and m["blocks"]
                      and m["blocks"][0]["type"] == "header")
    assert (channel, status_msg["ts"]) in fake.pins
    assert "Tue 8 Sep 2026" in json.dumps(status_msg["blocks"])  # SIN due 5 working days after awareness

    # -- Mon 7 Sep: SIN sent; triage; a line of enquiry; three agencies asked ----------------------------------
    h.clock.on(date(2026, 9, 7))
    await r.say("bu_officer", "sin 2026-09-07")
    await r.say("sprg_chair", "triage notifiable")
    await r.say("sprg_chair", 'kloe "Information sharing between health and education"')
    await r.say("bu_officer", "request police,education,ambulance")
    assert await r.state() == "INFO_GATHERING"
    for key in ("lead_police", "lead_education", "lead_ambulance"):
        assert r.uid(key) in ch["members"]
        request = r.card(r.dm(key), "rr_return_open")
        assert "Thu 17 Sep 2026" in json.dumps(request["blocks"])
        assert "Information sharing between health and education" in json.dumps(request["blocks"])

    # -- Wed 9 Sep: the ambulance trust had no involvement: Nil return from its DM card ---------------------
    h.clock.on(date(2026, 9, 9))
    await r.click("lead_ambulance", r.dm("lead_ambulance"), "rr_nil")
    assert "nil return" in r.told()
    assert any("Yorkshire Ambulance Service: nil return" in m["text"] for m in fake.posts_in(channel))

    # -- Wed 16 Sep: police submit through the form, on time -------------------------------------------------
    h.clock.on(date(2026, 9, 16))
    form = await r.open_form("lead_police", r.dm("lead_police"), "rr_return_open")
    done = await r.submit("lead_police", form, {
        "completed_by_role": "Detective Sergeant, safeguarding unit", "senior_signoff_role": "Detective Inspector",
        "signoff_date": "2026-09-15", "nature_of_involvement": "Two attendances at the family home (by role).",
        "chronology_1_date": "2026-07-01", "chronology_1_source": "Control room", "chronology_1_event": "Call received",
        "immediate_actions": "Referral to children's social care made."})
    assert done["response_action"] == "update" and "submitted" in json.dumps(done["view"])

    # -- Mon 21 Sep: education, late; the first attempt has mistakes and is shown field by field --------------
    h.clock.on(date(2026, 9, 21))
    form = await r.open_form("lead_education", r.dm("lead_education"), "rr_return_open")
    entered = {"senior_signoff_role": "Headteacher", "signoff_date": "2026-09-18",
               "chronology_2_source": "School nurse", "chronology_2_event": RETURN_TEXT}
    wrong = await r.submit("lead_education", form, entered)
    assert wrong["response_action"] == "errors"
    assert set(wrong["errors"]) == {"completed_by_role", "chronology_2_date"}, wrong["errors"]
    assert await r.state() == "INFO_GATHERING"
    done = await r.submit("lead_education", form, {**entered, "completed_by_role": "Designated safeguarding lead",
                                                   "chronology_2_date": "2026-06-10"})
    assert "2 working days late" in json.dumps(done["view"])
    await r.say("bu_officer", "pack")
    await r.say("sprg_chair", "meeting rrm 2026-09-21")
    assert await r.state() == "RAPID_REVIEW_MEETING"

    # -- the meeting: one view typed, two through the card and its form ------------------------------------------
    await r.say("sprg_police", 'vote lcspr reason="multi-agency learning about information sharing"')
    form = await r.open_form("sprg_health", channel, "rr_vote_lcspr")
    await r.submit("sprg_health", form, {"national": ["national"], "reason": "Learning for health visiting"})
    form = await r.open_form("sprg_chair", channel, "rr_vote_no_lcspr")
    await r.submit("sprg_chair", form, {"reason": "Learning already known"})
    votes = r.card(channel, "rr_vote_lcspr")
    assert "1 no LCSPR" in votes["text"] and "2 LCSPR" in votes["text"]
    assert "Jordan Mock (fictional): LCSPR (possibly national)" in json.dumps(votes["blocks"])
    await r.say("sprg_chair", 'recommend lcspr reason="multi-agency learning"')
    await r.say("bu_officer", "report")
    assert await r.state() == "EXEC_APPROVAL"
    assert r.uid("exec_council") in ch["members"]

    # -- Tue 22 Sep: the contested path. Police disagree with v1 (button + reason form); the chair revises the
    # recommendation; v2 says what changed; three approvals of v2 ---------------------------------------------
    h.clock.on(date(2026, 9, 22))
    form = await r.open_form("exec_police", channel, "rr_disagree_open")
    await r.submit("exec_police", form, {"reason": "The learning on information sharing is understated"})
    assert await r.state() == "EXEC_DISAGREEMENT"
    await r.say("sprg_chair", 'recommend lcspr national reason="multi-agency learning with national themes"')
    assert await r.state() == "REPORT_DRAFTING"
    await r.say("bu_officer", "report")
    approval = r.card(channel, "rr_approve")
    assert "v2" in json.dumps(approval["blocks"])
    since = [c.params.get("text", "") for c in fake.of("chat.postMessage") if "report v2 is with" in c.params.get("text", "")]
    assert since and all("Changed since v1:" in t and "nothing" not in t for t in since)
    await r.click("exec_council", channel, "rr_approve")
    await r.click("exec_council", channel, "rr_approve")  # a double click: nothing more happens
    assert len(await h.audit("executive_approved")) == 1
    own_link = find_element(r.card(r.dm("exec_icb"), "rr_approve")["blocks"], "rr_open_report")[0]
    assert own_link["url"].startswith("http") and "rr_open_report" not in json.dumps(approval["blocks"])  # DMs only
    await r.click("exec_icb", r.dm("exec_icb"), "rr_open_report")  # opening the link changes nothing
    await r.click("exec_icb", r.dm("exec_icb"), "rr_approve")
    await r.click("exec_police", r.dm("exec_police"), "rr_approve")
    assert await r.state() == "APPROVED"
    card = next(m for m in fake.posts_in(channel) if m["ts"] == approval["ts"])
    assert "All three partners approved v2" in json.dumps(card["blocks"]) and "rr_approve" not in json.dumps(card["blocks"])

    # -- submission, the Panel's answer, sharing, briefing, one action, close -------------------------------------
    h.clock.on(date(2026, 9, 23))
    await r.say("bu_officer", "submit")
    h.clock.on(date(2026, 10, 12))
    await r.say("bu_officer", "panel agrees ref=CSPRP-123")
    await r.click("bu_officer", channel, "rr_shared_one", option="sprg_chair")
    await r.click("bu_officer", channel, "rr_shared_all")
    assert await r.state() == "RESPONSE_SHARED"
    await r.say("bu_officer", "briefing done")
    await r.say("bu_officer", 'action add owner=education due=2027-03-01 "Refresh DSL training"')
    await r.click("lead_education", r.dm("lead_education"), "rr_action_done")
    await r.say("bu_officer", "close")
    assert await r.state() == "CLOSED"
    assert ch["archived"] and [c.params["channel"] for c in fake.of("conversations.archive")] == [channel]

    # -- what Slack saw ----------------------------------------------------------------------------------------
    status_updates = [c for c in fake.of("chat.update") if c.params["ts"] == status_msg["ts"]]
    assert len(status_updates) >= 15  # the pinned card followed the case
    assert "Closed" in status_updates[-1].params["text"]
    everything = json.dumps([c.params for c in fake.calls]) + json.dumps(fake.responses)
    assert RETURN_TEXT not in everything and "Detective Sergeant" not in everything
    assert not fake.of("chat.postMessage", ok=False) and not fake.of("conversations.create", ok=False)
    dead = [e for e in await h.outbox() if e.status != "delivered"]
    assert dead == [], [(e.kind, e.status, e.last_error) for e in dead]
