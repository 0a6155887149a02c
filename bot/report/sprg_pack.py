"""The pack circulated to the SPRG before the Rapid Review Meeting (issue 14 item 9; domain S6): who may
have it and what it holds. Sending the links is bot/steps/sprg_pack.py.

A real document, not a marker: the returns summarised per agency, the integrated chronology, the lines of
enquiry and the draft analysis (the report's sections 1 to 6 as the records stand). SPRG members, the Business
Unit and the agency leads whose agency contributed open it through the same signed, audited, 24-hour links as
the report; they are told by direct message when it is ready.
"""
from __future__ import annotations

from bot.partnership import Member, Role
from bot.states import AgencyState, CaseState

_BEFORE_PACK = frozenset({CaseState.REFERRAL_RECEIVED, CaseState.SIN_DECISION, CaseState.LOCAL_CONSIDERATION,
                          CaseState.NOTIFICATION_ONLY, CaseState.RR_INITIATED, CaseState.SPRG_TRIAGE,
                          CaseState.INITIAL_CASE_DISCUSSION, CaseState.INFO_GATHERING, CaseState.LOCAL_REVIEW,
                          CaseState.SIN_WITHDRAWN, CaseState.CONTRIBUTING})
_CONTRIBUTED = frozenset({AgencyState.SUBMITTED, AgencyState.NIL_RETURN, AgencyState.RESUBMITTED,
                          AgencyState.QA_ACCEPTED, AgencyState.QUERY_RAISED})


def ready(f) -> bool:  # noqa: ANN001
    return CaseState(f.case.state) not in _BEFORE_PACK


def contributed(f, agency: str | None) -> bool:  # noqa: ANN001
    r = f.request(agency) if agency else None
    return r is not None and AgencyState(r.state) in _CONTRIBUTED


def may_have(member: Member, f) -> bool:  # noqa: ANN001
    roles = set(member.roles)
    if roles & {Role.BUSINESS_UNIT, Role.SPRG_CHAIR, Role.SPRG_MEMBER}:
        return True
    return Role.AGENCY_LEAD in roles and f is not None and contributed(f, member.agency)


def sprg_pack_markdown(draft: str) -> str:
    """Sections 1-6 of the draft report: everything the meeting considers, nothing decided yet."""
    head = draft.partition("\n## 7. ")[0].rstrip("\n")
    head = head.replace("# Rapid Review Report\n", "# SPRG pack for the Rapid Review Meeting\n", 1)
    return head + "\n\n_Circulated to the SPRG before the Rapid Review Meeting. Do not forward._\n"
