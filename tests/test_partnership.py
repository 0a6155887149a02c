"""The partnership file: the shipped example is valid; a broken file lists every problem with its line."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.partnership import PartnershipFileError, Role, StatutoryPartner, load_partnership
from bot.settings import DEFAULT_PARTNERSHIP

ROOT = Path(__file__).resolve().parent.parent


def test_the_shipped_example_is_valid_and_fictional():
    p = load_partnership(DEFAULT_PARTNERSHIP)
    assert p.partnership.case_code_prefix == "rr"
    assert {p.partner_agency(s).key for s in StatutoryPartner} == {"council", "icb", "police"}
    assert all("(fictional)" in m.name for m in p.members)
    assert p.timescales.agency_return_working_days == 8 and p.reminders.rapid_review_due == (3, 1, 0)
    assert p.partner_of(p.member("exec_police_deputy")) == StatutoryPartner.POLICE
    assert p.by_slack_id("U0FIC0001").has(Role.BUSINESS_UNIT)


BROKEN = """\
partnership:
  name: Test
  short_name: T
  case_code_prefix: RR-bad
agencies:
  - {key: council, name: Council, statutory_partner: local_authority}
  - {key: police, name: Police, statutory_partner: police}
  - {key: police2, name: Police 2, statutory_partner: police}
members:
  - {key: bu, name: B, roles: [business_unit, wizard], agency: council}
  - {key: x, name: X, roles: [agency_lead], agency: nowhere, colour: blue}
timescales:
  agency_return_working_days: 0
"""


def test_a_broken_file_lists_every_problem_with_line_and_key(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(BROKEN)
    with pytest.raises(PartnershipFileError) as exc:
        load_partnership(path)
    problems = "\n".join(exc.value.problems)
    assert "line 4: partnership.case_code_prefix" in problems
    assert "line 10: members.0.roles.1" in problems and "wizard" in problems
    assert "line 11: members.1.colour: unknown key" in problems
    assert "line 13: timescales.agency_return_working_days" in problems


def test_cross_checks_are_reported_together(tmp_path):
    text = BROKEN.replace("RR-bad", "rr").replace(", wizard", "").replace(", colour: blue", "").replace(
        "agency_return_working_days: 0", "agency_return_working_days: 8")
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(PartnershipFileError) as exc:
        load_partnership(path)
    msg = str(exc.value)
    assert "statutory_partner: icb (found 0)" in msg
    assert "statutory_partner: police (found 2: police, police2)" in msg
    assert "agency 'nowhere' is not one of the agencies" in msg


def test_not_yaml_and_missing_file_are_explained(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("partnership: [unclosed\n")
    with pytest.raises(PartnershipFileError) as exc:
        load_partnership(bad)
    assert "not valid YAML" in str(exc.value)
    with pytest.raises(PartnershipFileError) as exc:
        load_partnership(tmp_path / "nope.yaml")
    assert "cannot read the file" in str(exc.value)


def test_serve_with_a_broken_file_fails_at_start_up_without_a_traceback(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(BROKEN)
    env = {**os.environ, "RAPIDREVIEW_PARTNERSHIP": str(path),
           "RAPIDREVIEW_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}
    proc = subprocess.run([sys.executable, "-m", "server.cli", "serve"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "line 4: partnership.case_code_prefix" in proc.stderr


def test_a_hyphen_in_a_key_is_read_as_an_underscore_and_a_bad_key_is_explained_in_words(tmp_path):
    """Issue 14 item 15: `ex-la` is what people type; `Ex LA!` gets a message in words with an example."""
    from bot.settings import DEFAULT_PARTNERSHIP as example

    text = Path(example).read_text(encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text(text.replace("key: scrutineer,", "key: ex-scrutineer,"))
    p = load_partnership(good)
    assert p.member("ex_scrutineer").has(Role.INDEPENDENT_SCRUTINEER)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("key: scrutineer,", "key: 'Ex LA!',"))
    with pytest.raises(PartnershipFileError) as exc:
        load_partnership(bad)
    msg = str(exc.value)
    assert "'Ex LA!' is not a usable key" in msg and "lower-case letters" in msg and "for example ex_la" in msg
    assert "pattern" not in msg and "^[a-z]" not in msg
