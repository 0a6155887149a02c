"""The AgentApplication behind /api/messages: `@RapidReview <command>` messages, card actions, and the
PII guard on case channels. Translation only: the core decides everything.

Every handler catches its own failures: the SDK's default turn error handler posts the exception
text into the chat, and its error log line carries the exception message; neither may happen here.
"""
from __future__ import annotations

import hashlib
import html
import logging
import re
import shlex
import traceback
from http import HTTPStatus
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, AdaptiveCardInvokeResponse
from microsoft_agents.hosting.core import (AgentApplication, ApplicationOptions, Connections, MessageFactory, Storage,
                                           TurnContext, TurnState)

from adapters.teams import cards
from adapters.teams.actions import CARD, CardActions
from adapters.teams.config import TeamsConfig
from adapters.teams.port import THREAD_MARK, TeamsPort
from adapters.teams.refs import ConversationRefs, tenant_of
from adapters.teams.text import for_message
from bot.context import Invocation
from bot.core import Core, Reply
from bot.partnership import Member, Partnership
from bot.steps.intake import CHANNEL_SENTENCE

log = logging.getLogger("rapidreview.teams")
PLATFORM = "teams"
SORRY = ("Something went wrong on the bot's side and your request may not have been completed. "
         "Check the case status, try again, or tell the Business Unit.")
_MENTION = re.compile(r"<at>[^<]*</at>", re.I)
_TAG = re.compile(r"<[^>]+>")
THREAD_SENTENCE = ("Its discussion is a thread in the bot's case channel, not a private channel: everyone in that "
                   "channel can read the thread, so post only the case code and pseudonym there.")


class NoStorage(Storage):
    """The SDK insists on a state store; the bot keeps no turn state (everything is in our database)."""

    async def read(self, keys, *, target_cls, **kwargs):  # noqa: ANN001, ANN003, ANN201
        return {}

    async def write(self, changes) -> None:  # noqa: ANN001
        return None

    async def delete(self, keys) -> None:  # noqa: ANN001
        return None


def log_failure(where: str, exc: BaseException) -> None:
    """The traceback's frames without the exception's message (it may quote what someone typed)."""
    frames = "".join(traceback.format_tb(exc.__traceback__)[-6:])
    log.error("Teams: %s failed with %s\n%s", where, type(exc).__name__, frames)


def command_text(raw: str) -> str:
    """`<at>RapidReview</at> status` -> `status`: mentions and markup out, entities decoded."""
    return html.unescape(_TAG.sub(" ", _MENTION.sub(" ", raw))).replace("\u00a0", " ").strip()


def is_personal(a: Activity) -> bool:
    """A 1:1 chat with the bot (the Bot Framework Emulator counts as one: it has no channels or mentions)."""
    return (a.conversation.conversation_type or "") == "personal" or str(a.channel_id) == "emulator"


IDEMPOTENT_VERBS = frozenset({"refresh", "approve"})


class TeamsAgent:
    def __init__(self, cfg: TeamsConfig, core: Core, partnership: Partnership, refs: ConversationRefs,
                 port: TeamsPort, connections: Connections):
        self.cfg, self.core, self.p, self.refs, self.port = cfg, core, partnership, refs, port
        self.actions = CardActions(core, partnership, port.refresh_ids)
        # The typing indicator would cost a connector call per turn for replies that take under a second.
        self.app = AgentApplication[TurnState](
            ApplicationOptions(storage=NoStorage(), start_typing_timer=cfg.typing_indicator,
                               remove_recipient_mention=False),
            connection_manager=connections)
        self.app.activity(ActivityTypes.message)(self.on_message)
        self.app.adaptive_card.action_execute(re.compile(r".*"))(self.on_execute)
        self.app.activity(ActivityTypes.message_update)(self.on_edit)
        self.app.activity([ActivityTypes.conversation_update, ActivityTypes.installation_update])(self.on_update)
        # Everything else is acknowledged quietly: the SDK would log an unrouted activity with its text.
        self.app.activity([ActivityTypes.message_reaction, ActivityTypes.message_delete, ActivityTypes.typing,
                           ActivityTypes.event, ActivityTypes.end_of_conversation])(self.on_update)
        self.app.error(self.on_error)

    # -- who and where -----------------------------------------------------------------------------------
    def identify(self, a: Activity) -> Member | None:
        """A 1:1 chat lives in the person's own tenant, so both must match. A channel lives in the host
        tenant, whoever posts: someone from another organisation (police, ICB) is known there by the
        object id alone (Entra object ids are GUIDs, and the token already proved the activity is Teams')."""
        aad = a.from_property.aad_object_id if a.from_property else None
        if not aad:
            return None
        member = self.p.by_teams_id(aad, tenant_of(a))
        if member is None and not is_personal(a):
            member = self.p.by_teams_id(aad)
        return member

    @staticmethod
    def who(a: Activity) -> str:
        f = a.from_property
        return ((f.aad_object_id or f.id) if f else None) or "unknown"

    @staticmethod
    def channel_of(a: Activity) -> str | None:
        data = a.channel_data if isinstance(a.channel_data, dict) else {}
        return (data.get("channel") or {}).get("id") or data.get("teamsChannelId")

    async def case_for(self, a: Activity) -> str | None:
        """The case whose channel (or, without Graph, whose thread) this activity came from."""
        conv = a.conversation.id if a.conversation else ""
        for candidate in (conv, self.channel_of(a), conv.split(THREAD_MARK)[0]):
            if candidate:
                code = await self.core.case_for_channel(PLATFORM, candidate)
                if code:
                    return code
        return None

    @staticmethod
    def mentioned(a: Activity, raw: str) -> bool:
        bot = a.recipient.id if a.recipient else None
        for entity in a.entities or []:
            data = entity.model_dump(by_alias=True) if hasattr(entity, "model_dump") else dict(entity)
            if data.get("type") == "mention" and (data.get("mentioned") or {}).get("id") == bot:
                return True
        return raw.lstrip().lower().startswith("<at>")

    # -- messages --------------------------------------------------------------------------------------
    async def on_message(self, context: TurnContext, state: TurnState) -> None:
        a = context.activity
        try:
            await self.refs.remember(a)
            if not await self.core.first_receipt(PLATFORM, f"{a.conversation.id}:{a.id}"):
                return  # Teams retried a message we already handled
            await self._message(context, a)
        except Exception as exc:
            log_failure("a message", exc)
            await self._say(context, SORRY)

    async def on_edit(self, context: TurnContext, state: TurnState) -> None:
        """An edited message in a case channel is screened again (it keeps its id, so the key adds the text)."""
        a = context.activity
        try:
            await self.refs.remember(a)
            digest = hashlib.sha256((a.text or "").encode()).hexdigest()[:16]
            personal = is_personal(a)
            if personal or not await self.core.first_receipt(PLATFORM, f"edit:{a.conversation.id}:{a.id}:{digest}"):
                return
            code = await self.case_for(a)
            if code:
                await self._screen(context, a, code, self.identify(a))
        except Exception as exc:
            log_failure("an edited message", exc)

    async def _screen(self, context: TurnContext, a: Activity, code: str, member: Member | None) -> bool:
        """True when the message was blocked (the core has told the poster and the Business Unit)."""
        raw = a.text or ""
        if not raw.strip():
            return False
        screening = await self.core.screen_message(Invocation(PLATFORM, self.who(a), member,
                                                              text=html.unescape(_TAG.sub(" ", raw)), case_code=code))
        if screening.blocked:
            await self._remove(context, a)
        return screening.blocked

    async def _message(self, context: TurnContext, a: Activity) -> None:
        raw = a.text or ""
        personal = is_personal(a)
        member = self.identify(a)
        code = None if personal else await self.case_for(a)
        if code and await self._screen(context, a, code, member):
            return
        if not (personal or self.mentioned(a, raw)):
            return  # conversation in a case channel, not addressed to the bot
        text = command_text(raw)
        if not text:
            text = "help"
        inv = Invocation(PLATFORM, self.who(a), member, text=text, case_code=code, private=personal)
        if personal and text.split()[0].lower() == "watch":
            reply = await self._watch(inv, text)
        else:
            reply = await self.core.handle(inv)
        try:
            await self._reply(context, reply, member)
        except Exception as exc:
            # The work is done and committed: SORRY ("may not have been completed") would invite the person to
            # type it again (a second action, a second line of enquiry). Send the answer once more, as plain text.
            log_failure("a reply", exc)
            await self._say(context, reply.text)

    async def _watch(self, inv: Invocation, text: str) -> Reply:
        """`watch rr-2026-001 "Name One" "Name Two"`: names the PII guard looks for in that case's channel."""
        try:
            words = shlex.split(text.translate({0x201C: '"', 0x201D: '"'}))
        except ValueError:
            return Reply(False, 'Put each name in straight quotes: watch rr-2026-001 "Name One" "Name Two"')
        if len(words) < 2:
            return Reply(False, 'Usage: watch CASE "Name One" "Name Two" (an empty list clears it)')
        return await self.core.set_watch_names(inv, words[1].lower(), words[2:])

    def _where_the_case_is(self, reply: Reply) -> Reply:
        """Without Graph a case is a thread in TEAMS_CHANNEL_ID that the whole channel can read: the core's
        "Its private channel is #rr-…" would promise a privacy it does not have."""
        if self.cfg.graph or not self.cfg.channel_id or not reply.case_code:
            return reply
        sentence = CHANNEL_SENTENCE.format(code=reply.case_code)
        if sentence not in reply.text:
            return reply
        return Reply(reply.ok, reply.text.replace(sentence, THREAD_SENTENCE), reply.case_code, reply.card, reply.data)

    async def _reply(self, context: TurnContext, reply: Reply, member: Member | None) -> None:
        reply = self._where_the_case_is(reply)
        activity = MessageFactory.text(for_message(reply.text))
        if reply.card is not None:
            kind, ctx = reply.card
            card = cards.render(kind, ctx, viewer=member, partnership=self.p, refresh_ids=await self.port.refresh_ids(kind))
            activity.attachments = [cards.attachment(card)]
        await context.send_activity(activity)

    async def _remove(self, context: TurnContext, a: Activity) -> None:
        """Hide the flagged message where Graph allows; otherwise say in the thread that it must go."""
        conv = a.conversation.id if a.conversation else ""
        root = conv.split(THREAD_MARK, 1)[1] if THREAD_MARK in conv else None
        channel = self.channel_of(a)
        if channel and await self.port.hide_message(channel, a.id, root):
            return
        await self._say(context, "A message here was flagged by the privacy guard but could not be removed "
                                 "automatically. Its author has been told privately: please delete it and do not quote it.")

    @staticmethod
    async def _say(context: TurnContext, text: str) -> None:
        try:
            await context.send_activity(MessageFactory.text(for_message(text)))
        except Exception as exc:  # nothing more can be done in this turn
            log_failure("a reply", exc)

    # -- card actions ----------------------------------------------------------------------------------
    async def on_execute(self, context: TurnContext, state: TurnState, data: Any) -> AdaptiveCardInvokeResponse:
        a = context.activity
        try:
            await self.refs.remember(a)
            value = a.value if isinstance(a.value, dict) else {}
            verb = str((value.get("action") or {}).get("verb") or "")
            data = data if isinstance(data, dict) else {}
            # A retried invoke is answered with the card as it is now, so nothing is done twice. Approve needs no
            # receipt (a database write): the core answers a repeat of a standing approval from a plain read.
            if verb not in IDEMPOTENT_VERBS and not await self.core.first_receipt(PLATFORM, f"{a.conversation.id}:{a.id}"):
                verb = "refresh"
            personal = is_personal(a)
            inv = Invocation(PLATFORM, self.who(a), self.identify(a), private=personal)
            kind, body = await self.actions.execute(verb, data, inv)
        except Exception as exc:
            log_failure("a card action", exc)
            return AdaptiveCardInvokeResponse(status_code=HTTPStatus.INTERNAL_SERVER_ERROR,
                                              type="application/vnd.microsoft.error",
                                              value={"code": "InternalError", "message": SORRY})
        return AdaptiveCardInvokeResponse(status_code=HTTPStatus.OK, type=kind, value=body)

    # -- everything else -----------------------------------------------------------------------------------
    async def on_update(self, context: TurnContext, state: TurnState) -> None:
        """The bot was added to a team or chat: remember where, so it can post there later."""
        try:
            await self.refs.remember(context.activity)
        except Exception as exc:
            log_failure("a conversation update", exc)

    async def on_error(self, context: TurnContext, err: Exception) -> None:
        log_failure("a turn", err)


async def quiet_turn_error(context: TurnContext, error: Exception) -> None:
    """Replaces the adapter's default, which posts `Exception caught : <message>` into the chat."""
    log_failure("a turn (adapter)", error)
