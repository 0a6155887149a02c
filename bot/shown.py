"""What adapters may ask the core about what it has shown and what is open, so that no adapter reads the core's
tables: the current card for a refresh, a platform's conversations rebuilt after a restart, the case board.

All three read what is kept for as long as the case (storage.models.ShownEffect, the cases themselves), never
the outbox, so delivered outbox rows can be purged without changing what any adapter shows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from bot import effects as fx
from bot.calendar import WorkingDayCalendar
from bot.casefile import CaseFile, load_case_file
from bot.partnership import Partnership
from bot.states import CaseState
from bot.views import case_view
from storage.db import Database
from storage.models import Case, ChannelLink, ShownEffect

# The field of a card's context that says which one it is, for cards a case has several of.
SUBJECT_FIELDS = {"agency_request": "agency_key", "action_item": "number", "reminder": "reminder_id"}
_CARD_EFFECTS = (fx.POST_CARD, fx.UPDATE_STATUS, fx.DIRECT_MESSAGE)


def _same_subject(kind: str, context: dict[str, Any], subject: Any) -> bool:
    name = SUBJECT_FIELDS.get(kind)
    if name is None:
        return True
    return subject is not None and str(context.get(name)) == str(subject)


async def current_card(db: Database, kind: str, case_code: str, subject: Any = None,
                       viewer_key: str | None = None) -> dict[str, Any] | None:
    """The context the core last emitted for this card of the case (its agency, action or reminder named by
    `subject` where a case has several). Status cards (approvals, votes) are the same for everyone, so the
    newest wins; a privacy alert differs by audience, so the viewer's own comes first."""
    async with db.read() as s:
        rows = (await s.execute(select(ShownEffect.payload).where(
            ShownEffect.case_code == case_code, ShownEffect.card == kind, ShownEffect.kind.in_(_CARD_EFFECTS))
            .order_by(ShownEffect.outbox_id.desc()).limit(500))).scalars().all()
    match = [p for p in rows if _same_subject(kind, p.get("context") or {}, subject)]
    mine = [p for p in match if kind == "pii_alert" and viewer_key is not None and p.get("member") == viewer_key]
    best = (mine or match or [None])[0]
    return dict(best["context"]) if best else None


@dataclass(frozen=True)
class Shown:
    """One thing a platform shows, in the order it first appeared: a channel opened, people invited, a card in a
    channel (a slot card once, as it stands now, under the message id the platform gave it) or a direct message."""

    kind: str  # an effect kind (bot.effects)
    case_code: str | None
    at: datetime
    channel_id: str | None = None  # None for a direct message
    member_key: str | None = None  # a direct message's recipient
    card: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    message_id: str | None = None  # a slot card's id on the platform, when the dispatcher has one
    pinned: bool = False  # the case's status card
    name: str = ""  # an opened channel's name and topic
    topic: str = ""
    members: tuple[str, ...] = ()  # who was invited


async def shown_on(db: Database, platform: str) -> list[Shown]:
    """Everything the platform has been shown (delivered at least once), in order, for an adapter that keeps
    its conversations in memory (the sandbox) to draw them again after a restart."""
    async with db.read() as s:
        links = {link.case_id: link for link in (await s.execute(
            select(ChannelLink).where(ChannelLink.platform == platform))).scalars()}
        rows = list((await s.execute(select(ShownEffect).where(
            ShownEffect.platform == platform, ShownEffect.shown_at.is_not(None)).order_by(ShownEffect.id))).scalars())
    out: list[Shown] = []
    for row in rows:
        p = row.payload
        if row.kind == fx.DIRECT_MESSAGE:
            out.append(Shown(row.kind, row.case_code, row.shown_at, member_key=p["member"], card=p["card"],
                             context=p["context"]))
            continue
        link = links.get(row.case_id)
        if link is None:
            continue
        base = dict(kind=row.kind, case_code=row.case_code, at=row.shown_at, channel_id=link.channel_id)
        if row.kind in (fx.POST_CARD, fx.UPDATE_STATUS):
            out.append(Shown(**base, card=p["card"], context=p["context"], pinned=row.slot == "status",
                             message_id=(link.extra or {}).get(row.slot) if row.slot else None))
        else:
            out.append(Shown(**base, name=p.get("name", ""), topic=p.get("topic", ""),
                             members=tuple(p.get("members", ()))))
    return out


@dataclass(frozen=True)
class OpenCase:
    """An open case for the board: its status view, and its records for drawing its dates."""

    view: dict[str, Any]
    file: CaseFile


async def open_cases(db: Database, p: Partnership, cal: WorkingDayCalendar, today: date) -> list[OpenCase]:
    """Every open case, oldest first, with its status view as of `today`."""
    async with db.read() as s:
        cases = list((await s.execute(select(Case).where(Case.state != CaseState.CLOSED)
                                      .order_by(Case.year, Case.number))).scalars())
        files = [await load_case_file(s, c) for c in cases]
    return [OpenCase(case_view(f, p, cal, today), f) for f in files]


async def cases_by_platform(db: Database) -> dict[str, int]:
    """How many cases each platform opened (the sandbox's demo refuses a database holding real ones)."""
    async with db.read() as s:
        return dict((await s.execute(select(Case.platform, func.count()).group_by(Case.platform))).all())
