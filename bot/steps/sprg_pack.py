"""The pack circulated to the SPRG before the Rapid Review Meeting (issue 14 item 9; domain S6).

A real document, not a marker: the returns summarised per agency, the integrated chronology, the lines of
enquiry and the draft analysis (the report's sections 1 to 6 as the records stand). SPRG members, the Business
Unit and the agency leads whose agency contributed open it through the same signed, audited, 24-hour links as
the report; they are told by direct message when it is ready.
"""
from __future__ import annotations

from bot.context import Ctx
from bot.effects import direct_message
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


def send_links(ctx: Ctx) -> None:
    from bot.steps.report import issue_link

    c, f = ctx.case, ctx.file
    keys = [m.key for m in ctx.partnership.members if may_have(m, f)]
    for key in keys:
        url, expires = issue_link(ctx, key, "sprg-pack", None, "docx")
        ctx.emit(direct_message(c.code, key, "notice", {"case_code": c.code, "text":
            f"{c.code} / {c.pseudonym}: the SPRG pack is ready. Your link, valid until {expires}: {url} . It is for you "
            "only: please do not forward it. A new link at any time: link sprg-pack"}))
