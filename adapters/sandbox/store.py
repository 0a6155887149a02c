"""What the sandbox's pretend chat platform holds: case channels, their messages and people's direct
messages with the bot. In memory only, so the schema stays the core's; after a restart the bot's side
is rebuilt from what the core says it has shown (bot.shown.shown_on: channels, invitations and cards in
the order they first appeared, each slot card as it stands now), while what people typed, and the bot's
private replies to them, are gone, as a chat client's scrollback would be.
"""
from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot import effects as fx
from bot.shown import Shown

# Cards whose Teams template asks to be refreshed when shown: every copy (channel and DMs) shows the newest.
REFRESHED = ("executive_approval",)
MAX_MESSAGES = 500  # per conversation: the oldest go first, as in a chat client's memory

# Message kinds
CARD = "card"  # a card the bot posted (everyone in the conversation sees it, drawn for each viewer)
TEXT = "text"  # a person's message in a case channel
REMOVED = "removed"  # a person's message the privacy guard hid: nothing of it is kept
COMMAND = "command"  # what a person typed to the bot (shown to them only)
REPLY = "reply"  # the bot's answer to one person (shown to them only)


@dataclass
class Message:
    id: str
    kind: str
    at: datetime
    author: str | None = None  # member key; None for the bot
    text: str | None = None
    card: str | None = None
    context: dict[str, Any] | None = None
    only_for: str | None = None  # member key: a private line in a shared conversation
    ok: bool = True


@dataclass
class Conversation:
    id: str
    name: str
    topic: str = ""
    case_code: str | None = None
    members: set[str] = field(default_factory=set)
    archived: bool = False
    direct: bool = False  # a member's private conversation with the bot
    pinned: str | None = None  # the status card's message id
    messages: list[Message] = field(default_factory=list)
    created: int = 0  # order in which conversations appeared, for the list on the left

    def message(self, message_id: str) -> Message | None:
        return next((m for m in self.messages if m.id == message_id), None)

    def visible_to(self, member_key: str) -> list[Message]:
        return [m for m in self.messages if m.only_for in (None, member_key)]


def round_of(context: dict[str, Any] | None) -> Any:
    """What makes an updated card a new question rather than the same one brought up to date."""
    return (context or {}).get("version")


def direct_id(member_key: str) -> str:
    return f"dm:{member_key}"


def new_id() -> str:
    return uuid.uuid4().hex[:12]


class Store:
    """Conversations by id, per-person card state, and a version number that changes with everything."""

    def __init__(self, clock: Callable[[], datetime]):
        self.clock = clock
        self.conversations: dict[str, Conversation] = {}
        # What one person last did with one card (Teams shows the invoke response in place of the card).
        self.card_ui: dict[tuple[str, str], dict[str, Any]] = {}
        self.status_views: dict[str, dict[str, Any]] = {}  # case code -> newest case_status context
        # Cards Teams refreshes whenever they are shown (executive approval): (case code, kind) -> newest context.
        self.newest: dict[tuple[str, str], dict[str, Any]] = {}
        self.version = 0
        self._order = itertools.count(1)
        self._changed = asyncio.Event()
        self.closing = False

    # -- change notification (server-sent events wait on this) ------------------------------------
    def changed(self) -> None:
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for_change(self, since: int, timeout: float) -> int:
        if self.version == since and not self.closing:
            try:
                async with asyncio.timeout(timeout):  # not wait_for: it can lose a cancellation on Python 3.11
                    await self._changed.wait()
            except TimeoutError:
                pass
        return self.version

    def close(self) -> None:
        """Let every waiting event stream end (server shutdown)."""
        self.closing = True
        self.changed()

    # -- conversations ------------------------------------------------------------------------------
    def channel(self, channel_id: str, name: str | None = None, topic: str = "", case_code: str | None = None) -> Conversation:
        conv = self.conversations.get(channel_id)
        if conv is None:
            conv = Conversation(channel_id, name or channel_id, topic, case_code, created=next(self._order))
            self.conversations[channel_id] = conv
        return conv

    def direct(self, member_key: str) -> Conversation:
        cid = direct_id(member_key)
        conv = self.conversations.get(cid)
        if conv is None:
            conv = Conversation(cid, "Bot", "Your private conversation with the bot", None, {member_key}, direct=True,
                                created=0)
            self.conversations[cid] = conv
        return conv

    def visible_conversations(self, member_key: str) -> list[Conversation]:
        """The member's own conversation with the bot, then the case channels they were invited to."""
        chans = sorted((c for c in self.conversations.values() if not c.direct and member_key in c.members),
                       key=lambda c: c.name, reverse=True)  # newest case first
        chans.sort(key=lambda c: c.archived)
        return [self.direct(member_key), *chans]

    def add(self, conv: Conversation, message: Message) -> Message:
        conv.messages.append(message)
        if len(conv.messages) > MAX_MESSAGES:
            dropped = conv.messages[: len(conv.messages) - MAX_MESSAGES]
            conv.messages = conv.messages[-MAX_MESSAGES:]
            for m in dropped:
                if m.id == conv.pinned:
                    conv.messages.insert(0, m)  # the pinned status card stays
        if message.kind == CARD and message.card and message.context:
            self._note(message.card, message.context)
        return message

    def _note(self, card: str, context: dict[str, Any]) -> None:
        code = context.get("case_code", "")
        if card == "case_status":
            self.status_views[code] = context
        if card in REFRESHED:
            self.newest[(code, card)] = context

    def post_card(self, conv: Conversation, card: str, context: dict[str, Any], *, message_id: str | None = None,
                  pin: bool = False, at: datetime | None = None) -> Message:
        m = self.add(conv, Message(message_id or new_id(), CARD, at or self.clock(), card=card, context=context))
        if pin:
            conv.pinned = m.id
        return m

    def update_card(self, conv: Conversation, message_id: str, card: str, context: dict[str, Any],
                    at: datetime | None = None) -> Message:
        m = conv.message(message_id)
        if m is None:  # gone from memory (a restart without its outbox rows): post it again under its id
            return self.post_card(conv, card, context, message_id=message_id, pin=card == "case_status", at=at)
        m.card, m.context = card, context
        self._note(card, context)
        return m

    def find_message(self, message_id: str) -> tuple[Conversation, Message] | None:
        for conv in self.conversations.values():
            m = conv.message(message_id)
            if m is not None:
                return conv, m
        return None


def rebuild(store: Store, shown: list[Shown]) -> int:
    """Draw again what the core says this platform has shown (Core.shown), in order: a slot card (status,
    votes, approvals) once, as it stands now, under the id the platform gave it. Returns how many things."""
    for e in shown:
        if e.kind == fx.DIRECT_MESSAGE:
            store.post_card(store.direct(e.member_key), e.card, e.context, at=e.at)
            continue
        if e.kind == fx.PURGE_CHANNEL:  # a channel removed under the retention policy stays removed
            conv = store.conversations.pop(e.channel_id, None)
            if conv is not None:
                store.status_views.pop(conv.case_code, None)
                for key in [k for k in store.newest if k[0] == conv.case_code]:
                    del store.newest[key]
            continue
        conv = store.channel(e.channel_id, e.channel_id, case_code=e.case_code)
        if e.kind == fx.OPEN_CHANNEL:
            conv.name, conv.topic = e.name or conv.name, e.topic
        elif e.kind == fx.INVITE:
            conv.members.update(e.members)
        elif e.kind == fx.ARCHIVE_CHANNEL:
            conv.archived = True
        elif e.kind == fx.REMOVE_MEMBERS:
            conv.members.difference_update(e.members)
        else:
            store.post_card(conv, e.card, e.context, message_id=e.message_id, pin=e.pinned, at=e.at)
    return len(shown)
