"""`/rapidreview`, channel messages and retry de-duplication: Slack payloads in, core calls out.

Bolt runs in process-before-response mode, so the HTTP answer goes back when the listener returns.
`/rapidreview` therefore acks at once with an empty body and does the work after: the core (which
validates, authorises and commits in one transaction) runs in a background task and its reply goes to
the person through the command's response_url, as an ephemeral message. Slack wants an answer within
3 seconds and an executive lead on a phone should not watch a spinner while we read the case file.
Channel-wide news is never posted from here: it comes from the outbox.
"""
from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp
from sqlalchemy.exc import IntegrityError
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (AsyncConnectionErrorRetryHandler,
                                                         AsyncRateLimitErrorRetryHandler,
                                                         AsyncServerErrorRetryHandler)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import forms
from adapters.slack.config import PLATFORM
from adapters.slack.cards import CardRenderer, escape_mrkdwn
from adapters.slack.port import call
from bot import inbound
from bot.context import Invocation
from bot.core import Core, Reply
from bot.grammar import Command, ParseError, read_only, tokenize
from bot.partnership import Partnership
from bot.ports import DeliveryError
from bot.roles import may_run

log = logging.getLogger("rapidreview.slack")
COMMAND = "/rapidreview"
_SCREENED_SUBTYPES = (None, "file_share", "thread_broadcast", "message_changed")


# How many commands run at once after their acks. Beyond that they queue (cheaply, on a semaphore), so
# a burst still gets every ack back fast instead of every ack waiting behind everyone's database work.
COMMAND_SLOTS = 8
SORRY = ("Something went wrong on the bot's side and your command may not have been completed. Check the case "
         "status (`/rapidreview status`), try again, or tell the Business Unit.")
REPLY_TIMEOUT = 10  # seconds per attempt at a response_url; Slack keeps one valid for 30 minutes


# Work spawned while an HTTP request is being answered waits here until the answer has been written:
# started at once, its first steps (building queries, opening a session) would run before our response
# bytes went out, and Slack would wait for them.
_HELD: ContextVar[list[tuple[Coroutine[Any, Any, Any], str]] | None] = ContextVar("slack_after_response", default=None)


class Background:
    """Tasks that run after the ack (commands, replies via response_url, removing a flagged message).
    Tracked so shutdown (and tests) can wait for them; a failure is logged, never raised into Bolt."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task] = set()
        self.command_slots = asyncio.Semaphore(COMMAND_SLOTS)
        self.new_case_lock = asyncio.Lock()

    @contextmanager
    def after_response(self) -> Iterator[list[tuple[Coroutine[Any, Any, Any], str]]]:
        """Hold what is spawned inside the block; the caller starts it (`start`) once the response is out."""
        held: list[tuple[Coroutine[Any, Any, Any], str]] = []
        token = _HELD.set(held)
        try:
            yield held
        except BaseException:
            for work, _ in held:
                work.close()  # never started: nothing to undo
            held.clear()
            raise
        finally:
            _HELD.reset(token)

    def start(self, held: list[tuple[Coroutine[Any, Any, Any], str]]) -> None:
        for work, what in held:
            self.spawn(work, what)
        held.clear()

    def spawn(self, work: Coroutine[Any, Any, Any], what: str) -> None:
        held = _HELD.get()
        if held is not None:
            held.append((work, what))
            return
        task = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(lambda t: self._done(t, what))

    def _done(self, task: asyncio.Task, what: str) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("Slack background task failed (%s): %s", what, type(task.exception()).__name__)

    async def idle(self) -> None:
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)


@dataclass
class Deps:
    core: Core
    partnership: Partnership
    cards: CardRenderer
    client: AsyncWebClient
    admin_client: AsyncWebClient | None = None  # a user token allowed to delete other people's messages
    background: Background = field(default_factory=Background)
    inbound: inbound.InboundQueue | None = None  # commands kept from before their ack until answered


def reply_message(reply: Reply, cards: CardRenderer) -> dict[str, Any]:
    """An ephemeral answer: the core's text, with its card's blocks when it has one (e.g. `status`)."""
    # A message's text may be far longer than a block's 3,000 characters; 12,000 keeps any reply whole.
    text = escape_mrkdwn(reply.text)[:12000] or "Done."
    msg: dict[str, Any] = {"text": text, "response_type": "ephemeral"}
    if reply.card is not None:
        msg["blocks"] = cards.message(*reply.card)["blocks"]
    return msg


def receipt_key(body: Any) -> str | None:
    """What makes a request the same request when Slack retries it or someone replays it."""
    if not isinstance(body, dict):
        return None
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    trigger = body.get("trigger_id")
    if trigger and body.get("type") in ("block_actions", "view_submission"):
        return f"{body['type']}:{trigger}"
    if trigger and body.get("command"):
        return f"command:{trigger}"
    return None


def register(bolt: AsyncApp, deps: Deps) -> None:
    core, p = deps.core, deps.partnership

    @bolt.middleware
    async def first_receipt_only(req, resp, next):  # noqa: ANN001, A002 (Bolt passes these by name)
        # In the database, so a retry that lands on another replica is dropped too. A command's receipt is
        # written with the command itself (on_command). An event's receipt commits with what the event caused
        # (or, if it caused nothing, just after): a crash while screening a message leaves no receipt, so
        # Slack's retry (it retries an event that was not acknowledged) screens it again.
        key = receipt_key(req.body)
        if not key or key.startswith("command:"):
            return await next()
        if key.startswith("event:"):  # its receipt is written with its outcome (on_message)
            if await inbound.seen(core.db, PLATFORM, key):
                return _dropped(key)
            return await next()
        if not await core.first_receipt(PLATFORM, key):
            return _dropped(key)
        return await next()

    @bolt.command(COMMAND)
    async def on_command(ack, body):  # noqa: ANN001
        # The ack is sent when this listener returns: only once the command is safely in the database.
        if deps.inbound is None or _wants_new_case_form(deps, body):
            await ack()
            deps.background.spawn(run_command(deps, body), "a /rapidreview command")
            return
        try:
            work_id = await deps.inbound.accept(PLATFORM, receipt_key(body) or f"command:{_now_id()}",
                                                COMMAND_WORK, command_payload(body))
        except Exception as exc:  # noqa: BLE001 (the database is away: say so now rather than promise anything)
            log.warning("a /rapidreview command could not be kept before its ack: %s", type(exc).__name__)
            await ack(text=NOT_KEPT, response_type="ephemeral")
            return
        await ack()
        if work_id is None:
            log.info("dropped a repeated Slack request (command)")
            return
        deps.background.spawn(finish_command(deps, work_id), "a /rapidreview command")

    @bolt.event("message")
    async def on_message(event, body):  # noqa: ANN001
        subtype = event.get("subtype")
        if subtype not in _SCREENED_SUBTYPES:
            return  # joins, topic changes, deletions: nothing anyone typed
        msg = event
        if subtype == "message_changed":
            msg = event.get("message") or {}
            # Only an edit of the text is new: thread replies and unfurls also "change" a message,
            # and re-screening those would alert (and post a notice) again and again.
            if event.get("hidden") or msg.get("text") == (event.get("previous_message") or {}).get("text"):
                return
        user = msg.get("user")
        if not user or msg.get("bot_id"):
            return
        channel = event.get("channel") or ""
        code = await core.case_for_channel(PLATFORM, channel)
        if code is None:
            return  # not a case channel: the bot only watches its own channels
        # File names and titles are typed by people too.
        text = "\n".join([msg.get("text") or ""] + [f.get(k) or "" for f in msg.get("files") or []
                                                    for k in ("name", "title")])
        # The receipt commits with what the screening wrote (or just after, if nothing): a crash mid-screening
        # leaves no receipt, so Slack's retry of the unacknowledged event is screened instead of dropped.
        key = receipt_key(body) or ""
        try:
            with inbound.receipt_with_outcome(PLATFORM, key) as receipt:
                verdict = await core.screen_message(Invocation(PLATFORM, user, p.by_slack_id(user), text=text,
                                                               case_code=code))
        except IntegrityError:  # a copy of this event (Slack's retry) was screened at the same moment
            log.info("dropped a repeated Slack request (event)")
            return
        if key and not receipt["written"]:
            await inbound.record(core.db, PLATFORM, key)
        if verdict.blocked:
            deps.background.spawn(_hide(deps, channel, msg.get("ts") or "", user, code, verdict.description),
                                  "removing a flagged message")


COMMAND_WORK = "slack_command"
NOT_KEPT = ("The bot cannot reach its database just now, so nothing was done. Please try again in a minute; if it "
            "keeps happening, tell the Business Unit.")
RESPONSE_URL_VALID = 30 * 60  # seconds: after this Slack refuses a response_url, so the answer goes by DM
RESTARTED = ("The bot restarted while answering your `{text}` command. It was completed: check the case "
             "(`/rapidreview status`) to see where it stands.")


def _dropped(key: str) -> BoltResponse:
    log.info("dropped a repeated Slack request (%s)", key.split(":", 1)[0])
    return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})


def _now_id() -> str:
    import uuid

    return uuid.uuid4().hex


def command_payload(body: dict[str, Any]) -> dict[str, Any]:
    """What is needed to run a command and answer it later, and nothing else."""
    keep = ("user_id", "channel_id", "channel_name", "text", "response_url", "trigger_id", "team_id")
    return {k: str(body.get(k) or "") for k in keep}


def _wants_new_case_form(deps: Deps, body: dict[str, Any]) -> bool:
    """A bare `new` from someone allowed to open a case opens a form (nothing is changed, and its trigger_id
    expires in 3 s, so it is not queued)."""
    member = deps.partnership.by_slack_id(str(body.get("user_id") or ""))
    return (str(body.get("text") or "")).strip().lower() == "new" and member is not None and may_run(member, "new")


async def finish_command(deps: Deps, work_id: int) -> None:
    """Run an acknowledged command (kept in inbound_work) and answer it. Called after the ack by the process
    that took it, or by any replica's sweep when that process died. A command whose outcome committed is
    never run again: its kept answer (or a note that it was completed) is sent instead."""
    queue = deps.inbound
    async with deps.background.command_slots:
        work = await queue.claim(work_id)
        if work is None:
            return  # finished, or being finished by someone else
        body, msg = work.payload, work.reply
        if msg is None and work.attempts > inbound.MAX_CLAIMS and not work.committed:
            log.warning("a /rapidreview command was given up after %d claims", work.attempts)
            msg = {"response_type": "ephemeral", "text": SORRY}  # it may be what stops the process: not again
        if msg is None:
            msg = await _run_kept(deps, work_id, work.committed, body)
            await queue.keep_reply(work_id, msg)
    await answer(deps, body, msg, work.received_at)
    await queue.done(work_id)


async def _run_kept(deps: Deps, work_id: int, committed: bool, body: dict[str, Any]) -> dict[str, Any]:
    from sqlalchemy.exc import DBAPIError

    queue = deps.inbound
    for attempt in range(inbound.MAX_ATTEMPTS):
        if committed or (attempt and await queue.is_committed(work_id)):
            verb = (body.get("text") or "help").split()[0][:20] if (body.get("text") or "").split() else "help"
            return {"response_type": "ephemeral", "text": RESTARTED.format(text=escape_mrkdwn(verb))}
        try:
            with queue.committing(work_id):
                if _verb(body) == "new":
                    # One new case at a time in this process: a burst of `new` otherwise has every command in it
                    # take the same next case number and all but one start again (IntegrityError), over and over.
                    async with deps.background.new_case_lock:
                        return await _command_reply(deps, body)
                return await _command_reply(deps, body)
        except DBAPIError as exc:  # e.g. two replicas numbering a new case at once, or a dropped connection
            log.info("a /rapidreview command will be tried again: %s", type(exc).__name__)
            await asyncio.sleep(0.02 * (attempt + 1) + random.random() * 0.2)  # apart, not in step
        except Exception as exc:  # noqa: BLE001 (the ack has gone: the person must still hear something)
            log.warning("a /rapidreview command failed after its ack: %s", type(exc).__name__)
            break
    return {"response_type": "ephemeral", "text": SORRY}


async def answer(deps: Deps, body: dict[str, Any], msg: dict[str, Any], received_at) -> None:  # noqa: ANN001
    """Through response_url while Slack still accepts it; after that, a direct message to the person."""
    import time as _time

    age = _time.time() - received_at.timestamp()
    if body.get("response_url") and age < RESPONSE_URL_VALID - 60:
        await send_reply(body["response_url"], msg)
        return
    try:
        await deps.client.chat_postMessage(channel=body.get("user_id", ""), text=msg.get("text") or "Done.",
                                           blocks=msg.get("blocks"), unfurl_links=False, unfurl_media=False)
    except Exception as exc:  # noqa: BLE001
        log.warning("a command's late answer could not be sent by direct message: %s", type(exc).__name__)


async def run_command(deps: Deps, body: dict[str, Any]) -> None:
    """A command's work, after its ack: drop a replayed request, run it, answer through response_url."""
    msg = await _open_new_case_form(deps, body)  # before queueing: its trigger_id expires 3 s after the click
    if msg is False:
        async with deps.background.command_slots:
            try:
                key = None if read_only(_verb(body)) else receipt_key(body)
                if key and not await deps.core.first_receipt(PLATFORM, key):
                    log.info("dropped a repeated Slack request (command)")
                    return
                msg = await _command_reply(deps, body)
            except Exception as exc:  # noqa: BLE001 (the ack has gone: the person must still hear something)
                log.warning("a /rapidreview command failed after its ack: %s", type(exc).__name__)
                msg = {"response_type": "ephemeral", "text": SORRY}
    if msg is not None and body.get("response_url"):
        await send_reply(body["response_url"], msg)


async def _open_new_case_form(deps: Deps, body: dict[str, Any]) -> dict[str, Any] | None | Literal[False]:
    """A bare `new` from someone allowed to open a case: open the form (None), or say why it could not be
    opened (a reply). False for anything else. Opening a form changes nothing, so a replay needs no receipt."""
    member = deps.partnership.by_slack_id(body.get("user_id", ""))
    if (body.get("text") or "").strip().lower() != "new" or member is None or not may_run(member, "new"):
        return False
    try:
        await deps.client.views_open(trigger_id=body["trigger_id"], view=forms.new_case_view())
        return None
    except (SlackClientError, KeyError, asyncio.TimeoutError, aiohttp.ClientError) as exc:
        log.warning("views.open for the new-case form failed: %s", type(exc).__name__)
        return {"response_type": "ephemeral", "text": 'The form could not be opened. Type the command instead, for '
                                                      'example: /rapidreview new pseudonym="Child V" aware=2026-12-18'}


def _verb(body: dict[str, Any]) -> str:
    words = (body.get("text") or "").split()
    return words[0].lower() if words else "help"


async def _command_reply(deps: Deps, body: dict[str, Any]) -> dict[str, Any]:
    """What to tell the person."""
    core, p = deps.core, deps.partnership
    user, channel = body.get("user_id", ""), body.get("channel_id") or ""
    member = p.by_slack_id(user)
    text = (body.get("text") or "").strip() or "help"
    private = channel.startswith("D") or body.get("channel_name") == "directmessage"
    code = await core.case_for_channel(PLATFORM, channel) if channel else None
    inv = dict(platform=PLATFORM, platform_user=user, member=member, case_code=code, private=private)
    if text.lower() == "new":
        # Not allowed to open a case (those who are got the form): refused and audited as the typed command is.
        reply = await core.handle(Invocation(**inv, command=Command("new", None, {})))
    elif text.split()[0].lower() == "watch":
        reply = await _watch(core, Invocation(**inv), text)
    else:
        reply = await core.handle(Invocation(**inv, text=text))
    return reply_message(reply, deps.cards)


async def send_reply(response_url: str, msg: dict[str, Any]) -> None:
    """POST an ephemeral reply to a response_url, retrying what Slack says is worth retrying (connection
    errors, 429 with Retry-After, 5xx). The work it reports is already committed, and anything the
    channel must see goes through the outbox, so a reply that still fails is logged, not re-queued."""
    hook = AsyncWebhookClient(response_url, timeout=REPLY_TIMEOUT, retry_handlers=[
        AsyncConnectionErrorRetryHandler(max_retry_count=2), AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        AsyncServerErrorRetryHandler(max_retry_count=2)])
    try:
        resp = await hook.send_dict({**msg, "replace_original": False})  # a new message, never an edit
        if resp.status_code != 200:
            log.warning("a command's reply was refused by Slack: HTTP %s", resp.status_code)
    except Exception as exc:  # noqa: BLE001 (whatever the network does, the ack has long gone)
        log.warning("a command's reply could not be sent: %s", type(exc).__name__)


async def _watch(core: Core, inv: Invocation, text: str) -> Reply:
    """`watch CASE "Name" "Name"`: the names the PII guard looks for (Business Unit, in a DM with the bot)."""
    try:
        words = tokenize(text)[1:]
    except ParseError as exc:
        return Reply(False, str(exc))
    code = next((w.lower() for w in words if w.lower().startswith(f"{core.partnership.partnership.case_code_prefix}-")), None)
    if code is None:
        return Reply(False, 'Which case? For example (in a direct message with the bot): watch rr-2026-007 "First Last"')
    return await core.set_watch_names(inv, code, [w for w in words if w.lower() != code])


async def _hide(deps: Deps, channel: str, ts: str, user: str, code: str, found: str) -> None:
    """Delete the flagged message if an admin user token allows it; otherwise ask for it to be deleted.
    The bot token can delete only the bot's own messages, whatever its scopes. Each step is tried on its
    own: the audit record and the private alerts are already committed by the core, whatever happens here."""
    removed = False
    if deps.admin_client is not None:
        removed = await _try("chat.delete", code, deps.admin_client.chat_delete(channel=channel, ts=ts))
    if not removed:
        await _try("chat.postMessage", code, deps.client.chat_postMessage(
            channel=channel, thread_ts=ts, unfurl_links=False, unfurl_media=False, link_names=False,
            text=f"The PII guard flagged the message above ({found}). The bot cannot delete it: please delete it now "
                 "(the poster, or a workspace admin). The Business Unit has been alerted; the content was not kept."))
    what = "It was removed." if removed else "Please delete it now (More actions > Delete message)."
    await _try("chat.postEphemeral", code, deps.client.chat_postEphemeral(
        channel=channel, user=user, link_names=False,
        text=f"Your message in {code} looked like it contained {found}. {what} Post again using the case code, the "
             "pseudonym and roles only: never names, dates of birth, addresses or schools."))


async def _try(method: str, code: str, pending: Awaitable[Any]) -> bool:
    try:
        await call(method, pending)
        return True
    except DeliveryError as exc:
        log.warning("PII guard clean-up in %s: %s", code, exc)
        return False
