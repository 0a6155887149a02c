"""One command grammar for every platform: examples parse, mistakes get specific help."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings, strategies as st

from bot.grammar import SPECS, ParseError, help_text, parse


@pytest.mark.parametrize("verb", sorted(SPECS))
def test_every_commands_own_example_parses(verb):
    cmd = parse(SPECS[verb].example)
    assert cmd.verb == verb


@pytest.mark.parametrize("text,verb,option,args", [
    ('new pseudonym="Child V" aware=2026-12-18', "new", None,
     {"pseudonym": "Child V", "aware": date(2026, 12, 18), "sin": None, "kind": "unspecified", "residing": None,
      "lead": None}),
    ('new pseudonym="Child V" aware=2026-12-18 sin=2026-12-22 kind=death', "new", None,
     {"pseudonym": "Child V", "aware": date(2026, 12, 18), "sin": date(2026, 12, 22), "kind": "death",
      "residing": None, "lead": None}),
    ("sin 2026-12-22", "sin", None, {"date": date(2026, 12, 22), "reason": None}),
    ('sin 2026-12-22 reason="typed the wrong day"', "sin", None, {"date": date(2026, 12, 22), "reason": "typed the wrong day"}),
    ("aware 2026-12-18", "aware", None, {"date": date(2026, 12, 18), "reason": None}),
    ("list", "list", None, {"page": 1}),
    ("list page=3", "list", None, {"page": 3}),
    ("sin not-met", "sin", "not-met", {}),
    ("triage notifiable", "triage", "notifiable", {}),
    ("request police, education", "request", None, {"agencies": ["police", "education"]}),
    ('waive education reason="no involvement"', "waive", None, {"agency": "education", "reason": "no involvement"}),
    ("meeting rrm 2027-01-07", "meeting", "rrm", {"date": date(2027, 1, 7)}),
    ('vote no-lcspr national reason="known learning"', "vote", "no-lcspr", {"national": True, "reason": "known learning"}),
    ("approve v2", "approve", None, {"version": 2}),
    ("APPROVE", "approve", None, {"version": None}),
    ('disagree reason="single agency"', "disagree", None, {"version": None, "reason": "single agency"}),
    ("panel information", "panel", "information", {"ref": None, "date": None}),
    ("briefing done", "briefing", "done", {}),
    ('action add owner=education due=2027-03-01 "Refresh DSL training"', "action", "add",
     {"owner": "education", "due": date(2027, 3, 1), "text": "Refresh DSL training"}),
    ("action done 2", "action", "done", {"number": 2}),
])
def test_commands_parse_to_verb_option_and_arguments(text, verb, option, args):
    cmd = parse(text)
    assert (cmd.verb, cmd.option, cmd.args) == (verb, option, args)


def test_smart_quotes_from_chat_clients_are_understood():
    assert parse("vote lcspr reason=\u201cmulti-agency learning\u201d").args["reason"] == "multi-agency learning"


def test_a_case_code_can_be_named_anywhere():
    assert parse("status rr-2026-007").case_code == "rr-2026-007"
    assert parse("approve v2 case=rr-2026-014").case_code == "rr-2026-014"


@pytest.mark.parametrize("text,needle", [
    ("aprove", "Did you mean `approve`"),
    ("stauts", "Did you mean `status`"),
    ("frobnicate", "Type `help`"),
    ('new pseudonym="Child V" aware=2026-13-45', "bad date '2026-13-45'"),
    ('new pseudonym="Child V" aware=18/12/2026', "use YYYY-MM-DD, for example 2026-12-18"),
    ('new pseudonym="Jayden Smith" aware=2026-12-18', "never the child's name"),
    ("new aware=2026-12-18", 'pseudonym="Child V"'),
    ('new pseudonym="Child V" sin=2026-12-22', "sin= needs aware="),
    ("triage maybe", "use one of notifiable, local, withdrawn"),
    ("panel agreez", "Did you mean `agrees`"),
    ("waive education", 'reason="..."'),
    ('vote lcspr reason="unclosed', "a quote is not closed"),
    ("approve version2", "not a report version"),
    ("request", "needs agencies"),
    ("pack now", "unexpected 'now'"),
    ("status case=Child-V", "not a case code"),
    ("", "no command given"),
])
def test_mistakes_get_a_specific_message_and_the_right_form(text, needle):
    with pytest.raises(ParseError) as exc:
        parse(text)
    assert needle in str(exc.value)


def test_a_wrong_argument_shows_usage_and_example():
    with pytest.raises(ParseError) as exc:
        parse("meeting rrm 2027-02-30")
    msg = str(exc.value)
    assert "no such day" in msg and "Usage: meeting icdm|rrm DATE" in msg and "Example: meeting rrm 2027-01-07" in msg


def test_help_lists_only_what_the_person_may_run():
    text = help_text(None, {"status", "vote", "help"})
    assert "vote" in text and "approve" not in text
    assert "Example: `approve v2`" in help_text("approve")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_parsing_anything_either_works_or_raises_a_parse_error(text):
    try:
        cmd = parse(text)
    except ParseError as exc:
        assert str(exc)
    else:
        assert cmd.verb in SPECS


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(SPECS)), st.lists(st.sampled_from(
    ["police", "v2", "2026-12-18", "2026-13-45", 'reason="x"', "national", "all", "done", "add", "lcspr", "owner=x",
     "due=2027-01-01", '"text"', "case=rr-2026-001", "=", "'", "\u201c"]), max_size=5))
def test_command_shaped_noise_never_crashes_the_parser(verb, words):
    try:
        parse(" ".join([verb, *words]))
    except ParseError:
        pass
