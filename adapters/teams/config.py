"""What the Teams adapter is told by the environment, checked once at start-up.

The SDK reads its own names (CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID/CLIENTSECRET/TENANTID);
the TEAMS_* names are ours. Two relaxations exist for development and tests only, and both are
refused unless the server listens on a loopback address: TEAMS_ANONYMOUS (no inbound token check,
like the Bot Framework Emulator) and TEAMS_LOCAL_SERVICE_URLS (Bot Connector at http://127.0.0.1).
"""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass

SDK_PREFIX = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
CLIENT_ID = SDK_PREFIX + "CLIENTID"
TENANT_ID = SDK_PREFIX + "TENANTID"
DEFAULT_GRAPH = "https://graph.microsoft.com/v1.0"
BOT_FRAMEWORK = "https://api.botframework.com"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
NOT_CONFIGURED = f"{CLIENT_ID} not set and TEAMS_ANONYMOUS not true"


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def is_loopback(host: str) -> bool:
    """RAPIDREVIEW_HOST names an address on this machine only (never 0.0.0.0 or a LAN address)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class TeamsConfig:
    anonymous: bool
    app_id: str | None  # the bot's Entra app id (also its Bot Framework id)
    tenant_id: str | None  # the home tenant: where the team and its case channels live
    team_id: str | None  # Graph group id of the team that holds the case channels
    channel_id: str | None  # fallback: a channel in which each case gets a thread
    graph_url: str
    local_service_urls: bool  # accept http://127.0.0.1 Bot Connector URLs (tests, local fakes)
    service_url: str | None  # a Bot Connector URL to use before any activity has told us one
    bot_id: str  # "28:<app id>": how the bot appears in conversations it creates
    typing_indicator: bool
    sdk_env: dict[str, str]  # the SDK's own settings, passed through unchanged
    teams_app_id: str | None = None  # the manifest's id (TEAMS_APP_ID, default the bot's app id): for installing it

    @property
    def graph(self) -> bool:
        """Channels are created through Graph only with a team to put them in."""
        return bool(self.team_id)


class ConfigRefused(Exception):
    """The settings ask for something unsafe here; the message is the start-up status reason."""


def load(env: Mapping[str, str], host: str) -> TeamsConfig | None:
    """The adapter's settings, or None when Teams is not configured at all."""
    anonymous = _true(env.get("TEAMS_ANONYMOUS"))
    app_id = (env.get(CLIENT_ID) or "").strip() or None
    if not anonymous and not app_id:
        return None
    loopback = is_loopback(host)
    if anonymous and not loopback:
        raise ConfigRefused(f"TEAMS_ANONYMOUS=true is refused: the server listens on {host}, not a loopback address "
                            "(anonymous mode skips token checks and is for development and tests only)")
    local_urls = _true(env.get("TEAMS_LOCAL_SERVICE_URLS")) or anonymous
    if local_urls and not loopback:
        raise ConfigRefused(f"TEAMS_LOCAL_SERVICE_URLS=true is refused: the server listens on {host}, not a loopback address")
    bot = (env.get("TEAMS_BOT_ID") or app_id or "rapidreview-local").strip()
    return TeamsConfig(
        anonymous=anonymous,
        app_id=app_id,
        tenant_id=(env.get(TENANT_ID) or env.get("TEAMS_TENANT_ID") or "").strip() or None,
        team_id=(env.get("TEAMS_TEAM_ID") or "").strip() or None,
        channel_id=(env.get("TEAMS_CHANNEL_ID") or "").strip() or None,
        graph_url=(env.get("GRAPH_API_URL") or DEFAULT_GRAPH).strip().rstrip("/"),
        local_service_urls=local_urls,
        service_url=(env.get("TEAMS_SERVICE_URL") or "").strip() or None,
        bot_id=bot if bot.startswith("28:") else f"28:{bot}",
        typing_indicator=_true(env.get("TEAMS_TYPING_INDICATOR")),
        sdk_env={k: v for k, v in env.items() if k.startswith(("CONNECTIONS__", "CONNECTIONSMAP__"))},
        teams_app_id=(env.get("TEAMS_APP_ID") or "").strip() or app_id or (bot if GUID.match(bot) else None),
    )


def status_reason(cfg: TeamsConfig) -> str:
    """One line for the start-up block: how requests are checked and where case channels go."""
    if cfg.anonymous:
        auth = ("ANONYMOUS local mode: /api/messages accepts requests without a token (development and tests only; "
                "allowed because the server is bound to a loopback address)")
    else:
        auth = f"/api/messages JWT-validated for app {cfg.app_id}"
        if cfg.local_service_urls:
            auth += "; local Bot Connector URLs allowed (loopback only)"
    if cfg.graph:
        where = f"case channels: private channels in team {cfg.team_id} via Graph at {cfg.graph_url}"
    elif cfg.channel_id:
        where = (f"case channels: Graph not configured (TEAMS_TEAM_ID not set), so each case is a new thread in "
                 f"channel {cfg.channel_id}, visible to everyone in that channel")
    else:
        where = ("case channels: neither TEAMS_TEAM_ID nor TEAMS_CHANNEL_ID is set, so cases opened from Teams "
                 "cannot get a channel")
    return f"{auth}; {where}"
