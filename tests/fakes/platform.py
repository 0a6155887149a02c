"""A platform for tests: records every call as an adapter would receive it, and fails on request."""
from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.partnership import Member
from bot.ports import DeliveryError, PurgeResult


@dataclass
class Call:
    method: str
    args: dict[str, Any] = field(default_factory=dict)


class FakePlatform:
    """Implements PlatformPort in memory. `fail_next(n, retry_after=...)` makes the next n calls fail."""

    def __init__(self, name: str = "fake"):
        self.name = name
        self.calls: list[Call] = []
        self.channels: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._failures: list[DeliveryError] = []
        self.fail_when: Callable[[str, dict[str, Any]], DeliveryError | None] | None = None

    def fail_next(self, n: int = 1, *, retry_after: float | None = None, permanent: bool = False) -> None:
        self._failures.extend(DeliveryError("injected failure", retry_after=retry_after, permanent=permanent)
                              for _ in range(n))

    def _record(self, method: str, **args: Any) -> None:
        if self._failures:
            raise self._failures.pop(0)
        if self.fail_when is not None:
            err = self.fail_when(method, args)
            if err is not None:
                raise err
        self.calls.append(Call(method, args))

    # -- PlatformPort ------------------------------------------------------------------------
    async def open_channel(self, case_code: str, name: str, topic: str) -> str:
        self._record("open_channel", case_code=case_code, name=name, topic=topic)
        for cid, ch in self.channels.items():
            if ch["name"] == name:
                return cid  # as a real platform would: the name is taken, so find it
        cid = f"C{next(self._ids):06d}"
        self.channels[cid] = {"name": name, "topic": topic, "members": set(), "archived": False, "private": True}
        return cid

    async def invite(self, channel_id: str, members: list[Member]) -> None:
        self._record("invite", channel_id=channel_id, members=[m.key for m in members])
        self.channels[channel_id]["members"].update(m.key for m in members)

    async def post_card(self, channel_id: str, card: str, context: dict[str, Any], *, pin: bool = False) -> str:
        self._record("post_card", channel_id=channel_id, card=card, context=context, pin=pin)
        mid = f"M{next(self._ids):06d}"
        self.messages[mid] = {"channel_id": channel_id, "card": card, "context": context, "pinned": pin}
        return mid

    async def update_card(self, channel_id: str, message_id: str, card: str, context: dict[str, Any]) -> None:
        self._record("update_card", channel_id=channel_id, message_id=message_id, card=card, context=context)
        self.messages[message_id].update(card=card, context=context)

    async def direct_message(self, member: Member, card: str, context: dict[str, Any]) -> None:
        self._record("direct_message", member=member.key, card=card, context=context)

    async def archive_channel(self, channel_id: str) -> None:
        self._record("archive_channel", channel_id=channel_id)
        self.channels[channel_id]["archived"] = True

    async def remove_members(self, channel_id: str, members: list[Member]) -> None:
        self._record("remove_members", channel_id=channel_id, members=[m.key for m in members])
        self.channels[channel_id]["members"].difference_update(m.key for m in members)

    async def purge_channel(self, channel_id: str, known_message_ids: list[str]) -> PurgeResult:
        self._record("purge_channel", channel_id=channel_id, known=known_message_ids)
        mine = [mid for mid, m in self.messages.items() if m["channel_id"] == channel_id]
        for mid in mine:
            del self.messages[mid]
        self.channels[channel_id]["deleted"] = True
        return PurgeResult(deleted=len(mine), channel="deleted")

    # -- test helpers --------------------------------------------------------------------------
    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def channel_named(self, name: str) -> tuple[str, dict[str, Any]] | None:
        return next(((cid, ch) for cid, ch in self.channels.items() if ch["name"] == name), None)

    def texts(self) -> list[str]:
        """Everything a person could read, flattened, for leak checks."""
        import json

        return [json.dumps(c.args, default=str, sort_keys=True) for c in self.calls]
