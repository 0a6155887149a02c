"""Who may run which command (the role matrix). On whose behalf is checked by each step's guard:
an agency lead acts only for their own agency; an executive lead approves only for their partner."""
from __future__ import annotations

from bot.partnership import Member, Role

R = Role
_EVERYONE = frozenset(Role)
_CASE_RUNNERS = frozenset({R.BUSINESS_UNIT, R.SPRG_CHAIR})

# Keyed by verb, or by "verb option" where one option differs from the rest of its verb.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "help": _EVERYONE,
    "status": _EVERYONE,
    "list": _EVERYONE - {R.AGENCY_LEAD},  # an agency lead sees only the cases they were asked about
    "new": frozenset({R.BUSINESS_UNIT, R.PARTNERSHIP_MANAGER}),
    "aware": frozenset({R.BUSINESS_UNIT, R.PARTNERSHIP_MANAGER}),
    "sin": frozenset({R.BUSINESS_UNIT, R.PARTNERSHIP_MANAGER}),
    "informed": frozenset({R.BUSINESS_UNIT, R.PARTNERSHIP_MANAGER}),
    "notified": frozenset({R.BUSINESS_UNIT, R.PARTNERSHIP_MANAGER}),
    "triage": _CASE_RUNNERS,
    "kloe": _CASE_RUNNERS,
    "meeting": _CASE_RUNNERS,
    "request": _CASE_RUNNERS,
    "ack": frozenset({R.AGENCY_LEAD, R.BUSINESS_UNIT}),
    "return": frozenset({R.AGENCY_LEAD, R.BUSINESS_UNIT}),
    "nil": frozenset({R.AGENCY_LEAD, R.BUSINESS_UNIT}),
    "query": _CASE_RUNNERS,
    "accept": _CASE_RUNNERS,
    "waive": _CASE_RUNNERS,
    "pack": frozenset({R.BUSINESS_UNIT}),
    "vote": frozenset({R.SPRG_MEMBER, R.SPRG_CHAIR}),
    "recommend": _CASE_RUNNERS,
    "report": _CASE_RUNNERS,
    "approve": frozenset({R.EXECUTIVE_LEAD}),
    "disagree": frozenset({R.EXECUTIVE_LEAD}),
    "submit": frozenset({R.BUSINESS_UNIT}),
    "panel": frozenset({R.BUSINESS_UNIT}),
    "shared": frozenset({R.BUSINESS_UNIT, R.PARTNERSHIP_MANAGER}),
    "briefing": frozenset({R.BUSINESS_UNIT, R.LEARNING_SUBGROUP}),
    "action add": frozenset({R.BUSINESS_UNIT, R.LEARNING_SUBGROUP}),
    "action done": frozenset({R.BUSINESS_UNIT, R.LEARNING_SUBGROUP, R.AGENCY_LEAD}),
    "lcspr": frozenset({R.BUSINESS_UNIT, R.PARTNERSHIP_MANAGER}),
    "safety": _CASE_RUNNERS,  # immediate safety actions (issue 14 item 17)
    "safety done": frozenset({R.BUSINESS_UNIT, R.SPRG_CHAIR, R.AGENCY_LEAD}),
    "close": frozenset({R.BUSINESS_UNIT}),
    # The report. Links: the report only to those entitled to it (bot/report/files.py).
    "section": _CASE_RUNNERS,
    "criterion": _CASE_RUNNERS,
    "link": frozenset({R.BUSINESS_UNIT, R.SPRG_CHAIR, R.EXECUTIVE_LEAD, R.INDEPENDENT_SCRUTINEER}),
    "link draft": _CASE_RUNNERS,
    "link action-plan": frozenset({R.BUSINESS_UNIT, R.SPRG_CHAIR, R.EXECUTIVE_LEAD, R.INDEPENDENT_SCRUTINEER,
                                   R.LEARNING_SUBGROUP, R.PARTNERSHIP_MANAGER}),
    "link briefing": _EVERYONE,
    # The pack circulated to the SPRG (issue 14 item 9); an agency lead only if their agency contributed.
    "link sprg-pack": frozenset({R.BUSINESS_UNIT, R.SPRG_CHAIR, R.SPRG_MEMBER, R.AGENCY_LEAD}),
}


def permission_key(verb: str, option: str | None = None) -> str:
    """The row of PERMISSIONS that decides this command: `link draft` when that option has its own rule."""
    return f"{verb} {option}" if option is not None and f"{verb} {option}" in PERMISSIONS else verb


def allowed_roles(verb: str, option: str | None = None) -> frozenset[Role]:
    if option is not None and f"{verb} {option}" in PERMISSIONS:
        return PERMISSIONS[f"{verb} {option}"]
    return PERMISSIONS[verb]


def may_run(member: Member, verb: str, option: str | None = None) -> bool:
    return any(member.has(role) for role in allowed_roles(verb, option))


def allowed_verbs(member: Member) -> set[str]:
    return {key.split()[0] for key, roles in PERMISSIONS.items() if any(member.has(r) for r in roles)}


def describe_roles(roles: frozenset[Role]) -> str:
    names = sorted(r.value.replace("_", " ") for r in roles)
    return ", ".join(names[:-1]) + (" or " if len(names) > 1 else "") + names[-1]
