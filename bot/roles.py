"""Who may run which command, and who may read which document: the one role table.

The table is assembled from the command registry (bot/grammar.py: each entry's `roles`, and
`option_roles` where one option differs from the rest of its verb). Documents need no table of
their own: who may read a document is who may run `link` for it (a link is how a document is had).
On whose behalf is checked by each step's guard: an agency lead acts only for their own agency; an
executive lead approves only for their partner.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from bot import grammar
from bot.grammar import CASE_RUNNERS, DOCUMENT_TITLES, EVERYONE, REPORT_READERS  # noqa: F401  (importable here)
from bot.partnership import Member, Role

if TYPE_CHECKING:
    from bot.casefile import CaseFile


def _assemble() -> dict[str, frozenset[Role]]:
    table: dict[str, frozenset[Role]] = {}
    for verb, spec in grammar.SPECS.items():
        if spec.roles is not None:
            table[verb] = spec.roles
        for option, roles in spec.option_roles.items():
            table[f"{verb} {option}"] = roles
    return table


class _RoleTable(Mapping[str, frozenset[Role]]):
    """Keyed by verb, or by "verb option" where one option differs from the rest of its verb; always
    current with the registry (a registered command appears at once)."""

    def __init__(self) -> None:
        self._generation, self._rows = grammar.generation(), _assemble()

    def _current(self) -> dict[str, frozenset[Role]]:
        if self._generation != grammar.generation():
            self._generation, self._rows = grammar.generation(), _assemble()
        return self._rows

    def __getitem__(self, key: str) -> frozenset[Role]:
        return self._current()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())


PERMISSIONS: Mapping[str, frozenset[Role]] = _RoleTable()


def permission_key(verb: str, option: str | None = None) -> str:
    """The row of PERMISSIONS that decides this command: `link draft` when that option has its own rule."""
    return f"{verb} {option}" if option is not None and f"{verb} {option}" in PERMISSIONS else verb


def allowed_roles(verb: str, option: str | None = None) -> frozenset[Role]:
    return PERMISSIONS[permission_key(verb, option)]


def may_run(member: Member, verb: str, option: str | None = None) -> bool:
    return any(member.has(role) for role in allowed_roles(verb, option))


def allowed_verbs(member: Member) -> set[str]:
    return {key.split()[0] for key, roles in PERMISSIONS.items() if any(member.has(r) for r in roles)}


def describe_roles(roles: frozenset[Role]) -> str:
    names = sorted(r.value.replace("_", " ") for r in roles)
    return ", ".join(names[:-1]) + (" or " if len(names) > 1 else "") + names[-1]


# -- documents -------------------------------------------------------------------------------------------
# The report goes only to the Business Unit, the SPRG chair, the executive leads (and their deputies) and
# the Independent Scrutineer (domain §1.3, §5.2). Who each document is for, in the words of a refusal:
_PARTNERS_AND_SCRUTINEER = "the Business Unit, the SPRG chair, the executive leads and the Independent Scrutineer"
_AUDIENCE = {"report": _PARTNERS_AND_SCRUTINEER, "pack": _PARTNERS_AND_SCRUTINEER,
             "draft": "the SPRG chair and the Business Unit",
             "action-plan": "the Practice and Learning Sub Group, the Business Unit and the partners",
             "briefing": "members of the partnership whose agency took part",
             "sprg-pack": "the SPRG, the Business Unit and the agency leads whose agency contributed"}


def document_readers(kind: str) -> frozenset[Role]:
    """Who may read this kind of document: who may run `link KIND`."""
    return allowed_roles("link", kind)


def document_refusal(member: Member | None, kind: str, f: CaseFile | None) -> str | None:
    """Why `member` may not have this kind of document of the case, or None when they may."""
    if member is None:
        return "You are not a member of this partnership in the bot."
    ok = any(member.has(r) for r in document_readers(kind))
    if kind == "sprg-pack":  # issue 14 item 9: an agency lead only once their agency has contributed
        from bot.report.sprg_pack import may_have

        ok = ok and may_have(member, f)
    elif ok and set(member.roles) == {Role.AGENCY_LEAD}:
        # An agency lead sees only what concerns a case their agency was asked about or owns an action in.
        ok = f is not None and (f.request(member.agency) is not None
                                or any(a.owner_agency == member.agency for a in f.actions))
    return None if ok else f"The {DOCUMENT_TITLES[kind].lower()} is only for {_AUDIENCE[kind]}."


DRAFT_READERS = document_readers("draft")
PLAN_READERS = document_readers("action-plan")
