"""Microsoft Teams adapter: POST /api/messages on the shared server, and the port the outbox delivers through.

Built on the Microsoft 365 Agents SDK 1.9 (microsoft-agents-*); see docs/teams.md for the Entra app,
the Graph permissions and the sideload steps.
"""
from __future__ import annotations

import logging
import warnings
import logging
from collections.abc import Mapping

import pydantic
from aiohttp import web

from adapters.teams.config import NOT_CONFIGURED, ConfigRefused, load, status_reason

NAME = "Teams"
# Logged by the SDK twice per turn when no app id is configured, i.e. in anonymous local mode (49 lines in a short
# Playground session): expected there, so dropped; with an app id configured it is never logged.
SDK_TOKEN_CLIENT_LOG = "microsoft_agents.hosting.core.connector.client.user_token_client"


class _NoAppIdNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("App ID is not provided")


_NO_APP_ID_NOISE = _NoAppIdNoise()
TEAMS = web.AppKey("teams", dict)  # app[TEAMS]: config, port, agent and adapter, for shutdown and tests
log = logging.getLogger("rapidreview.teams")


def setup(rt, app: web.Application, env: Mapping[str, str]):  # noqa: ANN001, ANN201 (server.app.Runtime, AdapterStatus)
    """Register /api/messages and return the adapter's status (and port, when configured)."""
    from bot.ports import AdapterStatus

    try:
        cfg = load(env, rt.settings.host)
    except ConfigRefused as exc:
        return AdapterStatus(NAME, False, str(exc))
    if cfg is None:
        return AdapterStatus(NAME, False, NOT_CONFIGURED)

    if cfg.anonymous:
        logging.getLogger(SDK_TOKEN_CLIENT_LOG).addFilter(_NO_APP_ID_NOISE)  # one filter object: added once

    # Imported only when Teams is on: the SDK is large and the other adapters do not need it.
    from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator
    from microsoft_agents.hosting.core import OutboundHostValidator

    from adapters.teams.agent import TeamsAgent, quiet_turn_error
    from adapters.teams.auth import LOCAL_TOKEN, graph_token, inbound_configuration, warm_up
    from adapters.teams.connector import Connector
    from adapters.teams.graph import GraphClient
    from adapters.teams.port import TeamsPort
    from adapters.teams.refs import ConversationRefs

    auth_config, connections = inbound_configuration(cfg)
    # Production: Bot Connector URLs must be Microsoft's (the SDK does not check the token's serviceurl
    # claim otherwise); local mode talks to fakes on 127.0.0.1.
    validator = OutboundHostValidator(enabled=not cfg.local_service_urls)
    adapter = CloudAdapter(connection_manager=connections, host_validator=validator)
    adapter.on_turn_error = quiet_turn_error

    async def token() -> str:
        return LOCAL_TOKEN if cfg.anonymous else await graph_token(connections)

    graph = GraphClient(cfg.graph_url, token) if cfg.graph else None
    refs = ConversationRefs(rt.db)
    port = TeamsPort(cfg, refs, Connector(connections, validator, cfg.bot_id), rt.partnership, graph)
    agent = TeamsAgent(cfg, rt.core, rt.partnership, refs, port, connections)

    from adapters.teams.inbound_checks import activity_problem, claims_problem, token_header_problem

    # Only this route is guarded: the middleware form would also demand a Bot Framework token of Slack.
    @jwt_authorization_decorator
    async def authenticated(request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()  # aiohttp keeps the body: the SDK reads it again
        except (ValueError, UnicodeDecodeError):
            return web.json_response({"error": "the body is not JSON"}, status=400)
        problem = activity_problem(body)
        if problem:
            return web.json_response({"error": problem}, status=400)
        if not cfg.anonymous:
            identity = request.get("claims_identity")
            problem = claims_problem(getattr(identity, "claims", None) or {}, body)
            if problem:
                log.warning("Teams: refused a token: %s", problem)
                return web.json_response({"error": "Invalid token or authentication failed."}, status=401)
        try:
            return await adapter.process(request, agent.app)
        except pydantic.ValidationError:
            # The SDK's schema refused the activity: the sender's mistake, not ours.
            return web.json_response({"error": "the activity does not match the Bot Framework schema"}, status=400)

    async def messages(request: web.Request) -> web.StreamResponse:
        if request.content_type != "application/json":
            return web.json_response({"error": "activities must be sent as application/json"}, status=415)
        if not cfg.anonymous:
            problem = token_header_problem(request.headers.get("Authorization"))
            if problem:
                log.warning("Teams: refused a token: %s", problem)
                return web.json_response({"error": "Invalid token or authentication failed."}, status=401)
        return await authenticated(request)

    with warnings.catch_warnings():  # the SDK's decorator reads this plain string key; it is not ours to type
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app["agent_configuration"] = auth_config
    app.router.add_post("/api/messages", messages)

    async def on_startup(_app: web.Application) -> None:
        if not cfg.anonymous:
            await warm_up(connections)

    async def on_cleanup(_app: web.Application) -> None:
        if graph is not None:
            await graph.close()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    app[TEAMS] = {"config": cfg, "port": port, "agent": agent, "adapter": adapter}
    return AdapterStatus(NAME, True, status_reason(cfg), port)
