"""The Slack adapter: `/rapidreview`, buttons, forms and channel events in; outbox effects out.

`setup(rt, app, env)` is called by the composition root (bot/app.py). Slack is on when
SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set; SLACK_APP_TOKEN switches on Socket Mode (for
councils that cannot expose a public endpoint); SLACK_API_URL points the Web API elsewhere (tests,
on-premise proxies); SLACK_ADMIN_USER_TOKEN, if set, lets the PII guard delete people's messages.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

DEFAULT_API_URL = "https://slack.com/api/"
PLATFORM = "slack"  # cases opened from Slack carry this name; their outbox rows come to our port


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str
    signing_secret: str
    app_token: str | None = None
    api_url: str = DEFAULT_API_URL
    admin_user_token: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "SlackConfig | str":
        """The configuration, or the reason Slack is off (for the start-up block)."""
        missing = [k for k in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET") if not (env.get(k) or "").strip()]
        if missing:
            return f"{' and '.join(missing)} not set"
        url = (env.get("SLACK_API_URL") or DEFAULT_API_URL).strip()
        # slack_sdk joins base_url and the method name by plain concatenation: it must end with a slash.
        url = url if url.endswith("/") else url + "/"
        return cls(bot_token=env["SLACK_BOT_TOKEN"].strip(), signing_secret=env["SLACK_SIGNING_SECRET"].strip(),
                   app_token=(env.get("SLACK_APP_TOKEN") or "").strip() or None, api_url=url,
                   admin_user_token=(env.get("SLACK_ADMIN_USER_TOKEN") or "").strip() or None)


def setup(rt, app: web.Application, env: Mapping[str, str]):  # noqa: ANN001 (Runtime: avoid an import cycle)
    """Register /slack/events (and Socket Mode when configured); return the port the outbox delivers through."""
    from bot.app import AdapterStatus

    config = SlackConfig.from_env(env)
    if isinstance(config, str):
        return AdapterStatus("Slack", False, config)
    from adapters.slack.http import install

    port = install(rt, app, config)
    mode = "Socket Mode" if config.app_token else "HTTP events at POST /slack/events"
    deletion = "can delete flagged messages" if config.admin_user_token else "flags (cannot delete) PII messages"
    return AdapterStatus("Slack", True, f"{mode}; Web API {config.api_url}; {deletion}", port)
