"""Buttons mean commands through one table (bot/buttons.py): every button on every card template is either
in that table, or one of a platform's forms, links or reminder actions; and the table's commands are real."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from adapters.slack.interactions import LINKS, REMINDER
from adapters.teams.actions import command_for as teams_command
from bot.buttons import ALIASES, BUTTONS, command_for
from bot.grammar import SPECS
from bot.roles import PERMISSIONS

CARDS = Path(__file__).resolve().parent.parent / "cards"
SLACK_FORMS = {"rr_return_open", "rr_vote_lcspr", "rr_vote_no_lcspr", "rr_disagree_open"}
TEAMS_FORMS = {"return", "vote", "disagree", "panel"}
TEAMS_CARD_ONLY = {"refresh", "understood", "reminder"}  # the card itself, not a command


def _found(folder: str, pattern: str) -> set[str]:
    return {m for path in (CARDS / folder).glob("*.j2") for m in re.findall(pattern, path.read_text())}


def test_every_slack_button_is_a_table_button_a_form_a_link_or_a_reminder_action():
    for action_id in _found("slack", r'"action_id": "(rr_[a-z_]+)"'):
        name = action_id.removeprefix("rr_")
        assert action_id in SLACK_FORMS | LINKS | set(REMINDER) or name in BUTTONS or name in ALIASES, action_id


def test_every_teams_action_is_a_table_button_a_form_or_the_card_itself():
    for verb in _found("teams", r'"verb": "([a-z_]+)"'):
        assert verb in TEAMS_FORMS | TEAMS_CARD_ONLY or verb in BUTTONS, verb


@pytest.mark.parametrize("name", sorted(BUTTONS))
def test_each_button_stands_for_a_command_with_a_permission(name):
    cmd = command_for(name, {"agency": "police", "version": "2", "recipient": "all", "number": "1"})
    assert cmd is not None and cmd.verb in SPECS
    assert cmd.verb in PERMISSIONS or f"{cmd.verb} {cmd.option}" in PERMISSIONS


def test_the_platforms_read_a_button_the_same_way():
    value = {"case": "rr-2026-001", "version": 3}
    assert command_for("approve", value) == teams_command("approve", value)[0]
    assert command_for("shared_one", {"recipient": "police"}).args == {"recipient": "police"}
    assert command_for("shared", {}).args == {"recipient": "all"}
    assert command_for("action_done", {"number": "x"}) is None  # incomplete: the adapter says it is not supported
    assert teams_command("action_done", {"number": "x"}) == (None, {"form": "This button is not supported."})
    assert command_for("no_such_button", {}) is None
