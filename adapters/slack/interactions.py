"""Buttons and modals: every click and form becomes a core Command, authorised exactly like typed text.

A button carries only the case code and a version, agency, number or reminder id. Buttons that need
more (a return, a reason) open a modal; the submission goes to the core, and its refusals come back
as field errors so nothing typed is lost. Double clicks on one-shot buttons are dropped in the
database (the same person, button, value and message), so the second never produces a second effect.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import replace
from typing import Any

import aiohttp
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackClientError

from adapters.slack import forms
from adapters.slack.config import PLATFORM
from adapters.slack.cards import escape_mrkdwn
from adapters.slack.handlers import Deps
from bot import buttons
from bot.context import Invocation
from bot.core import Reply
from bot.grammar import Command
from bot.identifiers import case_code_problem, may_act_for_agency, positive_int
from bot.roles import may_run

log = logging.getLogger("rapidreview.slack")

LINKS = {"rr_open_report"}  # URL buttons (a person's own report link)
REMINDER = {"rr_reminder_done": "done", "rr_reminder_snooze": "snooze", "rr_reminder_not_mine": "not_mine"}
_MAX_ERROR = 2000


def _value(action: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    raw = action.get("value") or (action.get("selected_option") or {}).get("value") or "{}"
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = {}
    return raw, value if isinstance(value, dict) else {}


def register(bolt: AsyncApp, deps: Deps) -> None:
    core, p = deps.core, deps.partnership

    async def refused_unless_allowed(inv: Invocation, cmd: Command) -> Reply | None:
        """Before opening a form: a refusal (audited by the core, as for text) if this person may not run it,
        or (a return) may not act for the agency the button names: the core refuses that too, and says why."""
        if inv.member is not None and may_run(inv.member, cmd.verb, cmd.option):
            agencies = {a.key for a in p.agencies}
            if "agency" not in cmd.args or may_act_for_agency(inv.member, cmd.args["agency"], agencies):
                return None
            if not isinstance(cmd.args["agency"], str) or len(cmd.args["agency"]) > 40:
                return Reply(False, "That button names no agency: it may have been altered.")
        return await core.handle(replace(inv, command=cmd))

    def tell(respond, text: str) -> None:  # noqa: ANN001
        """The reply goes to the person only (response_url), after the ack."""
        deps.background.spawn(respond(text=escape_mrkdwn(text)[:3000], response_type="ephemeral",
                                      replace_original=False), "ephemeral reply")

    @bolt.action(re.compile(r"^rr_"))
    async def on_action(ack, body, action, client, respond):  # noqa: ANN001
        aid = action.get("action_id", "")
        raw, value = _value(action)
        user = (body.get("user") or {}).get("id", "")
        problem = _value_problem(aid, value)
        if problem:
            await ack()
            tell(respond, problem)
            return
        inv = Invocation(PLATFORM, user, p.by_slack_id(user), case_code=value.get("case"),
                         private=((body.get("channel") or {}).get("id") or "").startswith("D"))
        opener = _form_for(aid, value, p)
        if opener is not None:
            cmd, view = opener
            refusal = await refused_unless_allowed(inv, cmd)
            if refusal is None:
                try:
                    await client.views_open(trigger_id=body["trigger_id"], view=view)
                # A timeout or a dropped connection is not a SlackClientError: it must not crash the click either.
                except (SlackClientError, KeyError, asyncio.TimeoutError, aiohttp.ClientError) as exc:
                    log.warning("views.open failed for %s: %s", aid, type(exc).__name__)
                    refusal = Reply(False, "The form could not be opened: please try again.")
            await ack()
            if refusal is not None:
                tell(respond, refusal.text)
            return
        if aid in LINKS:
            await ack()  # Slack opens the link itself; it only tells us the button was pressed
            return
        message_ts = (body.get("container") or {}).get("message_ts") or ""
        if not await core.first_receipt(PLATFORM, f"click:{user}:{aid}:{raw}:{message_ts}"):
            await ack()  # a double click: the first one did the work
            return
        if aid in REMINDER:
            # The command rides along so an unknown person is refused and audited like any other.
            reply = await core.reminder_action(replace(inv, command=Command("reminder", REMINDER[aid])),
                                               positive_int(value.get("reminder")) or 0, REMINDER[aid])
        elif (cmd := buttons.command_for(aid.removeprefix("rr_"), value)) is not None:
            # A button that changes something at once: its command comes from the core's one button table.
            reply = await core.handle(replace(inv, command=cmd))
        else:
            reply = Reply(False, "That button is not known to this version of the bot.")
        await ack()
        if reply.text:
            tell(respond, reply.text)

    @bolt.view(forms.NEW_CASE)
    async def on_new_case(ack, body, view):  # noqa: ANN001
        cmd, errors = forms.read_new_case(view)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        reply = await core.handle(_invocation(body, p, None, cmd))
        if not reply.ok:
            await ack(response_action="errors", errors={forms.refusal_block(reply.text): reply.text[:_MAX_ERROR]})
            return
        await ack(response_action="update", view=forms.result_view("Case opened", reply.text))

    @bolt.view(forms.AGENCY_RETURN)
    async def on_return(ack, body, view):  # noqa: ANN001
        cmd, origin = forms.read_agency_return(view)
        problem = case_code_problem(forms.metadata(view).get("case"))
        if problem:
            await ack(response_action="errors", errors={"involvement": problem})
            return
        reply = await core.handle(_invocation(body, p, forms.metadata(view).get("case"), cmd))
        if not reply.ok:
            errors = forms.return_errors(reply.data.get("field_errors") or {}, origin) or \
                {"involvement": reply.text[:_MAX_ERROR]}
            await ack(response_action="errors", errors=errors)
            return
        await ack(response_action="update", view=forms.result_view("Return recorded", reply.text))

    @bolt.view(forms.VOTE)
    async def on_vote(ack, body, view):  # noqa: ANN001
        await _reasoned(ack, body, view, forms.read_vote(view), "View recorded")

    @bolt.view(forms.DISAGREE)
    async def on_disagree(ack, body, view):  # noqa: ANN001
        await _reasoned(ack, body, view, forms.read_disagree(view), "Disagreement recorded")

    async def _reasoned(ack, body, view, cmd: Command, done: str) -> None:  # noqa: ANN001
        if cmd.verb == "vote" and cmd.option is None:
            await ack(response_action="errors", errors={"choice": "Choose LCSPR or no LCSPR."})
            return
        if not (cmd.args.get("reason") or "").strip():
            await ack(response_action="errors", errors={"reason": "Say why, without identifying details."})
            return
        problem = case_code_problem(forms.metadata(view).get("case"))
        if problem:
            await ack(response_action="errors", errors={"reason": problem})
            return
        reply = await core.handle(_invocation(body, p, forms.metadata(view).get("case"), cmd))
        if not reply.ok:
            await ack(response_action="errors", errors={"reason": reply.text[:_MAX_ERROR]})
            return
        await ack(response_action="update", view=forms.result_view(done, reply.text))


def _value_problem(aid: str, value: dict[str, Any]) -> str | None:
    """What is wrong with a button's value (forged or altered), before anything is looked up or stored."""
    if aid in LINKS:
        return None
    if value.get("case") is not None or aid not in REMINDER:
        problem = case_code_problem(value.get("case"))
        if problem:
            return problem
    for key in ("version", "number", "reminder"):
        if key in value and value[key] is not None and positive_int(value[key]) is None:
            return f"That button's {key} is not a whole number from 1: it may have been altered."
    for key in ("agency", "recipient"):
        if key in value and not (isinstance(value[key], str) and len(value[key]) <= 40):
            return f"That button's {key} is not valid: it may have been altered."
    return None


def _invocation(body: dict[str, Any], p, case_code: str | None, cmd: Command) -> Invocation:  # noqa: ANN001
    user = (body.get("user") or {}).get("id", "")
    return Invocation(PLATFORM, user, p.by_slack_id(user), command=cmd, case_code=case_code)


def _form_for(aid: str, value: dict[str, Any], p) -> tuple[Command, dict] | None:  # noqa: ANN001
    """The command a form-opening button stands for (to check permission first) and the form to open."""
    code = value.get("case") or ""
    if aid == "rr_return_open":
        key = value.get("agency") or ""
        name = next((a.name for a in p.agencies if a.key == key), key)
        return Command("return", None, {"agency": key}), forms.agency_return_view(code, key, name)
    if aid in ("rr_vote_lcspr", "rr_vote_no_lcspr"):
        choice = "lcspr" if aid == "rr_vote_lcspr" else "no-lcspr"
        return Command("vote", choice, {}), forms.vote_view(code, choice)
    if aid == "rr_disagree_open":
        return Command("disagree", None, {}), forms.disagree_view(code, positive_int(value.get("version")) or 0)
    return None
