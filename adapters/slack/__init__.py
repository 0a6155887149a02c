"""The Slack adapter: `/rapidreview`, buttons, forms and channel events in; outbox effects out.

`setup(rt, app, env)` is called by the composition root (server/app.py). Slack is on when
SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set; SLACK_APP_TOKEN switches on Socket Mode (for
councils that cannot expose a public endpoint); SLACK_API_URL points the Web API elsewhere (tests,
on-premise proxies); SLACK_ADMIN_USER_TOKEN, if set, lets the PII guard delete people's messages.
"""
from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from adapters.slack.config import DEFAULT_API_URL, PLATFORM, SlackConfig  # noqa: F401 (the package's names)

def setup(rt, app: web.Application, env: Mapping[str, str]):  # noqa: ANN001 (Runtime: avoid an import cycle)
    """Register /slack/events (and Socket Mode when configured); return the port the outbox delivers through."""
    from bot.ports import AdapterStatus

    config = SlackConfig.from_env(env)
    if isinstance(config, str):
        return AdapterStatus("Slack", False, config)
    from adapters.slack.http import install  # here, not at the top: Bolt loads only when Slack is configured

    port = install(rt, app, config)
    mode = "Socket Mode" if config.app_token else "HTTP events at POST /slack/events"
    deletion = "can delete flagged messages" if config.admin_user_token else "flags (cannot delete) PII messages"
    return AdapterStatus("Slack", True, f"{mode}; Web API {config.api_url}; {deletion}", port)
