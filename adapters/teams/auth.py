"""Tokens in and out: the inbound JWT settings and the outbound token providers (Bot Connector, Graph).

Outbound tokens come from the SDK's connection manager. In anonymous (local) mode there is no Entra
app, yet the SDK's app-id based calls (create conversation, proactive sends) fail on an empty token,
so a provider hands out a fixed dummy token instead.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from microsoft_agents.activity import load_configuration_from_env
from microsoft_agents.hosting.core import AgentAuthConfiguration, AnonymousTokenProvider, ConnectionManager
from microsoft_agents.hosting.core.authorization import AccessTokenProviderBase

from adapters.teams.config import BOT_FRAMEWORK, GRAPH_SCOPE, TeamsConfig

log = logging.getLogger("rapidreview.teams")

LOCAL_TOKEN = "rapidreview-local-token"


class LocalTokenProvider(AnonymousTokenProvider):
    """A non-empty dummy token for local mode (the fakes and the Emulator accept anything)."""

    def __init__(self, configuration: AgentAuthConfiguration | None = None):
        self._configuration = configuration or AgentAuthConfiguration(anonymous_allowed=True)

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._configuration

    async def get_access_token(self, resource_url: str, scopes: list[str], force_refresh: bool = False) -> str:
        return LOCAL_TOKEN


def _msal_provider(cfg: AgentAuthConfiguration) -> AccessTokenProviderBase:
    from microsoft_agents.authentication.msal import MsalAuth

    return MsalAuth(cfg)


# Which provider a configured (non-anonymous) connection uses. Tests replace it with a static provider,
# so no test needs Entra; production always uses MSAL.
OUTBOUND_PROVIDER: Callable[[AgentAuthConfiguration], AccessTokenProviderBase] = _msal_provider


def inbound_configuration(cfg: TeamsConfig) -> tuple[AgentAuthConfiguration, ConnectionManager]:
    """The configuration the SDK's JWT check reads, and the connection manager for outbound calls."""
    if cfg.anonymous:
        auth = AgentAuthConfiguration(anonymous_allowed=True, client_id=cfg.app_id, tenant_id=cfg.tenant_id)
        manager = ConnectionManager(provider_factory=LocalTokenProvider,
                                    connections_configurations={"SERVICE_CONNECTION": auth})
        return auth, manager
    settings = load_configuration_from_env(cfg.sdk_env)
    service = settings["CONNECTIONS"].setdefault("SERVICE_CONNECTION", {}).setdefault("SETTINGS", {})
    # Production hardening the SDK leaves opt-in: check the token's issuer, never allow anonymous callers.
    service.setdefault("VALIDATE_ISSUER", "true")
    service["ANONYMOUS_ALLOWED"] = "false"
    manager = ConnectionManager(provider_factory=lambda c: OUTBOUND_PROVIDER(c), **settings)
    return manager.get_default_connection_configuration(), manager


async def warm_up(manager: ConnectionManager) -> None:
    """Build the MSAL client in a worker thread at start-up: its constructor does blocking discovery
    over the network, which must not happen on the event loop in the middle of a request."""
    provider = manager.get_default_connection()
    build = getattr(provider, "_get_client", None)
    if build is None:
        return
    try:
        await asyncio.to_thread(build)
    except Exception as exc:  # the first real call will try again; say why without any secret
        log.warning("Teams: could not prepare the MSAL client at start-up (%s)", type(exc).__name__)


async def connector_token(manager: ConnectionManager) -> str:
    return await manager.get_default_connection().get_access_token(BOT_FRAMEWORK, [f"{BOT_FRAMEWORK}/.default"])


async def graph_token(manager: ConnectionManager) -> str:
    """An app-only Graph token (client credentials) from the same Entra app."""
    return await manager.get_default_connection().get_access_token("https://graph.microsoft.com", [GRAPH_SCOPE])
