"""`rapidreview deadlines` and `rapidreview workdays`: the deadline calculator for operators and scripts.

Input errors print one line on stderr naming the bad value with a valid example and exit 2; never a
traceback, because the people running this are case workers and IT admins, not Python developers.
"""
from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from collections.abc import Callable
from datetime import date

from bot.calendar import WorkingDayCalendar, parse_iso_date
from bot.deadlines import calendar_for, compute_deadlines, deadline_lines, deadlines_json
from bot.partnership import Partnership, PartnershipFileError, load_partnership
from bot.settings import Settings

EXIT_BAD_INPUT = 2
DATE_EXAMPLE = "2026-12-18"
_WHOLE_NUMBER = re.compile(r"[0-9]+")

# (option, keyword of compute_deadlines, what the date is)
_ANCHORS = (
    ("--aware", "aware",
     "date the local authority became aware of the incident (starts the 5-working-day SIN clock)"),
    ("--sin-submitted", "sin_submitted",
     "date the SIN was sent to the Panel (starts the 15-working-day rapid review clock)"),
    ("--lcspr-decided", "lcspr_decided",
     "date the partners decided to initiate an LCSPR (starts the 6-month publication clock)"),
    ("--publication-planned", "publication_planned",
     "planned LCSPR publication date (the report goes to the Panel 7 working days before)"),
)


class InputError(ValueError):
    """Wrong input from the operator: reported on one line, exit status 2."""


def _date(text: str, where: str) -> date:
    try:
        return parse_iso_date(text)
    except ValueError:
        raise InputError(f"bad date {text!r} {where}: use YYYY-MM-DD, for example {DATE_EXAMPLE}") from None


def _count(text: str, where: str) -> int:
    if not _WHOLE_NUMBER.fullmatch(text):
        raise InputError(f"bad number {text!r} {where}: use a whole number of working days, for example 5")
    return int(text)


def _reporting_input_errors(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except ValueError as exc:  # InputError, CalendarRangeError, a bad holidays file
            print(f"rapidreview: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT

    return run


def _partnership() -> tuple[Partnership, WorkingDayCalendar]:
    """The partnership file and calendar the server uses (RAPIDREVIEW_PARTNERSHIP, RAPIDREVIEW_HOLIDAYS_FILE), so
    the command line counts exactly as the bot does, `count_anchor_as_day_one` and local timescales included."""
    settings = Settings()
    try:
        partnership = load_partnership(settings.partnership)
    except PartnershipFileError as exc:
        raise InputError(f"RAPIDREVIEW_PARTNERSHIP ({settings.partnership}): {exc}") from None
    try:
        return partnership, calendar_for(partnership.timescales, settings.holidays_file)
    except ValueError as exc:
        raise InputError(f"RAPIDREVIEW_HOLIDAYS_FILE: {exc}") from None


def _calendar() -> WorkingDayCalendar:
    return _partnership()[1]


@_reporting_input_errors
def run_deadlines(args: argparse.Namespace) -> int:
    """Print the deadlines that follow from the anchor dates given."""
    anchors = {
        keyword: _date(getattr(args, keyword), f"for {option}")
        for option, keyword, _ in _ANCHORS
        if getattr(args, keyword) is not None
    }
    if not anchors:
        options = ", ".join(option for option, _, _ in _ANCHORS)
        raise InputError(
            f"deadlines needs at least one anchor date ({options}), as YYYY-MM-DD; "
            f"for example: rapidreview deadlines --aware {DATE_EXAMPLE}"
        )
    partnership, cal = _partnership()
    deadlines = compute_deadlines(cal, partnership.timescales, partnership.reminders, **anchors)
    if args.json:
        sys.stdout.write(json.dumps(deadlines_json(deadlines), indent=2) + "\n")
    else:
        sys.stdout.write("".join(line + "\n" for line in deadline_lines(deadlines)))
    return 0


@_reporting_input_errors
def run_workdays_add(args: argparse.Namespace) -> int:
    """Print the N-th working day after DATE, or one per `DATE N` line of stdin when DATE is `-`."""
    if args.date == "-":
        if args.n is not None:
            raise InputError(f"with '-' the dates and numbers come from stdin; remove {args.n!r}")
        return _add_from_stdin()
    anchor = _date(args.date, "for DATE")
    if args.n is None:
        raise InputError(f"missing N: for example: rapidreview workdays add {DATE_EXAMPLE} 5")
    n = _count(args.n, "for N")
    sys.stdout.write(_calendar().add_working_days(anchor, n).isoformat() + "\n")
    return 0


def _add_from_stdin() -> int:
    cal = _calendar()  # one calendar, so each year's holidays are built once for the whole input
    results = []
    for number, line in enumerate(sys.stdin.read().splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        where = f"on stdin line {number}"
        if len(fields) != 2:
            raise InputError(f"expected 'DATE N' {where}, got {line.strip()!r}: for example '{DATE_EXAMPLE} 5'")
        anchor, n = _date(fields[0], where), _count(fields[1], where)
        try:
            results.append(cal.add_working_days(anchor, n).isoformat())
        except ValueError as exc:
            raise InputError(f"{exc} ({where})") from None
    # All or nothing: a partial list would pair later answers with the wrong input lines.
    sys.stdout.write("".join(r + "\n" for r in results))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `deadlines` and `workdays` commands to the `rapidreview` parser."""
    deadlines = subparsers.add_parser(
        "deadlines",
        help="deadlines from the case's anchor dates",
        description="Deadlines from the anchor dates given (England-and-Wales working days, anchor = day 0).",
        epilog=f"example: rapidreview deadlines --aware {DATE_EXAMPLE} --sin-submitted 2026-12-29 --json",
    )
    for option, keyword, what in _ANCHORS:
        # Strings, not type=: the handler reports a bad date in the project's own one-line format.
        deadlines.add_argument(option, dest=keyword, metavar="DATE", help=what)
    deadlines.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    deadlines.set_defaults(handler=run_deadlines)

    workdays = subparsers.add_parser("workdays", help="working-day arithmetic")
    actions = workdays.add_subparsers(dest="workdays_command", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add",
        help="the N-th working day after DATE",
        description="Print the N-th working day strictly after DATE (ISO).",
        epilog=f"examples: rapidreview workdays add {DATE_EXAMPLE} 5;  "
        "printf '2026-12-18 5\\n2026-11-10 15\\n' | rapidreview workdays add -",
    )
    add.add_argument("date", metavar="DATE", help="YYYY-MM-DD, or - to read 'DATE N' lines from stdin")
    add.add_argument("n", metavar="N", nargs="?", help="number of working days (whole number, 0 or more)")
    add.set_defaults(handler=run_workdays_add)
