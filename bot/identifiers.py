"""Identifiers that arrive from outside (button values, card data, form metadata) checked before use.

Typed commands go through the grammar; a button's value or a card's data can be anything a client sends.
Nothing from them is echoed, looked up or stored until it has the shape it claims: a case code is a case
code (never 5,000 characters written into the audit record), a version or number is a positive integer
(never `0` taken as "missing"), and an agency lead acts only for their own agency.
"""
from __future__ import annotations

from typing import Any

from bot.grammar import CASE_CODE
from bot.partnership import Member, Role

MAX_NUMBER = 10 ** 6  # no case has a million report versions, actions or reminders


def case_code_problem(code: Any) -> str | None:
    """Why this is not a case code (None when it is one). Never repeats what was sent."""
    if isinstance(code, str) and len(code) <= 40 and CASE_CODE.match(code.lower()):
        return None
    return "That is not a case code (for example rr-2026-001): the button or form may have been altered."


def positive_int(value: Any) -> int | None:
    """A whole number from 1 up, given as a number or as digits; None for anything else (0, -1, True, 1e3)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        n = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 7:
        n = int(value)
    else:
        return None
    return n if 1 <= n <= MAX_NUMBER else None


def acts_only_for_own_agency(member: Member) -> bool:
    """An agency lead who is not also the Business Unit or the chair acts only for their own agency."""
    return member.has(Role.AGENCY_LEAD) and not any(member.has(r) for r in (Role.BUSINESS_UNIT, Role.SPRG_CHAIR))


def may_act_for_agency(member: Member | None, key: Any, agency_keys: set[str]) -> bool:
    if member is None or not isinstance(key, str) or key not in agency_keys:
        return False
    return not acts_only_for_own_agency(member) or key == member.agency
