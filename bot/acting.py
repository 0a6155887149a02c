"""On whose behalf a member acts: an agency lead acts only for their own agency.

One definition for every command and document: a member is held to their own agency when the role table
lets them do this thing only as an agency lead. Another role that may do it too (the Business Unit
acknowledging for any agency, the SPRG chair querying a return) frees them to name any agency.
"""
from __future__ import annotations

from bot.partnership import Member, Role
from bot.roles import allowed_roles


def own_agency_as_lead(member: Member, verb: str, option: str | None = None) -> str | None:
    """The member's own agency key when they may run `verb` only as its lead; None when another of their
    roles lets them run it for any agency (or they are no agency lead at all)."""
    if set(member.roles) & allowed_roles(verb, option) == {Role.AGENCY_LEAD}:
        return member.agency
    return None
