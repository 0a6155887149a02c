"""The transition table is data: every state is reachable and every live state has a way out."""
from __future__ import annotations

from bot.grammar import SPECS
from bot.lifecycle import TABLE, keys_from
from bot.roles import PERMISSIONS
from bot.states import TERMINAL, CaseState


def _graph() -> dict[CaseState, set[CaseState]]:
    g: dict[CaseState, set[CaseState]] = {s: set() for s in CaseState}
    for t in TABLE:
        g[t.source].update(t.targets)
    return g


def test_every_state_is_reachable_from_a_new_case():
    g = _graph()
    seen, todo = {CaseState.START}, [CaseState.START]
    while todo:
        for nxt in g[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(CaseState), f"unreachable: {set(CaseState) - seen}"


def test_every_non_terminal_state_has_a_way_out_and_can_reach_closed():
    g = _graph()
    for state in CaseState:
        if state in TERMINAL:
            assert not (g[state] - {state}), f"{state} is terminal but has exits"
            continue
        assert g[state] - {state}, f"{state} has no way out"
    # ...and from every state, CLOSED can still be reached (no dead ends short of closure).
    for state in set(CaseState) - TERMINAL - {CaseState.START}:
        seen, todo = {state}, [state]
        while todo:
            for nxt in g[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        assert CaseState.CLOSED in seen, f"{state} can never reach CLOSED"


def test_every_table_key_is_a_command_of_the_grammar_with_a_permission():
    for t in TABLE:
        verb = t.key.split()[0]
        assert verb in SPECS, t.key
        assert verb in PERMISSIONS or t.key in PERMISSIONS, t.key


def test_every_grammar_command_is_in_the_table_or_a_query():
    queries = {"help", "status", "list", "oversight"}
    table_verbs = {t.key.split()[0] for t in TABLE}
    assert set(SPECS) - queries == table_verbs


def test_no_command_is_accepted_once_a_case_is_closed():
    assert keys_from(CaseState.CLOSED) == []


def test_states_times_commands_coverage_is_reported():
    states = {t.source for t in TABLE}
    keys = {t.key for t in TABLE}
    print(f"\ntransition table: {len(TABLE)} rows over {len(states)} source states and {len(keys)} command keys")
    assert len(TABLE) >= 100
