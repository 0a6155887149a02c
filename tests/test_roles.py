"""The full role matrix, every command key x every role, through the core, with refusals audited."""
from __future__ import annotations

from datetime import date

import pytest

from bot.audit import full_detail
from bot.context import Invocation
from bot.core import Core
from bot.grammar import Command
from bot.partnership import Partnership, Role, load_partnership
from bot.settings import DEFAULT_PARTNERSHIP
from tests.driver import Driver
from tests.scenarios import to_approval

B, PM, CH, SM, EX, IS, PC, AL, LS = (Role.BUSINESS_UNIT, Role.PARTNERSHIP_MANAGER, Role.SPRG_CHAIR, Role.SPRG_MEMBER,
                                     Role.EXECUTIVE_LEAD, Role.INDEPENDENT_SCRUTINEER, Role.PARTNERSHIP_CHAIR,
                                     Role.AGENCY_LEAD, Role.LEARNING_SUBGROUP)
ALL = set(Role)

# The specification, written out independently of bot/roles.py: who may run what.
EXPECTED: list[tuple[Command, set[Role]]] = [
    (Command("help"), ALL),
    (Command("status"), ALL),
    (Command("list"), ALL - {AL}),
    (Command("oversight"), {B, PM, PC, EX, IS}),
    (Command("new", None, {"pseudonym": "Child Z", "aware": None, "sin": None, "kind": "unspecified",
                          "residing": None, "lead": None}), {B, PM}),
    (Command("aware", None, {"date": date(2026, 9, 1)}), {B, PM}),
    (Command("sin", None, {"date": date(2026, 9, 7)}), {B, PM}),
    (Command("sin", "not-met"), {B, PM}),
    (Command("informed", None, {"date": None}), {B, PM}),
    (Command("notified", None, {"date": date(2026, 9, 7)}), {B, PM}),
    (Command("triage", "notifiable"), {B, CH}),
    (Command("triage", "local"), {B, CH}),
    (Command("triage", "withdrawn"), {B, CH}),
    (Command("kloe", None, {"text": "Information sharing"}), {B, CH}),
    (Command("meeting", "icdm", {"date": date(2026, 9, 8)}), {B, CH}),
    (Command("meeting", "rrm", {"date": date(2026, 9, 21)}), {B, CH}),
    (Command("request", None, {"agencies": ["probation"]}), {B, CH}),
    (Command("ack", None, {"agency": "police"}), {AL, B}),
    (Command("return", None, {"agency": "police"}), {AL, B}),
    (Command("nil", None, {"agency": "police"}), {AL, B}),
    (Command("query", None, {"agency": "police", "reason": "dates missing"}), {B, CH}),
    (Command("accept", None, {"agency": "police"}), {B, CH}),
    (Command("waive", None, {"agency": "police", "reason": "no involvement"}), {B, CH}),
    (Command("pack"), {B}),
    (Command("vote", "lcspr", {"national": False, "reason": "learning"}), {SM, CH}),
    (Command("recommend", "lcspr", {"national": False, "reason": "learning"}), {B, CH}),
    (Command("report"), {B, CH}),
    (Command("approve", None, {"version": None}), {EX}),
    (Command("disagree", None, {"version": None, "reason": "not warranted"}), {EX}),
    (Command("submit"), {B}),
    (Command("panel", "agrees", {"ref": None, "date": None}), {B}),
    (Command("panel", "acknowledged", {"ref": None, "date": None}), {B}),
    (Command("shared", None, {"recipient": "all"}), {B, PM}),
    (Command("briefing", "done"), {B, LS}),
    (Command("action", "add", {"owner": "education", "due": date(2027, 3, 1), "text": "Training"}), {B, LS}),
    (Command("action", "done", {"number": 1}), {B, LS, AL}),
    (Command("lcspr", "decided", {"date": date(2026, 9, 21)}), {B, PM}),
    (Command("section", "summary", {"text": "What is known so far"}), {B, CH}),
    (Command("criterion", "a", {"answer": "met", "reason": "improvements needed"}), {B, CH}),
    (Command("link", "report", {"version": None, "fmt": None}), {B, CH, EX, IS}),
    (Command("link", "draft", {"version": None, "fmt": None}), {B, CH}),
    (Command("link", "briefing", {"version": None, "fmt": None}), ALL),
    (Command("link", "action-plan", {"version": None, "fmt": None}), {B, CH, EX, IS, LS, PM}),
    (Command("lcspr", "publish", {"form": "full", "date": None}), {B, PM}),
    (Command("close", None, {"reason": None}), {B}),
    # Issue 14.
    (Command("safety", "add", {"owner": "police", "due": date(2026, 9, 30), "at_risk": "siblings",
                               "text": "Safety plan"}), {B, CH}),
    (Command("safety", "done", {"number": 1}), {B, CH, AL}),
    (Command("sin", "details", {"incident": None, "category": "neglect", "children": None, "consulted": None}), {B, PM}),
    (Command("panel", "delay", {"reason": "late return", "date": None}), {B}),
    (Command("lcspr", "copy-sent", {"date": None}), {B, PM}),
    (Command("link", "sprg-pack", {"version": None, "fmt": None}), {B, CH, SM, AL}),
]

# A sample text for every row of the specification, typed through the adapters by the role matrix
# (tests/adversarial/test_role_matrix_adapters.py), which checks it parses to the row's verb and option.
TEXTS: dict[tuple[str, str | None], str] = {
    ("help", None): "help",
    ("status", None): "status",
    ("list", None): "list",
    ("oversight", None): "oversight",
    ("new", None): 'new pseudonym="Child Z"',
    ("aware", None): "aware 2026-09-01",
    ("sin", None): "sin 2026-09-07",
    ("sin", "not-met"): "sin not-met",
    ("informed", None): "informed",
    ("notified", None): "notified 2026-09-07",
    ("triage", "notifiable"): "triage notifiable",
    ("triage", "local"): "triage local",
    ("triage", "withdrawn"): 'triage withdrawn reason="criteria not met"',
    ("kloe", None): 'kloe "Information sharing"',
    ("meeting", "icdm"): "meeting icdm 2026-09-08",
    ("meeting", "rrm"): "meeting rrm 2026-09-21",
    ("request", None): "request probation",
    ("ack", None): "ack police",
    ("return", None): "return police",
    ("nil", None): "nil police",
    ("query", None): 'query police reason="dates missing"',
    ("accept", None): "accept police",
    ("waive", None): 'waive police reason="no involvement"',
    ("pack", None): "pack",
    ("vote", "lcspr"): 'vote lcspr reason="learning"',
    ("recommend", "lcspr"): 'recommend lcspr reason="learning"',
    ("report", None): "report",
    ("approve", None): "approve",
    ("disagree", None): 'disagree reason="not warranted"',
    ("submit", None): "submit",
    ("panel", "agrees"): "panel agrees",
    ("panel", "acknowledged"): "panel acknowledged",
    ("shared", None): "shared all",
    ("briefing", "done"): "briefing done",
    ("action", "add"): 'action add owner=education due=2027-03-01 "Training"',
    ("action", "done"): "action done 1",
    ("lcspr", "decided"): "lcspr decided 2026-09-21",
    ("section", "summary"): 'section summary "What is known so far"',
    ("criterion", "a"): 'criterion a met reason="improvements needed"',
    ("link", "report"): "link report",
    ("link", "draft"): "link draft",
    ("link", "briefing"): "link briefing",
    ("link", "action-plan"): "link action-plan",
    ("lcspr", "publish"): "lcspr publish full",
    ("close", None): "close",
    # Issue 14.
    ("safety", "add"): 'safety add owner=police due=2026-09-30 at_risk=siblings "Safety plan"',
    ("safety", "done"): "safety done 1",
    ("sin", "details"): "sin details category=neglect",
    ("panel", "delay"): 'panel delay reason="late return"',
    ("lcspr", "copy-sent"): "lcspr copy-sent",
    ("link", "sprg-pack"): "link sprg-pack",
}


def one_role_partnership() -> Partnership:
    """The example partnership plus one member holding exactly one role each (for the matrix)."""
    import yaml

    data = yaml.safe_load(DEFAULT_PARTNERSHIP.read_text())
    for i, role in enumerate(Role):
        agency = {"executive_lead": "police", "agency_lead": "police"}.get(role.value, "council")
        data["members"].append({"key": f"only_{role.value}", "name": f"Only {role.value} (fictional)",
                                "roles": [role.value], "agency": agency, "slack_user_id": f"U0ONLY{i:03d}"})
    import tempfile, pathlib  # noqa: E401

    path = pathlib.Path(tempfile.mkdtemp()) / "p.yaml"
    path.write_text(yaml.safe_dump(data))
    return load_partnership(path)


def test_the_specification_covers_every_command_key():
    from bot.roles import PERMISSIONS

    verbs = {c.verb for c, _ in EXPECTED}
    assert verbs == {k.split()[0] for k in PERMISSIONS}


async def test_full_matrix_every_command_by_every_role(db, calendar, clock):
    p = one_role_partnership()
    core = Core(db, p, calendar, clock=clock)
    d = Driver(core, clock)
    await to_approval(d)  # a real case to aim the commands at
    refused = allowed = 0
    for cmd, roles in EXPECTED:
        for role in Role:
            member = p.member(f"only_{role.value}")
            inv = Invocation(platform="fake", platform_user=member.slack_user_id, member=member, command=cmd,
                             case_code=d.case_code)
            before = len(await d.audit("access_refused"))
            reply = await core.handle(inv)
            after = await d.audit("access_refused")
            role_refusal = reply.text.startswith("Only the ")
            if role in roles:
                allowed += 1
                assert not role_refusal, f"{role.value} should be allowed to run {cmd.key}: {reply.text}"
            else:
                refused += 1
                assert not reply.ok and role_refusal, f"{role.value} should NOT run {cmd.key}: {reply.text}"
                assert len(after) == before + 1 and after[-1].actor_key == member.key
                assert after[-1].detail["command"] == cmd.key
    print(f"\nrole matrix: {len(EXPECTED)} command keys x {len(Role)} roles = {len(EXPECTED) * len(Role)} "
          f"checks ({allowed} allowed, {refused} refused and audited)")


async def test_unknown_user_is_refused_and_audited(core, clock):
    d = Driver(core, clock).on(date(2026, 12, 18))
    r = await d.refused(None, 'new pseudonym="Child V" aware=2026-12-18')
    assert "not set up as a member" in r.text
    refusal = (await d.audit("access_refused"))[-1]
    assert refusal.platform_user == "U_STRANGER" and full_detail(refusal)["reason"] == "not a member"
    async with core.db.read() as s:
        from sqlalchemy import func, select
        from storage.models import Case, OutboxEffect
        assert (await s.execute(select(func.count()).select_from(Case))).scalar() == 0
        assert (await s.execute(select(func.count()).select_from(OutboxEffect))).scalar() == 0


async def test_agency_lead_acts_only_for_their_own_agency(core, clock):
    d = Driver(core, clock)
    await __import__("tests.scenarios", fromlist=["to_gathering"]).to_gathering(d)
    r = await d.refused("lead_police", "return education")
    assert "only for North Yorkshire Police" in r.text
    assert (await d.audit("access_refused"))[-1].detail["command"] == "return"
    case = await d.case()
    status = (await d.ok("bu_officer", "status")).card[1]
    assert {a["key"]: a["status"] for a in status["agencies"]}["education"] == "requested"
    # An agency not asked about the case cannot even see its status.
    r = await d.refused("lead_probation", "status")
    assert "not been asked" in r.text


async def test_approvals_count_only_for_the_approvers_own_partner(core, clock):
    d = Driver(core, clock)
    await to_approval(d)
    await d.ok("exec_council", "approve")
    audited = len(await d.audit())
    r = await d.ok("exec_council", "approve")  # a double tap: nothing changes, nothing to refuse or audit
    assert "You have already approved v1 for Local authority (1 of 3 partners so far)" in r.text
    assert len(await d.audit()) == audited
    status = (await d.ok("bu_officer", "status")).card[1]
    assert [p["status"] for p in status["approvals"]["partners"]] == ["approved", "awaiting", "awaiting"]
    r = await d.refused("sprg_police", "approve")
    assert r.text.startswith("Only the executive lead")
