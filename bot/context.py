"""What a step sees while it runs one command inside one transaction."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import AuditEntry
from bot.calendar import WorkingDayCalendar, london_date
from bot.casefile import CaseFile
from bot.effects import Effect
from bot.grammar import Command
from bot.partnership import Member, Partnership, Role
from storage.models import Case


class Refusal(Exception):
    """The command cannot run now. `access` marks refusals about who is asking (audited as such)."""

    def __init__(self, message: str, *, access: bool = False, field_errors: dict[str, str] | None = None,
                 pii: bool = False):
        super().__init__(message)
        self.message = message
        self.access = access
        self.pii = pii  # refused by the PII guard: forms must not show the typed text again
        self.field_errors = field_errors or {}  # for forms: field name -> message


@dataclass(frozen=True)
class Invocation:
    """A person asking for something, from any platform, after the adapter verified the request."""

    platform: str
    platform_user: str
    member: Member | None
    text: str | None = None
    command: Command | None = None
    case_code: str | None = None  # the case whose channel the request came from
    private: bool = False  # a one-to-one conversation with the bot (never a channel)


@dataclass
class StepContext:
    session: AsyncSession
    partnership: Partnership
    cal: WorkingDayCalendar
    now: datetime
    actor: Member
    inv: Invocation
    cmd: Command
    file: CaseFile | None = None
    effects: list[Effect] = field(default_factory=list)
    audits: list[AuditEntry] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    @property
    def case(self) -> Case:
        assert self.file is not None
        return self.file.case

    @property
    def today(self) -> date:
        return london_date(self.now)

    @property
    def args(self) -> dict[str, Any]:
        return self.cmd.args

    def emit(self, *effects: Effect) -> None:
        self.effects.extend(effects)

    def audit(self, action: str, **detail: Any) -> None:
        self.audits.append(AuditEntry(
            action=action, case_code=self.file.case.code if self.file else None, actor_key=self.actor.key,
            platform=self.inv.platform, platform_user=self.inv.platform_user, detail=detail))

    def say(self, message: str) -> None:
        """A line for the person who ran the command (their reply, not the channel)."""
        self.messages.append(message)

    def members_with(self, *roles: Role) -> list[str]:
        return [m.key for m in self.partnership.members_with(*roles)]

    @staticmethod
    def refuse(message: str, *, access: bool = False, pii: bool = False) -> NoReturn:
        raise Refusal(message, access=access, pii=pii)


@dataclass(frozen=True)
class Reply:
    """What the person who asked is told (ephemeral in Slack, a private reply in Teams)."""

    ok: bool
    text: str
    case_code: str | None = None
    card: tuple[str, dict[str, Any]] | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Screening:
    """The PII guard's verdict on a channel message: whether to hide it, and what kinds were found."""

    blocked: bool
    kinds: frozenset[str]
    description: str = ""
