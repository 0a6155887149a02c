"""The port the core speaks to platforms through. Adapters (Slack, Teams, sandbox) implement it."""
from __future__ import annotations

from dataclasses import dataclass

from typing import Any, Protocol

from bot.partnership import Member


class DeliveryError(Exception):
    """A platform call failed. `retry_after` (seconds) comes from the platform (HTTP 429 Retry-After);
    `permanent` means retrying cannot help (e.g. a removed channel), so the row goes to dead letters."""

    def __init__(self, message: str, *, retry_after: float | None = None, permanent: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


class MessageGone(DeliveryError):
    """The card to be updated no longer exists (someone deleted it): the dispatcher posts a new one instead."""

    def __init__(self, message: str):
        super().__init__(message, permanent=True)


class PlatformPort(Protocol):
    name: str

    async def open_channel(self, case_code: str, name: str, topic: str) -> str:
        """Create the case's private channel (or find the one a previous attempt made); return its id."""

    async def invite(self, channel_id: str, members: list[Member]) -> None: ...

    async def post_card(self, channel_id: str, card: str, context: dict[str, Any], *, pin: bool = False) -> str:
        """Post a card to the channel; return the message id for later updates."""

    async def update_card(self, channel_id: str, message_id: str, card: str, context: dict[str, Any]) -> None:
        """Replace a posted card's content; raise MessageGone if the message has been deleted."""

    async def direct_message(self, member: Member, card: str, context: dict[str, Any]) -> None: ...

    async def archive_channel(self, channel_id: str) -> None: ...

    async def remove_members(self, channel_id: str, members: list[Member]) -> None:
        """Take members out of the case channel; one already gone is not an error."""

    async def purge_channel(self, channel_id: str, known_message_ids: list[str]) -> "PurgeResult":
        """Retention: delete the channel's messages where allowed, hide or leave the rest, remove the channel.
        `known_message_ids` are the bot's own cards the core remembers (for platforms that cannot list)."""


@dataclass(frozen=True)
class PurgeResult:
    """What a channel purge did: messages deleted, hidden from members (flagged: the platform keeps them but
    nobody in the channel can read them), left as they were, and what happened to the channel itself."""

    deleted: int = 0
    hidden: int = 0
    left: int = 0
    channel: str = "archived"  # "deleted" | "archived" | "left"
    note: str = ""

    def as_detail(self) -> dict[str, Any]:
        return {"deleted": self.deleted, "hidden": self.hidden, "left": self.left, "channel": self.channel,
                **({"why_left": self.note} if self.note else {})}


@dataclass(frozen=True)
class AdapterStatus:
    """What an adapter's `setup()` reports: whether it is on, and why (for the start-up block)."""

    name: str
    configured: bool
    reason: str
    port: PlatformPort | None = None
