"""Bad input through the Teams adapter (local anonymous mode, so it passes authentication): @mention
messages with fuzzed command text, and Action.Execute invokes with mangled verbs and data. Never a 5xx
(HTTP, or an invoke answering statusCode 500), never an ERROR log, nothing written by a rejected command,
every refusal said to the person. Oversized bodies and wrong content types are refused early."""
from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.adversarial.conftest import counts, errors
from tests.adversarial.test_slack_bad_input import VERBS, command_text, junk

FUZZ = settings(max_examples=20, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


async def _open_case(t) -> str:  # noqa: ANN001
    t.on(date(2026, 11, 27))
    await t.say("bu_officer", 'new pseudonym="Child V" aware=2026-11-13')
    return t.channel("rr-2026-001")


@FUZZ
@given(text=command_text, who=st.sampled_from(["sprg_police", "lead_police", None]), personal=st.booleans())
async def test_fuzzed_mentions_never_fail_and_refusals_change_nothing(teams, caplog, text, who, personal):
    caplog.clear()
    before = await counts(teams.rt.db)
    sent = len(teams.connector.calls)
    status, body = await teams.say(who, text, personal=personal)
    assert status < 500, (text, body)
    assert errors(caplog) == [], text
    assert await counts(teams.rt.db) == before, text
    said = [c.body for c in teams.connector.calls[sent:]]
    assert said, f"no answer to {text!r}"
    assert all((b.get("text") or "").strip() or b.get("attachments") for b in said), said


data_values = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63), junk, st.lists(junk, max_size=2),
                        st.dictionaries(junk, junk, max_size=2), st.sampled_from(["rr-2026-001", "police", "all", "2"]))
card_data = st.dictionaries(st.sampled_from(["card", "case", "agency", "version", "number", "recipient", "reminder",
                                             "choice", "national", "reason", "outcome", "signoff_date", "x"]),
                            data_values, max_size=6)
verbs = st.one_of(st.sampled_from(VERBS + ["refresh", "action_done", "snooze", "not_mine", "done", ""]), junk)
cards = st.sampled_from(["agency_request", "executive_approval", "case_status", "vote", "sharing", "action_item", "reminder",
                         "nonsense"])


@FUZZ
@given(verb=verbs, data=card_data, card=cards, who=st.sampled_from(["sprg_police", "lead_police", "exec_icb", None]),
       personal=st.booleans())
async def test_mangled_action_execute_invokes(teams, caplog, verb, data, card, who, personal):
    caplog.clear()
    if teams.graph.named("rr-2026-001") is None:
        await _open_case(teams)
    before = await counts(teams.rt.db)
    a = teams.activity(who, personal=personal, type="invoke", name="adaptiveCard/action", replyToId="1790000000001",
                       value={"action": {"type": "Action.Execute", "verb": verb, "id": "x", "data": {"card": card, **data}},
                              "trigger": "manual"})
    status, body = await teams.post(a)
    await teams.settle()
    assert status < 500, (verb, data, body)
    assert not isinstance(body, dict) or (body.get("statusCode") or 200) < 500, (verb, data, body)
    assert errors(caplog) == [], (verb, data)
    assert await counts(teams.rt.db) == before, (verb, data)


@FUZZ
@given(value=st.one_of(st.none(), junk, st.integers(), st.lists(junk, max_size=2),
                       st.fixed_dictionaries({}, optional={"action": st.one_of(st.none(), junk, st.dictionaries(
                           st.sampled_from(["type", "verb", "data"]), st.one_of(st.none(), junk, st.integers()), max_size=3)),
                           "trigger": junk})), name=st.sampled_from(["adaptiveCard/action", "task/fetch", "x"]))
async def test_invokes_with_malformed_value(teams, caplog, value, name):
    caplog.clear()
    before = await counts(teams.rt.db)
    a = teams.activity("sprg_police", type="invoke", name=name, value=value)
    status, body = await teams.post(a)
    await teams.settle()
    # 501 is the SDK's documented answer to an invoke no handler claims (not an exception): allowed, nothing else 5xx.
    assert status < 500 or status == 501, (value, body)
    assert not isinstance(body, dict) or (body.get("statusCode") or 200) < 500, (value, body)
    assert errors(caplog) == [] and await counts(teams.rt.db) == before, value


async def test_an_oversized_activity_is_refused_early(teams):
    a = teams.activity("bu_officer", text='<at>RapidReview</at> new pseudonym="Child V" aware=2026-11-13',
                       padding="x" * (1024 * 1024 + 10))
    status, _ = await teams.post(a)
    assert 400 <= status < 500, status  # aiohttp's 413 surfaces as the SDK's 400; refused either way
    assert await counts(teams.rt.db) == {k: 0 for k in await counts(teams.rt.db)} and teams.graph.calls == []


async def test_a_wrong_content_type_is_refused(teams, caplog):
    a = teams.activity("bu_officer", text='<at>RapidReview</at> new pseudonym="Child V" aware=2026-11-13')
    for ctype in ("text/plain", "application/x-www-form-urlencoded"):
        async with teams.session.post(teams.url, data=json.dumps(a), headers={"Content-Type": ctype}) as r:
            assert 400 <= r.status < 500, (ctype, r.status)
    await teams.settle()
    assert teams.graph.calls == [] and errors(caplog) == []


async def test_an_activity_failing_the_schema_is_a_400_not_an_exception(teams, caplog):
    status, body = await teams.post(teams.activity("sprg_police", type="invoke", name="", value={}))
    # The SDK itself logs the schema failure it raises; what must not happen is an unhandled exception
    # (aiohttp's "Error handling request") or a 5xx.
    unhandled = [e for e in errors(caplog) if not e.startswith("microsoft_agents.activity")]
    assert 400 <= status < 500 and unhandled == [], (status, body)


# -- issue 16, item 3: an activity without serviceUrl was an SDK TypeError and a 500 -------------------------------
json_value = st.one_of(st.none(), st.booleans(), st.integers(), junk, st.lists(junk, max_size=2),
                       st.dictionaries(junk, junk, max_size=2))


@pytest.mark.parametrize("field", ["serviceUrl", "type", "from", "conversation", "recipient", "channelData", "id",
                                   "channelId", "text", "entities", "value"])
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(drop=st.booleans(), value=json_value)
async def test_top_level_activity_fields_missing_or_of_any_type_never_fail(teams, caplog, field, drop, value):
    caplog.clear()
    before = await counts(teams.rt.db)
    a = teams.activity("sprg_police", text="<at>RapidReview</at> help")
    if drop:
        a.pop(field, None)
    else:
        a[field] = value
    status, body = await teams.post(a)
    await teams.settle()
    unhandled = [e for e in errors(caplog) if not e.startswith("microsoft_agents.activity")]
    assert status < 500 and unhandled == [], (field, drop, value, status, body)
    if isinstance(body, dict) and "statusCode" in body:
        assert body["statusCode"] < 500, body
    assert await counts(teams.rt.db) == before
