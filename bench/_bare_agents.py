"""A bare Microsoft 365 Agents SDK app for the Teams baseline: the same anonymous (loopback) configuration
and CloudAdapter as the bot's Teams adapter, whose every Action.Execute answers a fixed Adaptive Card."""
from __future__ import annotations

import os
import re
from http import HTTPStatus

from aiohttp import web

CARD = {"type": "AdaptiveCard", "version": "1.5", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "body": [{"type": "TextBlock", "text": "Approved v1", "wrap": True}]}


def agents_app() -> web.Application:
    from microsoft_agents.activity import AdaptiveCardInvokeResponse
    from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator
    from microsoft_agents.hosting.core import AgentApplication, ApplicationOptions, OutboundHostValidator, TurnState

    from adapters.teams.agent import NoStorage
    from adapters.teams.auth import inbound_configuration
    from adapters.teams.config import load

    cfg = load(os.environ, "127.0.0.1")
    auth_config, connections = inbound_configuration(cfg)
    adapter = CloudAdapter(connection_manager=connections, host_validator=OutboundHostValidator(enabled=False))
    agent = AgentApplication[TurnState](ApplicationOptions(storage=NoStorage(), start_typing_timer=False,
                                                           remove_recipient_mention=False),
                                        connection_manager=connections)

    async def on_execute(_context, _state, _data) -> AdaptiveCardInvokeResponse:  # noqa: ANN001
        return AdaptiveCardInvokeResponse(status_code=HTTPStatus.OK, type="application/vnd.microsoft.card.adaptive",
                                          value=CARD)
    agent.adaptive_card.action_execute(re.compile(r".*"))(on_execute)

    @jwt_authorization_decorator
    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, agent)

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})
    app = web.Application()
    app["agent_configuration"] = auth_config
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app
