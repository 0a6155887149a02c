"""Wiring: Bolt's AsyncApp on our aiohttp server (POST /slack/events), or over Socket Mode.

The signature is checked here, on the raw body, before anything else runs: a request that is not
signed with our secret within the last five minutes gets 401 and never reaches Bolt, the database or
the core. Bolt checks it again (defence in depth) and then runs our listeners in
process-before-response mode, which answers in about a millisecond instead of polling for ack().
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import handlers, interactions
from adapters.slack.config import SlackConfig
from adapters.slack.cards import CardRenderer
from adapters.slack.handlers import Deps
from adapters.slack.identity import BotIdentity
from adapters.slack.port import SlackPort

log = logging.getLogger("rapidreview.slack")
EVENTS_PATH = "/slack/events"
WEB_API_TIMEOUT = 15  # seconds; the dispatcher retries a timed-out delivery


@dataclass
class SlackRuntime:
    """What tests and shutdown need to reach: the Bolt app, the port and the after-ack tasks."""

    bolt: AsyncApp
    port: SlackPort
    deps: Deps
    socket_mode: object | None = None
    socket_connect: asyncio.Future | None = None


SLACK = web.AppKey("slack", SlackRuntime)  # app[SLACK]: the adapter's runtime, for shutdown and tests


class _SameTokenNotice(logging.Filter):
    """Bolt also reads SLACK_BOT_TOKEN from the environment and warns that our client wins; it carries the
    same token plus SLACK_API_URL, which is the point, so the start-up log should not suggest a problem."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("As you gave `client` as well")


_SAME_TOKEN_NOTICE = _SameTokenNotice()


def verify(verifier: SignatureVerifier, body: bytes, headers) -> bool:  # noqa: ANN001
    """v0 HMAC over `v0:<timestamp>:<body>`, timestamp within five minutes (slack_sdk's SignatureVerifier)."""
    ts = headers.get("X-Slack-Request-Timestamp") or ""
    if not (ts.isascii() and ts.isdigit() and len(ts) <= 12):  # Unix seconds; 400 digits overflowed the check
        return False
    try:
        return verifier.is_valid_request(body, headers)
    except (ValueError, UnicodeDecodeError, OverflowError):  # a body that is not UTF-8
        return False


def install(rt, app: web.Application, config: SlackConfig) -> SlackPort:  # noqa: ANN001
    client = AsyncWebClient(token=config.bot_token, base_url=config.api_url, timeout=WEB_API_TIMEOUT)
    cards = CardRenderer()
    admin = (AsyncWebClient(token=config.admin_user_token, base_url=config.api_url, timeout=WEB_API_TIMEOUT)
             if config.admin_user_token else None)
    port = SlackPort(client, cards, admin)
    bolt_log = logging.getLogger("rapidreview.slack.bolt")
    bolt_log.addFilter(_SAME_TOKEN_NOTICE)  # one instance: adding it again is a no-op
    identity = BotIdentity(config.bot_token, config.api_url)
    # Bolt gets a client without a token plus our `authorize` (auth.test on first use, retried, then kept)
    # instead of its own single-team check; it copies this client per request and sets the token we return.
    bolt_client = AsyncWebClient(base_url=config.api_url, timeout=WEB_API_TIMEOUT)
    bolt = AsyncApp(client=bolt_client, authorize=identity.for_bolt(), signing_secret=config.signing_secret,
                    process_before_response=True, logger=bolt_log)
    deps = Deps(rt.core, rt.partnership, cards, client, admin, inbound=getattr(rt, "inbound", None))

    async def check_credentials() -> tuple[bool, str]:
        """For GET /readyz: the bot token is accepted (auth.test, answered once and kept)."""
        try:
            return (True, "auth.test accepted the bot token") if await identity.authorize() else \
                (False, "auth.test did not answer")
        except SlackApiError as exc:
            return False, f"auth.test refused the bot token ({exc.response.get('error', 'error')})"
    port.check_credentials = check_credentials
    if deps.inbound is not None:
        from adapters.slack.handlers import COMMAND_WORK, finish_command

        in_hand: set[int] = set()  # rows already waiting for a command slot here: not queued twice

        async def finish_later(work_id: int) -> None:
            if work_id in in_hand:
                return
            in_hand.add(work_id)

            async def go() -> None:
                try:
                    await finish_command(deps, work_id)
                finally:
                    in_hand.discard(work_id)

            deps.background.spawn(go(), "an unfinished /rapidreview command")

        deps.inbound.finishers[COMMAND_WORK] = finish_later
    handlers.register(bolt, deps)
    interactions.register(bolt, deps)
    slack = SlackRuntime(bolt, port, deps)
    verifier = SignatureVerifier(config.signing_secret)

    async def slack_events(request: web.Request) -> web.Response:
        body = await request.read()
        if not verify(verifier, body, request.headers):
            return web.json_response({"ok": False, "error": "invalid request signature"}, status=401)
        ctype = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype not in ("application/x-www-form-urlencoded", "application/json"):
            return web.json_response({"ok": False, "error": f"unsupported content type {ctype or 'none'}"}, status=415)
        problem = envelope_problem(body, ctype)
        if problem:
            log.warning("refused a signed Slack request: %s", problem)
            return web.json_response({"ok": False, "error": problem}, status=400)
        bolt_request = AsyncBoltRequest(body=body.decode("utf-8"), query=request.query_string,
                                        headers={k.lower(): v for k, v in request.headers.items()})
        with deps.background.after_response() as held:
            response = await to_aiohttp_response(await bolt.async_dispatch(bolt_request))
        # The ack goes out first; only then does the work behind it start (see Background.after_response).
        try:
            await response.prepare(request)
            await response.write_eof()
        finally:  # the request was signed and accepted: its work runs even if the connection has gone
            deps.background.start(held)
        return response

    app.router.add_post(EVENTS_PATH, slack_events)

    async def on_startup(_app: web.Application) -> None:
        if config.app_token:
            # Created here, inside the running loop: its aiohttp session needs one.
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            slack.socket_mode = AsyncSocketModeHandler(bolt, config.app_token)
            # connect() retries by itself until Slack answers; the server does not wait for it.
            slack.socket_connect = asyncio.ensure_future(slack.socket_mode.connect_async())

    async def on_cleanup(_app: web.Application) -> None:
        if slack.socket_mode is not None:
            await slack.socket_mode.close_async()
            if slack.socket_connect is not None and not slack.socket_connect.done():
                slack.socket_connect.cancel()
                await asyncio.gather(slack.socket_connect, return_exceptions=True)
        await deps.background.idle()  # before the database is closed

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    app[SLACK] = slack
    return port


def envelope_problem(body: bytes, ctype: str) -> str | None:
    """What is wrong with a signed body's shape before Bolt sees it (Bolt assumes Slack's shapes)."""
    import json
    from urllib.parse import parse_qs

    from adapters.slack.shapes import event_problem, payload_problem

    try:
        text = body.decode("utf-8")
        if ctype == "application/json":
            data = json.loads(text)
            if not isinstance(data, dict):
                return "the body is not a JSON object"
            return event_problem(data)
        payload = parse_qs(text).get("payload")
        if payload:
            data = json.loads(payload[0])
            if not isinstance(data, dict):
                return "payload is not a JSON object"
            return payload_problem(data)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "the body is not valid JSON or form data"
    return None
