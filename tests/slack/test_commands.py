"""/rapidreview: the core's grammar, the new-case form with field errors, and refusals that change nothing."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from storage.models import Case

BU, CHAIR, MEMBER, STRANGER = "U0FIC0001", "U0FIC0003", "U0FIC0004", "U0NOTKNOWN"


async def _cases(slack) -> int:  # noqa: ANN001
    async with slack.rt.db.read() as s:
        return (await s.execute(select(func.count()).select_from(Case))).scalar()


async def test_help_lists_what_this_person_may_run_and_an_empty_command_is_help(slack):
    _, reply = await slack.slack.command(MEMBER, "")
    assert reply["response_type"] == "ephemeral" and "`vote" in reply["text"] and "`new " not in reply["text"]
    _, reply = await slack.slack.command(BU, "help vote")
    assert "vote lcspr|no-lcspr" in reply["text"]


async def test_new_without_arguments_opens_the_form_and_errors_come_back_field_by_field(slack):
    status, body = await slack.slack.command(BU, "new")
    assert status == 200 and body == ""  # acknowledged; the form is the answer
    [view] = slack.fake.views
    assert view["callback_id"] == "rr_new" and {b.get("block_id") for b in view["blocks"]} >= {"pseudonym", "aware", "sin", "kind"}
    _, bad = await slack.slack.submit(BU, view, {"pseudonym": "Jane Smith", "aware": "2026-09-02", "sin": "2026-09-01"})
    assert bad["response_action"] == "errors"
    assert set(bad["errors"]) == {"pseudonym", "sin"}
    _, bad = await slack.slack.submit(BU, view, {"pseudonym": "Child V", "sin": "2026-09-01"})
    assert set(bad["errors"]) == {"aware"}
    _, future = await slack.slack.submit(BU, view, {"pseudonym": "Child V", "aware": "2026-09-01", "sin": "2099-01-05"})
    assert set(future["errors"]) == {"sin"} and "in the future" in future["errors"]["sin"]
    assert await _cases(slack) == 0
    slack.clock.on(slack.clock().date())
    _, good = await slack.slack.submit(BU, view, {"pseudonym": "Child V", "aware": "2026-09-01", "kind": "death"})
    assert good["response_action"] == "update" and "Opened rr-2026-001 / Child V" in json.dumps(good["view"])
    await slack.settle()
    assert [c.params["name"] for c in slack.fake.of("conversations.create")] == ["rr-2026-001"]


async def test_new_from_someone_who_may_not_open_cases_is_refused_without_a_form(slack):
    _, reply = await slack.slack.command(MEMBER, "new")
    assert "Only the business unit or partnership manager" in reply["text"]
    assert slack.fake.views == [] and await _cases(slack) == 0
    assert [a.detail["command"] for a in await slack.audit("access_refused")] == ["new"]


async def test_an_unknown_slack_user_creates_nothing_and_is_told_why(slack):
    _, reply = await slack.slack.command(STRANGER, 'new pseudonym="Child V" aware=2026-09-01')
    assert "not set up as a member of NYSCP" in reply["text"]
    _, reply = await slack.slack.command(STRANGER, "new")
    assert "not set up as a member" in reply["text"] and slack.fake.views == []
    await slack.settle()
    assert await _cases(slack) == 0 and not slack.fake.of("conversations.create", ok=None)
    assert len(await slack.audit("access_refused")) == 2


async def test_a_date_that_does_not_exist_creates_nothing_and_says_why(slack):
    _, reply = await slack.slack.command(BU, 'new pseudonym="Child V" aware=2026-13-45')
    assert "bad date '2026-13-45'" in reply["text"] and "no such day" in reply["text"]
    await slack.settle()
    assert await _cases(slack) == 0
    assert [c.method for c in slack.fake.calls] == ["auth.test"]  # Bolt learns the bot's identity once, nothing more


async def test_status_in_the_case_channel_answers_with_the_case_card(slack):
    await slack.slack.command(BU, 'new pseudonym="Child V" aware=2026-09-01')
    await slack.settle()
    channel = next(iter(slack.fake.channels))
    _, reply = await slack.slack.command(MEMBER, "status", channel=channel)
    assert reply["text"].startswith("*rr-2026-001 / Child V*")
    assert reply["blocks"][0]["text"]["text"] == "rr-2026-001 / Child V"
    _, reply = await slack.slack.command(MEMBER, "status")  # elsewhere: which case?
    assert "Which case?" in reply["text"]


async def test_the_watch_list_is_set_only_in_a_direct_message_and_never_echoed(slack):
    await slack.slack.command(BU, 'new pseudonym="Child V" aware=2026-09-01')
    _, reply = await slack.slack.command(BU, 'watch rr-2026-001 "Jane Smith"', channel="C0GENERAL1")
    assert "only in a private conversation" in reply["text"]
    _, reply = await slack.slack.command(BU, 'watch rr-2026-001 "Jane Smith" "Sam Smith"', channel="D0BUDM001")
    assert "watches for 2 names in rr-2026-001" in reply["text"] and "Smith" not in reply["text"]
    _, reply = await slack.slack.command(CHAIR, 'watch rr-2026-001 "Jane Smith"', channel="D0CHAIR01")
    assert "Only the Business Unit" in reply["text"]
