"""Socket Mode (SLACK_APP_TOKEN): for councils that cannot expose a public endpoint.

Tested offline end to end: apps.connections.open on the fake Web API hands out a ws:// URL on
127.0.0.1, the fake sends Slack's `hello`, then envelopes; the bot acknowledges each on the socket.
What cannot be tested here: Slack's real WebSocket servers, reconnect on `disconnect` warnings.
"""
from __future__ import annotations

import json

import pytest

from tests.slack.fake_slack import APP_TOKEN

BU = "U0FIC0001"


@pytest.mark.parametrize("slack_extra_env", [{"SLACK_APP_TOKEN": APP_TOKEN}])
async def test_commands_and_events_arrive_over_the_socket_and_are_acknowledged_there(slack):
    fake = slack.fake
    await fake.wait_for(lambda: bool(fake.sockets))
    [opened] = fake.of("apps.connections.open")
    assert opened.token == APP_TOKEN
    ws = fake.sockets[0]
    fields = slack.slack.command_fields(BU, 'new pseudonym="Child V" aware=2026-09-01')
    await ws.send_json({"envelope_id": "57d6a792-4d35-4d0b-b6aa-3361493e1caf", "type": "slash_commands",
                        "accepts_response_payload": True, "payload": fields})
    await fake.wait_for(lambda: any(a.get("envelope_id") == "57d6a792-4d35-4d0b-b6aa-3361493e1caf"
                                    for a in fake.socket_acks))
    ack = next(a for a in fake.socket_acks if a["envelope_id"] == "57d6a792-4d35-4d0b-b6aa-3361493e1caf")
    assert not ack.get("payload")  # acked at once over the socket; the reply follows through response_url
    await slack.settle()
    rid = fields["response_url"].rsplit("/", 1)[1]
    assert any("Opened rr-2026-001 / Child V" in body["text"] for r, body in fake.responses if r == rid)
    assert [c.params["name"] for c in fake.of("conversations.create")] == ["rr-2026-001"]
    # Slack re-sends an envelope it thinks was lost: the same event acts once.
    channel = next(iter(fake.channels))
    event = {"token": "x", "team_id": "T0FAKE001", "api_app_id": "A0FAKE001", "type": "event_callback",
             "event_id": "Ev0SOCKET01", "event_time": 1,
             "event": {"type": "message", "channel": channel, "user": "U0FIC0004", "ts": "1.000001",
                       "text": "Her NHS number is 943 476 5919"}}
    for n, envelope in enumerate(("e1", "e2")):
        await ws.send_str(json.dumps({"envelope_id": envelope, "type": "events_api", "accepts_response_payload": False,
                                      "retry_attempt": n, "retry_reason": "timeout" if n else "", "payload": event}))
    await fake.wait_for(lambda: {"e1", "e2"} <= {a.get("envelope_id") for a in fake.socket_acks})
    await slack.settle()
    assert len(await slack.audit("pii_blocked")) == 1
