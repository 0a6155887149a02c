"""`reminders.plan` is a table of small rules; this pins what the table plans for one case at every step of its
life (notification only, SIN, gathering with late returns, executive approval, the Panel, sharing, actions,
the LCSPR) against a recording made from the nested if/elif planner it replaced, so a change to a rule shows
here as a difference in kind, day, recipients or wording.

To record again after a deliberate change: RECORD_REMINDER_PLANS=1 pytest tests/test_reminder_rules.py
"""
from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from bot import reminders
from tests.driver import Driver
from tests.scenarios import returns_in, to_gathering

RECORDING = Path(__file__).parent / "data" / "reminder_plans.json"


def _plain(out: list[reminders.PlannedReminder]) -> list[list]:
    return [[r.kind, r.subject, r.on.isoformat(), list(r.recipients), r.text, r.context] for r in out]


@pytest.fixture
def plans(monkeypatch):
    """Every plan the core makes, in order, with the case's state and the day it was made."""
    seen: list[dict] = []
    planner = reminders.plan

    def recorded(f, p, cal, today):  # noqa: ANN001, ANN202
        out = planner(f, p, cal, today)
        seen.append({"case": f.case.code, "state": f.case.state, "today": today.isoformat(), "plan": _plain(out)})
        return out

    monkeypatch.setattr(reminders, "plan", recorded)
    return seen


async def _a_case_from_notification_to_its_lcspr(core, clock) -> None:  # noqa: ANN001
    d = Driver(core, clock).on(date(2026, 4, 1))
    await d.ok("bu_officer", 'new pseudonym="Child K" aware=2026-04-01 kind=lac_death')
    d.on(date(2026, 5, 5))
    await d.ok("bu_officer", "aware 2026-05-05")
    d = Driver(core, clock)
    await to_gathering(d, aware="2026-09-01", sin="2026-09-07")
    await d.ok("lead_ambulance", "nil")
    d.on(date(2026, 9, 21))  # police, health, social care and education late: the ladder climbs
    await d.ok("lead_police", "ack")
    await returns_in(d, date(2026, 9, 22), "police,health,social_care,education")
    await d.ok("bu_officer", "pack")
    await d.ok("sprg_chair", "meeting rrm 2026-09-22")
    await d.ok("sprg_chair", 'recommend lcspr reason="multi-agency learning"')
    await d.ok("bu_officer", "report")
    await d.ok("exec_council", "approve")
    d.on(date(2026, 9, 25))
    await d.ok("exec_icb", "approve")
    await d.ok("exec_police", "approve")
    await d.ok("bu_officer", "submit")
    await d.ok("bu_officer", "lcspr decided 2026-09-25")
    d.on(date(2026, 10, 9))
    await d.ok("bu_officer", "panel agrees ref=CSPRP-2026-0042")
    await d.ok("bu_officer", "shared police")
    d.on(date(2026, 10, 20))
    await d.ok("bu_officer", "shared all")
    await d.ok("learning_lead", 'action add owner=education due=2026-12-01 "Refresh the DSL information-sharing training"')
    await d.ok("learning_lead", 'action add owner=police due=2027-01-15 "Review strategy discussion attendance"')
    d.on(date(2026, 12, 3))
    await d.ok("lead_education", "action done 1")
    await d.ok("bu_officer", "lcspr planned 2027-03-01")


async def test_the_rules_plan_what_the_recorded_planner_planned(core, clock, plans):
    await _a_case_from_notification_to_its_lcspr(core, clock)
    kinds = {r[0] for p in plans for r in p["plan"]}
    assert len(kinds) >= 15, sorted(kinds)  # the recording reaches (nearly) every rule
    if os.environ.get("RECORD_REMINDER_PLANS"):
        RECORDING.write_text(json.dumps(plans, indent=None, separators=(",", ":")) + "\n")
    recorded = json.loads(RECORDING.read_text())
    assert len(plans) == len(recorded)
    for got, want in zip(plans, recorded, strict=True):
        assert got == want, (got["state"], got["today"])
