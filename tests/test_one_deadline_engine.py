"""The command line and the bot count with one engine: the same anchors give the same dates through
`rapidreview deadlines` and through a case opened in the core, with the partnership's counting convention
(anchor = day 0, or day 1 with `count_anchor_as_day_one`) read from the same partnership file."""
from __future__ import annotations

import argparse
import io
import json
import sys
from datetime import date

import pytest
import yaml

from bot.core import Core
from bot.deadlines import calendar_for, case_deadlines
from bot.partnership import load_partnership
from bot.settings import DEFAULT_PARTNERSHIP
from server.cli import dates as cli_dates
from tests.driver import Driver

# (awareness, SIN sent): an ordinary week, Christmas, and a late SIN across the Easter weekend.
ANCHORS = [(date(2026, 12, 30), date(2027, 1, 6)), (date(2026, 12, 18), date(2026, 12, 23)),
           (date(2027, 3, 22), date(2027, 4, 6))]


def _partnership_file(tmp_path, day_one: bool):
    data = yaml.safe_load(DEFAULT_PARTNERSHIP.read_text())
    data.setdefault("timescales", {})["count_anchor_as_day_one"] = day_one
    path = tmp_path / f"partnership-{day_one}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _cli(monkeypatch, capsys, path, aware: date, sin: date) -> dict:
    monkeypatch.setenv("RAPIDREVIEW_PARTNERSHIP", str(path))
    monkeypatch.delenv("RAPIDREVIEW_HOLIDAYS_FILE", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    parser = argparse.ArgumentParser(prog="rapidreview")
    cli_dates.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["deadlines", "--aware", aware.isoformat(), "--sin-submitted", sin.isoformat(), "--json"])
    assert args.handler(args) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("day_one", [False, True], ids=["anchor-day-0", "anchor-day-1"])
async def test_the_cli_and_the_core_give_the_same_deadlines(db, clock, tmp_path, monkeypatch, capsys, day_one):
    path = _partnership_file(tmp_path, day_one)
    partnership = load_partnership(path)
    core = Core(db, partnership, calendar_for(partnership.timescales), clock=clock)
    d = Driver(core, clock)
    for aware, sin in ANCHORS:
        d.on(sin)
        await d.ok("bu_officer", f'new pseudonym="Child V" aware={aware.isoformat()} sin={sin.isoformat()}')
        bot = {x.key: x.due.isoformat() for x in case_deadlines(await d.case(), core.calendar, partnership.timescales)}
        cli = _cli(monkeypatch, capsys, path, aware, sin)
        assert cli["sin_due"] == bot["sin_due"]
        assert cli["partners_informed_due"] == bot["partners_informed_due"]
        assert cli["rapid_review_due"] == bot["rapid_review_due"]
    # The flag really changes the count, so the two runs above are not the same test twice.
    assert _cli(monkeypatch, capsys, path, date(2026, 12, 30), date(2027, 1, 6))["rapid_review_due"] == \
        ("2027-01-26" if day_one else "2027-01-27")
