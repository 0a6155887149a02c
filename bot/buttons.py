"""Buttons on cards, and the command each one stands for: one table for every platform.

A button carries only what its command needs (the case code, and a version, agency, number or
recipient); the core authorises the command exactly as if it had been typed. On Slack a button's
action id is "rr_" + its name here; on Teams (and the sandbox, which shows the Teams cards) the
Action.Execute verb is its name. Buttons that open a form (an agency return, a view with its reason,
a disagreement, the Panel's response) are the platforms' own forms, which end in the same commands.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.grammar import Command
from bot.identifiers import positive_int


def _as_given(value: Any) -> Any:
    return value


def _version(value: Any) -> int | None:
    """A report version, or None (absent) for the current one. Anything else present is refused: a forged 0 or
    "-1" must never be read as "the current version"."""
    if value in (None, ""):
        return None
    return _number(value)


def _number(value: Any) -> int:
    number = positive_int(value)
    if number is None:
        raise ValueError("not a number from 1 up")
    return number


def _recipient(value: Any) -> Any:
    return value or "all"


@dataclass(frozen=True)
class Button:
    verb: str
    option: str | None = None
    # command argument -> (key in the button's value, how to read it)
    args: Mapping[str, tuple[str, Callable[[Any], Any]]] = field(default_factory=dict)


BUTTONS: dict[str, Button] = {
    "status": Button("status"),
    "submit": Button("submit"),
    "ack": Button("ack", args={"agency": ("agency", _as_given)}),
    "nil": Button("nil", args={"agency": ("agency", _as_given)}),
    "approve": Button("approve", args={"version": ("version", _version)}),
    "shared": Button("shared", args={"recipient": ("recipient", _recipient)}),
    "action_done": Button("action", "done", args={"number": ("number", _number)}),
}
# Slack needs a different action id for each control on one card; these mean the same as their target.
ALIASES = {"shared_all": "shared", "shared_one": "shared"}


def command_for(name: str, value: Mapping[str, Any]) -> Command | None:
    """The command a pressed button stands for, or None when no button has that name or its value is
    incomplete (the adapter then says the button is not supported)."""
    button = BUTTONS.get(ALIASES.get(name, name))
    if button is None:
        return None
    try:
        args = {arg: read(value.get(key)) for arg, (key, read) in button.args.items()}
    except ValueError:
        return None
    return Command(button.verb, button.option, args)
