"""A thin Microsoft Graph client: only the calls a case channel needs (msgraph-sdk is ~470 MB installed).

App-only permissions (see docs/teams.md, docs/retention.md): create private channels, add and remove channel
members, archive and delete channels, read a channel's messages, and hide a channel message (the PII guard and
the retention purge: Graph has no app-only delete for other people's messages).
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import aiohttp

log = logging.getLogger("rapidreview.teams.graph")

MEMBER_TYPE = "#microsoft.graph.aadUserConversationMember"


class GraphError(Exception):
    """A Graph call failed. `status` is the HTTP status (0 when the call never got an answer)."""

    def __init__(self, what: str, status: int, code: str = "", retry_after: float | None = None, message: str = ""):
        super().__init__(f"Graph {what} failed ({status}{' ' + code if code else ''})")
        self.status, self.code, self.retry_after = status, code, retry_after
        self.message = message  # Graph's own words, for the caller's decisions only: never logged or posted

    @property
    def retryable(self) -> bool:
        return self.status in (0, 401, 403, 408, 429) or self.status >= 500


class GraphClient:
    def __init__(self, base_url: str, token: Callable[[], Awaitable[str]], *, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def _call(self, what: str, method: str, path: str, *, body: Any = None,
                    params: dict[str, str] | None = None, ok: tuple[int, ...] = (200, 201, 202, 204)) -> tuple[int, Any]:
        try:
            token = await self._token()
        except Exception as exc:  # MSAL could not get a token: retry later, say nothing secret
            raise GraphError(f"{what} (token)", 401, type(exc).__name__) from None
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        try:
            async with self._http().request(method, self.base_url + path, json=body, params=params,
                                            headers=headers) as r:
                text = await r.text()
                try:
                    answer = json.loads(text) if text.strip() else None
                except ValueError:
                    answer = None
                if r.status in ok:
                    return r.status, answer
                error = (answer.get("error") or {}) if isinstance(answer, dict) else {}
                raise GraphError(what, r.status, str(error.get("code", "")), _retry_after(r.headers.get("Retry-After")),
                                 str(error.get("message", "")))
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise GraphError(what, 0, type(exc).__name__) from None

    # -- channels --------------------------------------------------------------------------------------
    async def find_channel(self, team_id: str, name: str) -> str | None:
        """The id of the team's channel with exactly this display name (private ones included)."""
        literal = name.replace("'", "''")
        _, body = await self._call("list channels", "GET", f"/teams/{quote(team_id)}/channels",
                                   params={"$filter": f"displayName eq '{literal}'"})
        for ch in (body or {}).get("value", []):
            if ch.get("displayName") == name:
                return ch["id"]
        return None

    async def create_private_channel(self, team_id: str, name: str, description: str,
                                     owner: tuple[str, str | None]) -> str:
        """Create the case's private channel, or return the existing one: a retry after a crash (or a
        second replica) must not make a second channel. App-only creation needs one owner member."""
        existing = await self.find_channel(team_id, name)
        if existing:
            return existing
        body = {"displayName": name, "description": description, "membershipType": "private",
                "members": [self.member_body(*owner, owner=True)]}
        try:
            _, created = await self._call("create channel", "POST", f"/teams/{quote(team_id)}/channels", body=body)
            return created["id"]
        except GraphError as exc:
            # Name taken: Graph answers 409, or 400 "Channel name already existed".
            if exc.status == 409 or (exc.status == 400 and "already exist" in exc.message.lower()):
                found = await self.find_channel(team_id, name)
                if found:
                    return found
            raise

    async def archive_channel(self, team_id: str, channel_id: str) -> None:
        await self._call("archive channel", "POST", f"/teams/{quote(team_id)}/channels/{quote(channel_id)}/archive",
                         body={"shouldSetSpoSiteReadOnlyForMembers": True})

    async def delete_channel(self, team_id: str, channel_id: str) -> None:
        """Remove the channel for everyone (Channel.Delete.All). Teams keeps a deleted channel restorable by a
        team owner for 30 days, then deletes it for good. Already gone is fine."""
        try:
            await self._call("delete channel", "DELETE", f"/teams/{quote(team_id)}/channels/{quote(channel_id)}")
        except GraphError as exc:
            if exc.status != 404:
                raise

    async def channel_messages(self, team_id: str, channel_id: str) -> list[dict[str, Any]]:
        """Every message and reply in the channel (ChannelMessage.Read.All), following @odata.nextLink."""
        base = f"/teams/{quote(team_id)}/channels/{quote(channel_id)}/messages"
        roots = await self._pages("list messages", base)
        out = []
        for m in roots:
            out.append(m)
            replies = await self._pages("list replies", f"{base}/{quote(m['id'])}/replies")
            out += [{**r, "replyToId": r.get("replyToId") or m["id"]} for r in replies]
        return out

    async def _pages(self, what: str, path: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        _, body = await self._call(what, "GET", path)
        while True:
            items += (body or {}).get("value", [])
            nxt = (body or {}).get("@odata.nextLink")
            if not nxt or not nxt.startswith(self.base_url):  # never follow a link off the Graph host
                return items
            _, body = await self._call(what, "GET", nxt[len(self.base_url):])

    # -- members ---------------------------------------------------------------------------------------
    @staticmethod
    def member_body(object_id: str, tenant_id: str | None, *, owner: bool = False) -> dict[str, Any]:
        """A member by Entra object id; someone from another organisation's tenant also by tenant id."""
        body: dict[str, Any] = {"@odata.type": MEMBER_TYPE, "roles": ["owner"] if owner else [],
                                "user@odata.bind": f"{GRAPH_USERS}('{object_id}')"}
        if tenant_id:
            body["tenantId"] = tenant_id
        return body

    async def add_team_member(self, team_id: str, object_id: str, tenant_id: str | None) -> None:
        """Private channel members must first be members of the team. Already a member is fine."""
        await self._add("add team member", f"/teams/{quote(team_id)}/members", self.member_body(object_id, tenant_id))

    async def add_channel_member(self, team_id: str, channel_id: str, object_id: str, tenant_id: str | None) -> None:
        await self._add("add channel member", f"/teams/{quote(team_id)}/channels/{quote(channel_id)}/members",
                        self.member_body(object_id, tenant_id))

    async def channel_members(self, team_id: str, channel_id: str) -> dict[str, str]:
        """Entra object id (lower case) -> membership id, for the channel's members."""
        found = await self._pages("list channel members", f"/teams/{quote(team_id)}/channels/{quote(channel_id)}/members")
        return {str(m.get("userId", "")).lower(): m["id"] for m in found if m.get("userId") and m.get("id")}

    async def remove_channel_member(self, team_id: str, channel_id: str, membership_id: str) -> None:
        """ChannelMember.ReadWrite.All. Already gone is fine."""
        try:
            await self._call("remove channel member", "DELETE",
                             f"/teams/{quote(team_id)}/channels/{quote(channel_id)}/members/{quote(membership_id)}")
        except GraphError as exc:
            if exc.status != 404:
                raise

    async def _add(self, what: str, path: str, body: dict[str, Any]) -> None:
        try:
            await self._call(what, "POST", path, body=body)
        except GraphError as exc:
            if exc.status == 409:
                return
            raise

    # -- the app for one person -------------------------------------------------------------------------------
    async def install_app_for_user(self, user_id: str, external_app_id: str) -> None:
        """Install the Teams app in someone's personal scope, so the bot may message them (application permissions
        TeamsAppInstallation.ReadWriteSelfForUser.All and AppCatalog.Read.All). Already installed is fine."""
        _, body = await self._call("find app", "GET", "/appCatalogs/teamsApps",
                                   params={"$filter": f"externalId eq '{external_app_id.replace(chr(39), '')}'"})
        apps = (body or {}).get("value") or []
        if not apps:
            raise GraphError("find app", 404, "AppNotInCatalog")
        await self._add("install app", f"/users/{quote(user_id)}/teamwork/installedApps",
                        {"teamsApp@odata.bind": f"{GRAPH_ROOT}/appCatalogs/teamsApps/{apps[0]['id']}"})

    # -- the PII guard -----------------------------------------------------------------------------------
    async def hide_message(self, team_id: str, channel_id: str, message_id: str, root_id: str | None) -> None:
        """Hide a channel message from everyone but its sender, the way a DLP policy does
        (application permission ChannelMessage.UpdatePolicyViolation.All). Graph offers no app-only delete."""
        path = f"/teams/{quote(team_id)}/channels/{quote(channel_id)}/messages/"
        path += f"{quote(root_id)}/replies/{quote(message_id)}" if root_id and root_id != message_id else quote(message_id)
        body = {"policyViolation": {
            "dlpAction": "BlockAccess", "verdictDetails": "AllowOverrideWithoutJustification",
            "justificationText": "Hidden by the rapid review bot's PII guard",
            "policyTip": {"generalText": "This message looked like it identified a child or family, so it was hidden.",
                          "matchedConditionDescriptions": ["Identifying details in a case channel"]}}}
        await self._call("hide message", "PATCH", path, body=body)


GRAPH_ROOT = "https://graph.microsoft.com/v1.0"
GRAPH_USERS = f"{GRAPH_ROOT}/users"


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
