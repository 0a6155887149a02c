"""`rapidreview deadlines` and `rapidreview workdays add`: given anchor dates, when the command runs, then its output."""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from server.cli import dates as cli_dates
from bot.calendar import WorkingDayCalendar

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "2026-12-18"


@pytest.fixture
def rapidreview(capsys, monkeypatch):
    """Run the date commands in-process on a parser of their own: (exit status, stdout, stderr)."""
    monkeypatch.delenv("RAPIDREVIEW_HOLIDAYS_FILE", raising=False)
    parser = argparse.ArgumentParser(prog="rapidreview")
    cli_dates.register(parser.add_subparsers(dest="command", required=True))

    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        args = parser.parse_args(argv)
        status = args.handler(args)
        out, err = capsys.readouterr()
        return status, out, err

    return run


def run_cli(*argv: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real entry point in a fresh process, as an operator or a script would run it."""
    environment = {k: v for k, v in os.environ.items() if k != "RAPIDREVIEW_HOLIDAYS_FILE"} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *argv],
        input=stdin, capture_output=True, text=True, cwd=ROOT, env=environment, timeout=60,
    )


def assert_input_error(status: int, out: str, err: str, *fragments: str) -> None:
    assert status == 2
    assert out == ""
    assert "Traceback" not in err
    assert err.startswith("rapidreview: ") and err.count("\n") == 1
    for fragment in fragments:
        assert fragment in err


# --- deadlines --------------------------------------------------------------------------------------

def test_aware_fri_18_dec_2026_as_json_gives_only_the_sin_and_partners_deadlines(rapidreview):
    status, out, err = rapidreview("deadlines", "--aware", "2026-12-18", "--json")
    assert (status, err) == (0, "")
    assert '"sin_due": "2026-12-29"' in out
    assert json.loads(out) == {"sin_due": "2026-12-29", "partners_informed_due": "2026-12-29"}


def test_as08_late_sin_as_json_is_one_working_day_late_with_rr_due_tue_1_dec(rapidreview):
    status, out, _ = rapidreview("deadlines", "--aware", "2026-11-02", "--sin-submitted", "2026-11-10", "--json")
    result = json.loads(out)
    assert status == 0
    assert set(result) == {
        "sin_due", "partners_informed_due", "sin_late_working_days", "rapid_review_due", "rapid_review_reminders",
    }
    assert result["sin_due"] == "2026-11-09"
    assert result["sin_late_working_days"] == 1
    assert result["rapid_review_due"] == "2026-12-01"
    assert result["rapid_review_reminders"] == [
        {"kind": "rapid_review_due_in_3_wd", "at": "2026-11-26T09:00:00+00:00"},
        {"kind": "rapid_review_due_in_1_wd", "at": "2026-11-30T09:00:00+00:00"},
        {"kind": "rapid_review_due_today", "at": "2026-12-01T09:00:00+00:00"},
    ]


def test_sin_submitted_alone_gives_the_rapid_review_deadline_and_no_sin_keys(rapidreview):
    _, out, _ = rapidreview("deadlines", "--sin-submitted", "2026-09-07", "--json")
    result = json.loads(out)
    assert set(result) == {"rapid_review_due", "rapid_review_reminders"}
    assert result["rapid_review_due"] == "2026-09-28"


def test_summer_reminders_carry_the_bst_offset(rapidreview):
    _, out, _ = rapidreview("deadlines", "--sin-submitted", "2026-09-07", "--json")
    assert [r["at"] for r in json.loads(out)["rapid_review_reminders"]] == [
        "2026-09-23T09:00:00+01:00", "2026-09-25T09:00:00+01:00", "2026-09-28T09:00:00+01:00",
    ]


def test_lcspr_decided_31_aug_2026_is_due_sun_28_feb_2027_with_a_warning(rapidreview):
    _, out, _ = rapidreview("deadlines", "--lcspr-decided", "2026-08-31", "--json")
    assert json.loads(out) == {
        "lcspr_publication_due": "2027-02-28",
        "lcspr_publication_warning":
            "Sun 28 Feb 2027 is not a working day; the last working day before it is Fri 26 Feb 2027",
    }


def test_lcspr_decided_31_aug_2027_is_due_tue_29_feb_2028_without_a_warning(rapidreview):
    _, out, _ = rapidreview("deadlines", "--lcspr-decided", "2027-08-31", "--json")
    assert json.loads(out) == {"lcspr_publication_due": "2028-02-29"}


def test_publication_planned_gives_the_panel_copy_deadline_only(rapidreview):
    _, out, _ = rapidreview("deadlines", "--publication-planned", "2027-02-26", "--json")
    assert json.loads(out) == {"panel_copy_due": "2027-02-17"}


def test_all_anchors_give_all_keys_in_one_json_object(rapidreview):
    _, out, _ = rapidreview(
        "deadlines", "--aware", "2026-11-02", "--sin-submitted", "2026-11-10",
        "--lcspr-decided", "2026-08-31", "--publication-planned", "2027-02-26", "--json",
    )
    assert set(json.loads(out)) == {
        "sin_due", "partners_informed_due", "sin_late_working_days", "rapid_review_due",
        "rapid_review_reminders", "lcspr_publication_due", "lcspr_publication_warning", "panel_copy_due",
    }


def test_human_output_shows_tue_29_dec_2026(rapidreview):
    status, out, _ = rapidreview("deadlines", "--aware", "2026-12-18")
    assert status == 0
    assert out.splitlines() == ["SIN due: Tue 29 Dec 2026", "Safeguarding partners informed due: Tue 29 Dec 2026"]


def test_human_output_for_as08_reports_the_late_sin_and_the_rr_due_date(rapidreview):
    _, out, _ = rapidreview("deadlines", "--aware", "2026-11-02", "--sin-submitted", "2026-11-10")
    assert "SIN due: Mon 9 Nov 2026" in out
    assert "SIN submitted 1 working day late" in out
    assert "Rapid review due: Tue 1 Dec 2026" in out
    assert "Rapid review reminder 3 working days before: Thu 26 Nov 2026 09:00 Europe/London" in out


def test_human_output_warns_when_the_publication_date_is_not_a_working_day(rapidreview):
    _, out, _ = rapidreview("deadlines", "--lcspr-decided", "2026-08-31")
    assert "LCSPR publication due: Sun 28 Feb 2027" in out
    assert "the last working day before it is Fri 26 Feb 2027" in out


def test_no_anchor_is_an_input_error_listing_the_options_with_an_example(rapidreview):
    status, out, err = rapidreview("deadlines", "--json")
    assert_input_error(
        status, out, err, "--aware", "--sin-submitted", "--lcspr-decided", "--publication-planned",
        f"rapidreview deadlines --aware {EXAMPLE}",
    )


@pytest.mark.parametrize("option", ["--aware", "--sin-submitted", "--lcspr-decided", "--publication-planned"])
@pytest.mark.parametrize("bad", ["2026-13-45", "18/12/2026", "20261218", "2026-2-3", "tomorrow"])
def test_a_bad_date_is_an_input_error_naming_the_value_and_the_option(rapidreview, option, bad):
    status, out, err = rapidreview("deadlines", option, bad, "--json")
    assert_input_error(status, out, err, f"'{bad}'", f"for {option}", "YYYY-MM-DD", EXAMPLE)


def test_the_bad_date_message_reads_as_documented(rapidreview):
    _, _, err = rapidreview("deadlines", "--aware", "2026-13-45")
    assert err == "rapidreview: bad date '2026-13-45' for --aware: use YYYY-MM-DD, for example 2026-12-18\n"


def test_a_date_beyond_the_holiday_data_is_an_input_error_not_a_traceback(rapidreview):
    status, out, err = rapidreview("deadlines", "--aware", "2045-01-02")
    assert_input_error(status, out, err, "2045", "2015-2040")


# --- workdays add -----------------------------------------------------------------------------------

def test_five_working_days_after_fri_18_dec_2026_is_tue_29_dec(rapidreview):
    assert rapidreview("workdays", "add", "2026-12-18", "5") == (0, "2026-12-29\n", "")


def test_zero_working_days_after_a_date_is_the_date(rapidreview):
    assert rapidreview("workdays", "add", "2026-12-19", "0") == (0, "2026-12-19\n", "")


@pytest.mark.parametrize("bad", ["five", "-3", "1.5", "+2", "٣"])
def test_a_bad_number_is_an_input_error_naming_it_with_an_example(rapidreview, bad):
    status, out, err = rapidreview("workdays", "add", "2026-12-18", bad)
    assert_input_error(status, out, err, f"bad number {bad!r}", "for example 5")


def test_a_bad_date_for_workdays_is_an_input_error(rapidreview):
    status, out, err = rapidreview("workdays", "add", "2026-02-30", "5")
    assert_input_error(status, out, err, "'2026-02-30'", EXAMPLE)


def test_a_missing_number_is_an_input_error_with_an_example(rapidreview):
    status, out, err = rapidreview("workdays", "add", "2026-12-18")
    assert_input_error(status, out, err, "missing N", f"workdays add {EXAMPLE} 5")


def test_stdin_lines_give_one_date_per_line_in_order_skipping_blank_lines(rapidreview):
    stdin = "2026-12-18 5\n\n2026-11-10 15\n   \n  2026-04-01\t5  \n2027-01-15 15\n"
    status, out, err = rapidreview("workdays", "add", "-", stdin=stdin)
    assert (status, err) == (0, "")
    assert out.splitlines() == ["2026-12-29", "2026-12-01", "2026-04-10", "2027-02-05"]


def test_empty_stdin_prints_nothing(rapidreview):
    assert rapidreview("workdays", "add", "-", stdin="") == (0, "", "")


def test_a_bad_stdin_line_names_the_line_and_prints_no_partial_answers(rapidreview):
    status, out, err = rapidreview("workdays", "add", "-", stdin="2026-12-18 5\n\n2026-13-45 5\n")
    assert_input_error(status, out, err, "'2026-13-45'", "stdin line 3", EXAMPLE)


def test_a_bad_number_on_stdin_names_the_line(rapidreview):
    status, out, err = rapidreview("workdays", "add", "-", stdin="2026-12-18 5\n2026-12-18 x\n")
    assert_input_error(status, out, err, "bad number 'x'", "stdin line 2")


@pytest.mark.parametrize("line", ["2026-12-18", "2026-12-18 5 6"])
def test_a_stdin_line_without_exactly_a_date_and_a_number_is_an_input_error(rapidreview, line):
    status, out, err = rapidreview("workdays", "add", "-", stdin=line + "\n")
    assert_input_error(status, out, err, "stdin line 1", "DATE N", f"{EXAMPLE} 5")


def test_a_number_after_the_stdin_dash_is_an_input_error(rapidreview):
    status, out, err = rapidreview("workdays", "add", "-", "5")
    assert_input_error(status, out, err, "stdin")


def test_a_stdin_line_reaching_past_the_holiday_data_names_the_line(rapidreview):
    status, out, err = rapidreview("workdays", "add", "-", stdin="2026-12-18 5\n2040-12-28 5\n")
    assert_input_error(status, out, err, "2041", "stdin line 2")


def five_thousand_lines() -> tuple[str, str]:
    cal = WorkingDayCalendar()
    rows = [(date(2026, 1, 1) + timedelta(days=i % 1000), i % 40) for i in range(5000)]
    stdin = "".join(f"{anchor.isoformat()} {n}\n" for anchor, n in rows)
    expected = "".join(cal.add_working_days(anchor, n).isoformat() + "\n" for anchor, n in rows)
    return stdin, expected


def test_five_thousand_stdin_lines_are_answered_in_order_and_quickly(rapidreview):
    stdin, expected = five_thousand_lines()
    started = time.perf_counter()
    status, out, err = rapidreview("workdays", "add", "-", stdin=stdin)
    elapsed = time.perf_counter() - started
    assert (status, err) == (0, "")
    assert out == expected
    assert elapsed < 1.0  # typically tens of milliseconds


# --- the holidays override file from the environment ------------------------------------------------

def test_a_one_off_bank_holiday_from_the_environment_moves_the_deadline(rapidreview, monkeypatch, tmp_path):
    path = tmp_path / "holidays.yaml"
    path.write_text("holidays:\n  - {date: 2027-06-04, name: Example one-off}\n")
    assert rapidreview("workdays", "add", "2027-05-28", "5")[1] == "2027-06-07\n"
    monkeypatch.setenv("RAPIDREVIEW_HOLIDAYS_FILE", str(path))
    assert rapidreview("workdays", "add", "2027-05-28", "5")[1] == "2027-06-08\n"


def test_a_bad_override_file_from_the_environment_is_an_input_error(rapidreview, monkeypatch, tmp_path):
    path = tmp_path / "holidays.yaml"
    path.write_text("- 2027-06-04\n- 2027-06-31\n")
    monkeypatch.setenv("RAPIDREVIEW_HOLIDAYS_FILE", str(path))
    status, out, err = rapidreview("workdays", "add", "2027-05-28", "5")
    assert_input_error(status, out, err, "RAPIDREVIEW_HOLIDAYS_FILE", "2027-06-31", "entry 2")


# --- the real entry point (`python -m server.cli`) -----------------------------------------------------

def test_entry_point_deadlines_json():
    done = run_cli("deadlines", "--aware", "2026-12-18", "--json")
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout) == {"sin_due": "2026-12-29", "partners_informed_due": "2026-12-29"}


def test_entry_point_workdays_add():
    done = run_cli("workdays", "add", "2026-12-18", "5")
    assert (done.returncode, done.stdout) == (0, "2026-12-29\n")


def test_entry_point_five_thousand_stdin_lines_in_well_under_five_seconds():
    stdin, expected = five_thousand_lines()
    started = time.perf_counter()
    done = run_cli("workdays", "add", "-", stdin=stdin)
    elapsed = time.perf_counter() - started
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == expected
    assert elapsed < 5.0  # the whole process, start-up included


@pytest.mark.parametrize("argv, bad", [
    (("deadlines", "--aware", "2026-13-45"), "'2026-13-45'"),
    (("workdays", "add", "2026-12-18", "five"), "'five'"),
])
def test_entry_point_bad_input_exits_2_without_a_traceback(argv, bad):
    done = run_cli(*argv)
    assert done.returncode == 2
    assert bad in done.stderr and "for example" in done.stderr
    assert "Traceback" not in done.stderr


def test_entry_point_bad_stdin_line_exits_2_naming_the_line():
    done = run_cli("workdays", "add", "-", stdin="2026-12-18 5\n2026-12-18 x\n")
    assert done.returncode == 2
    assert "stdin line 2" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
