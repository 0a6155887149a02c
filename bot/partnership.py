"""The partnership file: who is in the partnership, its agencies, and its local timescales.

Loaded once at start-up. An invalid file stops the bot with every problem listed (line, key, why):
an IT admin editing YAML on a Friday afternoon needs the whole list, not the first traceback.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator


class Role(StrEnum):
    BUSINESS_UNIT = "business_unit"
    PARTNERSHIP_MANAGER = "partnership_manager"
    SPRG_CHAIR = "sprg_chair"
    SPRG_MEMBER = "sprg_member"
    EXECUTIVE_LEAD = "executive_lead"
    INDEPENDENT_SCRUTINEER = "independent_scrutineer"
    PARTNERSHIP_CHAIR = "partnership_chair"
    AGENCY_LEAD = "agency_lead"
    LEARNING_SUBGROUP = "learning_subgroup"


class StatutoryPartner(StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    ICB = "icb"
    POLICE = "police"


PARTNER_LABELS = {StatutoryPartner.LOCAL_AUTHORITY: "Local authority", StatutoryPartner.ICB: "ICB",
                  StatutoryPartner.POLICE: "Police"}


KEY = r"^[a-z][a-z0-9_]{0,39}$"
_KEY = re.compile(KEY)


def _key(value: Any) -> Any:
    """A key as people type it: `ex-la` is read as `ex_la`; anything else that is not a key is explained in words
    (issue 14 item 15), never as a regular expression."""
    if not isinstance(value, str):
        return value
    key = value.strip().replace("-", "_")
    if not _KEY.match(key):
        raise ValueError(f"{value!r} is not a usable key: a key starts with a lower-case letter and holds only lower-case "
                         "letters, digits and underscores (a hyphen is read as an underscore), at most 40 characters, "
                         "for example ex_la or north_yorkshire_police")
    return key


Key = Annotated[str, BeforeValidator(_key)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartnershipInfo(_Strict):
    name: str = Field(min_length=1)
    short_name: str = Field(min_length=1)
    case_code_prefix: str = Field(pattern=r"^[a-z][a-z0-9]{0,9}$")


class Agency(_Strict):
    key: Key
    name: str = Field(min_length=1)
    statutory_partner: StatutoryPartner | None = None


class Member(_Strict):
    key: Key
    name: str = Field(min_length=1)
    roles: tuple[Role, ...] = Field(min_length=1)
    agency: Key
    slack_user_id: str | None = Field(default=None, pattern=r"^[UW][A-Z0-9]{2,20}$")
    teams_user_id: str | None = None
    teams_tenant_id: str | None = None
    # An executive lead's deputy may approve on the lead's behalf [domain §1.2, I].
    deputy_of: Key | None = None

    def has(self, role: Role) -> bool:
        return role in self.roles


class Timescales(_Strict):
    """Local timescales (domain §2.2 [L] rules); statutory ones are here only to be visible."""

    sin_working_days: int = Field(default=5, ge=1, le=30)
    rapid_review_working_days: int = Field(default=15, ge=1, le=60)
    agency_return_working_days: int = Field(default=8, ge=1, le=30)
    local_review_working_days: int = Field(default=60, ge=1, le=260)
    panel_chase_working_days: int = Field(default=15, ge=1, le=60)
    response_share_working_days: int = Field(default=2, ge=0, le=20)
    lcspr_publication_months: int = Field(default=6, ge=1, le=24)
    panel_copy_working_days_before_publication: int = Field(default=7, ge=1, le=30)
    at_risk_working_days: int = Field(default=2, ge=0, le=15)
    # Domain §7.2 item 7: some partnerships count the anchor as day 1. One flag, default day 0.
    count_anchor_as_day_one: bool = False


Offsets = tuple[Annotated[int, Field(ge=0, le=30)], ...]


class ReminderPolicy(_Strict):
    """Working days before a due date at which to remind (0 = on the day), 09:00 London."""

    time: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    sin_due: Offsets = (1, 0)
    rapid_review_due: Offsets = (3, 1, 0)
    agency_return: Offsets = (2, 0)
    action_item: Offsets = (5, 0)
    # After a due date passes, remind each working day for at most this many working days.
    overdue_daily_for: int = Field(default=10, ge=0, le=60)
    escalation: tuple[str, ...] = ("agency_lead", "sprg_representative", "business_unit", "partnership_manager")


class Retention(_Strict):
    """How long a closed case's material is kept (domain §5.1: no statutory period exists; the partnership sets
    one). Counted from closure, or from the LCSPR's publication when that is later. A legal hold on a case
    suspends both clocks. Carried out once a day by the ticker (bot/retention.py)."""

    # Chat: the case channel's messages are deleted (where the platform allows) and the channel removed.
    chat_days_after_close: int = Field(default=90, ge=0, le=3650)
    # The record: returns, report versions, documents, sections, reasons, watch names, free text in the audit.
    records_years_after_close: int = Field(default=7, ge=1, le=100)
    # Roles left in the case channel when members are removed at closure (the rest are removed).
    keep_members_after_close: tuple[Role, ...] = (Role.BUSINESS_UNIT, Role.PARTNERSHIP_MANAGER)
    # Delivered outbox rows and inbound de-duplication keys hold platform ids and card contexts only.
    delivered_outbox_days: int = Field(default=30, ge=1, le=3650)
    inbound_keys_hours: int = Field(default=24, ge=1, le=24 * 365)


class Partnership(_Strict):
    partnership: PartnershipInfo
    agencies: tuple[Agency, ...] = Field(min_length=3)
    members: tuple[Member, ...] = Field(min_length=1)
    timescales: Timescales = Timescales()
    reminders: ReminderPolicy = ReminderPolicy()
    retention: Retention = Retention()

    @model_validator(mode="after")
    def _consistent(self) -> "Partnership":
        problems: list[str] = []
        agency_keys = [a.key for a in self.agencies]
        _dupes(agency_keys, "agency key", problems)
        _dupes([m.key for m in self.members], "member key", problems)
        _dupes([m.slack_user_id for m in self.members if m.slack_user_id], "slack_user_id", problems)
        _dupes([m.teams_user_id for m in self.members if m.teams_user_id], "teams_user_id", problems)
        for partner in StatutoryPartner:
            holders = [a.key for a in self.agencies if a.statutory_partner == partner]
            if len(holders) != 1:
                problems.append(
                    f"exactly one agency must have statutory_partner: {partner.value} (found {len(holders)}"
                    + (f": {', '.join(holders)}" if holders else "") + ")"
                )
        members = {m.key: m for m in self.members}
        for m in self.members:
            if m.agency not in agency_keys:
                problems.append(f"member {m.key}: agency '{m.agency}' is not one of the agencies ({', '.join(agency_keys)})")
            if m.deputy_of is not None:
                lead = members.get(m.deputy_of)
                if lead is None or not lead.has(Role.EXECUTIVE_LEAD):
                    problems.append(f"member {m.key}: deputy_of '{m.deputy_of}' is not an executive lead")
                elif lead.agency != m.agency:
                    problems.append(f"member {m.key}: a deputy must belong to the same agency as {lead.key}")
            if m.has(Role.EXECUTIVE_LEAD) and m.deputy_of is None:
                agency = self.agency(m.agency) if m.agency in agency_keys else None
                if agency is not None and agency.statutory_partner is None:
                    problems.append(f"member {m.key}: an executive lead must belong to a statutory partner's agency")
        for role in (Role.BUSINESS_UNIT,):
            if not any(m.has(role) for m in self.members):
                problems.append(f"at least one member needs the role {role.value}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # -- look-ups used everywhere -------------------------------------------------------------
    def agency(self, key: str) -> Agency:
        for a in self.agencies:
            if a.key == key:
                return a
        raise KeyError(key)

    def member(self, key: str) -> Member:
        for m in self.members:
            if m.key == key:
                return m
        raise KeyError(key)

    def members_with(self, *roles: Role) -> list[Member]:
        return [m for m in self.members if any(m.has(r) for r in roles)]

    def agency_leads(self, agency_key: str) -> list[str]:
        """The keys of the agency's leads (who are asked for its return and own its actions), in file order."""
        return [m.key for m in self.members if m.agency == agency_key and m.has(Role.AGENCY_LEAD)]

    def action_owners(self, agency_key: str) -> list[str]:
        """Who answers for an action the agency owns: its leads and the Practice and Learning Sub Group."""
        leads = set(self.agency_leads(agency_key))
        return [m.key for m in self.members if m.key in leads or m.has(Role.LEARNING_SUBGROUP)]

    def partner_agency(self, partner: StatutoryPartner) -> Agency:
        return next(a for a in self.agencies if a.statutory_partner == partner)

    def partner_of(self, member: Member) -> StatutoryPartner | None:
        """The statutory partner an executive lead (or deputy) approves for."""
        if not member.has(Role.EXECUTIVE_LEAD):
            return None
        return self.agency(member.agency).statutory_partner

    def by_slack_id(self, user_id: str) -> Member | None:
        return next((m for m in self.members if m.slack_user_id == user_id), None)

    def by_teams_id(self, object_id: str, tenant_id: str | None = None) -> Member | None:
        for m in self.members:
            if m.teams_user_id and m.teams_user_id.lower() == object_id.lower():
                if tenant_id is None or m.teams_tenant_id is None or m.teams_tenant_id.lower() == tenant_id.lower():
                    return m
        return None


def _dupes(values: Iterable[str], what: str, problems: list[str]) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            problems.append(f"duplicate {what} '{v}'")
        seen.add(v)


class PartnershipFileError(Exception):
    """The partnership file could not be used; `problems` lists every reason with its line."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: {len(problems)} problem(s)\n" + "\n".join(f"  - {p}" for p in problems))


def load_partnership(path: Path | str) -> Partnership:
    """Read and validate a partnership file, raising PartnershipFileError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PartnershipFileError(path, [f"cannot read the file: {exc.strerror or exc}"]) from None
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise PartnershipFileError(path, [f"{where}not valid YAML ({getattr(exc, 'problem', exc)})"]) from None
    if not isinstance(data, dict):
        raise PartnershipFileError(path, ["line 1: the file must be a mapping with keys partnership, agencies, members"])
    try:
        return Partnership.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(err, root) for err in exc.errors()]
        raise PartnershipFileError(path, problems) from None


def _describe(err: dict[str, Any], root: yaml.Node | None) -> str:
    loc = tuple(err.get("loc", ()))
    key = ".".join(str(p) for p in loc) or "(top level)"
    line = _line_of(root, loc)
    msg = err.get("msg", "invalid")
    if err.get("type") == "extra_forbidden":
        msg = "unknown key (check the spelling)"
    elif err.get("type") == "enum":
        msg = f"{msg}, got {err.get('input')!r}"
    msg = re.sub(r"^Value error, ", "", msg)
    return f"line {line}: {key}: {msg}" if line else f"{key}: {msg}"


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Follow a pydantic error location through the YAML node tree to a 1-based line number."""
    best = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = None
            for k, v in node.value:
                if k.value == str(part):
                    nxt = v
                    best = k.start_mark.line + 1
                    break
            if nxt is None:
                return best
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            best = node.start_mark.line + 1
        else:
            return best
    return best
