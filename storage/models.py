"""Tables. Names follow the domain document; dates are `date`, instants are aware UTC datetimes.

Nothing here holds identifying data about a child or family: a case is known by its code and the
partnership's pseudonym; agency returns hold what agencies submit and are never posted to a channel.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime


def _instant(nullable: bool = True) -> Any:
    return Field(default=None, sa_type=UtcDateTime, nullable=nullable)


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Case(SQLModel, table=True):
    __tablename__ = "review_case"
    __table_args__ = (UniqueConstraint("year", "number", name="uq_case_year_number"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=40)
    year: int
    number: int
    pseudonym: str = Field(max_length=60)
    kind: str = Field(max_length=30)
    state: str = Field(max_length=40, index=True)
    track: str = Field(default="rapid_review", max_length=20)
    platform: str = Field(max_length=20)
    la_aware_on: date | None = None
    sin_submitted_on: date | None = None
    partnership_informed_on: date | None = None
    triaged_on: date | None = None
    icdm_on: date | None = None
    rrm_on: date | None = None
    rr_submitted_on: date | None = None
    panel_response_on: date | None = None
    panel_outcome: str | None = Field(default=None, max_length=40)
    sos_notified_on: date | None = None
    recommendation: str | None = Field(default=None, max_length=40)
    recommendation_reason: str | None = None
    panel_ref: str | None = Field(default=None, max_length=120)
    # AS-19: a cross-boundary case names the other partnership (never the family's address).
    residing_partnership: str | None = Field(default=None, max_length=80)
    lead_partnership: str | None = Field(default=None, max_length=80)
    refer_as_possibly_national: bool = False
    briefing_done_on: date | None = None
    lcspr_stage: str = Field(default="not_started", max_length=30)
    lcspr_decided_on: date | None = None
    lcspr_publication_planned_on: date | None = None
    lcspr_published_on: date | None = None
    lcspr_reviewer_appointed_on: date | None = None
    # The partners' decision to publish: "full_report" or "improvements_only" (domain §5.1).
    lcspr_publish_decision: str | None = Field(default=None, max_length=20)
    lcspr_publish_decided_on: date | None = None
    closed_on: date | None = None
    # Issue 14: the Rapid Review Meeting held (not only scheduled); the Panel told of a late rapid review, with
    # the reason (free text: audit and report only); the first awareness of a notify-only death kept when the
    # case converts to a SIN; the LCSPR copy sent, and why a publication is planned after its due date.
    rrm_held_on: date | None = None
    panel_told_of_delay_on: date | None = None
    panel_delay_reason: str | None = None
    notification_aware_on: date | None = None
    lcspr_copy_sent_on: date | None = None
    lcspr_late_reason: str | None = None
    national_info_requested_on: date | None = None  # an open information request from the Panel's national review
    # SIN details the Panel asks for (issue 14 item 19): held here, used in the report and the Panel pack, never posted.
    incident_on: date | None = None
    abuse_category: str | None = Field(default=None, max_length=20)
    children_count: int | None = None
    partners_consulted: bool | None = None
    channel_opened: bool = False
    # Names the PII guard watches for in this case's channel. Held here, never posted anywhere.
    watch_names: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _instant(nullable=False)
    updated_at: datetime = _instant(nullable=False)
    # Retention (bot/retention.py): a legal hold suspends deleting chat and erasing the record; the dates say
    # what has been done. The hold's reason is free text kept in the audit trail's erasable content.
    legal_hold: bool = False
    chat_purged_on: date | None = None
    erased_on: date | None = None


class LineOfEnquiry(SQLModel, table=True):
    __tablename__ = "line_of_enquiry"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True)
    number: int
    text: str
    added_by: str = Field(max_length=40)
    added_at: datetime = _instant(nullable=False)


class AgencyRequest(SQLModel, table=True):
    """One requested agency's sub-machine (domain §2.3) and, once submitted, its return."""

    __tablename__ = "agency_request"
    __table_args__ = (UniqueConstraint("case_id", "agency_key", name="uq_agency_request"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True)
    agency_key: str = Field(max_length=40)
    state: str = Field(max_length=20)
    due_on: date
    requested_at: datetime = _instant(nullable=False)
    acknowledged_at: datetime | None = _instant()
    submitted_at: datetime | None = _instant()
    submitted_by: str | None = Field(default=None, max_length=40)
    waived_reason: str | None = None
    waived_by: str | None = Field(default=None, max_length=40)
    query_reason: str | None = None
    # The structured return (domain §3.4). Stored for the report; never posted to any channel.
    return_data: dict = _json()


class Vote(SQLModel, table=True):
    """One current, changeable, advisory view per SPRG member."""

    __tablename__ = "vote"
    __table_args__ = (UniqueConstraint("case_id", "member_key", name="uq_vote_member"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True)
    member_key: str = Field(max_length=40)
    choice: str = Field(max_length=20)
    national: bool = False
    reason: str
    cast_at: datetime = _instant(nullable=False)


class ReportVersion(SQLModel, table=True):
    __tablename__ = "report_version"
    __table_args__ = (UniqueConstraint("case_id", "number", name="uq_report_version"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True)
    number: int
    content_hash: str = Field(max_length=64)
    content: str
    created_by: str = Field(max_length=40)
    created_at: datetime = _instant(nullable=False)


class ExecutiveDecision(SQLModel, table=True):
    """An executive lead's approval or disagreement, bound to a report version's content hash."""

    __tablename__ = "executive_decision"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True)
    partner: str = Field(max_length=20)
    member_key: str = Field(max_length=40)
    report_version: int
    content_hash: str = Field(max_length=64)
    decision: str = Field(max_length=10)
    reason: str | None = None
    decided_at: datetime = _instant(nullable=False)
    # Set when a new version, a disagreement or the Panel's response voids the decision.
    void: bool = False


class SharingTask(SQLModel, table=True):
    __tablename__ = "sharing_task"
    __table_args__ = (UniqueConstraint("case_id", "recipient", name="uq_sharing_task"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True)
    recipient: str = Field(max_length=40)
    due_on: date
    done_at: datetime | None = _instant()


class SafetyAction(SQLModel, table=True):
    """An immediate safety action during the rapid review (issue 14 item 17; domain §3.2 heading 7): who is at
    risk now (a category, never a name), what is being done, by which agency, by when. Tracked from day one."""
    __tablename__ = "safety_action"
    __table_args__ = (UniqueConstraint("case_id", "number", name="uq_safety_action"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True)
    number: int
    at_risk: str = Field(max_length=20)  # child, siblings, other_children
    owner_agency: str = Field(max_length=40)
    text: str
    due_on: date
    status: str = Field(default="open", max_length=20)
    created_by: str = Field(max_length=40)
    created_at: datetime = _instant(nullable=False)
    done_at: datetime | None = _instant()
    done_by: str | None = Field(default=None, max_length=40)


class ActionItem(SQLModel, table=True):
    __tablename__ = "action_item"
    __table_args__ = (UniqueConstraint("case_id", "number", name="uq_action_item"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True)
    number: int
    owner_agency: str = Field(max_length=40)
    text: str
    due_on: date
    status: str = Field(default="open", max_length=20)
    done_at: datetime | None = _instant()
    done_by: str | None = Field(default=None, max_length=40)
    # What shows the action is complete (for the Practice and Learning Sub Group); never posted.
    evidence: str | None = None


class AuditEvent(SQLModel, table=True):
    """Append-only and hash-chained: each record carries the hash of the one before it."""

    __tablename__ = "audit_event"
    seq: int = Field(primary_key=True)
    at: datetime = _instant(nullable=False)
    case_code: str | None = Field(default=None, max_length=40, index=True)
    actor_key: str | None = Field(default=None, max_length=40)
    platform: str | None = Field(default=None, max_length=20)
    platform_user: str | None = Field(default=None, max_length=120)
    action: str = Field(max_length=60)
    detail: dict = _json()
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    # Free text (reasons, references) is held apart from `detail` and chained by its digest, so erasing it
    # (content set to NULL) leaves every hash verifiable. A NULL digest marks a record in the first format,
    # whose hash covers `detail` itself (bot/audit.py).
    content: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    content_digest: str | None = Field(default=None, max_length=64)
    # The hash a record had in the first format, before migration 0006 (retention) re-sealed the chain.
    legacy_hash: str | None = Field(default=None, max_length=64)


class AuditHead(SQLModel, table=True):
    """One row: the chain's tip. Updating it first serialises appends across replicas."""

    __tablename__ = "audit_head"
    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    last_hash: str = Field(max_length=64)


class OutboxEffect(SQLModel, table=True):
    """A platform-neutral effect committed with the state change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="review_case.id", index=True)
    case_code: str | None = Field(default=None, max_length=40)
    platform: str = Field(max_length=20)
    kind: str = Field(max_length=40)
    payload: dict = _json()
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    next_attempt_at: datetime = _instant(nullable=False)
    claimed_until: datetime | None = _instant()
    claimed_by: str | None = Field(default=None, max_length=80)
    last_error: str | None = None
    created_at: datetime = _instant(nullable=False)
    delivered_at: datetime | None = _instant()


class ShownEffect(SQLModel, table=True):
    """What the core has asked a platform to show, kept after the outbox row that carried it is gone: one row per
    card, channel, invitation or archive, written with the outbox row; a slot card (the pinned status, the vote
    tally, the approvals) keeps one row brought up to date, as it is updated in place on the platform. Adapters
    read it through bot.shown (the current card for a refresh, a conversation rebuilt after a restart), so
    delivered outbox rows can be purged without changing what anyone sees. Codes, pseudonyms and status words only."""

    __tablename__ = "shown_effect"
    __table_args__ = (UniqueConstraint("case_id", "platform", "slot", name="uq_shown_effect_slot"),
                      Index("ix_shown_effect_case_card", "case_code", "card"))

    id: int | None = Field(default=None, primary_key=True)  # the order things first appeared in
    case_id: int | None = Field(default=None, foreign_key="review_case.id", index=True)
    case_code: str | None = Field(default=None, max_length=40)
    platform: str = Field(max_length=20)
    kind: str = Field(max_length=40)  # the effect kind (bot.effects)
    card: str | None = Field(default=None, max_length=40)
    member_key: str | None = Field(default=None, max_length=40)  # a direct message's recipient
    slot: str | None = Field(default=None, max_length=40)  # a card updated in place (None: each its own row)
    payload: dict = _json()  # the newest payload
    outbox_id: int = Field(index=True)  # the newest outbox row that wrote it (not a key: that row may be purged)
    created_at: datetime = _instant(nullable=False)
    updated_at: datetime = _instant(nullable=False)
    shown_at: datetime | None = _instant()  # first delivered; None until then


class Reminder(SQLModel, table=True):
    """A reminder the case needs, as a row with its due instant: ticking replicas claim it once."""

    __tablename__ = "reminder"
    __table_args__ = (Index("ix_reminder_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True)
    kind: str = Field(max_length=40)
    subject: str = Field(default="", max_length=40)
    due_at: datetime = _instant(nullable=False)
    recipients: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    context: dict = _json()
    status: str = Field(default="pending", max_length=20)
    claimed_until: datetime | None = _instant()
    sent_at: datetime | None = _instant()
    created_at: datetime = _instant(nullable=False)


class ReminderPreference(SQLModel, table=True):
    """A person's answer to a reminder card: *Done* (stop telling me) or *Not mine* (route it to the
    Business Unit). Kept apart from the reminder rows so recomputing a case's reminders respects it."""

    __tablename__ = "reminder_preference"
    __table_args__ = (UniqueConstraint("case_id", "member_key", "family", "subject", name="uq_reminder_preference"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True)
    member_key: str = Field(max_length=40)
    family: str = Field(max_length=40)  # the reminder kind without "_overdue"
    subject: str = Field(default="", max_length=40)
    action: str = Field(max_length=20)  # dismissed | not_mine
    created_at: datetime = _instant(nullable=False)


class ReportSection(SQLModel, table=True):
    """A narrative part of the Rapid Review Report written by the SPRG chair or the Business Unit
    (summary, lived experience, analysis of key practice episodes, ...). Never posted to a channel."""

    __tablename__ = "report_section"
    __table_args__ = (UniqueConstraint("case_id", "key", name="uq_report_section"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True)
    key: str = Field(max_length=40)
    text: str
    updated_by: str = Field(max_length=40)
    updated_at: datetime = _instant(nullable=False)


class ReportCriterion(SQLModel, table=True):
    """The SPRG chair's answer to one reg 11 (LCSPR) or reg 3 (national review) criterion."""

    __tablename__ = "report_criterion"
    __table_args__ = (UniqueConstraint("case_id", "key", name="uq_report_criterion"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True)
    key: str = Field(max_length=20)
    answer: str = Field(max_length=20)  # met | not_met | uncertain
    rationale: str
    answered_by: str = Field(max_length=40)
    answered_at: datetime = _instant(nullable=False)


class ReportDocument(SQLModel, table=True):
    """A document built from the case besides the report itself: the Panel submission pack's
    covering summary (bound to the report version it encloses)."""

    __tablename__ = "report_document"
    __table_args__ = (UniqueConstraint("case_id", "kind", "number", name="uq_report_document"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True)
    kind: str = Field(max_length=30)
    number: int
    report_version: int | None = None
    content: str
    content_hash: str = Field(max_length=64)
    created_by: str = Field(max_length=40)
    created_at: datetime = _instant(nullable=False)


class ChannelLink(SQLModel, table=True):
    """Where a case lives on its platform (channel id, pinned card id), filled in by delivery."""

    __tablename__ = "channel_link"
    __table_args__ = (UniqueConstraint("case_id", "platform", name="uq_channel_link"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True)
    platform: str = Field(max_length=20)
    channel_id: str = Field(max_length=200, index=True)
    status_message_id: str | None = Field(default=None, max_length=200)
    extra: dict = _json()


class InboundReceipt(SQLModel, table=True):
    """Platform retries and double clicks are de-duplicated here, so it holds across replicas."""

    __tablename__ = "inbound_receipt"
    __table_args__ = (UniqueConstraint("platform", "key", name="uq_inbound_receipt"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    key: str = Field(max_length=200)
    received_at: datetime = _instant(nullable=False)


class InboundWork(SQLModel, table=True):
    """A command that was acknowledged to its platform, kept until it has been done and answered.

    Written in the same transaction as its inbound receipt, before the acknowledgement goes back, so a
    crash after the ack cannot lose it: any replica finishes unfinished rows (claimed with a lease, like
    the outbox). `committed` is set inside the transaction that carries the command's outcome, so a
    command that committed before a crash is answered, never run twice. `payload` holds only what is
    needed to run and answer it (user, channel, text, response_url)."""

    __tablename__ = "inbound_work"
    __table_args__ = (Index("ix_inbound_work_open", "status", "received_at"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    kind: str = Field(max_length=40)
    payload: dict = _json()
    status: str = Field(default="pending", max_length=20)  # pending -> claimed -> done
    received_at: datetime = _instant(nullable=False)
    claimed_by: str | None = Field(default=None, max_length=80)
    claimed_until: datetime | None = _instant()
    attempts: int = 0
    committed: bool = False
    reply: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    done_at: datetime | None = _instant()


class ConversationRef(SQLModel, table=True):
    """Where the Teams adapter can reach people and channels: conversation references kept in the
    database (not the SDK's memory), so any replica can deliver after a restart. `kind` is
    "conversation" (key = conversation id), "user" (key = Entra object id: the user's Teams id and
    personal chat) or "service" (key = tenant id: the Bot Connector serviceUrl last seen there).
    Holds platform ids only, never message content."""

    __tablename__ = "conversation_ref"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_conversation_ref"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    key: str = Field(max_length=200)
    service_url: str = Field(max_length=500)
    tenant_id: str | None = Field(default=None, max_length=64)
    data: dict = _json()
    updated_at: datetime = _instant(nullable=False)
