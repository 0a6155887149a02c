"""On whose behalf a member acts: one rule (bot.acting), read from the role table, for every command and document."""
from __future__ import annotations

from bot.acting import own_agency_as_lead
from bot.partnership import Member, Role


def member(*roles: Role) -> Member:
    return Member(key="someone", name="Someone", roles=roles, agency="police")


def test_an_agency_lead_acts_only_for_their_own_agency():
    lead = member(Role.AGENCY_LEAD)
    for verb, option in (("ack", None), ("return", None), ("nil", None), ("action", "done"), ("status", None),
                         ("link", "briefing")):
        assert own_agency_as_lead(lead, verb, option) == "police", verb


def test_another_role_that_may_do_the_same_frees_them_to_name_any_agency():
    assert own_agency_as_lead(member(Role.AGENCY_LEAD, Role.BUSINESS_UNIT), "ack") is None
    assert own_agency_as_lead(member(Role.AGENCY_LEAD, Role.LEARNING_SUBGROUP), "action", "done") is None
    assert own_agency_as_lead(member(Role.AGENCY_LEAD, Role.SPRG_MEMBER), "status") is None


def test_a_role_that_may_not_run_the_command_does_not_widen_it():
    # The SPRG chair may query or waive any agency's return, but may not acknowledge or submit one: an SPRG chair
    # who is also an agency lead acknowledges as that lead, for their own agency only.
    both = member(Role.AGENCY_LEAD, Role.SPRG_CHAIR)
    assert own_agency_as_lead(both, "ack") == "police"
    assert own_agency_as_lead(both, "return") == "police"
    assert own_agency_as_lead(both, "query") is None


def test_someone_who_is_no_agency_lead_is_not_held_to_an_agency():
    assert own_agency_as_lead(member(Role.BUSINESS_UNIT), "ack") is None
    assert own_agency_as_lead(member(Role.SPRG_MEMBER), "status") is None
