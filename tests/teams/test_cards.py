"""Every kind of card the bot can emit, with the contexts the core really produces, parses without a single
event in Microsoft's adaptivecards library; a picture of each is written to test-output/cards/."""
from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from sqlalchemy import select

from adapters.teams.cards import render
from bot.context import Invocation
from bot.core import Core
from bot.effects import CARD_KINDS
from storage.db import Database
from storage.models import OutboxEffect, Reminder
from tests.driver import Driver
from tests.scenarios import to_approval
from tests.teams.cards_util import action_titles, all_text, require_tooling, validate_with_adaptivecards
from tests.teams.screenshots import OUT, screenshot


@pytest.fixture
async def contexts(sqlite_template, tmp_path, partnership, calendar, clock) -> dict[str, list[dict]]:
    """Card contexts from a whole case driven through the core, on a SQLite copy of its own (rendering
    does not depend on the database, so one is enough)."""
    shutil.copy(sqlite_template, tmp_path / "cards.db")
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'cards.db'}")
    core = Core(db, partnership, calendar, clock=clock)
    d = Driver(core, clock)
    await to_approval(d)
    await d.ok("exec_police", 'disagree reason="the learning is single-agency"')
    await d.ok("sprg_chair", 'recommend no-lcspr reason="learning via a briefing"')  # reconsidered: v2 differs
    await d.ok("bu_officer", "report")
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve")
    await d.ok("bu_officer", "submit")
    d.on(date(2026, 10, 9))
    await d.ok("bu_officer", "panel agrees ref=CSPRP-123")
    await d.ok("bu_officer", "shared sprg_chair")
    await d.ok("bu_officer", "shared all")
    await d.ok("learning_lead", 'action add owner=education due=2027-03-01 "Refresh the DSL information-sharing training"')
    await core.screen_message(Invocation("fake", "U0FIC0004", core.partnership.member("sprg_police"),
                                         text="Born 03/02/2019, lives at YO17 7HH", case_code=d.case_code))
    found: dict[str, list[dict]] = {}
    async with db.read() as s:
        for row in (await s.execute(select(OutboxEffect).order_by(OutboxEffect.id))).scalars():
            if "card" in row.payload:
                found.setdefault(row.payload["card"], []).append(row.payload["context"])
        for r in (await s.execute(select(Reminder).order_by(Reminder.id))).scalars():
            found.setdefault("reminder", []).append({**r.context, "reminder_id": r.id, "kind": r.kind})
    await db.dispose()
    return found


def variants(kind: str, context: dict, p) -> list[tuple[str, dict]]:  # noqa: ANN001
    """The card as different people see it, and after a form came back with problems."""
    out = [("", render(kind, context, partnership=p))]
    if kind == "executive_approval":
        lead = {**context, "partners": [{**x, "status": "awaiting"} for x in context["partners"]], "complete": False,
                "count": "0 of 3"}
        out.append(("-lead-view", render(kind, lead, viewer=p.member("exec_police"), partnership=p,
                                         refresh_ids=["29:lead-a", "29:lead-b"])))
        out.append(("-lead-reason-missing", render(kind, lead, viewer=p.member("exec_police"), partnership=p, ui={
            "message": "Please check the form.", "tone": "attention", "errors": {"reason": "Say why."}})))
    if kind == "agency_request":
        out.append(("-form-errors", render(kind, context, partnership=p, ui={
            "message": "The return has problems: Senior sign-off (role): this is required", "tone": "attention",
            "errors": {"senior_signoff_role": "Senior sign-off (role): this is required",
                       "chronology": "Chronology of key events: row 1, date: use a date like 2026-09-14"},
            "values": {"completed_by_role": "Detective sergeant", "chron1_event": "Attendance at the home"}})))
    if kind == "vote":
        out.append(("-form-errors", render(kind, context, partnership=p, ui={
            "message": "Please check the form.", "tone": "attention", "errors": {"reason": "Say why."},
            "values": {"choice": "lcspr", "national": "true"}})))
    return out


async def test_every_card_kind_parses_cleanly_in_microsofts_adaptivecards_library(contexts, partnership, tmp_path):
    require_tooling()
    assert set(contexts) == set(CARD_KINDS), set(CARD_KINDS) - set(contexts)
    cards = [card for kind, ctxs in contexts.items() for ctx in ctxs[-3:] for _, card in variants(kind, ctx, partnership)]
    report = validate_with_adaptivecards(cards, tmp_path)
    assert report["failures"] == {}, json.dumps(report["failures"], indent=1)
    assert all(r["version"] == "1.5" for r in report["report"].values())
    # Every kind offers at least one Action.Execute, and no card carries more than a case code and pseudonym.
    for card in cards:
        assert "Action.Execute" in json.dumps(card)
        assert "Jayden" not in all_text(card)


async def test_each_card_kind_is_pictured_for_review(contexts, partnership):
    for kind, ctxs in sorted(contexts.items()):
        for suffix, card in variants(kind, ctxs[-1], partnership):
            png = screenshot(card, f"{kind}{suffix}")
            data = png.read_bytes() if png.exists() else b""
            assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000, f"no picture of {kind}{suffix}"
    assert len(list(OUT.glob("*.png"))) >= len(CARD_KINDS)


def test_text_cannot_break_a_card(partnership):
    nasty = 'Quote " backslash \\ brace } bracket ], newline\n and <at>tags</at> & emoji \U0001F600'
    card = render("notice", {"case_code": "rr-2026-001", "text": nasty}, partnership=partnership)
    assert nasty in all_text(card)
    lead = render("executive_approval", {
        "case_code": "rr-2026-001", "pseudonym": "Child V", "version": 2, "content_hash": "abcdef123456",
        "partners": [{"partner": "local_authority", "label": "Local authority", "status": "approved"},
                     {"partner": "icb", "label": "ICB", "status": "awaiting"},
                     {"partner": "police", "label": "Police", "status": "awaiting"}],
        "count": "1 of 3", "complete": False, "recommendation": "LCSPR", "national": True},
        viewer=partnership.member("exec_council"), partnership=partnership)
    assert "Approve v2" not in action_titles(lead)  # the local authority has already approved v2
