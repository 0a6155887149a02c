"""/api/messages accepts only Bot Framework tokens for this app; nothing else reaches the core.

Tokens are signed with a key the test owns and served as JWKS on 127.0.0.1; outbound calls use a
static token provider in place of MSAL."""
from __future__ import annotations

import time
from datetime import date

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from microsoft_agents.hosting.core import AgentAuthConfiguration, AnonymousTokenProvider
from sqlalchemy import select

from adapters.teams import auth as teams_auth
from adapters.teams.config import NOT_CONFIGURED, ConfigRefused, load, status_reason
from storage.models import AuditEvent, Case
from tests.teams.conftest import APP_ID, HOME_TENANT, TEAM_ID, start_bot

STATIC = "static-outbound-token"


class StaticTokenProvider(AnonymousTokenProvider):
    def __init__(self, configuration: AgentAuthConfiguration):
        self._configuration = configuration

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._configuration

    async def get_access_token(self, resource_url: str, scopes: list[str], force_refresh: bool = False) -> str:
        return STATIC


def jwt_env(connector, graph) -> dict[str, str]:  # noqa: ANN001
    prefix = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
    return {prefix + "CLIENTID": APP_ID, prefix + "TENANTID": HOME_TENANT, prefix + "CLIENTSECRET": "not-used",
            "TEAMS_LOCAL_SERVICE_URLS": "true", "TEAMS_TEAM_ID": TEAM_ID, "GRAPH_API_URL": graph.url}


@pytest.fixture
async def secured(db, clock, fakes, issuer, monkeypatch):
    connector, graph = fakes
    monkeypatch.setattr(teams_auth, "OUTBOUND_PROVIDER", StaticTokenProvider)
    bot, runner = await start_bot(db, clock, jwt_env(connector, graph), connector, graph,
                                  token=lambda: issuer.token(APP_ID, connector.url))
    yield bot
    await bot.session.close()
    await runner.cleanup()


async def nothing_reached_the_core(bot) -> None:  # noqa: ANN001
    async with bot.rt.db.read() as s:
        assert (await s.execute(select(AuditEvent))).first() is None
        assert (await s.execute(select(Case))).first() is None
    assert bot.connector.calls == [] and bot.graph.calls == []


async def test_a_valid_token_is_accepted_and_outbound_calls_carry_the_apps_token(secured):
    secured.on(date(2026, 11, 27))
    status, _ = await secured.say("bu_officer", 'new pseudonym="Child V" aware=2026-11-13')
    assert status == 202
    assert secured.graph.channels and {c.auth for c in secured.graph.calls} == {f"Bearer {STATIC}"}
    assert {c.auth for c in secured.connector.calls} == {f"Bearer {STATIC}"}
    response = await secured.click("bu_officer", "status", {"card": "case_status", "case": "rr-2026-001"},
                                   where=secured.channel("rr-2026-001"))
    assert response["type"] == "application/vnd.microsoft.card.adaptive"


@pytest.mark.parametrize("how", ["none", "wrong audience", "expired", "foreign key", "HS256", "garbage", "basic"])
async def test_a_request_without_a_valid_token_is_refused_before_the_core(secured, issuer, how):
    secured.on(date(2026, 11, 27))
    now = int(time.time())
    url = secured.connector.url
    tokens = {
        "none": None,
        "wrong audience": issuer.token("another-app", url),
        "expired": issuer.token(APP_ID, url, exp=now - 3600, nbf=now - 7200, iat=now - 7200),
        "foreign key": issuer.token(APP_ID, url, key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "HS256": jwt.encode({"iss": "https://api.botframework.com", "aud": APP_ID, "exp": now + 600},
                            "a-shared-secret-that-is-long-enough-for-hs256", algorithm="HS256",
                            headers={"kid": issuer.kid}),
        "garbage": "not.a.jwt",
    }
    activity = secured.activity("bu_officer", text='<at>RapidReview</at> new pseudonym="Child V" aware=2026-11-13')
    headers = {"Authorization": "Basic YWxhZGRpbjpvcGVuc2VzYW1l"} if how == "basic" else {}
    secured.token = None
    status, _ = await secured.post(activity, token=tokens.get(how) or "", headers=headers)
    assert status == 401
    invoke = secured.activity("exec_police", type="invoke", name="adaptiveCard/action",
                              value={"action": {"type": "Action.Execute", "verb": "approve",
                                                "data": {"card": "executive_approval", "case": "rr-2026-001"}}})
    status, _ = await secured.post(invoke, token=tokens.get(how) or "", headers=headers)
    assert status == 401
    await secured.settle()
    await nothing_reached_the_core(secured)


async def test_only_the_teams_route_is_guarded(secured):
    async with secured.session.get(secured.url.replace("/api/messages", "/healthz")) as r:
        assert r.status == 200


def test_settings_are_refused_or_explained():
    assert load({}, "127.0.0.1") is None and "TEAMS_ANONYMOUS not true" in NOT_CONFIGURED
    with pytest.raises(ConfigRefused, match="loopback"):
        load({"TEAMS_ANONYMOUS": "true"}, "0.0.0.0")
    with pytest.raises(ConfigRefused, match="loopback"):
        load({"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": APP_ID, "TEAMS_LOCAL_SERVICE_URLS": "true"}, "10.1.2.3")
    local = load({"TEAMS_ANONYMOUS": "true", "TEAMS_CHANNEL_ID": "19:x@thread.tacv2"}, "::1")
    assert "ANONYMOUS local mode" in status_reason(local) and "Graph not configured" in status_reason(local)
    prod = load({"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": APP_ID, "TEAMS_TEAM_ID": TEAM_ID}, "0.0.0.0")
    assert not prod.local_service_urls and "JWT-validated" in status_reason(prod) and prod.bot_id == f"28:{APP_ID}"
    configured, manager = teams_auth.inbound_configuration(prod)
    assert configured.VALIDATE_ISSUER and not configured.ANONYMOUS_ALLOWED
