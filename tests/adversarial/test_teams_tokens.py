"""Issue 16, items 5 and 3 (Teams): the inbound token and activity checks the Bot Framework authentication
spec asks for, each refused with a 4xx before anything reaches the core:
- a token without `exp` (was accepted);
- a token whose `serviceurl` claim differs from the activity's `serviceUrl`, or has none (was accepted);
- a token without `kid` in its header (was a 500);
- an activity without `serviceUrl` (was an SDK TypeError, a 500 and an unclosed client session)."""
from __future__ import annotations

import time
from datetime import date

import jwt
import pytest

from tests.teams.conftest import APP_ID
from tests.teams.fakes import BF_ISSUER
from tests.teams.test_auth import nothing_reached_the_core, secured  # noqa: F401 (fixture)


def _token(issuer, **body) -> str:  # noqa: ANN001, ANN003
    now = int(time.time())
    claims = {"iss": BF_ISSUER, "aud": APP_ID, "nbf": now - 5, "iat": now - 5, "exp": now + 3600, **body}
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, issuer.key, algorithm="RS256",
                      headers={"kid": issuer.kid})


@pytest.mark.parametrize("how", ["no exp", "other serviceurl", "no serviceurl", "no kid", "unknown kid"])
async def test_a_token_failing_the_bot_framework_checks_is_refused(secured, issuer, how, caplog):
    secured.on(date(2026, 11, 27))
    url = secured.connector.url
    tokens = {
        "no exp": _token(issuer, serviceurl=url, exp=None),
        "other serviceurl": _token(issuer, serviceurl="https://smba.trafficmanager.net/emea/"),
        "no serviceurl": _token(issuer),
        "no kid": jwt.encode({"iss": BF_ISSUER, "aud": APP_ID, "serviceurl": url, "exp": int(time.time()) + 600},
                             issuer.key, algorithm="RS256"),
        "unknown kid": issuer.token(APP_ID, url, kid="not-a-key-of-theirs"),
    }
    secured.token = None
    activity = secured.activity("bu_officer", text='<at>RapidReview</at> new pseudonym="Child V" aware=2026-11-13')
    status, _ = await secured.post(activity, token=tokens[how])
    assert status == 401, how
    await secured.settle()
    await nothing_reached_the_core(secured)
    assert not [r for r in caplog.records if r.levelname == "ERROR"], [r.getMessage() for r in caplog.records]


@pytest.mark.parametrize("service_url", [None, "", 42, ["x"]])
async def test_an_activity_without_a_service_url_is_a_400(secured, issuer, service_url, caplog):
    secured.on(date(2026, 11, 27))
    activity = secured.activity("bu_officer", text='<at>RapidReview</at> new pseudonym="Child V" aware=2026-11-13')
    if service_url is None:
        activity.pop("serviceUrl", None)
    else:
        activity["serviceUrl"] = service_url
    status, _ = await secured.post(activity)
    assert status in (400, 401)
    await secured.settle()
    await nothing_reached_the_core(secured)
    assert not [r for r in caplog.records if r.levelname == "ERROR"], [r.getMessage() for r in caplog.records]


async def test_an_activity_without_a_service_url_is_a_400_in_local_mode_too(teams, caplog):
    activity = teams.activity("bu_officer", text='<at>RapidReview</at> help')
    activity.pop("serviceUrl", None)
    status, _ = await teams.post(activity)
    assert status == 400
    assert not [r for r in caplog.records if r.levelname == "ERROR"], [r.getMessage() for r in caplog.records]


async def test_a_good_token_still_works(secured):
    secured.on(date(2026, 11, 27))
    status, _ = await secured.say("bu_officer", 'new pseudonym="Child V" aware=2026-11-13')
    assert status == 202
