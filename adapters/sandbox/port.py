"""The sandbox's PlatformPort: the outbox delivers case channels, cards and direct messages into the
in-memory store, and every delivery tells the open pages to refresh."""
from __future__ import annotations

from typing import Any

from adapters.sandbox.config import PLATFORM
from adapters.sandbox.store import Store
from bot.partnership import Member
from bot.ports import DeliveryError, PurgeResult


class SandboxPort:
    name = PLATFORM

    def __init__(self, store: Store):
        self.store = store

    async def open_channel(self, case_code: str, name: str, topic: str) -> str:
        # The channel's id is its name (the case code), so a second attempt finds the first one's channel.
        conv = self.store.channel(name, name, topic, case_code)
        conv.topic = topic
        self.store.changed()
        return conv.id

    async def invite(self, channel_id: str, members: list[Member]) -> None:
        self._channel(channel_id).members.update(m.key for m in members)
        self.store.changed()

    async def post_card(self, channel_id: str, card: str, context: dict[str, Any], *, pin: bool = False) -> str:
        m = self.store.post_card(self._channel(channel_id), card, context, pin=pin)
        self.store.changed()
        return m.id

    async def update_card(self, channel_id: str, message_id: str, card: str, context: dict[str, Any]) -> None:
        self.store.update_card(self._channel(channel_id), message_id, card, context)
        self.store.changed()

    async def direct_message(self, member: Member, card: str, context: dict[str, Any]) -> None:
        self.store.post_card(self.store.direct(member.key), card, context)
        self.store.changed()

    async def archive_channel(self, channel_id: str) -> None:
        self._channel(channel_id).archived = True
        self.store.changed()

    async def remove_members(self, channel_id: str, members: list[Member]) -> None:
        self._channel(channel_id).members.difference_update(m.key for m in members)
        self.store.changed()

    async def purge_channel(self, channel_id: str, known_message_ids: list[str]) -> PurgeResult:
        """The sandbox can delete everything: every message, then the channel itself."""
        conv = self.store.conversations.get(channel_id)
        if conv is None or conv.direct:
            return PurgeResult(channel="deleted")
        count = len(conv.messages)
        conv.messages.clear()
        del self.store.conversations[channel_id]
        # The newest card contexts kept for drawing the board go with the channel.
        self.store.status_views.pop(conv.case_code, None)
        for key in [k for k in self.store.newest if k[0] == conv.case_code]:
            del self.store.newest[key]
        self.store.changed()
        return PurgeResult(deleted=count, channel="deleted")

    def _channel(self, channel_id: str):  # noqa: ANN202
        conv = self.store.conversations.get(channel_id)
        if conv is not None and conv.direct:
            raise DeliveryError(f"{channel_id} is a direct conversation, not a case channel", permanent=True)
        # Ids are channel names, so a channel missing from memory (its rows were not replayed) is recreated.
        return conv or self.store.channel(channel_id, channel_id)
