"""Adversarial tests reuse the Slack and Teams harnesses as they are (no new harness): their fixtures are
imported here so they are visible in this folder, plus a few helpers for counting rows and log errors."""
from __future__ import annotations

import logging

from sqlalchemy import select, text

from storage.models import AuditEvent
from tests.slack.conftest import fake_slack, slack, slack_extra_env, slack_spec  # noqa: F401
from tests.teams.conftest import fakes, issuer, teams  # noqa: F401

GUARDED = ("review_case", "agency_request", "vote", "executive_decision", "outbox")


async def counts(db) -> dict[str, int]:  # noqa: ANN001
    """Rows in the tables a rejected command must not touch (audit records of refusals are allowed)."""
    out = {}
    async with db.read() as s:
        for t in GUARDED:
            out[t] = (await s.execute(text(f"SELECT COUNT(*) FROM {t}"))).scalar()
    return out


async def audit_actions(db) -> list[str]:  # noqa: ANN001
    async with db.read() as s:
        return [a.action for a in (await s.execute(select(AuditEvent).order_by(AuditEvent.seq))).scalars()]


def errors(caplog) -> list[str]:  # noqa: ANN001
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
