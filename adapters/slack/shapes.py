"""The shapes of Slack's payloads that the adapter reads, checked before Bolt or a listener sees them.

Bolt and our listeners assume Slack's own types (an event's channel is a string, a payload's user an
object, its actions a list of objects). A signed body with other types is the sender's mistake or a
forgery: it gets a 400 naming the field, never a 500 from deep inside a listener.
"""
from __future__ import annotations

from typing import Any

OPT_STR = (str, type(None))
OPT_DICT = (dict, type(None))
OPT_LIST = (list, type(None))

EVENT_FIELDS = {"type": OPT_STR, "user": OPT_STR, "channel": OPT_STR, "text": OPT_STR, "ts": OPT_STR,
                "subtype": OPT_STR, "bot_id": OPT_STR, "channel_type": OPT_STR, "event_ts": OPT_STR,
                "thread_ts": OPT_STR, "message": OPT_DICT, "previous_message": OPT_DICT, "files": OPT_LIST,
                "hidden": (bool, type(None))}
INNER_MESSAGE_FIELDS = {"user": OPT_STR, "text": OPT_STR, "ts": OPT_STR, "bot_id": OPT_STR, "files": OPT_LIST}
PAYLOAD_FIELDS = {"type": (str,), "user": OPT_DICT, "team": OPT_DICT, "trigger_id": OPT_STR, "response_url": OPT_STR,
                  "container": OPT_DICT, "channel": OPT_DICT, "message": OPT_DICT, "view": OPT_DICT,
                  "actions": OPT_LIST, "api_app_id": OPT_STR, "response_urls": OPT_LIST}
ACTION_FIELDS = {"action_id": (str,), "block_id": OPT_STR, "value": OPT_STR, "type": OPT_STR, "action_ts": OPT_STR,
                 "selected_option": OPT_DICT}
VIEW_FIELDS = {"id": OPT_STR, "callback_id": OPT_STR, "private_metadata": OPT_STR, "state": OPT_DICT,
               "blocks": OPT_LIST, "type": OPT_STR}


def _fields(obj: dict[str, Any], spec: dict[str, tuple[type, ...]], where: str) -> str | None:
    for key, types in spec.items():
        if key in obj and not isinstance(obj[key], types) or (key not in obj and type(None) not in types):
            return f"{where}{key} is not {_name(types)}"
    return None


def _name(types: tuple[type, ...]) -> str:
    return {str: "a string", dict: "an object", list: "a list", bool: "true or false"}.get(types[0], types[0].__name__)


def _files(files: list[Any] | None, where: str) -> str | None:
    for f in files or []:
        if not isinstance(f, dict) or not all(isinstance(f.get(k), OPT_STR) for k in ("name", "title")):
            return f"{where}files holds something that is not a file"
    return None


def event_problem(data: dict[str, Any]) -> str | None:
    """An Events API envelope (JSON)."""
    if not isinstance(data.get("type", ""), str):
        return "type is not a string"
    if data.get("type") != "event_callback":
        return None
    if not isinstance(data.get("event_id", ""), str):
        return "event_id is not a string"
    event = data.get("event")
    if not isinstance(event, dict):
        return "event is not an object"
    if not isinstance(event.get("type"), str):
        return "event.type is not a string"
    if event["type"] not in ("message", "app_mention"):
        return None  # not read by the adapter (and e.g. channel_rename's channel is an object)
    problem = _fields(event, EVENT_FIELDS, "event.") or _files(event.get("files"), "event.")
    if problem:
        return problem
    for inner in ("message", "previous_message"):
        if isinstance(event.get(inner), dict):
            problem = _fields(event[inner], INNER_MESSAGE_FIELDS, f"event.{inner}.") or \
                _files(event[inner].get("files"), f"event.{inner}.")
            if problem:
                return problem
    return None


def payload_problem(payload: dict[str, Any]) -> str | None:
    """An interactive payload (the `payload` form field of a click, a submission or a shortcut)."""
    problem = _fields(payload, PAYLOAD_FIELDS, "payload.")
    if problem:
        return problem
    kind = payload["type"]
    if kind in ("block_actions", "view_submission", "view_closed", "shortcut", "message_action"):
        user = payload.get("user")
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            return "payload.user.id is not a string"
    for key in ("channel", "container", "message"):
        obj = payload.get(key) or {}
        for field in ("id", "channel_id", "message_ts", "ts"):
            if field in obj and not isinstance(obj[field], OPT_STR):
                return f"payload.{key}.{field} is not a string"
    if kind == "block_actions":
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions:
            return "payload.actions is not a list of actions"
        for action in actions:
            if not isinstance(action, dict):
                return "payload.actions holds something that is not an action"
            problem = _fields(action, ACTION_FIELDS, "payload.actions[].")
            if problem:
                return problem
            chosen = action.get("selected_option") or {}
            if not isinstance(chosen.get("value", ""), str):
                return "payload.actions[].selected_option.value is not a string"
    if kind in ("view_submission", "view_closed"):
        view = payload.get("view")
        if not isinstance(view, dict):
            return "payload.view is not an object"
        problem = _fields(view, VIEW_FIELDS, "payload.view.")
        if problem:
            return problem
        values = (view.get("state") or {}).get("values", {})
        if not isinstance(values, dict) or not all(
                isinstance(block, dict) and all(isinstance(el, dict) for el in block.values())
                for block in values.values()):
            return "payload.view.state.values is not Slack's shape (block id -> action id -> value)"
    return None
