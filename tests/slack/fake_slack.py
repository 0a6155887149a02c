"""A fake Slack Web API on 127.0.0.1: records calls, answers like Slack, and can be told to fail.

Every method called must exist in Slack's own OpenAPI description (tests/data/slack_api_specs, October 2020
edition) and every parameter must be one it lists; a violation is recorded in `problems` and fails the
test. Blocks and modal views are checked with slack_sdk's Block Kit models (real Slack answers
`invalid_blocks`). Socket Mode is served too: apps.connections.open hands out a ws:// URL here.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

BOT_TOKEN, ADMIN_TOKEN, APP_TOKEN = "xoxb-1111-2222-fakebot", "xoxp-1111-3333-fakeadmin", "xapp-1-A0FAKE-1111-fake"
TEAM, BOT_USER, BOT_ID, ADMIN_USER = "T0FAKE001", "U0BOT0001", "B0FAKE001", "U0ADMIN01"
# Socket Mode (2021) postdates the spec; its one method is allowed by name, with its one parameter.
NEWER_THAN_SPEC = {"apps.connections.open": {"app_token"}}
# slack_sdk adds the workspace id to every call made with Bolt's per-request client (for org-wide apps);
# the parameter postdates the spec for most methods. Nothing else is allowed beyond what the spec lists.
SDK_ADDED = {"team_id"}


def load_spec(spec_dir: Path) -> dict[str, dict[str, Any]]:
    """method -> {"params": set of parameter names, "scopes": list} from the OpenAPI file (required)."""
    path = spec_dir / "slack_web_openapi_v2.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the fake Slack API checks every call against it")
    spec = json.loads(path.read_text())
    out = {}
    for p, ops in spec["paths"].items():
        op = next(iter(ops.values()))
        scopes = [s for sec in op.get("security", []) for s in sec.get("slackAuth", [])]
        out[p.lstrip("/")] = {"params": {x["name"] for x in op.get("parameters", [])}, "scopes": scopes}
    return out


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)


@dataclass
class Failure:
    method: str | None
    status: int = 200
    error: str | None = None
    retry_after: int | None = None


def _flag(v: Any) -> bool | None:
    if v is None:
        return None
    return v if isinstance(v, bool) else str(v).lower() in ("1", "true")


class FakeSlack:
    def __init__(self, spec: dict[str, dict[str, Any]]):
        self.spec = spec
        self.calls: list[Call] = []
        self.responses: list[tuple[str, dict[str, Any]]] = []  # bodies POSTed to response_url
        self.problems: list[str] = []
        self.channels: dict[str, dict[str, Any]] = {}
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.pins: set[tuple[str, str]] = set()
        self.ims: dict[str, str] = {}
        self.views: list[dict[str, Any]] = []
        self.failures: list[Failure] = []
        self.sockets: list[web.WebSocketResponse] = []
        self.socket_acks: list[dict[str, Any]] = []
        self.changed = asyncio.Condition()
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self.base = ""
        self.app = web.Application()
        self.app.router.add_post("/api/{method}", self.api)
        self.app.router.add_get("/api/{method}", self.api)
        self.app.router.add_post("/response/{rid}", self.response_url)
        self.app.router.add_get("/link", self.socket)

    # -- test controls ----------------------------------------------------------------------------
    def fail(self, method: str | None, *, status: int = 200, error: str | None = None, retry_after: int | None = None,
             times: int = 1) -> None:
        """The next `times` calls of `method` (any method if None) fail as told."""
        self.failures += [Failure(method, status, error, retry_after) for _ in range(times)]

    def of(self, method: str, *, ok: bool | None = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and (ok is None or c.response.get("ok") == ok)]

    def channel_named(self, name: str) -> dict[str, Any] | None:
        return next((c for c in self.channels.values() if c["name"] == name), None)

    def posts_in(self, channel: str) -> list[dict[str, Any]]:
        return [m for (ch, _), m in self.messages.items() if ch == channel]

    def human_message(self, channel: str, user: str, text: str) -> str:
        """A message a person typed (so chat.delete has something to delete)."""
        ts = self._next_ts()
        self.messages[(channel, ts)] = {"ts": ts, "user": user, "text": text, "blocks": []}
        return ts

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(predicate), timeout)

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    # -- HTTP ------------------------------------------------------------------------------------------
    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            params.update(dict(await request.post()))
        for k in ("blocks", "view", "attachments"):
            if isinstance(params.get(k), str):
                params[k] = json.loads(params[k])
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth else str(params.pop("token", ""))
        params.pop("token", None)
        call = Call(method, params, token)
        self._check_spec(call)
        failure = next((f for f in self.failures if f.method in (None, method)), None)
        if failure is not None:
            self.failures.remove(failure)
            call.status = failure.status
            error = failure.error or ("ratelimited" if failure.status == 429 else "internal_error")
            call.response = {"ok": False, "error": error}
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            self.calls.append(call)
            await self._notify()
            if failure.status >= 500:
                return web.Response(status=failure.status, text="<html>upstream error</html>", content_type="text/html")
            return web.json_response(call.response, status=failure.status, headers=headers)
        call.response = self._answer(call)
        self.calls.append(call)
        await self._notify()
        return web.json_response(call.response, headers={"X-Slack-Req-Id": f"fake-{next(self._ids)}"})

    def _check_spec(self, call: Call) -> None:
        known = self.spec.get(call.method, {}).get("params")
        if known is None and call.method in NEWER_THAN_SPEC:
            known = NEWER_THAN_SPEC[call.method]
        if known is None:
            self.problems.append(f"{call.method} is not a Slack Web API method")
            return
        unknown = set(call.params) - known - {"token"} - SDK_ADDED
        if unknown:
            self.problems.append(f"{call.method} has parameters the spec does not list: {sorted(unknown)}")

    def _answer(self, call: Call) -> dict[str, Any]:
        if call.method == "apps.connections.open":
            ok = call.token == APP_TOKEN
            if not ok:
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": f"{self.base.replace('http', 'ws', 1)}/link"}
        allowed = (BOT_TOKEN, ADMIN_TOKEN) if call.method in ("chat.delete", "auth.test") else (BOT_TOKEN,)
        if call.token not in allowed:
            return {"ok": False, "error": "invalid_auth" if call.token else "not_authed"}
        handler = getattr(self, "m_" + call.method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        return handler(call.params, call.token)

    async def response_url(self, request: web.Request) -> web.Response:
        self.responses.append((request.match_info["rid"], await request.json()))
        await self._notify()
        return web.Response(text="ok")

    # -- Block Kit checks (what Slack itself would reject) ------------------------------------------------
    def _blocks_ok(self, where: str, blocks: list[dict[str, Any]] | None) -> bool:
        for b in blocks or []:
            parsed = Block.parse(b)
            try:
                if parsed is None:
                    raise ValueError(f"unknown block type {b.get('type')!r}")
                parsed.validate_json()
            except Exception as exc:  # noqa: BLE001 (any model error is a test failure)
                self.problems.append(f"{where}: invalid block {b.get('block_id') or b.get('type')}: {exc}")
                return False
        return True

    def _previews_off(self, method: str, p: dict[str, Any]) -> None:
        if _flag(p.get("unfurl_links")) is not False or _flag(p.get("unfurl_media")) is not False:
            self.problems.append(f"{method} without unfurl_links=false and unfurl_media=false (domain §5.2 rule 8)")

    # -- methods -------------------------------------------------------------------------------------
    def m_auth_test(self, p, token):  # noqa: ANN001
        user = ADMIN_USER if token == ADMIN_TOKEN else BOT_USER
        out = {"ok": True, "url": "https://fake-ws.slack.com/", "team": "Fake Partnership", "user": "rapidreview",
               "team_id": TEAM, "user_id": user, "is_enterprise_install": False}
        return out | ({"bot_id": BOT_ID} if user == BOT_USER else {})

    def _channel_obj(self, cid: str) -> dict[str, Any]:
        c = self.channels[cid]
        return {"id": cid, "name": c["name"], "name_normalized": c["name"], "is_channel": not c["is_private"],
                "is_group": c["is_private"], "is_private": c["is_private"], "is_archived": c["archived"],
                "is_member": BOT_USER in c["members"], "created": c["created"], "creator": c["creator"],
                "topic": {"value": c["topic"], "creator": BOT_USER, "last_set": 0},
                "purpose": {"value": c["purpose"], "creator": BOT_USER, "last_set": 0}, "num_members": len(c["members"])}

    def add_channel(self, name: str, *, private: bool = True, members: set[str] | None = None) -> str:
        cid = f"C0{next(self._ids):07d}"
        self.channels[cid] = {"name": name, "is_private": private, "archived": False, "members": set(members or {BOT_USER}),
                              "created": int(time.time()), "creator": BOT_USER, "topic": "", "purpose": ""}
        return cid

    def m_conversations_create(self, p, _t):  # noqa: ANN001
        name = p.get("name") or ""
        if not re.fullmatch(r"[a-z0-9_-]{1,80}", name):
            return {"ok": False, "error": "invalid_name_specials" if name else "invalid_name_required"}
        if self.channel_named(name):
            return {"ok": False, "error": "name_taken"}
        return {"ok": True, "channel": self._channel_obj(self.add_channel(name, private=_flag(p.get("is_private")) is True))}

    def m_conversations_members(self, p, _t):  # noqa: ANN001
        c = self._member_channel(p.get("channel"))
        if isinstance(c, str):
            return {"ok": False, "error": c}
        everyone = sorted(c["members"])
        start = int((p.get("cursor") or "next_0").removeprefix("next_"))
        limit = int(p.get("limit") or 100)
        nxt = f"next_{start + limit}" if start + limit < len(everyone) else ""
        return {"ok": True, "members": everyone[start:start + limit], "response_metadata": {"next_cursor": nxt}}

    def m_conversations_list(self, p, _t):  # noqa: ANN001
        types = set((p.get("types") or "public_channel").split(","))
        mine = [cid for cid, c in self.channels.items() if BOT_USER in c["members"]
                and ("private_channel" if c["is_private"] else "public_channel") in types
                and not (_flag(p.get("exclude_archived")) and c["archived"])]
        start = int((p.get("cursor") or "next_0").removeprefix("next_"))
        limit = int(p.get("limit") or 100)
        page = mine[start:start + limit]
        nxt = f"next_{start + limit}" if start + limit < len(mine) else ""
        return {"ok": True, "channels": [self._channel_obj(c) for c in page], "response_metadata": {"next_cursor": nxt}}

    def _member_channel(self, cid: str | None) -> dict[str, Any] | str:
        c = self.channels.get(cid or "")
        if c is None:
            return "channel_not_found"
        if BOT_USER not in c["members"]:
            return "not_in_channel"
        return "is_archived" if c["archived"] else c

    def m_conversations_setTopic(self, p, _t):  # noqa: ANN001
        c = self._member_channel(p.get("channel"))
        if isinstance(c, str):
            return {"ok": False, "error": c}
        if len(p.get("topic") or "") > 250:
            return {"ok": False, "error": "too_long"}
        c["topic"] = p.get("topic") or ""
        return {"ok": True, "channel": self._channel_obj(p["channel"])}

    def m_conversations_setPurpose(self, p, _t):  # noqa: ANN001
        c = self._member_channel(p.get("channel"))
        if isinstance(c, str):
            return {"ok": False, "error": c}
        if len(p.get("purpose") or "") > 250:
            return {"ok": False, "error": "too_long"}
        c["purpose"] = p.get("purpose") or ""
        return {"ok": True, "channel": self._channel_obj(p["channel"])}

    def m_conversations_invite(self, p, _t):  # noqa: ANN001
        c = self._member_channel(p.get("channel"))
        if isinstance(c, str):
            return {"ok": False, "error": c}
        users = [u for u in (p.get("users") or "").split(",") if u]
        if not users:
            return {"ok": False, "error": "no_user"}
        for u in users:
            if u == BOT_USER:
                return {"ok": False, "error": "cant_invite_self"}
            if not re.fullmatch(r"[UW][A-Z0-9]{2,20}", u):
                return {"ok": False, "error": "user_not_found"}
            if u in c["members"]:
                return {"ok": False, "error": "already_in_channel"}  # real Slack fails the whole batch
        c["members"].update(users)
        return {"ok": True, "channel": self._channel_obj(p["channel"])}

    def m_conversations_archive(self, p, _t):  # noqa: ANN001
        c = self.channels.get(p.get("channel") or "")
        if c is None:
            return {"ok": False, "error": "channel_not_found"}
        if c["archived"]:
            return {"ok": False, "error": "already_archived"}
        c["archived"] = True
        return {"ok": True}

    def m_conversations_kick(self, p, _t):  # noqa: ANN001
        c = self._member_channel(p.get("channel"))
        if isinstance(c, str):
            return {"ok": False, "error": c}
        user = p.get("user") or ""
        if user == BOT_USER:
            return {"ok": False, "error": "cant_kick_self"}
        if user not in c["members"]:
            return {"ok": False, "error": "not_in_channel"}
        c["members"].discard(user)
        return {"ok": True}

    def m_conversations_history(self, p, _t):  # noqa: ANN001
        c = self.channels.get(p.get("channel") or "")
        if c is None or BOT_USER not in c["members"]:  # members may read an archived channel's history
            return {"ok": False, "error": "channel_not_found"}
        msgs = sorted((m for (ch, _), m in self.messages.items() if ch == p["channel"]), key=lambda m: m["ts"],
                      reverse=True)
        start = int((p.get("cursor") or "next_0").removeprefix("next_"))
        limit = int(p.get("limit") or 100)
        nxt = f"next_{start + limit}" if start + limit < len(msgs) else ""
        return {"ok": True, "messages": [dict(m) for m in msgs[start:start + limit]], "has_more": bool(nxt),
                "response_metadata": {"next_cursor": nxt}}

    def m_conversations_open(self, p, _t):  # noqa: ANN001
        user = (p.get("users") or "").split(",")[0]
        if not re.fullmatch(r"[UW][A-Z0-9]{2,20}", user):
            return {"ok": False, "error": "user_not_found"}
        dm = self.ims.setdefault(user, f"D0{next(self._ids):07d}")
        return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": dm}}

    def _postable(self, channel: str | None) -> str | None:
        if channel in self.ims.values():
            return None
        c = self._member_channel(channel)
        return c if isinstance(c, str) else None

    def m_chat_postMessage(self, p, _t):  # noqa: ANN001
        self._previews_off("chat.postMessage", p)
        if not (p.get("text") or p.get("blocks")):
            return {"ok": False, "error": "no_text"}
        err = self._postable(p.get("channel"))
        if err:
            return {"ok": False, "error": err}
        if not self._blocks_ok("chat.postMessage", p.get("blocks")):
            return {"ok": False, "error": "invalid_blocks"}
        ts = self._next_ts()
        msg = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "text": p.get("text", ""),
               "blocks": p.get("blocks") or [], "ts": ts, "team": TEAM, **({"thread_ts": p["thread_ts"]} if p.get("thread_ts") else {})}
        self.messages[(p["channel"], ts)] = msg
        return {"ok": True, "channel": p["channel"], "ts": ts, "message": msg}

    def m_chat_update(self, p, _t):  # noqa: ANN001
        msg = self.messages.get((p.get("channel"), p.get("ts")))
        if msg is None:
            return {"ok": False, "error": "message_not_found"}
        if msg.get("user") != BOT_USER:
            return {"ok": False, "error": "cant_update_message"}
        if not self._blocks_ok("chat.update", p.get("blocks")):
            return {"ok": False, "error": "invalid_blocks"}
        msg.update(text=p.get("text", ""), blocks=p.get("blocks") or [], edited={"user": BOT_USER, "ts": self._next_ts()})
        return {"ok": True, "channel": p["channel"], "ts": p["ts"], "text": msg["text"], "message": msg}

    def m_chat_delete(self, p, token):  # noqa: ANN001
        key = (p.get("channel"), p.get("ts"))
        msg = self.messages.get(key)
        if msg is None:
            return {"ok": False, "error": "message_not_found"}
        # A bot token deletes only the bot's own messages; a workspace admin's user token any message.
        if token != ADMIN_TOKEN and msg.get("user") != BOT_USER:
            return {"ok": False, "error": "cant_delete_message"}
        del self.messages[key]
        return {"ok": True, "channel": p["channel"], "ts": p["ts"]}

    def m_chat_postEphemeral(self, p, _t):  # noqa: ANN001
        if not p.get("user"):
            return {"ok": False, "error": "user_not_found"}
        err = self._postable(p.get("channel"))
        if err:
            return {"ok": False, "error": err}
        if not self._blocks_ok("chat.postEphemeral", p.get("blocks")):
            return {"ok": False, "error": "invalid_blocks"}
        return {"ok": True, "message_ts": self._next_ts()}

    def m_pins_add(self, p, _t):  # noqa: ANN001
        key = (p.get("channel"), p.get("timestamp"))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        if key in self.pins:
            return {"ok": False, "error": "already_pinned"}
        self.pins.add(key)
        return {"ok": True}

    def m_views_open(self, p, _t):  # noqa: ANN001
        view = p.get("view")
        if not p.get("trigger_id") or not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        try:
            View(**view).validate_json()
        except Exception as exc:  # noqa: BLE001
            self.problems.append(f"views.open: invalid modal {view.get('callback_id')}: {exc}")
            return {"ok": False, "error": "invalid_arguments"}
        ids = [b["block_id"] for b in view.get("blocks") or [] if "block_id" in b]
        if len(ids) != len(set(ids)):  # Slack refuses a view whose block ids repeat
            self.problems.append(f"views.open {view.get('callback_id')}: repeated block_id")
            return {"ok": False, "error": "invalid_arguments"}
        if not self._blocks_ok(f"views.open {view.get('callback_id')}", view.get("blocks")):
            return {"ok": False, "error": "invalid_arguments"}
        opened = {**view, "id": f"V0{next(self._ids):07d}", "team_id": TEAM, "state": {"values": {}},
                  "hash": f"{int(time.time())}.abc", "app_id": "A0FAKE001", "bot_id": BOT_ID}
        self.views.append(opened)
        return {"ok": True, "view": opened}

    # -- Socket Mode -------------------------------------------------------------------------------------
    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0FAKE001"},
                            "debug_info": {"host": "fake", "approximate_connection_time": 3600}})
        await self._notify()
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(msg.data))
                await self._notify()
        return ws
