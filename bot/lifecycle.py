"""The case lifecycle as one explicit table: (state, command) -> possible next states, guard, step.

Each command declares its own rows in its registry entry (bot/grammar.py, `Spec.rows`); this module
assembles them into the table and resolves the steps they name. A step returns the next state
(None = stay). The table is data: tests enumerate it to prove every state is reachable and every
non-terminal state has a way out, and a refusal uses it to say what can happen next.
"""
from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot import grammar
from bot.context import StepContext
from bot.grammar import (AWAITING, GATHERING, POST_APPROVAL, REPORT_EDITING, REPORT_LINKS, RR_ACTIVE,  # noqa: F401
                         RR_RUNNING, Spec)
from bot.states import CaseState as S

Step = Callable[[StepContext], Awaitable[S | None]]
Guard = Callable[[StepContext], str | None]


@dataclass(frozen=True)
class Transition:
    source: S
    key: str  # the command, e.g. "approve", "triage notifiable"
    targets: tuple[S, ...]  # every state the step may lead to (itself included when it can stay)
    step: Step
    guard: Guard | None = None


def resolve(ref: str | Callable[..., Any], package: str = "bot.steps") -> Callable[..., Any]:
    """A function named in a registry entry ("intake.new" is `new` in bot/steps/intake.py), or the function."""
    if callable(ref):
        return ref
    module, _, name = ref.rpartition(".")
    try:
        return getattr(importlib.import_module(f"{package}.{module}"), name)
    except (ImportError, AttributeError) as exc:
        raise LookupError(f"the registry names {ref!r}, but {package}.{module} has no {name}: {exc}") from None


def _rows(spec: Spec) -> list[Transition]:
    out = []
    for row in spec.rows:
        if row.option and not spec.branching:
            raise ValueError(f"`{spec.verb}`: a row with an option needs branching=True (the option picks the row)")
        key = f"{spec.verb} {row.option}" if row.option else spec.verb
        step, guard = resolve(row.step), resolve(row.guard) if row.guard is not None else None
        for src in row.sources:
            targets = tuple(row.to)
            if row.stay or not targets:
                targets = targets + (src,) if src not in targets else targets
            out.append(Transition(src, key, targets, step, guard))
    return out


def _build() -> tuple[tuple[Transition, ...], dict[tuple[S, str], Transition], dict[tuple[S, str], str]]:
    table = tuple(t for spec in grammar.SPECS.values() for t in _rows(spec))
    index: dict[tuple[S, str], Transition] = {}
    for t in table:
        if (t.source, t.key) in index:
            raise ValueError(f"duplicate transition {t.source} {t.key}")
        index[(t.source, t.key)] = t
    explanations = {k: v for spec in grammar.SPECS.values() for k, v in spec.explain.items()}
    return table, index, explanations


_built = (grammar.generation(), *_build())


def _current() -> tuple[tuple[Transition, ...], dict[tuple[S, str], Transition], dict[tuple[S, str], str]]:
    """The assembled table, rebuilt only when a command was registered since."""
    global _built
    if _built[0] != grammar.generation():
        _built = (grammar.generation(), *_build())
    return _built[1], _built[2], _built[3]


def table() -> tuple[Transition, ...]:
    return _current()[0]


def find(state: S, key: str) -> Transition | None:
    return _current()[1].get((state, key))


def keys_from(state: S) -> list[str]:
    """What can be done from a state, in registry order (for refusals and help)."""
    return [t.key for t in table() if t.source == state]


def explanation(state: S, key: str) -> str | None:
    """A refusal that deserves more than "not now": the domain says why (the entries' `explain`)."""
    return _current()[2].get((state, key))


# The built-in commands' table, for tests and readers that want the data itself.
TABLE: tuple[Transition, ...] = _built[1]
EXPLANATIONS: dict[tuple[S, str], str] = _built[3]
