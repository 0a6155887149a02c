"""What a person does on the sandbox page, turned into the core's calls as that member: typed commands
and messages, and card buttons. Same core, authorisation, outbox and reminders as Slack and Teams."""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any

from adapters.sandbox.cards import shown_context
from adapters.sandbox.config import PLATFORM
from adapters.sandbox.store import COMMAND, REMOVED, REPLY, TEXT, Conversation, Message, Store, new_id, round_of
from bot import buttons
from bot.context import Invocation
from bot.core import Core, Reply
from bot.effects import CARD_KINDS
from bot.grammar import SPECS
from bot.identifiers import case_code_problem, positive_int
from bot.partnership import Member

MAX_TYPED = 8000
# "/rapidreview status", "@RapidReview status" or just "status": the bot is being asked something.
_ADDRESSED = re.compile(r"^\s*(/rapidreview|/rr|@rapid\s?review|@bot)\b[:,]?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Outcome:
    """What the page is told right away (the rest arrives through the store and the event stream)."""

    ok: bool
    text: str
    hidden: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "text": self.text, "hidden": self.hidden}


def command_text(text: str) -> str | None:
    """The command in a typed line, or None when it is a message to the people in the channel."""
    m = _ADDRESSED.match(text)
    if m:
        return text[m.end():].strip() or "help"
    first = text.strip().split(maxsplit=1)[0].lower() if text.strip() else ""
    return text.strip() if first in SPECS or first == "watch" else None


class Chat:
    def __init__(self, core: Core, store: Store):
        self.core, self.store = core, store

    def _inv(self, member: Member, conv: Conversation, **kw: Any) -> Invocation:
        return Invocation(PLATFORM, member.key, member, private=conv.direct, **kw)

    async def _case_of(self, conv: Conversation) -> str | None:
        if conv.direct:
            return None
        return await self.core.case_for_channel(PLATFORM, conv.id) or conv.case_code

    # -- typing -------------------------------------------------------------------------------------
    async def typed(self, member: Member, conv: Conversation, text: str) -> Outcome:
        text = text.strip()
        if not text:
            return Outcome(False, "Type a command such as `help`, or a message.")
        if len(text) > MAX_TYPED:
            return Outcome(False, f"That is too long ({len(text)} characters).")
        if conv.archived:
            return Outcome(False, f"#{conv.name} is archived: nothing more can be posted in it.")
        code = await self._case_of(conv)
        if code is not None:
            # Every line typed in a case channel is screened first, commands included (as in Teams).
            screening = await self.core.screen_message(self._inv(member, conv, text=text, case_code=code))
            if screening.blocked:
                self.store.add(conv, Message(new_id(), REMOVED, self.store.clock(), author=member.key))
                self.store.changed()
                return Outcome(False, f"Your message was hidden: it looked like it contained {screening.description}. "
                                      "Use the case code, the pseudonym and roles.", hidden=True)
        command = command_text(text) if not conv.direct else (command_text(text) or text)
        if command is None:
            self.store.add(conv, Message(new_id(), TEXT, self.store.clock(), author=member.key, text=text))
            self.store.changed()
            return Outcome(True, "Posted.")
        watch = command.split()[0].lower() == "watch"
        # The watch list's names are never shown back, not even to the person who typed them.
        echo = " ".join(command.split()[:2]) + " (names not shown)" if watch else text
        self.store.add(conv, Message(new_id(), COMMAND, self.store.clock(), author=member.key, text=echo,
                                     only_for=member.key))
        if watch:
            reply = await self._watch(member, conv, command)
        else:
            reply = await self.core.handle(self._inv(member, conv, text=command, case_code=code))
        self._reply(member, conv, reply)
        return Outcome(reply.ok, reply.text)

    async def _watch(self, member: Member, conv: Conversation, text: str) -> Reply:
        """`watch rr-2026-001 "Name One"`: names the privacy guard looks for (private conversation only)."""
        try:
            words = shlex.split(text.translate({0x201C: '"', 0x201D: '"'}))
        except ValueError:
            return Reply(False, 'Put each name in straight quotes: watch rr-2026-001 "Name One" "Name Two"')
        if len(words) < 2:
            return Reply(False, 'Usage: watch CASE "Name One" "Name Two" (an empty list clears it)')
        return await self.core.set_watch_names(self._inv(member, conv), words[1].lower(), words[2:])

    def _reply(self, member: Member, conv: Conversation, reply: Reply) -> None:
        card, context = reply.card if reply.card and reply.card[0] in CARD_KINDS else (None, None)
        self.store.add(conv, Message(new_id(), REPLY, self.store.clock(), text=reply.text, card=card, context=context,
                                     only_for=member.key, ok=reply.ok))
        self.store.changed()

    # -- card buttons -----------------------------------------------------------------------------------
    async def action(self, member: Member, conv: Conversation, message: Message, verb: str, data: dict[str, Any],
                     click: str) -> Outcome:
        from adapters.teams.actions import form_command  # the sandbox shows the Teams cards, forms included

        if not await self.core.first_receipt(PLATFORM, f"click:{member.key}:{click}"):
            return Outcome(True, "Already done.")
        kind, code = data.get("card"), data.get("case")
        if not isinstance(kind, str) or kind not in CARD_KINDS or not isinstance(code, str):
            return Outcome(False, "This card is not one the bot can act on.")
        problem = case_code_problem(code)
        if problem:
            return Outcome(False, problem)
        key = (member.key, message.id)
        if verb == "refresh" or (verb == "status" and kind == "case_status"):  # the pinned card is always current
            self.store.card_ui.pop(key, None)
            self.store.changed()
            return Outcome(True, "Refreshed.")
        if verb == "understood":
            return self._answer(key, Outcome(True, "Thank you."), answered=True)
        if verb == "reminder":
            if positive_int(data.get("reminder_id")) is None:
                return Outcome(False, "This reminder card is incomplete.")
            reply = await self.core.reminder_action(self._inv(member, conv), positive_int(data["reminder_id"]),
                                                    str(data.get("do") or "")[:20])
            return self._answer(key, Outcome(reply.ok, reply.text), answered=reply.ok)
        cmd, errors = buttons.command_for(verb, data), {}
        if cmd is None:
            cmd, errors = form_command(verb, data) or (None, {"form": "This button is not supported."})
        if cmd is None:
            return self._answer(key, Outcome(False, "Please check the form."), errors=errors, values=data)
        reply = await self.core.handle(self._inv(member, conv, command=cmd, case_code=code))
        if verb == "status":
            self._reply(member, conv, reply)
            return Outcome(reply.ok, reply.text)
        # As on Teams: a form refused by the PII guard is not shown back with what was typed in it.
        extra = {} if reply.ok else {"errors": reply.data.get("field_errors") or {},
                                     "values": {} if reply.data.get("pii_blocked") else data}
        return self._answer(key, Outcome(reply.ok, reply.text), **extra)

    def _answer(self, key: tuple[str, str], outcome: Outcome, **ui: Any) -> Outcome:
        """The answer shows on the card, for the person who pressed it only (as Teams shows an invoke response)."""
        found = self.store.find_message(key[1])
        ui["round"] = round_of(shown_context(found[1], self.store) if found else None)
        self.store.card_ui[key] = {"message": outcome.text, "tone": "good" if outcome.ok else "attention", **ui}
        self.store.changed()
        return outcome
