"""Authentication gaps not already covered by tests/slack/test_signing.py and tests/teams/test_auth.py.

Already covered there (not repeated): Slack wrong secret, stale and future timestamps, missing signature,
missing timestamp, no headers, non-numeric timestamp, body changed after signing, a replayed slash command,
(tests/slack/test_buttons.py) a replayed click; Teams no token, wrong audience, expired, foreign key, HS256
with an unrelated secret, garbage, Basic auth.

Added here: Slack signature moved to a fresh timestamp, another signature scheme, upper-case hex, a replayed
modal submission; Teams alg confusion (HS256 signed with the issuer's *public* key), alg=none, wrong issuer,
not yet valid, unknown kid, a forged RS256 header without a real signature."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from datetime import date

import aiohttp
import pytest
from cryptography.hazmat.primitives import serialization

from tests.adversarial.conftest import audit_actions
from tests.slack.conftest import signature, signed_headers
from tests.teams.conftest import APP_ID
from tests.teams.test_auth import nothing_reached_the_core, secured  # noqa: F401  (fixture)

BU = "U0FIC0001"
FORM = "application/x-www-form-urlencoded"


async def _raw(url: str, body: str, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as s, s.post(url, data=body.encode(), headers=headers) as r:
        return r.status


async def test_slack_signatures_that_are_almost_right_are_refused(slack):
    body = urllib.parse.urlencode(slack.slack.command_fields(BU, 'new pseudonym="Child V" aware=2026-09-01'))
    now = int(time.time())
    old = now - 600
    good = signed_headers(body, FORM)
    cases = {
        "signature of an old timestamp, header moved to now": {**good, "X-Slack-Request-Timestamp": str(now),
                                                               "X-Slack-Signature": signature(body, old)},
        "another scheme (v1=)": {**good, "X-Slack-Signature": good["X-Slack-Signature"].replace("v0=", "v1=", 1)},
        "no scheme": {**good, "X-Slack-Signature": good["X-Slack-Signature"][3:]},
        "truncated": {**good, "X-Slack-Signature": good["X-Slack-Signature"][:-2]},
        "empty": {**good, "X-Slack-Signature": ""},
    }
    for why, headers in cases.items():
        assert await _raw(slack.slack.url, body, headers) == 401, why
    assert await slack.audit() == [] and [c.method for c in slack.fake.calls if c.method != "auth.test"] == []


async def test_a_replayed_modal_submission_opens_one_case(slack):
    status, _ = await slack.slack.command(BU, "new")
    [view] = slack.fake.views
    sent: list[str] = []
    original = slack.slack.post

    async def capture(body: str, content_type: str, **kw):  # noqa: ANN003, ANN202
        sent.append(body)
        return await original(body, content_type, **kw)

    slack.slack.post = capture
    await slack.slack.submit(BU, view, {"pseudonym": "Child V", "aware": "2026-09-01", "kind": "death"})
    slack.slack.post = original
    status, _ = await slack.slack.post(sent[0], FORM)  # the same signed request again, within the window
    assert status < 500
    await slack.settle()
    assert (await audit_actions(slack.rt.db)).count("case_opened") == 1
    assert len(slack.fake.of("conversations.create")) == 1


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _forge(header: dict, claims: dict, key: bytes | None) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    sig = hmac.new(key, signing_input.encode(), hashlib.sha256).digest() if key is not None else b""
    return f"{signing_input}.{_b64(sig)}"


@pytest.mark.parametrize("how", ["alg confusion (HS256 with the public key)", "alg none", "wrong issuer",
                                 "not yet valid", "unknown kid", "no exp"])
async def test_teams_tokens_that_are_almost_right_are_refused(secured, issuer, how):  # noqa: F811
    secured.on(date(2026, 11, 27))
    url, now = secured.connector.url, int(time.time())
    claims = {"iss": "https://api.botframework.com", "aud": APP_ID, "serviceurl": url, "nbf": now - 5, "iat": now - 5,
              "exp": now + 3600}
    public_pem = issuer.key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    tokens = {
        "alg confusion (HS256 with the public key)": lambda: _forge({"alg": "HS256", "typ": "JWT", "kid": issuer.kid},
                                                                    claims, public_pem),
        "alg none": lambda: _forge({"alg": "none", "typ": "JWT", "kid": issuer.kid}, claims, None),
        "wrong issuer": lambda: issuer.token(APP_ID, url, iss="https://sts.windows.net/evil/"),
        "not yet valid": lambda: issuer.token(APP_ID, url, nbf=now + 3600, iat=now + 3600),
        "unknown kid": lambda: issuer.token(APP_ID, url, kid="no-such-kid"),
        "no exp": lambda: _forge({"alg": "RS256", "typ": "JWT", "kid": issuer.kid}, claims, b"x"),
    }
    secured.token = None
    token = tokens[how]()
    activity = secured.activity("bu_officer", text='<at>RapidReview</at> new pseudonym="Child V" aware=2026-11-13')
    status, _ = await secured.post(activity, token=token)
    assert status == 401, how
    invoke = secured.activity("exec_police", type="invoke", name="adaptiveCard/action",
                              value={"action": {"type": "Action.Execute", "verb": "approve",
                                                "data": {"card": "executive_approval", "case": "rr-2026-001"}}})
    status, _ = await secured.post(invoke, token=token)
    assert status == 401, how
    await secured.settle()
    await nothing_reached_the_core(secured)
