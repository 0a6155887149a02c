"""No statutory clock's reminders are dropped by a transition while the clock is live (issue 14).

Enumerates the transition table (bot/lifecycle.py): for each clock, a case whose clock is running is put in
every source state where that clock's reminders are planned; each transition to another state must either
keep them planned, be one of the clock's own endings (the SIN sent, the rapid review submitted, …), or be
refused by its guard while the clock is live (closing with a live LCSPR).
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.casefile import CaseFile
from bot.context import StepContext, Invocation, Refusal
from bot.grammar import Command
from bot.lifecycle import TABLE
from bot.reminders import family, plan
from bot.states import CaseState
from storage.models import Case

TODAY = date(2026, 10, 1)

# What legitimately ends each clock (domain §2.2): the thing it counts down to, or the branch that ends it.
ENDS: dict[str, set[str]] = {
    "sin_due": {"sin", "sin not-met", "triage local"},  # the SIN sent, or the LA decides not to notify
    "rapid_review_due": {"submit", "triage withdrawn"},  # sent to the Panel, or the SIN withdrawn (S3(c))
    "notification_due": {"notified"},
    "lcspr_publication_due": {"lcspr published", "panel national"},  # published, or on hold for a national review
}


def _case(**kw) -> Case:  # noqa: ANN003
    base = dict(id=1, code="rr-2026-001", year=2026, number=1, pseudonym="Child V", kind="death",
                state="SIN_DECISION", track="rapid_review", platform="fake", lcspr_stage="not_started",
                channel_opened=True, refer_as_possibly_national=False, watch_names=[])
    base.update(kw)
    return Case(**base)


CLOCKS = {
    "sin_due": lambda: _case(la_aware_on=date(2026, 9, 28)),
    "rapid_review_due": lambda: _case(la_aware_on=date(2026, 9, 1), sin_submitted_on=date(2026, 9, 21),
                                      partnership_informed_on=date(2026, 9, 1), recommendation="LCSPR"),
    "notification_due": lambda: _case(kind="lac_death", la_aware_on=date(2026, 9, 28)),
    "lcspr_publication_due": lambda: _case(la_aware_on=date(2026, 9, 1), sin_submitted_on=date(2026, 9, 2),
                                           rr_submitted_on=date(2026, 9, 20), recommendation="LCSPR",
                                           lcspr_stage="decided", lcspr_decided_on=date(2026, 9, 25),
                                           panel_outcome="AGREES", briefing_done_on=date(2026, 9, 30)),
}


def _planned(f: CaseFile, partnership, calendar, clock: str) -> bool:  # noqa: ANN001
    return any(family(r.kind) == clock for r in plan(f, partnership, calendar, TODAY))


def _guard_refuses(t, f: CaseFile, partnership, calendar) -> bool:  # noqa: ANN001
    if t.guard is None:
        return False
    verb, _, option = t.key.partition(" ")
    member = partnership.members_with(*partnership.members[0].roles)[0]
    ctx = StepContext(session=None, partnership=partnership, cal=calendar, now=datetime(2026, 10, 1, 9, tzinfo=timezone.utc),
              actor=member, inv=Invocation(platform="fake", platform_user="U", member=member, text=t.key),
              cmd=Command(verb, option or None, {}), file=f)
    try:
        return bool(t.guard(ctx))
    except Refusal:
        return True


@pytest.mark.parametrize("clock", sorted(CLOCKS))
def test_no_transition_drops_a_live_statutory_clocks_reminders(clock, partnership, calendar):
    dropped, live = [], set()
    for t in TABLE:
        if t.source == CaseState.START:
            continue  # no case yet
        f = CaseFile(case=CLOCKS[clock]())
        f.case.state = t.source
        if not _planned(f, partnership, calendar, clock):
            continue  # the clock is not live (not reminded) in this state
        live.add(t.source)
        for target in t.targets:
            if target == t.source or t.key in ENDS[clock]:
                continue
            f.case.state = target
            if _planned(f, partnership, calendar, clock):
                continue
            f.case.state = t.source
            if not _guard_refuses(t, f, partnership, calendar):
                dropped.append(f"{t.source} --{t.key}--> {target}")
    assert live, f"{clock} is reminded in no state"
    assert not dropped, f"{clock}'s reminders are dropped by: " + "; ".join(dropped)
