"""A rapid review on Microsoft 365 Agents Playground, Microsoft's Teams emulator: real Bot Framework activities
(messages with @mentions, Adaptive Card Action.Execute invokes, conversation updates) sent to the bot, and its
replies and cards rendered by the Playground's web client, which is what is asserted on.

The current user (Alex, Business Unit and SPRG chair) types in the page; the other Playground users act through the
Playground's own API (its "custom activity" route: messages and invokes with their `from`), and the page shows
what they did and what the bot answered. Screenshots: test-output/playground/.
"""
from __future__ import annotations

import json
import sqlite3
import time
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

from tests.playground.conftest import (ADELE, ALEX, BOT_ID, CHANNEL, ISAIAH, LYNNE, MEGAN, OUT, PATTI, TENANT, Person,
                                       today)

MENTION = "<at>RapidReview</at>"


def api(stage, path: str, body: dict) -> dict:  # noqa: ANN001
    request = urllib.request.Request(stage.playground_url + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as r:
        text = r.read().decode()
    return json.loads(text) if text.strip() else {}


def say_as(stage, who: Person, conversation: str, command: str) -> None:  # noqa: ANN001
    """`@RapidReview command` in a channel or thread. The current user's goes through the page's own message route
    (the body the page sends, mention entity included; the page's thread reply box offers no @mention picker).
    That route always posts as the current user, so anyone else's is the Playground's "custom activity": a whole
    Bot Framework activity with their `from`, sent to the bot as is (the page shows only the bot's answer)."""
    answered = replies(stage)
    _post_as(stage, who, conversation, command)
    # One at a time, as people type: the Playground forwards each message without waiting, so two sent together
    # could reach the bot in either order. The bot answers every message once ("Replying to activity" in its log).
    deadline = time.monotonic() + 30
    while replies(stage) <= answered:
        assert time.monotonic() < deadline, f"no answer to {command!r} within 30 s"
        time.sleep(0.1)


def replies(stage) -> int:  # noqa: ANN001
    return stage.bot_log.read_text(errors="replace").count("Replying to activity")


def _post_as(stage, who: Person, conversation: str, command: str) -> None:  # noqa: ANN001
    if who is ALEX:
        api(stage, f"/_conversation/v1/conversations/{urllib.parse.quote(conversation, safe='')}/messages",
            {"type": "text", "text": f"{MENTION} {command}", "textFormat": "plain", "from": {"id": who.user_id},
             "mentions": [{"mentioned": {"id": BOT_ID, "name": "RapidReview"}, "text": MENTION}]})
        return
    api(stage, "/_internal/v1/customActivities", {
        "type": "message", "id": str(uuid.uuid4()), "timestamp": datetime.now(timezone.utc).isoformat(),
        "channelId": "msteams", "serviceUrl": f"{stage.playground_url}/_connector",
        "from": {"id": who.user_id, "name": who.name, "aadObjectId": who.aad},
        "recipient": {"id": BOT_ID, "name": "RapidReview"},
        "conversation": {"id": conversation, "isGroup": True, "conversationType": "channel", "tenantId": TENANT},
        "channelData": {"channel": {"id": CHANNEL}, "team": {"id": "team-id"}, "tenant": {"id": TENANT}},
        "text": f"{MENTION} {command}", "textFormat": "plain",
        "entities": [{"type": "mention", "text": MENTION, "mentioned": {"id": BOT_ID, "name": "RapidReview"}}]})


def press_as(stage, who: Person, conversation: str, verb: str, data: dict, title: str) -> dict:  # noqa: ANN001
    """Someone else presses a card's Action.Execute button: the invoke the page sends for a click."""
    return api(stage, "/_conversation/v1/invoke", {
        "name": "adaptiveCard/action", "from": {"id": who.user_id}, "conversation": {"id": conversation},
        "replyToId": conversation.split(";messageid=")[1],
        "value": {"action": {"type": "Action.Execute", "title": title, "verb": verb, "data": data}}})


def case_thread(stage) -> str:  # noqa: ANN001
    with sqlite3.connect(stage.db_path) as db:
        [(thread,)] = db.execute("SELECT channel_id FROM channel_link").fetchall()
    return thread


def shows(page, text: str, *, timeout: float = 20_000) -> None:  # noqa: ANN001
    page.get_by_text(text, exact=False).first.wait_for(timeout=timeout)


def type_in(page, editor, text: str) -> None:  # noqa: ANN001
    editor.click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def shot(page, name: str) -> None:  # noqa: ANN001
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def test_a_case_from_new_to_the_panel_response_shared_on_the_playground(stage, page):
    day = today()
    code = f"rr-{day.year}-001"
    editors = page.locator('[data-lexical-editor="true"]')
    # The log panel echoes every activity's text: closed, so what is asserted is what the conversation renders.
    page.get_by_title("Toggle Log Panel").click()
    assert page.get_by_text("Log Panel").count() == 0

    # Everyone else says hello in the channel first: Teams tells the bot their ids, so it can reach them 1:1 later.
    for person in (MEGAN, ADELE, ISAIAH, PATTI):
        say_as(stage, person, CHANNEL, "help")

    # -- opened from Alex's 1:1 chat with the bot -------------------------------------------------------------------
    page.get_by_text("Personal Chat", exact=True).click()
    type_in(page, editors.first, f"new aware={(day + timedelta(days=400)).isoformat()}")  # malformed: no pseudonym
    shows(page, "needs a pseudonym, for example pseudonym=")
    type_in(page, editors.first, f'new pseudonym="Child V" aware={day.isoformat()} sin={day.isoformat()}')
    shows(page, f"Opened {code} / Child V")
    shows(page, "not a private channel")  # finding 1: a thread in TEAMS_CHANNEL_ID, readable by the whole channel
    shot(page, "01-personal-chat")

    # -- the case thread opens with its status card ------------------------------------------------------------------
    page.get_by_text("Rapid reviews", exact=True).click()
    shows(page, f"{code} / Child V")
    thread = case_thread(stage)
    shot(page, "02-thread-opened")
    # In a thread, the page's reply box offers no @mention picker: Alex's replies go through the same API the page
    # uses for a post (the body the page sends, with its mention entity), as everyone else's do.
    say_as(stage, ALEX, thread, "triage notifiable")
    say_as(stage, ALEX, thread, "request police")
    shows(page, "North Yorkshire Police")

    # -- the police return, the pack, the meeting, the views ----------------------------------------------------------
    say_as(stage, MEGAN, thread, "nil police")
    shows(page, "nil return")
    say_as(stage, ALEX, thread, "pack")
    say_as(stage, ALEX, thread, f"meeting rrm {day.isoformat()}")
    say_as(stage, MEGAN, thread, 'vote lcspr reason="multi-agency learning about information sharing"')
    say_as(stage, ALEX, thread, 'vote lcspr reason="multi-agency learning"')
    say_as(stage, ALEX, thread, 'recommend lcspr reason="multi-agency learning about information sharing"')
    say_as(stage, ALEX, thread, "report")
    shows(page, "SPRG views: 2 LCSPR, 0 no LCSPR")
    shows(page, "Report v1: 0 of 3 approvals")  # the status card, updated in place
    shows(page, "nil return")
    shot(page, "03-report-v1")

    # -- three executive leads approve v1 on the card -----------------------------------------------------------------
    approve = {"card": "executive_approval", "case": code, "version": 1}
    for lead in (ADELE, ISAIAH, PATTI):
        answer = press_as(stage, lead, thread, "approve", approve, "Approve v1")
        assert "Approved" in json.dumps(answer) or "approved" in json.dumps(answer), answer
    shows(page, "Report v1: 3 of 3 approvals")
    page.get_by_role("button", name="Refresh").first.click()  # an Action.Execute from the page itself
    shows(page, "Report v1: 3 of 3 approvals")
    shot(page, "04-approved")

    # -- submitted, the Panel's response, shared ---------------------------------------------------------------------
    say_as(stage, ALEX, thread, "submit")
    say_as(stage, ALEX, thread, f"panel agrees ref=CSPRP-1 date={day.isoformat()}")
    say_as(stage, ALEX, thread, "shared all")
    say_as(stage, ALEX, thread, "status")
    shows(page, "Panel response: Agrees with the partners' decision")
    shows(page, "Response shared with 6 of 6 recipients")
    shot(page, "05-shared")

    # -- a stranger is refused --------------------------------------------------------------------------------------
    say_as(stage, LYNNE, thread, "status")
    shows(page, "not set up as a member")
    shot(page, "06-stranger")

    # Finding 8: the SDK's "App ID is not provided" (twice a turn in anonymous mode) is gone; and nothing broke.
    log = stage.bot_log.read_text(errors="replace")
    assert "App ID is not provided" not in log and "Traceback" not in log
