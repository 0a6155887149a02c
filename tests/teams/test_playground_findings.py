"""What Microsoft's Agents Playground showed wrong in front of a real Teams client (issue 17), each checked here
through the Teams fakes: replies formatted for Teams, the Acknowledge button, `approve` of a version that does not
exist, 1:1 chats that are kept only once they work, and the SDK's anonymous-mode noise."""
from __future__ import annotations

import logging
from datetime import date

from adapters.teams.text import for_message, plain
from tests.driver import Driver
from tests.scenarios import to_approval
from tests.teams.cards_util import action_titles, all_text
from tests.teams.conftest import GENERAL

CODE = "rr-2026-001"
NOTICE = {"case_code": CODE, "text": "A notice"}


def replies_to(teams, conversation_prefix: str) -> list[str]:  # noqa: ANN001
    return [c.body.get("text") or "" for c in teams.connector.of("POST")
            if f"/v3/conversations/{conversation_prefix}" in c.path and c.body.get("text")]


def test_mrkdwn_becomes_teams_markdown_or_plain_text():
    text = "*rr-2026-001 / Child V* (rapid review): Information gathering\nNext deadline: `return`"
    assert for_message(text) == "**rr-2026-001 / Child V** (rapid review): Information gathering\n\nNext deadline: `return`"
    assert plain(text) == "rr-2026-001 / Child V (rapid review): Information gathering\nNext deadline: return"
    assert for_message("2 * 3 * 4") == "2 * 3 * 4"  # arithmetic is not bold


async def test_help_in_a_channel_keeps_one_line_per_command(teams):
    teams.on(date(2026, 11, 27))
    await teams.say("bu_officer", "help")
    [text] = replies_to(teams, GENERAL)
    lines = text.split("\n\n")
    assert lines[0].startswith("Commands") and len(lines) > 5
    assert all(line.startswith("• ") for line in lines[1:])
    assert "\n" not in text.replace("\n\n", "")  # no single newline for Teams to fold into a paragraph


async def test_the_case_status_button_on_a_notice_answers_without_markdown_marks(teams):
    teams.on(date(2026, 11, 27))
    await teams.say("bu_officer", 'new pseudonym="Child V" aware=2026-11-13')
    r = await teams.click("sprg_chair", "status", {"card": "notice", "case": CODE}, where=teams.channel(CODE))
    assert r["type"] == "application/vnd.microsoft.activity.message"
    assert r["value"].startswith("rr-2026-001 / Child V (") and "*" not in r["value"] and "`" not in r["value"]


async def test_acknowledging_a_request_takes_the_acknowledge_button_off_the_card(teams):
    teams.on(date(2026, 11, 27))
    await teams.say("bu_officer", 'new pseudonym="Child V" aware=2026-11-13 sin=2026-11-20')
    ch = teams.channel(CODE)
    await teams.say("sprg_chair", "triage notifiable", where=ch)
    await teams.say("bu_officer", "request police", where=ch)
    request = {"card": "agency_request", "case": CODE, "agency": "police"}
    before = await teams.click("lead_police", "refresh", request, personal=True)
    assert "Acknowledge" in action_titles(before["value"])
    after = await teams.click("lead_police", "ack", request, personal=True)
    titles = action_titles(after["value"])
    assert "Acknowledge" not in titles and "Submit return" in titles and "Nil return (no involvement)" in titles
    assert "acknowledged" in all_text(after["value"])
    again = await teams.click("lead_police", "refresh", request, personal=True)
    assert "Acknowledge" not in action_titles(again["value"])


async def test_approving_a_version_that_does_not_exist_says_which_is_current(core, clock):
    d = Driver(core, clock)
    await to_approval(d)
    ahead = await d.refused("exec_council", "approve v7")
    assert "There is no v7: the current version is v1" in ahead.text and "void" not in ahead.text
    behind = await d.refused("exec_council", "approve v0")
    assert "v0 is not the current version" in behind.text


async def test_a_personal_chat_is_kept_only_after_a_message_went_through_and_made_again_when_refused(teams):
    teams.on(date(2026, 11, 27))
    await teams.say("bu_officer", "help", personal=True)  # the serviceUrl, and the Business Unit's own chat
    port = teams.rt.platforms["teams"]
    lead = teams.member("exec_icb")
    # The chat is made, but Teams refuses the first message in it: nothing is kept.
    teams.connector.failures.next(502, path="/activities")
    try:
        await port.direct_message(lead, "notice", NOTICE)
        raise AssertionError("the failed send must raise")
    except Exception as exc:  # noqa: BLE001
        assert "502" in str(exc)
    row = await port.refs.user(lead.teams_user_id)
    assert row is None or "personal" not in (row.data or {})
    await port.direct_message(lead, "notice", NOTICE)
    row = await port.refs.user(lead.teams_user_id)
    chat = row.data["personal"]
    # Later the stored chat refuses (the app was removed): it is forgotten and a new one is made at once.
    teams.connector.failures.next(404, path=f"{chat}/activities")
    creates = len([c for c in teams.connector.of("POST", "/v3/conversations") if not c.body.get("isGroup")])
    await port.direct_message(lead, "notice", NOTICE)
    assert len([c for c in teams.connector.of("POST", "/v3/conversations") if not c.body.get("isGroup")]) == creates + 1
    assert (await port.refs.user(lead.teams_user_id)).data["personal"]


async def test_someone_the_app_is_not_installed_for_is_installed_through_graph_then_reached(teams):
    teams.on(date(2026, 11, 27))
    await teams.say("bu_officer", "help", personal=True)
    port = teams.rt.platforms["teams"]
    chair = teams.member("sprg_chair")  # home tenant, never heard from
    teams.connector.failures.next(403, path="/v3/conversations")
    try:
        await port.direct_message(chair, "notice", NOTICE)
        raise AssertionError("must ask for a retry after installing")
    except Exception as exc:  # noqa: BLE001
        assert "installed the Teams app" in str(exc) and not exc.permanent and exc.retry_after
    installs = [c for c in teams.graph.calls if c.path.endswith("/teamwork/installedApps")]
    assert len(installs) == 1 and chair.teams_user_id in installs[0].path
    assert installs[0].body["teamsApp@odata.bind"].endswith("/appCatalogs/teamsApps/catalog-app-1")
    await port.direct_message(chair, "notice", NOTICE)  # the retry: Teams now accepts the chat
    assert (await port.refs.user(chair.teams_user_id)).data["personal"]


async def test_someone_who_cannot_be_reached_is_named_to_the_business_unit_once(teams):
    teams.on(date(2026, 11, 27))
    await teams.say("bu_officer", "help", personal=True)
    port = teams.rt.platforms["teams"]
    chair = teams.member("sprg_chair")
    teams.graph.failures.next(403, path="/appCatalogs/teamsApps")  # the bot may not install apps here
    teams.connector.failures.next(403, path="/v3/conversations")
    try:
        await port.direct_message(chair, "notice", NOTICE)
        raise AssertionError("must give up")
    except Exception as exc:  # noqa: BLE001
        assert exc.permanent and "cannot be reached" in str(exc)
    bu_chat = f"a:personal-{teams.member('bu_officer').teams_user_id}"
    told = [c for c in teams.connector.of("POST", "/activities") if bu_chat in c.path and chair.name in str(c.body)]
    assert len(told) == 1 and "select Add" in str(told[0].body)
    assert (await port.refs.user(chair.teams_user_id)) is None  # no chat id was kept


async def test_anonymous_mode_does_not_log_the_sdks_missing_app_id_warning(teams, caplog):
    teams.on(date(2026, 11, 27))
    with caplog.at_level(logging.WARNING):
        await teams.say("bu_officer", "help")
        await teams.click("bu_officer", "refresh", {"card": "notice", "case": CODE})
    assert not [r for r in caplog.records if "App ID is not provided" in r.getMessage()]
