"""The sandbox's HTTP side: the page, its JSON calls, the event stream and the case board.

Defence in depth for a page without sign-in: the server only starts the sandbox on a loopback address
(config.py), and every request here must also come from a loopback peer and name a loopback host (a
web page elsewhere cannot reach it by DNS rebinding); changes need a JSON body (a form on another site
cannot send one without a CORS preflight, which is never granted) and, when the browser says where the
request came from, the same origin. Every API call also carries a token that only the sandbox's own
page can read (it is in the page; another site's script cannot read a response from here), a request
that passed through a proxy is refused (a proxy on this host would otherwise make the outside world look
like 127.0.0.1), and a sandbox whose database holds another platform's cases refuses everything.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from adapters.sandbox import board, page
from adapters.sandbox.chat import Chat
from adapters.sandbox.clock import SandboxClock
from adapters.sandbox.config import is_loopback
from adapters.sandbox.store import Store

log = logging.getLogger("rapidreview.sandbox")
STATIC = Path(__file__).parent / "static"
VENDOR = STATIC / "vendor" / "node_modules" / "adaptivecards" / "dist"
STATIC_FILES = {"sandbox.css": "text/css", "sandbox.js": "text/javascript", "board.js": "text/javascript"}
VENDOR_FILES = {"adaptivecards.min.js": "text/javascript", "adaptivecards.css": "text/css"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
KEEPALIVE_SECONDS = 15.0
TOKEN_HEADER = "X-Sandbox-Token"
TOKEN_QUERY = "token"  # EventSource cannot send headers: the event stream takes the token in its query
API_PREFIX = "/sandbox/api/"
# Headers a proxy adds: the sandbox is only ever opened directly from a browser on this machine.
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP", "Via")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def renderer_installed() -> bool:
    return (VENDOR / "adaptivecards.min.js").exists()


def _loopback_request(request: web.Request) -> str | None:
    """Why this request may not use the sandbox, or None."""
    peer = request.remote or ""
    if not is_loopback(peer):
        return f"the sandbox answers this machine only (request from {peer or 'an unknown address'})"
    if any(h in request.headers for h in PROXY_HEADERS):
        return "the sandbox is never served through a proxy: open it directly on this machine"
    host = urlsplit(f"//{request.host}").hostname or ""
    if not is_loopback(host):
        return "the sandbox answers only to 127.0.0.1 or localhost in the address bar"
    if request.method == "POST":
        if request.content_type != "application/json":
            return "changes must be sent as JSON by the sandbox page"
        origin = request.headers.get("Origin")
        if origin and origin != "null" and (urlsplit(origin).hostname or "") != host:
            return "changes must come from the sandbox page itself"
    return None


def _token_problem(request: web.Request, token: str) -> str | None:
    """Why this API call is not from the sandbox's own page, or None (pages and files need no token)."""
    if not request.path.startswith(API_PREFIX):
        return None
    given = request.headers.get(TOKEN_HEADER) or (request.query.get(TOKEN_QUERY, "") if request.method == "GET" else "")
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        return "sandbox calls must come from the sandbox page itself (reload the page)"
    return None


def guarded(handler: Handler, gate: Callable[[web.Request], str | None] | None = None) -> Handler:
    async def wrapper(request: web.Request) -> web.StreamResponse:
        why = _loopback_request(request) or (gate(request) if gate else None)
        if why:
            return web.Response(status=403, text=f"Forbidden: {why}.\n")
        response = await handler(request)
        if not response.prepared:
            for k, v in SECURITY_HEADERS.items():
                response.headers.setdefault(k, v)
        return response
    return wrapper


class SandboxWeb:
    def __init__(self, rt, store: Store, clock: SandboxClock, *, clock_control: bool):  # noqa: ANN001 (Runtime)
        self.rt, self.store, self.clock, self.clock_control = rt, store, clock, clock_control
        self.chat = Chat(rt.core, store)
        self._tick_lock = asyncio.Lock()
        self.token = secrets.token_urlsafe(32)  # new at every start: a page from before a restart reloads
        self.refused: str | None = None  # set at start-up when the database holds real cases

    def _gate(self, request: web.Request) -> str | None:
        return self.refused or _token_problem(request, self.token)

    def routes(self, app: web.Application) -> None:
        r = app.router

        def g(handler: Handler) -> Handler:
            return guarded(handler, self._gate)

        r.add_get("/", g(self.index))
        r.add_get("/board", g(self.board_page))
        r.add_get("/oversight", g(self.oversight_page))
        r.add_get("/oversight/download", g(self.oversight_download))
        r.add_get("/sandbox/static/{name}", g(self.static))
        r.add_get("/sandbox/vendor/{name}", g(self.vendor))
        r.add_get("/sandbox/api/members", g(self.members))
        r.add_get("/sandbox/api/state", g(self.state))
        r.add_get("/sandbox/api/board", g(self.board_fragment))
        r.add_get("/sandbox/api/events", g(self.events))
        r.add_post("/sandbox/api/type", g(self.type))
        r.add_post("/sandbox/api/action", g(self.action))
        r.add_post("/sandbox/api/clock", g(self.advance_clock))

    def _with_token(self, html: str) -> str:
        return html.replace("<head>", f'<head>\n<meta name="sandbox-token" content="{self.token}">', 1)

    # -- files ------------------------------------------------------------------------------------
    async def index(self, _request: web.Request) -> web.Response:
        return web.Response(text=self._with_token((STATIC / "index.html").read_text(encoding="utf-8")),
                            content_type="text/html")

    async def static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in STATIC_FILES:
            raise web.HTTPNotFound()
        return web.Response(body=(STATIC / name).read_bytes(), content_type=STATIC_FILES[name], charset="utf-8")

    async def vendor(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in VENDOR_FILES or not (VENDOR / name).exists():
            raise web.HTTPNotFound(text="Microsoft's adaptivecards renderer is not installed: run `make sandbox-js`.")
        resp = web.Response(body=(VENDOR / name).read_bytes(), content_type=VENDOR_FILES[name], charset="utf-8")
        resp.headers["Cache-Control"] = "max-age=3600"
        return resp

    # -- reading ----------------------------------------------------------------------------------------
    def _member(self, key: Any):  # noqa: ANN202
        try:
            return self.rt.partnership.member(str(key))
        except (KeyError, ValueError):
            raise web.HTTPBadRequest(text="Pick a member in 'Acting as'.") from None

    async def members(self, _request: web.Request) -> web.Response:
        return web.json_response({"members": page.members(self.rt.partnership),
                                  "partnership": self.rt.partnership.partnership.name})

    async def state(self, request: web.Request) -> web.Response:
        viewer = self._member(request.query.get("as"))
        return web.json_response(page.state(self.store, self.rt.partnership, self.clock, viewer,
                                            request.query.get("conversation"), renderer=renderer_installed(),
                                            clock_control=self.clock_control))

    async def board_page(self, _request: web.Request) -> web.Response:
        fragment = await board.render(self.rt, self.clock())
        return web.Response(text=self._with_token(board.page(fragment, self.rt.partnership.partnership.name)),
                            content_type="text/html")

    async def oversight_page(self, request: web.Request) -> web.Response:
        from adapters.sandbox import oversight

        status, text = await oversight.render(self.rt, self.clock(), request.query)
        return web.Response(text=text, status=status, content_type="text/html")

    async def oversight_download(self, request: web.Request) -> web.Response:
        from adapters.sandbox import oversight

        return await oversight.download(self.rt, self.clock(), request.query)

    async def board_fragment(self, _request: web.Request) -> web.Response:
        return web.Response(text=await board.render(self.rt, self.clock()), content_type="text/html")

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: `change` with the store's version whenever anything changes."""
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no"})
        await resp.prepare(request)
        seen = -1
        try:
            while not self.store.closing:
                if seen != self.store.version:
                    seen = self.store.version
                    await resp.write(f"event: change\ndata: {json.dumps({'version': seen})}\n\n".encode())
                else:
                    await resp.write(b": keep-alive\n\n")
                await self.store.wait_for_change(seen, KEEPALIVE_SECONDS)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        return resp

    # -- changing ---------------------------------------------------------------------------------------
    async def _body(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise web.HTTPBadRequest(text="Send JSON.") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="Send a JSON object.")
        return body

    def _conversation(self, member_key: str, conversation_id: Any):  # noqa: ANN202
        convs = {c.id: c for c in self.store.visible_conversations(member_key)}
        conv = convs.get(str(conversation_id))
        if conv is None:
            raise web.HTTPForbidden(text="You are not in that conversation.")
        return conv

    async def type(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        member = self._member(body.get("as"))
        conv = self._conversation(member.key, body.get("conversation"))
        outcome = await self.chat.typed(member, conv, str(body.get("text") or ""))
        return web.json_response(outcome.as_dict())

    async def action(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        member = self._member(body.get("as"))
        conv = self._conversation(member.key, body.get("conversation"))
        message = conv.message(str(body.get("message") or ""))
        data = body.get("data")
        if message is None or not isinstance(data, dict):
            raise web.HTTPBadRequest(text="That card is no longer here: reload the page.")
        outcome = await self.chat.action(member, conv, message, str(body.get("verb") or ""), data,
                                         str(body.get("click") or "")[:80])
        return web.json_response(outcome.as_dict())

    async def advance_clock(self, request: web.Request) -> web.Response:
        await self._body(request)
        if not self.clock_control:
            return web.json_response({"ok": False, "text": "The clock cannot be moved while Slack or Teams also runs "
                                                            "here: it would move their cases' clocks too."}, status=409)
        async with self._tick_lock:
            self.clock.advance(self.rt.calendar)
            result = await self.rt.ticker.tick()
        self.store.changed()
        now = self.clock.describe()["human"]
        return web.json_response({"ok": True, "clock": self.clock.describe(),
                                  "text": f"It is now {now}. {result.reminders} reminder(s) released, "
                                          f"{result.delivered} message(s) delivered."})
