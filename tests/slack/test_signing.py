"""POST /slack/events: nothing unsigned, stale or replayed does anything (issue 4 §1, §5)."""
from __future__ import annotations

import json
import time
import urllib.parse

import aiohttp

from tests.slack.conftest import signed_headers

BU = "U0FIC0001"  # bu_officer in the shipped example partnership


async def _raw(url: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    async with aiohttp.ClientSession() as s, s.post(url, data=body.encode(), headers=headers) as r:
        return r.status, await r.text()


async def test_unsigned_badly_signed_and_stale_requests_get_401_and_reach_nothing(slack):
    fields = slack.slack.command_fields(BU, 'new pseudonym="Child V" aware=2026-09-01')
    body = urllib.parse.urlencode(fields)
    form = "application/x-www-form-urlencoded"
    url = slack.slack.url
    good = signed_headers(body, form)
    cases = {
        "wrong secret": signed_headers(body, form, secret="not-our-secret"),
        "stale (6 minutes old)": signed_headers(body, form, ts=int(time.time()) - 360),
        "from the future (6 minutes)": signed_headers(body, form, ts=int(time.time()) + 360),
        "no signature": {k: v for k, v in good.items() if k != "X-Slack-Signature"},
        "no timestamp": {k: v for k, v in good.items() if k != "X-Slack-Request-Timestamp"},
        "no headers at all": {"Content-Type": form},
        "timestamp not a number": {**good, "X-Slack-Request-Timestamp": "yesterday"},
        "body changed after signing": good,
    }
    for why, headers in cases.items():
        sent = body.replace("Child+V", "Child+W") if why == "body changed after signing" else body
        status, _ = await _raw(url, sent, headers)
        assert status == 401, why
    assert await slack.audit() == [], "a refused request reached the core"
    assert slack.fake.calls == [], "a refused request made a Web API call"


async def test_a_request_signed_four_minutes_ago_is_still_accepted(slack):
    status, reply = await slack.slack.command(BU, "help", ts=int(time.time()) - 240)
    assert status == 200 and "Commands" in reply["text"]


async def test_url_verification_handshake(slack):
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"})
    status, text = await slack.slack.post(body, "application/json")
    assert status == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in text


async def test_a_replayed_slash_command_does_nothing_the_second_time(slack):
    fields = slack.slack.command_fields(BU, 'new pseudonym="Child V" aware=2026-09-01')
    first = await slack.slack.form(fields)
    second = await slack.slack.form(fields)  # the same signed request, sent again within the window
    assert first == second == (200, "")  # both acked at once; the work runs after the ack
    await slack.settle()
    rid = fields["response_url"].rsplit("/", 1)[1]
    replies = [body["text"] for r, body in slack.fake.responses if r == rid]
    assert len(replies) == 1 and "Opened rr-2026-001" in replies[0], replies  # the replay is answered by no one
    assert len(slack.fake.of("conversations.create")) == 1
    assert len(await slack.audit("case_opened")) == 1


async def test_healthz(slack):
    async with aiohttp.ClientSession() as s, s.get(slack.base + "/healthz") as r:
        assert r.status == 200


def test_the_test_signer_agrees_with_slack_sdks_verifier():
    from slack_sdk.signature import SignatureVerifier

    from tests.slack.conftest import SECRET, signature

    body, ts = "token=x&team_id=T0FAKE001&text=status", int(time.time())
    verifier = SignatureVerifier(SECRET)
    assert signature(body, ts) == verifier.generate_signature(timestamp=str(ts), body=body)
    assert verifier.is_valid_request(body, signed_headers(body, "application/x-www-form-urlencoded", ts=ts))
