"""Every card and form validates with slack_sdk's Block Kit models (Slack's own limits), for realistic contexts
of every card kind: hand-made edge cases and every context the core produced in a whole case."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from adapters.slack import forms
from adapters.slack.cards import TEMPLATES, CardRenderer
from bot.effects import CARD_KINDS
from tests.driver import Driver
from tests.scenarios import to_approval
from tests.slack.samples import LONG, SAMPLES

RENDER = CardRenderer()
BUTTON_KEYS = {"case", "version", "agency", "choice", "recipient", "number", "reminder"}


def assert_valid_blocks(blocks: list[dict], where: str) -> None:
    assert 0 < len(blocks) <= 50, f"{where}: {len(blocks)} blocks"
    for b in blocks:
        parsed = Block.parse(b)
        assert parsed is not None, f"{where}: Block.parse does not know {b.get('type')!r}"
        parsed.validate_json()  # raises on Slack's limits (text lengths, element counts, ...)


def assert_safe_buttons(blocks: list[dict], where: str) -> None:
    """Buttons carry the case code and a version/agency/number/reminder id, never a name or free text."""
    for b in blocks:
        for el in b.get("elements") or []:
            values = [el.get("value")] + [o["value"] for o in el.get("options") or []]
            for v in filter(None, values):
                data = json.loads(v)
                assert set(data) <= BUTTON_KEYS, f"{where}: button value {v}"
                assert data["case"].startswith("rr-"), where


def render_and_check(card: str, context: dict, where: str) -> dict:
    msg = RENDER.message(card, context)
    assert msg["text"] and len(msg["text"]) <= 3000, where
    assert_valid_blocks(msg["blocks"], where)
    assert_safe_buttons(msg["blocks"], where)
    return msg


def test_there_is_one_template_per_card_kind():
    assert {p.name.removesuffix(".json.j2") for p in Path(TEMPLATES).glob("*.json.j2")} == set(CARD_KINDS)
    assert set(SAMPLES) == set(CARD_KINDS)


@pytest.mark.parametrize("card", CARD_KINDS)
def test_each_card_kind_validates_for_hand_made_contexts(card):
    for i, context in enumerate(SAMPLES[card]):
        render_and_check(card, context, f"{card}[{i}]")


def test_typed_text_cannot_mention_everyone_or_make_links():
    msg = RENDER.message("notice", {"case_code": "rr-2026-007", "text": "<!channel> see <https://evil.example|this>"})
    text = msg["blocks"][0]["text"]["text"]
    assert "<" not in text and "&lt;!channel&gt;" in text
    long = RENDER.message("action_item", SAMPLES["action_item"][0])
    assert len(long["blocks"][1]["text"]["text"]) <= 3000 and len(LONG) > 3000


def test_the_case_card_shows_deadlines_as_people_read_them():
    msg = RENDER.message("case_status", SAMPLES["case_status"][0])
    body = json.dumps(msg["blocks"])
    assert "Tue 29 Dec 2026" in body and "OVERDUE" in body and "SIN submitted 1 working day late" in body
    assert RENDER.topic(SAMPLES["case_status"][0]) == \
        "rr-2026-007 / Child V (Rapid Review) · next: Safeguarding partners informed, Tue 29 Dec 2026"


async def test_every_card_the_core_sends_in_a_whole_case_validates(core, clock, fake, dispatcher):
    """Drive a case from intake to closure through the core, then render every card it asked for."""
    d = Driver(core, clock)
    await to_approval(d)
    for key in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(key, "approve")
    await d.ok("bu_officer", "submit")
    d.on(date(2026, 10, 12))
    await d.ok("bu_officer", "panel agrees")
    await d.ok("bu_officer", "shared sprg_chair")
    await d.ok("bu_officer", "shared all")
    await d.ok("bu_officer", "briefing done")
    await d.ok("bu_officer", 'action add owner=education due=2027-03-01 "Refresh DSL training"')
    await d.ok("bu_officer", "action done 1")
    await d.ok("bu_officer", "close")
    await dispatcher.drain()
    seen = set()
    for call in fake.calls:
        if "card" in call.args:
            render_and_check(call.args["card"], call.args["context"], f"{call.method} {call.args['card']}")
            seen.add(call.args["card"])
    assert seen >= {"case_status", "notice", "agency_request", "vote", "executive_approval", "panel_response",
                    "sharing", "action_item"}, seen


async def test_reminder_cards_the_ticker_sends_validate(core, clock, fake, dispatcher, partnership, calendar, db):
    ticker_mod = pytest.importorskip("bot.ticker")
    d = Driver(core, clock).on(date(2026, 12, 18))
    await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-12-18')
    ticker = ticker_mod.Ticker(db, partnership, calendar, dispatcher, clock=clock)
    clock.on(date(2026, 12, 29))  # the SIN is due today: the Business Unit is reminded
    await ticker.tick()
    reminders = [c for c in fake.calls if c.args.get("card") == "reminder"]
    assert reminders
    for call in reminders:
        render_and_check("reminder", call.args["context"], "reminder")


def test_every_form_validates_as_a_modal():
    views = {
        "new case": forms.new_case_view(),
        "agency return": forms.agency_return_view("rr-2026-007", "education", "Education (school)"),
        "view lcspr": forms.vote_view("rr-2026-007", "lcspr"),
        "view no-lcspr": forms.vote_view("rr-2026-007", "no-lcspr"),
        "disagree": forms.disagree_view("rr-2026-007", 2),
        "result": forms.result_view("Return recorded", LONG),
    }
    for where, view in views.items():
        View(**view).validate_json()
        assert_valid_blocks(view["blocks"], where)
        assert len(view["private_metadata"]) <= 3000
        ids = [b["block_id"] for b in view["blocks"] if "block_id" in b]
        assert len(ids) == len(set(ids)), where


def test_the_agency_return_form_covers_the_structured_return():
    from bot.agency_return import FIELD_LABELS

    view = forms.agency_return_view("rr-2026-007", "education", "Education (school)")
    ids = {b.get("block_id") for b in view["blocks"]}
    assert set(FIELD_LABELS) - {"chronology"} <= ids
    assert {f"chronology_{n}_{f}" for n in (1, 2, 3) for f in ("date", "source", "event", "action")} <= ids
    assert "involvement" in ids  # the nil-return option


def test_every_value_in_a_template_goes_through_a_json_encoding_filter():
    """Nothing from a context can break the JSON or add a block: `j`, `md` or `val` encode every value."""
    import re

    for path in Path(TEMPLATES).glob("*.json.j2"):
        for expr in re.findall(r"{{(.*?)}}", path.read_text(), re.DOTALL):
            expr = expr.strip()
            assert expr == '"," if not loop.last else ""' or re.search(r"\|(j|md|val)(\(\w*\))?$", expr), \
                f"{path.name}: {{{{ {expr} }}}} is not encoded"
