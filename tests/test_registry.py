"""docs/DEVELOPING.md's "add a command" checklist is true: a command declared through the registry's public
API alone (its grammar, help, roles and lifecycle rows in one entry, its step beside it) is parsed, listed by
`help` for the people who may run it, refused (and audited) for the others, and run through Core.handle in
one transaction with its audit record, without touching any other file of the product."""
from __future__ import annotations

from datetime import date

import pytest

from bot.context import StepContext
from bot.grammar import SPECS, Row, Spec, no_arguments, parse, read_only, register, unregister
from bot.lifecycle import TABLE, find, table
from bot.partnership import Role
from bot.roles import PERMISSIONS, may_run
from bot.states import TERMINAL, CaseState
from tests.driver import Driver


async def ping(ctx: StepContext) -> None:
    """The example command's step: it changes nothing but says so, and leaves an audit record."""
    ctx.audit("pinged")
    ctx.say(f"Pong: {ctx.case.code} is here.")


PING = Spec("ping", "ping", "check that the bot answers in a case", "ping", no_arguments,
            roles=frozenset({Role.BUSINESS_UNIT, Role.SPRG_CHAIR}),
            rows=[Row([s for s in CaseState if s not in TERMINAL and s != CaseState.START], ping)])


@pytest.fixture
def with_ping():
    register(PING)
    yield PING
    unregister("ping")


def test_a_registered_command_is_parsed_permitted_and_in_the_table(with_ping, partnership):
    assert parse("ping").verb == "ping"
    assert PERMISSIONS["ping"] == {Role.BUSINESS_UNIT, Role.SPRG_CHAIR}
    assert may_run(partnership.member("bu_officer"), "ping")
    assert not may_run(partnership.member("lead_police"), "ping")
    assert find(CaseState.SIN_DECISION, "ping") is not None
    assert find(CaseState.CLOSED, "ping") is None
    assert not read_only("ping")
    assert len(table()) == len(TABLE) + len(CaseState) - len(TERMINAL) - 1


def test_unregistering_leaves_the_built_in_commands_as_they_were(with_ping):
    unregister("ping")
    try:
        assert "ping" not in SPECS and "ping" not in PERMISSIONS
        assert table() == TABLE
    finally:
        register(PING)


def test_a_command_cannot_be_registered_twice_or_for_nobody():
    with pytest.raises(ValueError, match="already"):
        register(Spec("status", "status", "again", "status", no_arguments, roles=frozenset(Role)))
    with pytest.raises(ValueError, match="nobody"):
        register(Spec("orphan", "orphan", "nobody may run it", "orphan", no_arguments))


async def test_the_command_runs_through_the_core_with_roles_help_and_audit(with_ping, core, clock):
    d = Driver(core, clock).on(date(2026, 12, 18))
    await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-12-18')

    reply = await d.ok("sprg_chair", "ping")
    assert reply.text == f"Pong: {d.case_code} is here."
    pinged = await d.audit("pinged")
    assert [(a.actor_key, a.case_code) for a in pinged] == [("sprg_chair", d.case_code)]
    assert await d.state() == "SIN_DECISION"  # it stays where it was

    refused = await d.refused("lead_police", "ping")
    assert "Only the business unit or sprg chair can run `ping`" in refused.text
    assert [a.detail["command"] for a in await d.audit("access_refused")] == ["ping"]

    assert "`ping`: check that the bot answers in a case" in (await d.ok("bu_officer", "help")).text
    assert "ping" not in (await d.ok("lead_police", "help")).text
    assert "Example: `ping`" in (await d.ok("lead_police", "help ping")).text

    assert "Which case?" in (await d.refused("bu_officer", "ping", case=None)).text


def test_every_function_the_registry_names_exists():
    """Steps and guards are resolved when the table is built; queries are looked up per request, so a typo in
    one must fail here rather than in front of a user."""
    from bot import queries

    for spec in SPECS.values():
        for ref in (spec.query, spec.before):
            assert ref is None or callable(ref) or callable(getattr(queries, ref, None)), (spec.verb, ref)
