"""Platform-neutral effects: what a command asks the platforms to do, stored as outbox rows.

An effect carries the case code, the pseudonym and status words only: never names, dates of birth,
addresses, schools or what an agency wrote (domain §5.2). Free-text reasons stay in the database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OPEN_CHANNEL = "open_channel"
INVITE = "invite"
POST_CARD = "post_card"
UPDATE_STATUS = "update_status"
DIRECT_MESSAGE = "direct_message"
ARCHIVE_CHANNEL = "archive_channel"
REMOVE_MEMBERS = "remove_members"
PURGE_CHANNEL = "purge_channel"
KINDS = (OPEN_CHANNEL, INVITE, POST_CARD, UPDATE_STATUS, DIRECT_MESSAGE, ARCHIVE_CHANNEL, REMOVE_MEMBERS, PURGE_CHANNEL)

# Card kinds, one template per kind per platform (cards/slack, cards/teams).
CARD_KINDS = ("case_status", "notice", "agency_request", "vote", "executive_approval",
              "panel_response", "sharing", "action_item", "reminder", "pii_alert")


@dataclass(frozen=True)
class Effect:
    kind: str
    case_code: str | None
    payload: dict[str, Any] = field(default_factory=dict)


def open_channel(case_code: str, channel_name: str, topic: str, label: str) -> Effect:
    return Effect(OPEN_CHANNEL, case_code, {"name": channel_name, "topic": topic, "label": label})


def invite(case_code: str, member_keys: list[str], why: str) -> Effect:
    return Effect(INVITE, case_code, {"members": sorted(set(member_keys)), "why": why})


def post_card(case_code: str, card: str, context: dict[str, Any]) -> Effect:
    assert card in CARD_KINDS, card
    return Effect(POST_CARD, case_code, {"card": card, "context": context})


def notice(case_code: str, text: str) -> Effect:
    """A one-line message to the case channel."""
    return post_card(case_code, "notice", {"case_code": case_code, "text": text})


def update_status(case_code: str, view: dict[str, Any]) -> Effect:
    return Effect(UPDATE_STATUS, case_code, {"card": "case_status", "context": view})


def direct_message(case_code: str | None, member_key: str, card: str, context: dict[str, Any]) -> Effect:
    assert card in CARD_KINDS, card
    return Effect(DIRECT_MESSAGE, case_code, {"member": member_key, "card": card, "context": context})


def archive_channel(case_code: str) -> Effect:
    return Effect(ARCHIVE_CHANNEL, case_code, {})


def remove_members(case_code: str, member_keys: list[str], why: str) -> Effect:
    """Take these members out of the case channel (at closure; domain §5.2). Absent ones are skipped."""
    return Effect(REMOVE_MEMBERS, case_code, {"members": sorted(set(member_keys)), "why": why})


def purge_channel(case_code: str) -> Effect:
    """Retention: delete the case channel's messages where the platform allows, hide (flag) the rest where it
    can, then remove the channel. The counts are audited when it is delivered."""
    return Effect(PURGE_CHANNEL, case_code, {})
