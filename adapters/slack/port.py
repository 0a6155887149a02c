"""The PlatformPort for Slack: outbox effects become Web API calls.

Every failure becomes a DeliveryError so the dispatcher backs off and retries: HTTP 429 carries
Slack's Retry-After; 5xx, timeouts and `ok: false` retry with back-off; errors retrying cannot fix
(the channel is gone or archived) are marked permanent and go to dead letters, never silently lost.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.config import PLATFORM
from adapters.slack.cards import CardRenderer
from bot.partnership import Member
from bot.ports import DeliveryError, MessageGone, PurgeResult

log = logging.getLogger("rapidreview.slack")

# `ok: false` errors that no retry can fix; everything else (ratelimited, internal_error, fatal_error,
# invalid_auth while a token is being rotated...) is retried until the dispatcher gives up.
PERMANENT = frozenset({"channel_not_found", "is_archived", "message_not_found", "cant_update_message",
                       "user_not_found", "invalid_blocks", "invalid_arguments", "restricted_action",
                       "method_not_supported_for_channel_type", "too_many_users"})
_ALREADY = ("already_in_channel", "cant_invite_self")
TOPIC_LIMIT = 250  # Slack truncates longer topics and purposes


class SlackCallError(DeliveryError):
    """A Web API call failed; `error` is Slack's error code (or `http_<status>`)."""

    def __init__(self, method: str, error: str, **kw: Any):
        super().__init__(f"Slack {method}: {error}", **kw)
        self.error = error


def _header(resp, name: str) -> str | None:  # noqa: ANN001
    for key, value in (resp.headers or {}).items():
        if key.lower() == name:
            return value
    return None


async def call(method: str, pending: Awaitable[AsyncSlackResponse]) -> AsyncSlackResponse:
    """Await one Web API call, translating every failure into a DeliveryError."""
    try:
        return await pending
    except SlackApiError as exc:
        resp = exc.response
        data = resp.data if isinstance(resp.data, dict) else {}
        error = data.get("error") or f"http_{resp.status_code}"
        if resp.status_code == 429 or error == "ratelimited":
            raw = _header(resp, "retry-after")
            retry_after = float(raw) if raw and raw.replace(".", "", 1).isdigit() else 30.0
            raise SlackCallError(method, "ratelimited", retry_after=retry_after) from None
        raise SlackCallError(method, error, permanent=error in PERMANENT) from None
    except (aiohttp.ClientError, asyncio.TimeoutError, SlackClientError) as exc:
        raise SlackCallError(method, type(exc).__name__) from None


class SlackPort:
    """Implements bot.ports.PlatformPort over the Slack Web API (`AsyncWebClient`, base_url = SLACK_API_URL)."""

    name = PLATFORM

    def __init__(self, client: AsyncWebClient, cards: CardRenderer, admin: AsyncWebClient | None = None):
        self.client, self.cards = client, cards
        # SLACK_ADMIN_USER_TOKEN: a workspace admin's user token (chat:write), the only way to delete other
        # people's messages. Without it the retention purge deletes the bot's own messages and leaves the rest.
        self.admin = admin
        self._dm: dict[str, str] = {}  # Slack user id -> DM channel id (conversations.open is idempotent anyway)
        self._topics: dict[str, str] = {}  # channel id -> last topic set, so setTopic runs only on a change
        self._pinned: set[tuple[str, str]] = set()  # (channel, ts) of status cards Slack confirmed pinned

    # -- channels -------------------------------------------------------------------------------
    async def open_channel(self, case_code: str, name: str, topic: str) -> str:
        """A private channel named by the case code only; after a crash or retry, the same channel."""
        try:
            created = await call("conversations.create", self.client.conversations_create(name=name, is_private=True))
            channel_id = created["channel"]["id"]
        except SlackCallError as exc:
            if exc.error != "name_taken":
                raise
            channel_id = await self._find_private_channel(name)
        await self._set_topic(channel_id, topic)
        purpose = (f"Rapid review {topic}. Case code and pseudonym only: never names, dates of birth, addresses, "
                   "schools or what an agency wrote.")
        await call("conversations.setPurpose",
                   self.client.conversations_setPurpose(channel=channel_id, purpose=purpose[:TOPIC_LIMIT]))
        return channel_id

    async def _find_private_channel(self, name: str) -> str:
        """The channel a previous attempt created (the bot is a member of it, so it is listed)."""
        cursor = None
        while True:
            page = await call("conversations.list", self.client.conversations_list(
                types="private_channel", exclude_archived=True, limit=200, **({"cursor": cursor} if cursor else {})))
            for ch in page.get("channels", []):
                if ch.get("name") == name:
                    return ch["id"]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        # Someone else holds the name (a channel the bot cannot see): a person has to sort that out.
        raise SlackCallError("conversations.create", f"name_taken: #{name} exists but the bot is not in it",
                             permanent=True)

    async def _set_topic(self, channel_id: str, topic: str) -> None:
        topic = topic[:TOPIC_LIMIT]
        if self._topics.get(channel_id) == topic:
            return
        await call("conversations.setTopic", self.client.conversations_setTopic(channel=channel_id, topic=topic))
        self._topics[channel_id] = topic

    async def invite(self, channel_id: str, members: list[Member]) -> None:
        # Members without a Slack account are skipped: they take part on another platform or by email.
        users = [m.slack_user_id for m in members if m.slack_user_id]
        if not users:
            return
        try:
            await call("conversations.invite", self.client.conversations_invite(channel=channel_id, users=",".join(users)))
        except SlackCallError as exc:
            if exc.error not in _ALREADY:
                raise
            if len(users) == 1:
                return
            # One person already in the channel fails the whole batch (often: an earlier attempt's answer was
            # lost). Invite the rest in one call: one by one, a retry cost a call per person, every one of
            # which had to succeed again, so under a flaky API the retries never got through.
            present = await self._members(channel_id)
            missing = [u for u in users if u not in present]
            if missing:
                try:
                    await call("conversations.invite",
                               self.client.conversations_invite(channel=channel_id, users=",".join(missing)))
                except SlackCallError as again:
                    if again.error not in _ALREADY:
                        raise

    async def _members(self, channel_id: str) -> set[str]:
        found: set[str] = set()
        cursor = None
        while True:
            page = await call("conversations.members", self.client.conversations_members(
                channel=channel_id, limit=200, **({"cursor": cursor} if cursor else {})))
            found.update(page.get("members") or [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return found

    async def archive_channel(self, channel_id: str) -> None:
        try:
            await call("conversations.archive", self.client.conversations_archive(channel=channel_id))
        except SlackCallError as exc:
            if exc.error != "already_archived":
                raise

    async def remove_members(self, channel_id: str, members: list[Member]) -> None:
        """conversations.kick, one person at a time (Slack takes one user per call), only those still present."""
        present = await self._members(channel_id)
        for user in sorted({m.slack_user_id for m in members if m.slack_user_id} & present):
            try:
                await call("conversations.kick", self.client.conversations_kick(channel=channel_id, user=user))
            except SlackCallError as exc:
                if exc.error not in ("not_in_channel", "cant_kick_self", "user_is_bot"):
                    raise

    async def purge_channel(self, channel_id: str, known_message_ids: list[str]) -> PurgeResult:
        """Delete every message in the channel the tokens allow, then archive it. A bot token deletes only the
        bot's own messages; people's messages need the admin user token. Slack's Web API cannot delete a channel
        with either token (admin.conversations.delete is Enterprise Grid only), so it stays archived."""
        deleted = left = 0
        cursor = None
        while True:
            page = await call("conversations.history", self.client.conversations_history(
                channel=channel_id, limit=200, **({"cursor": cursor} if cursor else {})))
            for msg in page.get("messages") or []:
                if await self._delete(channel_id, msg):
                    deleted += 1
                else:
                    left += 1
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        await self.archive_channel(channel_id)
        note = "" if not left else ("Slack refused some deletions" if self.admin is not None
                                    else "people's messages need SLACK_ADMIN_USER_TOKEN")
        return PurgeResult(deleted=deleted, left=left, channel="archived", note=note)

    async def _delete(self, channel_id: str, msg: dict[str, Any]) -> bool:
        clients = ([self.client] if msg.get("bot_id") else []) + ([self.admin] if self.admin is not None else [])
        for client in clients:
            try:
                await call("chat.delete", client.chat_delete(channel=channel_id, ts=msg["ts"]))
                return True
            except SlackCallError as exc:
                if exc.error == "message_not_found":
                    return True  # already gone (a retried purge)
                if exc.error not in ("cant_delete_message", "compliance_exports_prevent_deletion", "no_permission"):
                    raise
        return False

    # -- cards -------------------------------------------------------------------------------------
    async def post_card(self, channel_id: str, card: str, context: dict[str, Any], *, pin: bool = False) -> str:
        msg = self.cards.message(card, context)
        posted = await call("chat.postMessage", self.client.chat_postMessage(channel=channel_id, **msg, **_NO_PREVIEWS))
        ts = posted["ts"]
        # The post succeeded: a failure below must not make the dispatcher post the card a second time.
        if pin:
            await self._pin(channel_id, ts)
        if card == "case_status":
            await self._best_effort("conversations.setTopic", self._set_topic(channel_id, self.cards.topic(context)))
        return ts

    async def update_card(self, channel_id: str, message_id: str, card: str, context: dict[str, Any]) -> None:
        msg = self.cards.message(card, context)
        try:
            await call("chat.update", self.client.chat_update(channel=channel_id, ts=message_id, link_names=False, **msg))
        except SlackCallError as exc:
            if exc.error == "message_not_found":
                raise MessageGone(f"Slack chat.update: {exc.error}") from None
            raise
        if card == "case_status":
            if (channel_id, message_id) not in self._pinned:  # a pin that failed when the card was posted
                await self._pin(channel_id, message_id)
            await self._best_effort("conversations.setTopic", self._set_topic(channel_id, self.cards.topic(context)))

    async def direct_message(self, member: Member, card: str, context: dict[str, Any]) -> None:
        if not member.slack_user_id:
            log.info("%s has no Slack account: %s card for %s not sent on Slack", member.key, card,
                     context.get("case_code"))
            return
        channel = self._dm.get(member.slack_user_id)
        if channel is None:
            opened = await call("conversations.open", self.client.conversations_open(users=member.slack_user_id))
            channel = self._dm[member.slack_user_id] = opened["channel"]["id"]
        msg = self.cards.message(card, context)
        await call("chat.postMessage", self.client.chat_postMessage(channel=channel, **msg, **_NO_PREVIEWS))

    async def _pin(self, channel_id: str, ts: str) -> None:
        """Pin the status card, best effort: a failure is tried again at the card's next update, never by
        posting the card again. After a restart that costs one `already_pinned` answer per channel."""
        try:
            await call("pins.add", self.client.pins_add(channel=channel_id, timestamp=ts))
        except SlackCallError as exc:
            if exc.error != "already_pinned":
                log.warning("pins.add failed (%s); the card itself was delivered", exc)
                return
        self._pinned.add((channel_id, ts))

    @staticmethod
    async def _best_effort(method: str, pending: Awaitable[Any]) -> None:
        try:
            await call(method, pending)
        except DeliveryError as exc:
            log.warning("%s failed (%s); the card itself was delivered", method, exc)


# Domain §5.2 rule 8: no link previews. link_names off: "@channel" typed into a reason never pings anyone.
_NO_PREVIEWS = {"unfurl_links": False, "unfurl_media": False, "link_names": False}
