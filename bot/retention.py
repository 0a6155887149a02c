"""Retention and erasure (domain §5.1–§5.2): what a closed case keeps, for how long, and how it is let go.

No statutory retention period exists; the partnership file's `retention:` block sets one. Two clocks run from
closure: the chat clock (the case channel's messages are deleted where the platform allows, and the channel
removed) and the record clock (counted from the LCSPR's publication when that is later; then every free-text
and personal field in the store is erased). A legal hold on a case stops both. The daily job is idempotent
and safe on several replicas: each case is locked and re-checked before anything is done to it.

Erasure keeps what an inspection needs to see that the process was followed: codes, dates, states, choices,
who did what and when, and every hash (report versions keep their content hash; audit records keep the
digest of their erased free text, so `rapidreview audit verify` still passes).
"""
from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, null, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.calendar import london_date
from bot.effects import Effect, purge_channel, remove_members
from bot.outbox import enqueue
from bot.partnership import Partnership, Role
from storage.models import (ActionItem, AgencyRequest, AuditEvent, Case, ChannelLink, ExecutiveDecision,
                            InboundReceipt, LineOfEnquiry, OutboxEffect, Reminder, ReportCriterion, ReportDocument,
                            ReportSection, ReportVersion, SafetyAction, Vote)

ERASED = "[erased]"
# Who may place or lift a legal hold, and erase a case ahead of its time (through the CLI only).
CUSTODIANS = (Role.BUSINESS_UNIT, Role.PARTNERSHIP_MANAGER)


class RetentionRefused(ValueError):
    """The request cannot be carried out (unknown case, held, not closed, already erased): nothing changed."""


def members_removed_at_close(case_code: str, p: Partnership) -> Effect:
    """Everyone leaves the case channel at closure except the roles the partnership file keeps."""
    keep = set(p.retention.keep_members_after_close)
    return remove_members(case_code, [m.key for m in p.members if not any(m.has(r) for r in keep)], "case closed")


def add_years(d: date, years: int) -> date:
    y = d.year + years
    return d.replace(year=y, day=min(d.day, _cal.monthrange(y, d.month)[1]))


@dataclass(frozen=True)
class CaseRetention:
    code: str
    state: str
    closed_on: date | None
    legal_hold: bool
    chat_due_on: date | None
    chat_purged_on: date | None
    records_due_on: date | None
    erased_on: date | None
    waiting: str = ""  # why a clock has not started

    def chat_due(self, today: date) -> bool:
        return (not self.legal_hold and self.chat_purged_on is None and self.chat_due_on is not None
                and self.chat_due_on <= today)

    def records_due(self, today: date) -> bool:
        return (not self.legal_hold and self.erased_on is None and self.records_due_on is not None
                and self.records_due_on <= today)


def case_retention(case: Case, p: Partnership) -> CaseRetention:
    r = p.retention
    chat = records = None
    waiting = ""
    if case.closed_on is None:
        waiting = "open"
    else:
        chat = case.closed_on + timedelta(days=r.chat_days_after_close)
        if case.lcspr_decided_on is not None and case.lcspr_published_on is None and case.lcspr_stage != "on_hold":
            waiting = "the LCSPR is not yet published"  # the record lives as long as the LCSPR
        else:
            records = add_years(max(case.closed_on, case.lcspr_published_on or case.closed_on),
                                r.records_years_after_close)
    return CaseRetention(case.code, case.state, case.closed_on, case.legal_hold, chat, case.chat_purged_on, records,
                         case.erased_on, waiting)


async def status(s: AsyncSession, p: Partnership) -> list[CaseRetention]:
    cases = (await s.execute(select(Case).order_by(Case.year, Case.number))).scalars()
    return [case_retention(c, p) for c in cases]


# -- doing it ----------------------------------------------------------------------------------------------
async def _locked(s: AsyncSession, code: str) -> Case:
    case = (await s.execute(select(Case).where(Case.code == code).with_for_update())).scalar_one_or_none()
    if case is None:
        raise RetentionRefused(f"there is no case {code}: give its code, for example rr-2026-007")
    return case


async def delete_chat(s: AsyncSession, case: Case, now: datetime, *, actor_key: str | None = None,
                      platform: str = "retention", why: str = "retention period ended") -> bool:
    """Queue the channel purge (delivered by the outbox like any effect) and record that it was asked for."""
    if case.chat_purged_on is not None:
        return False
    case.chat_purged_on = london_date(now)
    case.updated_at = now
    has_channel = (await s.execute(select(ChannelLink.id).where(ChannelLink.case_id == case.id))).first() is not None
    if has_channel:
        await enqueue(s, [purge_channel(case.code)], case, now)
    await audit.append(s, audit.AuditEntry("chat_deletion_requested", case_code=case.code, actor_key=actor_key,
                                           platform=platform, detail={"channel": has_channel, "why": why}), now)
    return has_channel


async def erase(s: AsyncSession, case: Case, now: datetime, *, reason: str, actor_key: str | None = None,
                platform: str = "retention") -> dict[str, int]:
    """Erase the personal content of one case from the store, inside the caller's transaction.

    Kept: the case code, pseudonym, kind, dates, states, choices and every hash. Gone: agency returns, report
    and document text, sections, criteria rationales, vote and decision reasons, lines of enquiry, action text
    and evidence, immediate safety actions' text, the delay and late-LCSPR reasons, watch names, reminders, the
    case's delivered queue rows, and the audit trail's free text.
    """
    if case.erased_on is not None:
        raise RetentionRefused(f"{case.code} was already erased on {case.erased_on.isoformat()}")
    if case.legal_hold:
        raise RetentionRefused(f"{case.code} is under a legal hold: release it first with "
                               f"`rapidreview hold {case.code} --release --reason \"...\" --as MEMBER`")
    cid = case.id
    counts: dict[str, int] = {}

    async def blank(model: Any, **values: Any) -> None:
        res = await s.execute(update(model).where(model.case_id == cid).values(**values)
                              .execution_options(synchronize_session=False))
        counts[model.__tablename__] = res.rowcount or 0

    await blank(AgencyRequest, return_data={"erased": True}, waived_reason=None, query_reason=None)
    await blank(ReportVersion, content=ERASED)
    await blank(ReportDocument, content=ERASED)
    await blank(ReportSection, text=ERASED)
    await blank(ReportCriterion, rationale=ERASED)
    await blank(Vote, reason=ERASED)
    await blank(ExecutiveDecision, reason=None)
    await blank(LineOfEnquiry, text=ERASED)
    await blank(ActionItem, text=ERASED, evidence=None)
    await blank(SafetyAction, text=ERASED)  # issue 14 item 17: what is being done for whom
    counts["reminder"] = (await s.execute(delete(Reminder).where(Reminder.case_id == cid))).rowcount or 0
    counts["outbox"] = (await s.execute(delete(OutboxEffect).where(
        OutboxEffect.case_id == cid, OutboxEffect.status.in_(("delivered", "dead"))))).rowcount or 0
    # The audit trail keeps its structure and hashes; only the free text held apart from the hash goes.
    erasable = (AuditEvent.case_code == case.code) & AuditEvent.content_digest.is_not(None) & AuditEvent.content.is_not(None)
    counts["audit_event"] = (await s.execute(update(AuditEvent).where(erasable).values(content=null())
                                             .execution_options(synchronize_session=False))).rowcount or 0
    # Records from before migration 0006 (retention) that could not be re-sealed (their chain was already broken).
    counts["audit_event_not_erasable"] = len((await s.execute(select(AuditEvent.seq).where(
        AuditEvent.case_code == case.code, AuditEvent.content_digest.is_(None)))).all())
    case.recommendation_reason = None
    case.panel_delay_reason = case.lcspr_late_reason = None  # issue 14 items 5 and 12: typed reasons
    case.watch_names = []
    case.residing_partnership = case.lead_partnership = None
    case.erased_on = london_date(now)
    case.updated_at = now
    if case.chat_purged_on is None:  # erasing the record takes the chat with it
        await delete_chat(s, case, now, actor_key=actor_key, platform=platform, why="case erased")
    await audit.append(s, audit.AuditEntry("case_erased", case_code=case.code, actor_key=actor_key, platform=platform,
                                           detail={"counts": counts, "reason": reason}), now)
    return counts


async def erase_now(s: AsyncSession, code: str, now: datetime, *, reason: str, actor_key: str) -> dict[str, int]:
    """`rapidreview erase CASE`: ahead of the retention period (e.g. a court order), closed cases only."""
    case = await _locked(s, code)
    if case.state != "CLOSED":
        raise RetentionRefused(f"{code} is not closed (it is {case.state}): close the case before erasing it")
    return await erase(s, case, now, reason=reason, actor_key=actor_key, platform="cli")


async def set_hold(s: AsyncSession, code: str, now: datetime, *, on: bool, reason: str, actor_key: str) -> Case:
    case = await _locked(s, code)
    if case.legal_hold == on:
        raise RetentionRefused(f"{code} is {'already' if on else 'not'} under a legal hold: nothing changed")
    if on and case.erased_on is not None:
        raise RetentionRefused(f"{code} was erased on {case.erased_on.isoformat()}: there is nothing left to hold")
    case.legal_hold = on
    case.updated_at = now
    await audit.append(s, audit.AuditEntry("legal_hold_placed" if on else "legal_hold_released", case_code=code,
                                           actor_key=actor_key, platform="cli", detail={"reason": reason}), now)
    return case


@dataclass(frozen=True)
class RunResult:
    chats: int = 0
    erased: int = 0
    outbox_rows: int = 0
    inbound_keys: int = 0


async def run_due(db, p: Partnership, now: datetime) -> RunResult:  # noqa: ANN001
    """The daily job: every closed case whose clock has run out and that is not held; then the queues."""
    today = london_date(now)
    async with db.read() as s:
        due = [r for r in await status(s, p) if r.chat_due(today) or r.records_due(today)]
    chats = erased = 0
    for r in due:
        async with db.transaction() as s:
            case = await _locked(s, r.code)
            fresh = case_retention(case, p)  # another replica may have done it meanwhile
            if fresh.records_due(today):
                await erase(s, case, now, reason="retention period ended")
                erased += 1
            elif fresh.chat_due(today):
                await delete_chat(s, case, now)
                chats += 1
    async with db.transaction() as s:
        rows = (await s.execute(delete(OutboxEffect).where(
            OutboxEffect.status == "delivered",
            OutboxEffect.delivered_at < now - timedelta(days=p.retention.delivered_outbox_days)))).rowcount or 0
        keys = (await s.execute(delete(InboundReceipt).where(
            InboundReceipt.received_at < now - timedelta(hours=p.retention.inbound_keys_hours)))).rowcount or 0
    return RunResult(chats, erased, rows, keys)


class RetentionJob:
    """Run by the ticker: at most once per London day per process (the work itself is idempotent)."""

    def __init__(self, db, partnership: Partnership):  # noqa: ANN001
        self.db, self.p = db, partnership
        self.last_run_on: date | None = None

    async def maybe_run(self, now: datetime) -> RunResult | None:
        today = london_date(now)
        if self.last_run_on == today:
            return None
        self.last_run_on = today
        return await run_due(self.db, self.p, now)
