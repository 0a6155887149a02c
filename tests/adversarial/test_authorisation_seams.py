"""Issue 16, item 6: seams in authorisation found by a security test, each through the real adapter.

- a police lead pressing a forged `rr_return_open` naming the health agency got the health return form (its
  submission was refused, but the form must not open either);
- a forged `version: 0` on a Teams approval card approved the current version (0 was read as "missing");
- a forged case code of thousands of characters was echoed and written verbatim into the audit record."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from adapters.teams.actions import command_for
from storage.models import AuditEvent
from tests.adversarial.test_authorisation import (CODE, _slack_gathering, _teams_gathering, card, decisions,
                                                  refusals, uid)

LONG = CODE + "x" * 5000


def forge(message: dict, action_id: str, **changes) -> dict:  # noqa: ANN003
    """The same message with one button's value rewritten (anyone can send Slack any payload they like)."""
    msg = json.loads(json.dumps(message))
    for b in msg["blocks"]:
        for el in (b.get("elements") or []) + ([b["accessory"]] if "accessory" in b else []):
            if el.get("action_id") == action_id:
                el["value"] = json.dumps({**json.loads(el["value"]), **changes})
    return msg


async def long_codes_in_audit(db) -> int:  # noqa: ANN001
    async with db.read() as s:
        return (await s.execute(select(func.count()).select_from(AuditEvent)
                                .where(func.length(AuditEvent.case_code) > 40))).scalar()


async def audit_mentions(db, text: str) -> bool:  # noqa: ANN001
    async with db.read() as s:
        return any(text in json.dumps(a.detail) for a in (await s.execute(select(AuditEvent))).scalars())


async def test_slack_a_lead_cannot_open_another_agencys_return_form(slack):
    h = slack
    await _slack_gathering(h)
    police = uid(h, "lead_police")
    dm = h.fake.ims[police]
    views, refused = len(h.fake.views), await refusals(h)
    forged = forge(card(h.fake, dm, "rr_return_open"), "rr_return_open", agency="health")
    status, _ = await h.slack.click(police, forged, "rr_return_open", channel=dm)
    await h.settle()
    assert status == 200
    assert len(h.fake.views) == views  # no form opened
    told = [r[1]["text"] for r in h.fake.responses]
    assert any("You can act only for North Yorkshire Police" in t for t in told), told
    assert await refusals(h) == refused + 1
    # Their own agency's form still opens.
    status, _ = await h.slack.click(police, card(h.fake, dm, "rr_return_open"), "rr_return_open", channel=dm)
    await h.settle()
    assert len(h.fake.views) == views + 1


@pytest.mark.parametrize("version", [0, "0", -1, "-1", True, "1e3", [1], {"v": 1}, 10 ** 30])
def test_teams_a_forged_version_is_refused_not_read_as_the_current_one(version):
    cmd, errors = command_for("approve", {"card": "executive_approval", "case": CODE, "version": version})
    assert cmd is None and "version" in errors, (cmd, errors)
    cmd, errors = command_for("disagree", {"card": "executive_approval", "case": CODE, "version": version,
                                           "reason": "because"})
    assert cmd is None and "version" in errors


def test_teams_a_missing_version_still_means_the_current_one():
    cmd, errors = command_for("approve", {"card": "executive_approval", "case": CODE})
    assert cmd is not None and cmd.args["version"] is None and not errors
    cmd, _ = command_for("approve", {"card": "executive_approval", "case": CODE, "version": 2})
    assert cmd.args["version"] == 2


async def test_slack_a_forged_case_code_is_refused_before_it_is_used_or_stored(slack):
    h = slack
    channel = await _slack_gathering(h)
    police = uid(h, "lead_police")
    dm = h.fake.ims[police]
    for action_id in ("rr_ack", "rr_return_open"):
        forged = forge(card(h.fake, dm, action_id), action_id, case=LONG)
        status, _ = await h.slack.click(police, forged, action_id, channel=dm)
        assert status == 200
    await h.settle()
    told = [r[1]["text"] for r in h.fake.responses]
    assert all("x" * 100 not in t for t in told), told
    assert any("not a case code" in t for t in told), told
    assert await long_codes_in_audit(h.rt.db) == 0 and not await audit_mentions(h.rt.db, "x" * 100)
    assert channel


async def test_teams_a_forged_case_code_is_refused_before_it_is_used_or_stored(teams):
    t = teams
    await _teams_gathering(t)
    r = await t.click("lead_police", "ack", {"card": "agency_request", "case": LONG, "agency": "police"}, personal=True)
    assert "x" * 100 not in json.dumps(r) and "not a case code" in json.dumps(r), json.dumps(r)[:500]
    assert await long_codes_in_audit(t.rt.db) == 0 and not await audit_mentions(t.rt.db, "x" * 100)
    assert await decisions(t.rt.db) == []
