"""The states of a case (domain §2.2), of an agency request (§2.3) and of the LCSPR child workflow."""
from __future__ import annotations

from enum import StrEnum

from bot.partnership import PARTNER_LABELS, StatutoryPartner

# The kinds of case `new kind=…` takes, and how the report and the forms name them.
CASE_KINDS = {"death": "Death", "serious_harm": "Serious harm", "lac_death": "Death of a looked-after child",
              "care_leaver_death": "Death of a care leaver"}
# Deaths notified to the Secretary of State and Ofsted without a rapid review, unless abuse or neglect is
# suspected (then a SIN follows and the case converts).
NOTIFY_ONLY_KINDS = ("lac_death", "care_leaver_death")


class CaseState(StrEnum):
    START = "START"  # no case yet: the only command here is `new`
    REFERRAL_RECEIVED = "REFERRAL_RECEIVED"
    SIN_DECISION = "SIN_DECISION"
    LOCAL_CONSIDERATION = "LOCAL_CONSIDERATION"
    NOTIFICATION_ONLY = "NOTIFICATION_ONLY"
    RR_INITIATED = "RR_INITIATED"
    SPRG_TRIAGE = "SPRG_TRIAGE"
    LOCAL_REVIEW = "LOCAL_REVIEW"
    SIN_WITHDRAWN = "SIN_WITHDRAWN"
    INITIAL_CASE_DISCUSSION = "INITIAL_CASE_DISCUSSION"
    INFO_GATHERING = "INFO_GATHERING"
    PACK_CIRCULATED = "PACK_CIRCULATED"
    RAPID_REVIEW_MEETING = "RAPID_REVIEW_MEETING"
    REPORT_DRAFTING = "REPORT_DRAFTING"
    EXEC_APPROVAL = "EXEC_APPROVAL"
    EXEC_DISAGREEMENT = "EXEC_DISAGREEMENT"
    APPROVED = "APPROVED"
    SUBMITTED_TO_PANEL = "SUBMITTED_TO_PANEL"
    AWAITING_PANEL = "AWAITING_PANEL"
    PANEL_RESPONDED = "PANEL_RESPONDED"
    RESPONSE_SHARED = "RESPONSE_SHARED"
    LEARNING_AND_ACTIONS = "LEARNING_AND_ACTIONS"
    NATIONAL_REVIEW = "NATIONAL_REVIEW"
    CONTRIBUTING = "CONTRIBUTING"  # AS-19: another partnership leads; we hold a contributing record only
    CLOSED = "CLOSED"


TERMINAL = frozenset({CaseState.CLOSED})

# States in which the 15-working-day rapid review clock is running.
RR_CLOCK_RUNNING = frozenset({
    CaseState.RR_INITIATED, CaseState.SPRG_TRIAGE, CaseState.INITIAL_CASE_DISCUSSION,
    CaseState.INFO_GATHERING, CaseState.PACK_CIRCULATED, CaseState.RAPID_REVIEW_MEETING,
    CaseState.REPORT_DRAFTING, CaseState.EXEC_APPROVAL, CaseState.EXEC_DISAGREEMENT, CaseState.APPROVED,
})

STATE_LABELS: dict[CaseState, str] = {
    CaseState.REFERRAL_RECEIVED: "Referral received",
    CaseState.SIN_DECISION: "Deciding on the notification (SIN)",
    CaseState.LOCAL_CONSIDERATION: "SIN criteria not met: local consideration",
    CaseState.NOTIFICATION_ONLY: "Notification only (no rapid review)",
    CaseState.RR_INITIATED: "Rapid review initiated",
    CaseState.SPRG_TRIAGE: "SPRG triage",
    CaseState.LOCAL_REVIEW: "Local review",
    CaseState.SIN_WITHDRAWN: "SIN criteria not met: rapid review withdrawn",
    CaseState.INITIAL_CASE_DISCUSSION: "Initial case discussion",
    CaseState.INFO_GATHERING: "Gathering agency information",
    CaseState.PACK_CIRCULATED: "Pack circulated",
    CaseState.RAPID_REVIEW_MEETING: "Rapid Review Meeting",
    CaseState.REPORT_DRAFTING: "Drafting the report",
    CaseState.EXEC_APPROVAL: "Awaiting executive approval",
    CaseState.EXEC_DISAGREEMENT: "Executive disagreement",
    CaseState.APPROVED: "Approved by all three partners",
    CaseState.SUBMITTED_TO_PANEL: "Submitted to the Panel",
    CaseState.AWAITING_PANEL: "Awaiting the Panel",
    CaseState.PANEL_RESPONDED: "Panel responded",
    CaseState.RESPONSE_SHARED: "Panel response shared",
    CaseState.LEARNING_AND_ACTIONS: "Learning and actions",
    CaseState.NATIONAL_REVIEW: "National review",
    CaseState.CONTRIBUTING: "Contributing to another partnership's review",
    CaseState.CLOSED: "Closed",
}


class AgencyState(StrEnum):
    NOT_REQUESTED = "NOT_REQUESTED"
    REQUESTED = "REQUESTED"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    SUBMITTED = "SUBMITTED"
    NIL_RETURN = "NIL_RETURN"
    QUERY_RAISED = "QUERY_RAISED"
    RESUBMITTED = "RESUBMITTED"
    QA_ACCEPTED = "QA_ACCEPTED"
    WAIVED = "WAIVED"


AGENCY_COMPLETE = frozenset({AgencyState.SUBMITTED, AgencyState.NIL_RETURN, AgencyState.RESUBMITTED,
                             AgencyState.QA_ACCEPTED, AgencyState.WAIVED})
AGENCY_OUTSTANDING = frozenset({AgencyState.REQUESTED, AgencyState.ACKNOWLEDGED, AgencyState.QUERY_RAISED})

# The per-agency sub-machine (domain §2.3): (from, command) -> to.
AGENCY_TRANSITIONS: dict[tuple[AgencyState, str], AgencyState] = {
    (AgencyState.NOT_REQUESTED, "request"): AgencyState.REQUESTED,
    (AgencyState.REQUESTED, "ack"): AgencyState.ACKNOWLEDGED,
    (AgencyState.REQUESTED, "return"): AgencyState.SUBMITTED,
    (AgencyState.ACKNOWLEDGED, "return"): AgencyState.SUBMITTED,
    (AgencyState.REQUESTED, "nil"): AgencyState.NIL_RETURN,
    (AgencyState.ACKNOWLEDGED, "nil"): AgencyState.NIL_RETURN,
    (AgencyState.SUBMITTED, "query"): AgencyState.QUERY_RAISED,
    (AgencyState.RESUBMITTED, "query"): AgencyState.QUERY_RAISED,
    (AgencyState.QUERY_RAISED, "return"): AgencyState.RESUBMITTED,
    (AgencyState.SUBMITTED, "accept"): AgencyState.QA_ACCEPTED,
    (AgencyState.RESUBMITTED, "accept"): AgencyState.QA_ACCEPTED,
    (AgencyState.NIL_RETURN, "accept"): AgencyState.QA_ACCEPTED,
    (AgencyState.REQUESTED, "waive"): AgencyState.WAIVED,
    (AgencyState.ACKNOWLEDGED, "waive"): AgencyState.WAIVED,
    (AgencyState.QUERY_RAISED, "waive"): AgencyState.WAIVED,
}

AGENCY_LABELS = {
    AgencyState.REQUESTED: "requested", AgencyState.ACKNOWLEDGED: "acknowledged",
    AgencyState.SUBMITTED: "submitted", AgencyState.NIL_RETURN: "nil return",
    AgencyState.QUERY_RAISED: "query raised", AgencyState.RESUBMITTED: "resubmitted",
    AgencyState.QA_ACCEPTED: "accepted", AgencyState.WAIVED: "waived",
}


class LcsprStage(StrEnum):
    NOT_STARTED = "not_started"
    DECIDED = "decided"
    REVIEWER_APPOINTED = "reviewer_appointed"
    PUBLICATION_PLANNED = "publication_planned"
    PUBLISHED = "published"
    ON_HOLD = "on_hold"  # a national review was commissioned (AS-16)


LCSPR_TRANSITIONS: dict[tuple[LcsprStage, str], LcsprStage] = {
    (LcsprStage.NOT_STARTED, "decided"): LcsprStage.DECIDED,
    (LcsprStage.DECIDED, "reviewer"): LcsprStage.REVIEWER_APPOINTED,
    (LcsprStage.DECIDED, "planned"): LcsprStage.PUBLICATION_PLANNED,
    (LcsprStage.REVIEWER_APPOINTED, "planned"): LcsprStage.PUBLICATION_PLANNED,
    (LcsprStage.PUBLICATION_PLANNED, "planned"): LcsprStage.PUBLICATION_PLANNED,
    (LcsprStage.PUBLICATION_PLANNED, "published"): LcsprStage.PUBLISHED,
}

PANEL_OUTCOMES = {
    "agrees": "AGREES",
    "disagrees": "DISAGREES_OR_RECONSIDER",
    "information": "REQUESTS_INFORMATION",
    "national": "NATIONAL_REVIEW_COMMISSIONED",
    "local": "LOCAL_REVIEW_MORE_APPROPRIATE",
}

RECOMMENDATIONS = {"lcspr": "LCSPR", "no-lcspr": "NO_LCSPR_LEARNING_VIA_OTHER_ROUTE"}

# The category of abuse or neglect recorded with the SIN details (issue 14 item 19).
ABUSE_CATEGORIES = ("physical", "emotional", "sexual", "neglect", "multiple")

# AS-14: the Panel's response is shared with six recipients.
SHARING_RECIPIENTS = {
    "sprg_chair": "SPRG chair",
    **{p.value: f"{PARTNER_LABELS[p]} (executive)" for p in StatutoryPartner},
    "independent_scrutineer": "Independent Scrutineer",
    "sprg_membership": "SPRG membership",
}

# The three statutory partners whose executive leads must all approve the same report version.
StatutoryPartnerKeys = tuple(p.value for p in StatutoryPartner)
