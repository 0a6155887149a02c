"""Microsoft's services as small aiohttp servers on 127.0.0.1: a Bot Connector (strict about payload
shapes), Microsoft Graph (channels and members), and a Bot Framework token issuer with its JWKS."""
from __future__ import annotations

import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

BF_ISSUER = "https://api.botframework.com"
CARD = "application/vnd.microsoft.card.adaptive"
CHANNEL_ID = re.compile(r"^19:[^;|]+@thread\.(tacv2|skype)$")


class LocalServer:
    """An aiohttp app on 127.0.0.1:0 on the test's own event loop."""

    def __init__(self, app: web.Application):
        self.app, self.port, self._runner = app, None, None

    async def start(self) -> "LocalServer":
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        await self._runner.cleanup()


@dataclass
class Call:
    method: str
    path: str
    body: Any
    auth: str | None


@dataclass
class Failures:
    """Answers to give instead of the real one: `next(429, retry_after=30, path="/v3/conversations")`
    fails the next call whose path ends so (any call when no path is given)."""

    queue: list[tuple[int, dict[str, str], str | None]] = field(default_factory=list)

    def next(self, status: int = 500, retry_after: float | None = None, times: int = 1, path: str | None = None) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self.queue.extend([(status, headers, path)] * times)

    def take(self, request: web.Request) -> web.Response | None:
        for i, (status, headers, path) in enumerate(self.queue):
            if path is None or request.path.endswith(path):
                del self.queue[i]
                return web.json_response({"error": {"code": "Injected", "message": "injected failure"}},
                                         status=status, headers=headers)
        return None


class PayloadError(Exception):
    pass


def check_activity(a: Any, *, reply: bool = False) -> None:
    """What the real connector would refuse: unknown types, no content, cards that are not adaptive."""
    if not isinstance(a, dict):
        raise PayloadError("activity must be an object")
    if a.get("type") not in ("message", "typing"):
        raise PayloadError(f"unsupported activity type {a.get('type')!r}")
    if a["type"] == "message" and not (a.get("text") or a.get("attachments")):
        raise PayloadError("a message needs text or attachments")
    for att in a.get("attachments") or []:
        if att.get("contentType") != CARD:
            raise PayloadError(f"attachment is not an adaptive card: {att.get('contentType')!r}")
        content = att.get("content") or {}
        if content.get("type") != "AdaptiveCard" or content.get("version") != "1.5" or not content.get("body"):
            raise PayloadError("adaptive card must be type AdaptiveCard, version 1.5, with a body")
    conv = a.get("conversation")
    if conv is not None and not (conv or {}).get("id"):
        raise PayloadError("conversation.id is required")


class FakeBotConnector:
    """The Teams Bot Connector (smba.trafficmanager.net/<region>/): conversations and activities."""

    def __init__(self):
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, str], dict] = {}  # (conversation id, activity id) -> last activity
        self.conversations: dict[str, dict] = {}  # conversation id -> how it was created
        self.failures = Failures()
        self.rejected: list[str] = []
        self._ids = itertools.count(1790000000000)
        app = web.Application()
        for prefix in ("", "/uk"):  # real serviceUrls carry a region path
            app.router.add_post(prefix + "/v3/conversations", self.create)
            app.router.add_post(prefix + "/v3/conversations/{cid}/activities", self.send)
            app.router.add_post(prefix + "/v3/conversations/{cid}/activities/{aid}", self.reply)
            app.router.add_put(prefix + "/v3/conversations/{cid}/activities/{aid}", self.update)
            app.router.add_delete(prefix + "/v3/conversations/{cid}/activities/{aid}", self.delete)
        self.server = LocalServer(app)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/uk/"

    async def _record(self, request: web.Request) -> Any:
        body = await request.json() if request.body_exists else None  # body_exists: still true once a middleware read it
        self.calls.append(Call(request.method, request.path, body, request.headers.get("Authorization")))
        return body

    def _bad(self, why: str) -> web.Response:
        self.rejected.append(why)
        return web.json_response({"error": {"code": "BadArgument", "message": why}}, status=400)

    async def create(self, request: web.Request) -> web.Response:
        body = await self._record(request)
        if (failed := self.failures.take(request)) is not None:
            return failed
        bot = (body or {}).get("bot") or {}
        if not str(bot.get("id", "")).startswith("28:"):
            return self._bad("bot.id must be the bot's 28: id")
        try:
            if body.get("activity") is not None:
                check_activity(body["activity"])
        except PayloadError as exc:
            return self._bad(str(exc))
        aid = str(next(self._ids))
        if body.get("isGroup"):
            channel = ((body.get("channelData") or {}).get("channel") or {}).get("id", "")
            if not CHANNEL_ID.match(channel) or body.get("activity") is None:
                return self._bad("a channel post needs channelData.channel.id and an activity")
            cid = f"{channel};messageid={aid}"
            self.messages[(cid, aid)] = body["activity"]
        else:
            members = body.get("members") or []
            if len(members) != 1 or not members[0].get("id"):
                return self._bad("a 1:1 conversation needs exactly one member")
            if not (body.get("tenantId") or ((body.get("channelData") or {}).get("tenant") or {}).get("id")):
                return self._bad("a 1:1 conversation needs the tenant")
            cid = f"a:personal-{members[0].get('aadObjectId') or members[0]['id']}"
        self.conversations[cid] = body
        return web.json_response({"id": cid, "activityId": aid}, status=201)

    async def _post(self, request: web.Request, reply: bool) -> web.Response:
        body = await self._record(request)
        if (failed := self.failures.take(request)) is not None:
            return failed
        try:
            check_activity(body, reply=reply)
        except PayloadError as exc:
            return self._bad(str(exc))
        aid = str(next(self._ids))
        self.messages[(request.match_info["cid"], aid)] = body
        return web.json_response({"id": aid}, status=201)

    async def send(self, request: web.Request) -> web.Response:
        return await self._post(request, reply=False)

    async def reply(self, request: web.Request) -> web.Response:
        return await self._post(request, reply=True)

    async def update(self, request: web.Request) -> web.Response:
        body = await self._record(request)
        if (failed := self.failures.take(request)) is not None:
            return failed
        key = (request.match_info["cid"], request.match_info["aid"])
        if key not in self.messages:
            return web.json_response({"error": {"code": "NotFound", "message": "no such activity"}}, status=404)
        try:
            check_activity(body)
        except PayloadError as exc:
            return self._bad(str(exc))
        self.messages[key] = body
        return web.json_response({"id": key[1]}, status=200)

    async def delete(self, request: web.Request) -> web.Response:
        await self._record(request)
        self.messages.pop((request.match_info["cid"], request.match_info["aid"]), None)
        return web.json_response({}, status=200)

    # -- reading back ----------------------------------------------------------------------------------
    def of(self, method: str, suffix: str = "") -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.endswith(suffix)]

    def cards(self) -> list[dict]:
        """Every adaptive card the bot sent or updated, in order."""
        out = []
        for c in self.calls:
            body = c.body or {}
            for a in [body, body.get("activity") or {}]:
                out += [att["content"] for att in a.get("attachments") or [] if att.get("contentType") == CARD]
        return out

    def texts(self) -> list[str]:
        return [json.dumps(c.body, sort_keys=True) for c in self.calls]


class FakeGraph:
    """Microsoft Graph v1.0: a team's channels and their members."""

    def __init__(self, team_id: str):
        self.team_id = team_id
        self.calls: list[Call] = []
        self.channels: dict[str, dict] = {}
        self.team_members: set[str] = set()
        self.hidden: list[str] = []
        self.archived: list[str] = []
        self.deleted: list[str] = []  # channels
        self.failures = Failures()
        self._ids = itertools.count(1)
        # People's posts (channel id -> messages); the bot's posts are read from the connector, as Graph would
        # show what the bot posted through the Bot Connector.
        self.human: dict[str, list[dict]] = {}
        self.connector: FakeBotConnector | None = None
        self.bot_app_id = ""
        app = web.Application()
        app.router.add_get("/v1.0/teams/{team}/channels", self.list_channels)
        app.router.add_post("/v1.0/teams/{team}/channels", self.create_channel)
        app.router.add_post("/v1.0/teams/{team}/members", self.add_team_member)
        app.router.add_post("/v1.0/teams/{team}/channels/{cid}/members", self.add_channel_member)
        app.router.add_post("/v1.0/teams/{team}/channels/{cid}/archive", self.archive)
        app.router.add_delete("/v1.0/teams/{team}/channels/{cid}", self.delete_channel)
        app.router.add_get("/v1.0/teams/{team}/channels/{cid}/members", self.list_channel_members)
        app.router.add_delete("/v1.0/teams/{team}/channels/{cid}/members/{mid}", self.remove_channel_member)
        app.router.add_get("/v1.0/teams/{team}/channels/{cid}/messages", self.list_messages)
        app.router.add_get("/v1.0/teams/{team}/channels/{cid}/messages/{mid}/replies", self.list_replies)
        app.router.add_patch("/v1.0/teams/{team}/channels/{cid}/messages/{mid}", self.hide)
        app.router.add_patch("/v1.0/teams/{team}/channels/{cid}/messages/{mid}/replies/{rid}", self.hide)
        app.router.add_get("/v1.0/appCatalogs/teamsApps", self.find_app)
        app.router.add_post("/v1.0/users/{user}/teamwork/installedApps", self.install_app)
        self.installed: set[str] = set()  # users the app was installed for
        self.server = LocalServer(app)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/v1.0"

    async def _enter(self, request: web.Request) -> tuple[Any, web.Response | None]:
        body = await request.json() if request.body_exists else None  # body_exists: still true once a middleware read it
        self.calls.append(Call(request.method, request.path_qs, body, request.headers.get("Authorization")))
        if not (request.headers.get("Authorization") or "").startswith("Bearer ") or \
                len(request.headers["Authorization"]) <= len("Bearer "):
            return body, web.json_response({"error": {"code": "InvalidAuthenticationToken"}}, status=401)
        if request.match_info.get("team", self.team_id) != self.team_id:
            return body, web.json_response({"error": {"code": "NotFound", "message": "no such team"}}, status=404)
        return body, self.failures.take(request)

    @staticmethod
    def _public(channel: dict) -> dict:
        return {k: v for k, v in channel.items() if k != "members"}

    @staticmethod
    def _member_id(member: dict) -> str | None:
        if member.get("@odata.type") != "#microsoft.graph.aadUserConversationMember":
            return None
        m = re.fullmatch(r"https://graph\.microsoft\.com/v1\.0/users\('([0-9a-f-]{36})'\)", member.get("user@odata.bind", ""))
        return m.group(1) if m else None

    async def list_channels(self, request: web.Request) -> web.Response:
        _, failed = await self._enter(request)
        if failed is not None:
            return failed
        m = re.fullmatch(r"displayName eq '(.*)'", request.query.get("$filter", ""))
        found = [self._public(c) for c in self.channels.values()
                 if m is None or c["displayName"] == m.group(1).replace("''", "'")]
        return web.json_response({"value": found})

    async def create_channel(self, request: web.Request) -> web.Response:
        body, failed = await self._enter(request)
        if failed is not None:
            return failed
        members = (body or {}).get("members") or []
        owners = [m for m in members if "owner" in (m.get("roles") or [])]
        if body.get("membershipType") != "private" or not body.get("displayName") or len(owners) != 1 or \
                any(self._member_id(m) is None for m in members):
            return web.json_response({"error": {"code": "BadRequest", "message": "invalid private channel"}}, status=400)
        if any(c["displayName"] == body["displayName"] for c in self.channels.values()):
            return web.json_response({"error": {"code": "NameAlreadyExists",
                                                "message": "Channel name already existed, please use other name."}},
                                     status=409)
        cid = f"19:case{next(self._ids):04d}@thread.tacv2"
        self.channels[cid] = {"id": cid, "displayName": body["displayName"], "description": body.get("description"),
                              "membershipType": "private", "members": {self._member_id(owners[0])}}
        self.team_members.add(self._member_id(owners[0]))
        return web.json_response(self._public(self.channels[cid]), status=201)

    async def add_team_member(self, request: web.Request) -> web.Response:
        body, failed = await self._enter(request)
        if failed is not None:
            return failed
        who = self._member_id(body or {})
        if who is None:
            return web.json_response({"error": {"code": "BadRequest"}}, status=400)
        if who in self.team_members:
            return web.json_response({"error": {"code": "Conflict"}}, status=409)
        self.team_members.add(who)
        return web.json_response({"id": who}, status=201)

    async def add_channel_member(self, request: web.Request) -> web.Response:
        body, failed = await self._enter(request)
        if failed is not None:
            return failed
        who, channel = self._member_id(body or {}), self.channels.get(request.match_info["cid"])
        if who is None or channel is None:
            return web.json_response({"error": {"code": "BadRequest"}}, status=400 if who is None else 404)
        if who not in self.team_members and not body.get("tenantId"):
            return web.json_response({"error": {"code": "BadRequest", "message": "not a member of the team"}}, status=400)
        if who in channel["members"]:
            return web.json_response({"error": {"code": "Conflict"}}, status=409)
        channel["members"].add(who)
        return web.json_response({"id": who}, status=201)

    async def archive(self, request: web.Request) -> web.Response:
        _, failed = await self._enter(request)
        if failed is not None:
            return failed
        self.archived.append(request.match_info["cid"])
        return web.Response(status=202)

    async def hide(self, request: web.Request) -> web.Response:
        body, failed = await self._enter(request)
        if failed is not None:
            return failed
        if ((body or {}).get("policyViolation") or {}).get("dlpAction") != "BlockAccess":
            return web.json_response({"error": {"code": "BadRequest"}}, status=400)
        self.hidden.append(request.match_info.get("rid") or request.match_info["mid"])
        return web.Response(status=204)

    # -- retention -----------------------------------------------------------------------------------
    def human_message(self, channel_id: str, user_id: str, text: str) -> str:
        mid = f"17{next(self._ids):011d}"
        self.human.setdefault(channel_id, []).append({"id": mid, "from": {"user": {"id": user_id}}, "body": {"content": text}})
        return mid

    def messages_in(self, channel_id: str) -> list[dict]:
        mine = []
        for (cid, aid), activity in (self.connector.messages.items() if self.connector else []):
            if cid.split(";")[0] == channel_id:
                mine.append({"id": aid, "from": {"application": {"id": self.bot_app_id}}, "body": {"content": "card"}})
        return mine + [m for m in self.human.get(channel_id, []) if m["id"] not in self.hidden]

    async def list_messages(self, request: web.Request) -> web.Response:
        _, failed = await self._enter(request)
        if failed is not None:
            return failed
        if request.match_info["cid"] not in self.channels:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        return web.json_response({"value": self.messages_in(request.match_info["cid"])})

    async def list_replies(self, request: web.Request) -> web.Response:
        _, failed = await self._enter(request)
        return failed if failed is not None else web.json_response({"value": []})

    async def delete_channel(self, request: web.Request) -> web.Response:
        _, failed = await self._enter(request)
        if failed is not None:
            return failed
        if self.channels.pop(request.match_info["cid"], None) is None:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        self.deleted.append(request.match_info["cid"])
        return web.Response(status=204)

    async def list_channel_members(self, request: web.Request) -> web.Response:
        _, failed = await self._enter(request)
        if failed is not None:
            return failed
        channel = self.channels.get(request.match_info["cid"])
        if channel is None:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        return web.json_response({"value": [{"id": f"m-{u}", "userId": u, "roles": []} for u in sorted(channel["members"])]})

    async def remove_channel_member(self, request: web.Request) -> web.Response:
        _, failed = await self._enter(request)
        if failed is not None:
            return failed
        channel = self.channels.get(request.match_info["cid"])
        who = request.match_info["mid"].removeprefix("m-")
        if channel is None or who not in channel["members"]:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        channel["members"].discard(who)
        return web.Response(status=204)

    async def find_app(self, request: web.Request) -> web.Response:
        """The organisation's app catalog: our app, found by its manifest id (externalId)."""
        _, failed = await self._enter(request)
        if failed is not None:
            return failed
        if not re.fullmatch(r"externalId eq '[0-9a-f-]{36}'", request.query.get("$filter", "")):
            return web.json_response({"error": {"code": "BadRequest", "message": "filter by externalId"}}, status=400)
        return web.json_response({"value": [{"id": "catalog-app-1", "externalId": request.query["$filter"][15:-1]}]})

    async def install_app(self, request: web.Request) -> web.Response:
        body, failed = await self._enter(request)
        if failed is not None:
            return failed
        if not (body or {}).get("teamsApp@odata.bind", "").startswith("https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/"):
            return web.json_response({"error": {"code": "BadRequest", "message": "teamsApp@odata.bind"}}, status=400)
        user = request.match_info["user"]
        if user in self.installed:
            return web.json_response({"error": {"code": "Conflict", "message": "already installed"}}, status=409)
        self.installed.add(user)
        return web.json_response({}, status=201)

    def named(self, name: str) -> dict | None:
        return next((c for c in self.channels.values() if c["displayName"] == name), None)


class FakeIssuer:
    """A test-owned RSA key standing in for Bot Framework's; the JWKS and OpenID metadata on 127.0.0.1."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-kid-1"
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "endorsements": ["msteams"]})
        self.jwks = {"keys": [jwk]}
        app = web.Application()
        app.router.add_get("/v1/.well-known/keys", lambda r: web.json_response(self.jwks))
        app.router.add_get("/v1/.well-known/openidconfiguration", lambda r: web.json_response(
            {"issuer": BF_ISSUER, "jwks_uri": self.jwks_url, "id_token_signing_alg_values_supported": ["RS256"]}))
        self.server = LocalServer(app)

    @property
    def jwks_url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/v1/.well-known/keys"

    def token(self, audience: str, service_url: str, *, key=None, kid: str | None = None, **claims: Any) -> str:  # noqa: ANN001
        now = int(time.time())
        body = {"iss": BF_ISSUER, "aud": audience, "serviceurl": service_url, "nbf": now - 5, "iat": now - 5,
                "exp": now + 3600, **claims}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})
