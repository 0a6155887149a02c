"""Bad input through the Slack adapter, correctly signed so it passes authentication: hypothesis-generated
slash-command texts, block_actions with mangled action ids and values, view submissions with garbage
fields, events with odd shapes. Never a 5xx, never an ERROR log, nothing written by a rejected command,
every rejection answered with a non-empty message. Oversized bodies and wrong content types: 4xx."""
from __future__ import annotations

import json
import time
from datetime import date

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.adversarial.conftest import counts, errors
from tests.slack.conftest import signed_headers
from tests.slack.fake_slack import TEAM

BU, MEMBER, LEAD_POLICE, STRANGER = "U0FIC0001", "U0FIC0004", "U0FIC0011", "U0NOTKNOWN"
FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

VERBS = ["new", "status", "triage", "kloe", "request", "return", "nil", "ack", "pack", "meeting", "vote", "recommend",
         "report", "approve", "disagree", "submit", "panel", "shared", "briefing", "action", "close", "watch", "help",
         "sin", "remind", "lcspr"]
junk = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
arg = st.one_of(junk, st.from_regex(r"[a-z_]{1,8}=[\"']?[-0-9A-Za-z /:.]{0,20}[\"']?", fullmatch=True),
                st.sampled_from(["2026-02-30", "0000-00-00", "9999-99-99", '"', "''", "=", "rr-2026-999", "rr-0-0",
                                 "police,police", ",,,", "\x00", "<!channel>", "@here", "`", "*" * 300]))
command_text = st.one_of(junk, st.builds(lambda v, a: " ".join([v, *a]), st.sampled_from(VERBS), st.lists(arg, max_size=4)))


async def _open_case(slack) -> str:  # noqa: ANN001
    slack.clock.on(date(2026, 9, 7))
    status, reply = await slack.slack.command(BU, 'new pseudonym="Child V" aware=2026-09-01 sin=2026-09-07')
    assert status == 200, reply
    await slack.settle()
    return next(iter(slack.fake.channels))


@FUZZ
@given(text=command_text, who=st.sampled_from([MEMBER, STRANGER, LEAD_POLICE]))
async def test_fuzzed_slash_commands_never_fail_and_rejections_change_nothing(slack, caplog, text, who):
    caplog.clear()
    # Never as the Business Unit: a fuzzed command from them could legitimately open a case.
    before = await counts(slack.rt.db)
    status, reply = await slack.slack.command(who, text)
    assert status < 500, (text, reply)
    await slack.settle()
    assert errors(caplog) == [], text
    if status == 200 and reply != "":
        assert isinstance(reply, dict) and reply.get("text", "").strip(), (text, reply)
    assert await counts(slack.rt.db) == before, text


@FUZZ
@given(text=command_text)
async def test_fuzzed_commands_in_a_case_channel_by_a_member_write_nothing_when_refused(slack, caplog, text):
    caplog.clear()
    if not slack.fake.channels:
        await _open_case(slack)
    channel = next(iter(slack.fake.channels))
    before = await counts(slack.rt.db)
    status, reply = await slack.slack.command(STRANGER, text, channel=channel)
    assert status < 500 and isinstance(reply, dict) and reply["text"].strip(), (text, reply)
    await slack.settle()
    assert await counts(slack.rt.db) == before and errors(caplog) == [], text


ACTION_IDS = ["rr_nil", "rr_ack", "rr_approve", "rr_shared_all", "rr_shared_one", "rr_action_done", "rr_reminder_done",
              "rr_reminder_snooze", "rr_reminder_not_mine", "rr_return_open", "rr_vote_lcspr", "rr_vote_no_lcspr",
              "rr_disagree_open", "rr_open_report", "rr_", "rr_unknown", "not_ours"]
values = st.one_of(junk, st.just("null"), st.just("[]"), st.just("{}"),
                   st.dictionaries(st.sampled_from(["case", "agency", "version", "number", "recipient", "reminder", "x"]),
                                   st.one_of(junk, st.integers(-2**63, 2**63), st.none(), st.booleans(),
                                             st.lists(st.integers(), max_size=2), st.sampled_from(["rr-2026-001", "police"])),
                                   max_size=4).map(json.dumps))


@FUZZ
@given(aid=st.one_of(st.sampled_from(ACTION_IDS), junk), value=values, who=st.sampled_from([MEMBER, STRANGER, LEAD_POLICE]),
       channel=st.sampled_from(["C0GENERAL1", "D0SOMEDM1", ""]), with_trigger=st.booleans())
async def test_mangled_block_actions(slack, caplog, aid, value, who, channel, with_trigger):
    caplog.clear()
    if not slack.fake.channels:
        await _open_case(slack)
    before = await counts(slack.rt.db)
    replies = len(slack.fake.responses)
    payload = {"type": "block_actions", "user": {"id": who, "team_id": TEAM}, "api_app_id": "A0FAKE001",
               "team": {"id": TEAM}, "container": {"type": "message", "message_ts": "1.2", "channel_id": channel},
               "channel": {"id": channel}, "message": {"ts": "1.2", "text": "x", "blocks": []},
               "response_url": f"{slack.fake.base}/response/fuzz", "actions": [
                   {"type": "button", "action_id": aid, "block_id": "b", "value": value, "action_ts": f"{time.time():.6f}"}]}
    if with_trigger:
        payload["trigger_id"] = slack.slack.trigger()
    status, body = await slack.slack.form({"payload": json.dumps(payload)})
    assert status < 500, (aid, value, body)
    await slack.settle()
    assert errors(caplog) == [], (aid, value)
    assert await counts(slack.rt.db) == before, (aid, value)
    assert all(r[1].get("text", "").strip() for r in slack.fake.responses[replies:]), slack.fake.responses[replies:]


CALLBACKS = ["rr_new", "rr_return", "rr_vote", "rr_disagree", "rr_unknown", ""]
field_values = st.one_of(st.none(), junk, st.integers(), st.lists(junk, max_size=2),
                         st.dictionaries(junk, junk, max_size=2))


@FUZZ
@given(callback=st.sampled_from(CALLBACKS), meta=st.one_of(junk, values), who=st.sampled_from([BU, MEMBER, STRANGER, LEAD_POLICE]),
       state=st.dictionaries(st.sampled_from(["pseudonym", "aware", "sin", "kind", "reason", "completed_by_role",
                                              "signoff_date", "chronology_1_date", "national", "x"]),
                             st.dictionaries(st.sampled_from(["a", "input", "value"]),
                                             st.dictionaries(st.sampled_from(["type", "value", "selected_date",
                                                                              "selected_option", "selected_options"]),
                                                             field_values, max_size=3), max_size=2), max_size=5))
async def test_view_submissions_with_garbage_fields(slack, caplog, callback, meta, who, state):
    caplog.clear()
    before = await counts(slack.rt.db)
    payload = {"type": "view_submission", "team": {"id": TEAM}, "user": {"id": who, "team_id": TEAM},
               "api_app_id": "A0FAKE001", "trigger_id": slack.slack.trigger(),
               "view": {"id": "V0FUZZ", "type": "modal", "callback_id": callback, "private_metadata": meta,
                        "blocks": [], "state": {"values": state}}, "response_urls": []}
    status, body = await slack.slack.form({"payload": json.dumps(payload)})
    assert status < 500, (callback, meta, state, body)
    await slack.settle()
    assert errors(caplog) == [], (callback, meta, state)
    if "Opened" not in body:
        assert await counts(slack.rt.db) == before, (callback, meta, state)


json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), junk),
                           lambda kids: st.lists(kids, max_size=3) | st.dictionaries(junk, kids, max_size=3), max_leaves=8)


@FUZZ
@given(event=st.fixed_dictionaries(
    {"type": st.sampled_from(["message", "app_mention", "member_joined_channel", "channel_rename", "app_home_opened", "x"])},
    optional={"channel": st.one_of(junk, st.none(), st.just("C0GENERAL1")), "user": st.one_of(junk, st.none()),
              "text": st.one_of(junk, st.none(), st.lists(junk)), "ts": st.one_of(junk, st.none(), st.floats()),
              "subtype": st.one_of(junk, st.sampled_from(["message_changed", "message_deleted", "bot_message"])),
              "message": json_values, "channel_type": st.sampled_from(["group", "im", "channel", ""])}))
async def test_events_with_odd_shapes(slack, caplog, event):
    caplog.clear()
    before = await counts(slack.rt.db)
    status, body = await slack.slack.event(event)
    assert status < 500, (event, body)
    await slack.settle()
    assert errors(caplog) == [], event
    assert await counts(slack.rt.db) == before, event


@pytest.mark.parametrize("event", [None, [], 1, "text", {"type": "message", "user": 5, "text": "hi"}],
                         ids=["null", "list", "number", "string", "numeric-user"])
async def test_events_that_are_not_objects_are_refused_without_an_exception(slack, caplog, event):
    status, body = await slack.slack.event(event)
    await slack.settle()
    assert status < 500 and errors(caplog) == [], (status, body)


GARBAGE = {"not json": ("not json at all", "application/json"), "json list": ("[]", "application/json"),
           "json null": ("null", "application/json"), "no event": ('{"type": "event_callback"}', "application/json"),
           "payload not json": ("payload=not-json", "application/x-www-form-urlencoded"),
           "payload list": ("payload=%5B%5D", "application/x-www-form-urlencoded"),
           "payload empty object": ("payload=%7B%7D", "application/x-www-form-urlencoded"),
           "empty form": ("", "application/x-www-form-urlencoded"), "bad escapes": ("%%%%", "application/x-www-form-urlencoded")}




@pytest.mark.parametrize("case", list(GARBAGE))
async def test_garbage_envelopes_and_payloads(slack, caplog, case):
    body, ctype = GARBAGE[case]
    status, text = await slack.slack.post(body, ctype)
    await slack.settle()
    assert status < 500, (body, status, text)
    assert errors(caplog) == [] and await slack.audit() == []


async def _raw(url: str, body: bytes, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as s, s.post(url, data=body, headers=headers) as r:
        return r.status


async def test_an_oversized_body_is_refused_early(slack):
    fields = slack.slack.command_fields(BU, 'new pseudonym="Child V" aware=2026-09-01')
    body = "&".join(f"{k}={v}" for k, v in fields.items()) + "&padding=" + "x" * (1024 * 1024 + 10)
    status = await _raw(slack.slack.url, body.encode(), signed_headers(body, "application/x-www-form-urlencoded"))
    assert status == 413
    assert await slack.audit() == [] and [c.method for c in slack.fake.calls if c.method != "auth.test"] == []


@pytest.mark.parametrize("ctype", ["text/plain", "application/xml", "multipart/form-data; boundary=x"])
async def test_a_wrong_content_type_is_refused(slack, caplog, ctype):
    import urllib.parse
    body = urllib.parse.urlencode(slack.slack.command_fields(BU, 'new pseudonym="Child V" aware=2026-09-01'))
    status = await _raw(slack.slack.url, body.encode(), signed_headers(body, ctype))
    await slack.settle()
    assert 400 <= status < 500, (ctype, status)
    assert not slack.fake.of("conversations.create", ok=None) and errors(caplog) == []


# -- issue 16, item 3: signed but wrongly typed input was a 500 -----------------------------------------------------
async def test_a_timestamp_of_hundreds_of_digits_is_a_401_not_an_overflow(slack, caplog):
    import urllib.parse
    from tests.slack.conftest import signature

    body = urllib.parse.urlencode(slack.slack.command_fields(BU, "help"))
    for ts in ("9" * 400, "-" + "9" * 400, "1e400", "nan", "inf", ""):
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
                   "X-Slack-Signature": signature(body, ts)}
        status = await _raw(slack.slack.url, body.encode(), headers)
        assert status == 401, (ts, status)
    assert errors(caplog) == []


def _block_actions(who: str = LEAD_POLICE) -> dict:
    return {"type": "block_actions", "user": {"id": who, "team_id": TEAM}, "api_app_id": "A0FAKE001",
            "team": {"id": TEAM}, "trigger_id": "1.2.3", "container": {"type": "message", "message_ts": "1.2",
                                                                       "channel_id": "D0SOMEDM1"},
            "channel": {"id": "D0SOMEDM1"}, "message": {"ts": "1.2", "text": "x", "blocks": []},
            "response_url": "http://127.0.0.1:9/response/x", "actions": [
                {"type": "button", "action_id": "rr_ack", "block_id": "b",
                 "value": json.dumps({"case": "rr-2026-001", "agency": "police"}), "action_ts": "1.2"}]}


def _view_submission(who: str = MEMBER) -> dict:
    return {"type": "view_submission", "team": {"id": TEAM}, "user": {"id": who, "team_id": TEAM},
            "api_app_id": "A0FAKE001", "trigger_id": "1.2.3",
            "view": {"id": "V0FUZZ", "type": "modal", "callback_id": "rr_vote", "blocks": [],
                     "private_metadata": json.dumps({"case": "rr-2026-001", "choice": "lcspr"}),
                     "state": {"values": {"reason": {"input": {"type": "plain_text_input", "value": "because"}}}}},
            "response_urls": []}


def _message_event() -> dict:
    return {"type": "message", "channel": "C0GENERAL1", "user": MEMBER, "text": "hello", "ts": "1.2",
            "channel_type": "group"}


# Each path of Slack's payloads the adapter reads, and a value of a type Slack never sends there.
WRONG_TYPES = {
    "event": [("channel", 5), ("channel", ["C1"]), ("user", {"id": "U1"}), ("text", ["a"]), ("ts", 1.5),
              ("subtype", 3), ("message", "text"), ("files", "x"), ("files", [1]), ("previous_message", [])],
    "block_actions": [("user", "U0FIC0011"), ("user", None), ("user", {"id": 5}), ("actions", {"action_id": "rr_ack"}),
                      ("actions", ["rr_ack"]), ("actions", "rr_ack"), ("channel", "D0SOMEDM1"), ("container", []),
                      ("message", "x"), ("trigger_id", 5), ("response_url", ["x"])],
    "view_submission": [("user", "U0FIC0004"), ("view", "x"), ("view.state", "x"), ("view.state.values", []),
                        ("view.state.values.reason", "x"), ("view.private_metadata", {"case": "rr-2026-001"}),
                        ("view.callback_id", 7)],
}


def _with(payload: dict, path: str, value) -> dict:  # noqa: ANN001
    out = json.loads(json.dumps(payload))
    *parents, last = path.split(".")
    node = out
    for p in parents:
        node = node[p]
    node[last] = value
    return out


@pytest.mark.parametrize("kind, path, value", [(k, p, v) for k, items in WRONG_TYPES.items() for p, v in items],
                         ids=[f"{k}:{p}={json.dumps(v)}" for k, items in WRONG_TYPES.items() for p, v in items])
async def test_a_signed_payload_with_a_wrongly_typed_field_is_a_400(slack, caplog, kind, path, value):
    before = await counts(slack.rt.db)
    if kind == "event":
        status, body = await slack.slack.event(_with(_message_event(), path, value))
    else:
        base = _block_actions() if kind == "block_actions" else _view_submission()
        status, body = await slack.slack.form({"payload": json.dumps(_with(base, path, value))})
    await slack.settle()
    assert status == 400, (status, body)
    assert errors(caplog) == [] and await counts(slack.rt.db) == before


@pytest.mark.parametrize("value", [{"case": ["rr-2026-001"]}, {"case": "rr-2026-001", "version": "abc"},
                                   {"case": "rr-2026-001", "version": [1]}, {"case": "rr-2026-001", "number": {"n": 1}},
                                   {"case": "rr-2026-001", "agency": 5}, {"case": "rr-2026-001", "reminder": "x"},
                                   {"case": 7}, {"case": "rr-2026-001", "recipient": ["all"]}])
@pytest.mark.parametrize("aid", ["rr_approve", "rr_action_done", "rr_ack", "rr_reminder_done", "rr_disagree_open",
                                 "rr_return_open", "rr_shared_one"])
async def test_forged_button_values_of_the_wrong_type_are_refused_with_a_message(slack, caplog, aid, value):
    before = await counts(slack.rt.db)
    payload = _block_actions()
    payload["actions"][0].update(action_id=aid, value=json.dumps(value))
    payload["response_url"] = f"{slack.fake.base}/response/forged"
    status, body = await slack.slack.form({"payload": json.dumps(payload)})
    await slack.settle()
    assert status < 500, (status, body)
    assert errors(caplog) == [] and await counts(slack.rt.db) == before
    told = [r[1]["text"] for r in slack.fake.responses if r[0] == "forged"]
    assert told and all(t.strip() for t in told), told


wrong = st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(), st.lists(junk, max_size=2),
                  st.dictionaries(junk, junk, max_size=2), junk)


@FUZZ
@given(kind=st.sampled_from(list(WRONG_TYPES)), data=st.data())
async def test_fuzzed_field_types_in_signed_payloads_never_fail(slack, caplog, kind, data):
    """Any field the adapter reads, replaced by any JSON value: never a 5xx, never an ERROR log, nothing written."""
    caplog.clear()
    before = await counts(slack.rt.db)
    path = data.draw(st.sampled_from(sorted({p for p, _ in WRONG_TYPES[kind]})))
    value = data.draw(wrong)
    if kind == "event":
        status, body = await slack.slack.event(_with(_message_event(), path, value))
    else:
        base = _block_actions() if kind == "block_actions" else _view_submission()
        status, body = await slack.slack.form({"payload": json.dumps(_with(base, path, value))})
    await slack.settle()
    assert status < 500, (path, value, body)
    assert errors(caplog) == [] and await counts(slack.rt.db) == before, (path, value)
