"""The platform-neutral core: one entry point, `Core.handle(invocation)`, for every platform.

parse -> identify -> authorise -> the command's registry entry (bot/grammar.py) says how it is answered:
a read-only query (bot/queries.py), or a transition (one transaction: transition, audit, reminders,
outbox) -> reply. Platforms are reached only through outbox rows, delivered after the commit.
docs/DEVELOPING.md draws the whole path.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from bot import audit, lifecycle, pii, queries, reminders, shown
from bot.calendar import CalendarRangeError, WorkingDayCalendar, london_date
from bot.calendar_guard import dates_outside, deadline_out_of_range_text, year_of
from bot.casefile import load_case_file
from bot.context import StepContext, Invocation, Refusal, Reply, Screening
from bot.effects import ARCHIVE_CHANNEL, OPEN_CHANNEL, direct_message, update_status
from bot.grammar import SPECS, Command, ParseError, parse
from bot.outbox import AfterCommit, enqueue
from bot.partnership import Member, Partnership, Role
from bot.queries import LIST_PAGE  # noqa: F401  (kept importable from here)
from bot.pii_normal import strip_bidi
from bot.roles import allowed_roles, describe_roles, may_run, permission_key
from bot.states import STATE_LABELS, CaseState
from bot.views import case_view
from storage.db import Database
from storage.models import Case, ChannelLink, InboundReceipt

log = logging.getLogger("rapidreview.core")

# Refusals whose audit records survive the rolled-back transaction.
_KEEP_ON_REFUSAL = ("pii_blocked",)
# Built once: every message and command in a channel asks this first.
_CASE_FOR_CHANNEL = select(Case.code).join(ChannelLink, ChannelLink.case_id == Case.id).where(
    ChannelLink.platform == bindparam("platform"), ChannelLink.channel_id == bindparam("channel"))


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Core:
    def __init__(self, db: Database, partnership: Partnership, calendar: WorkingDayCalendar, *,
                 clock: Callable[[], datetime] = _utcnow):
        self.db, self.partnership, self.calendar, self.clock = db, partnership, calendar, clock
        # Run after every commit that wrote outbox rows (the composition root adds the dispatcher's wake).
        self.on_commit = AfterCommit()

    # -- entry point -------------------------------------------------------------------------------
    async def handle(self, inv: Invocation) -> Reply:
        try:
            # Bidi controls (U+202E etc.) can make stored text read differently from what was typed; nothing
            # typed or sent from a form keeps them, so none reaches a card or the report.
            cmd = _without_bidi(inv.command or parse(strip_bidi((inv.text or "")).strip()))
        except ParseError as exc:
            return Reply(False, str(exc))
        member = inv.member
        if member is None:
            return await self.refuse_stranger(inv, cmd.verb, cmd.case_code or inv.case_code)
        spec = SPECS.get(cmd.verb)
        if spec is None:  # only an adapter's own Command can name a verb the registry does not know
            return Reply(False, f"'{cmd.verb}' is not a command. Type `help` to see the commands.")
        if not may_run(member, cmd.verb, cmd.option):
            return await self.refuse_access(inv, member, cmd, cmd.case_code or inv.case_code,
                                            f"Only the {describe_roles(allowed_roles(cmd.verb, cmd.option))} can run "
                                            f"`{permission_key(cmd.verb, cmd.option)}`. Your role{'s are' if len(member.roles) > 1 else ' is'}: "
                                            f"{', '.join(r.value.replace('_', ' ') for r in member.roles)}.")
        code = (cmd.case_code or inv.case_code) if spec.needs_case else None
        if spec.needs_case and code is None:
            return Reply(False, f"Which case? Run `{cmd.verb}` in the case's channel, or name it: "
                                f"{cmd.verb} case={self.partnership.partnership.case_code_prefix}-{london_date(self.clock()).year}-001")
        if spec.query is not None:
            return await _answer(spec.query)(self, inv, member, cmd, code)
        if spec.before is not None:
            early = await _answer(spec.before)(self, inv, member, cmd, code)
            if early is not None:
                return early
        return await self._transition(inv, member, cmd, code)

    # -- commands that change a case ---------------------------------------------------------------------
    async def _transition(self, inv: Invocation, member: Member, cmd: Command, code: str | None) -> Reply:
        for attempt in range(3):
            try:
                return await self._transition_once(inv, member, cmd, code)
            except IntegrityError:
                # Two replicas allocated the same case number at once; the loser tries again.
                if attempt == 2 or cmd.verb != "new":
                    raise
        raise AssertionError("unreachable")

    async def _transition_once(self, inv: Invocation, member: Member, cmd: Command, code: str | None) -> Reply:
        now = self.clock()
        ctx: StepContext | None = None
        try:
            outside = dates_outside(cmd.args, self.calendar, london_date(now))
            if outside:
                raise Refusal(outside)
            async with self.db.transaction() as s:
                case = None
                if code is not None:
                    case = (await s.execute(select(Case).where(Case.code == code).with_for_update())).scalar_one_or_none()
                    if case is None:
                        raise Refusal(f"There is no case {code}.")
                state = CaseState(case.state) if case else CaseState.START
                t = lifecycle.find(state, cmd.key)
                if t is None:
                    raise Refusal(self._not_now(state, cmd, case))
                f = await load_case_file(s, case) if case else None
                ctx = StepContext(session=s, partnership=self.partnership, cal=self.calendar, now=now, actor=member, inv=inv, cmd=cmd, file=f)
                if t.guard is not None:
                    why = t.guard(ctx)
                    if why:
                        raise Refusal(why)
                nxt = await t.step(ctx) or t.source
                assert nxt in t.targets, f"{t.source} --{t.key}--> {nxt} is not in the table"
                c = ctx.case
                if nxt != state:
                    ctx.audit("state_changed", **{"from": state.value, "to": nxt.value, "command": cmd.key})
                c.state, c.updated_at = nxt, now
                await reminders.recompute(s, ctx.file, self.partnership, self.calendar, now)
                self._add_status_update(ctx)
                await enqueue(s, ctx.effects, c, now)
                for entry in ctx.audits:
                    await audit.append(s, entry, now)
        except Refusal as r:
            kept = [a for a in (ctx.audits if ctx else []) if a.action in _KEEP_ON_REFUSAL]
            return await self._refused(inv, member, cmd, code, r, kept)
        except CalendarRangeError as exc:
            return await self._no_holiday_data(inv, member, cmd, ctx, code, exc)
        self.on_commit()
        c = ctx.case
        text = "\n".join(ctx.messages) or f"Done. {c.code} / {c.pseudonym}: {STATE_LABELS[CaseState(c.state)]}."
        return Reply(True, text, c.code)

    async def _no_holiday_data(self, inv: Invocation, member: Member, cmd: Command, ctx: StepContext | None, code: str | None,
                               exc: CalendarRangeError) -> Reply:
        """A deadline would fall in a year without bank holiday data: refused and audited; the Business Unit is
        told by direct message and the administrator by the error log. No date is ever guessed."""
        log.error("no bank holiday data: case=%s command=%s year=%s", code or "(new)", cmd.key, year_of(exc))
        if code is None:  # a new case: the person who typed it is told; nothing was stored
            text = deadline_out_of_range_text("The new case", "", exc).replace("The new case / : ", "")
            return await self._refused(inv, member, cmd, code, Refusal(text), [])
        now = self.clock()
        async with self.db.transaction() as s:
            case = (await s.execute(select(Case).where(Case.code == code))).scalar_one()
            text = deadline_out_of_range_text(code, case.pseudonym, exc)
            await enqueue(s, [direct_message(code, key, "notice", {"case_code": code, "text": text})
                              for key in (m.key for m in self.partnership.members_with(Role.BUSINESS_UNIT))], case, now)
        self.on_commit()
        return await self._refused(inv, member, cmd, code, Refusal(text), [])

    def _add_status_update(self, ctx: StepContext) -> None:
        """Keep the pinned status card current; it goes after the channel opens and before any archive."""
        c = ctx.case
        opens = any(e.kind == OPEN_CHANNEL for e in ctx.effects)
        if not (c.channel_opened or opens):
            return
        c.channel_opened = True
        effect = update_status(c.code, case_view(ctx.file, self.partnership, self.calendar, ctx.today))
        idx = next((i for i, e in enumerate(ctx.effects) if e.kind == ARCHIVE_CHANNEL), len(ctx.effects))
        ctx.effects.insert(idx, effect)

    def _not_now(self, state: CaseState, cmd: Command, case: Case | None) -> str:
        special = lifecycle.explanation(state, cmd.key)
        if special:
            return special
        if case is None:
            return f"`{cmd.verb}` needs a case."
        options = lifecycle.keys_from(state)
        nxt = f" What can happen now: {', '.join(f'`{k}`' for k in dict.fromkeys(options))}." if options else ""
        return f"`{cmd.key}` does not apply now: {case.code} is at '{STATE_LABELS[state]}'.{nxt}"

    # -- the PII guard on case-channel messages (domain §5.2, AS-20) ------------------------------------
    async def screen_message(self, inv: Invocation) -> Screening:
        """Check a message posted in a case channel. On a hit: audit without content, tell the poster
        privately, alert the Business Unit. The adapter then hides or deletes the message."""
        code = inv.case_code
        async with self.db.read() as s:
            case = (await s.execute(select(Case).where(Case.code == code))).scalar_one_or_none() if code else None
        finding = pii.scan(inv.text or "", case.watch_names if case else ())
        if not finding:
            return Screening(False, frozenset())
        now = self.clock()
        kinds = sorted(finding.kinds)
        label = f"{case.code} / {case.pseudonym}" if case else (code or "a case channel")
        async with self.db.transaction() as s:
            await audit.append(s, audit.AuditEntry(
                "pii_blocked", case_code=code, actor_key=inv.member.key if inv.member else None, platform=inv.platform,
                platform_user=inv.platform_user, detail={"detector": kinds}), now)
            if case is not None:
                alerts = []
                if inv.member is not None:
                    alerts.append(direct_message(code, inv.member.key, "pii_alert", {
                        "case_code": code, "pseudonym": case.pseudonym, "audience": "poster", "found": pii.describe(finding),
                        "text": f"Your message in {label} looked like it contained {pii.describe(finding)}, so it was "
                                "removed or flagged for removal. Please post again without identifying details: use "
                                "the pseudonym and roles."}))
                for key in (m.key for m in self.partnership.members_with(Role.BUSINESS_UNIT)):
                    if inv.member is None or key != inv.member.key:
                        alerts.append(direct_message(code, key, "pii_alert", {
                            "case_code": code, "pseudonym": case.pseudonym, "audience": "business_unit",
                            "found": pii.describe(finding),
                            "text": f"A message in {label} was blocked by the PII guard ({', '.join(kinds)}). "
                                    "Its content was not kept."}))
                await enqueue(s, alerts, case, now)
        self.on_commit()
        return Screening(True, frozenset(kinds), pii.describe(finding))

    async def set_watch_names(self, inv: Invocation, code: str, names: list[str]) -> Reply:
        """Names the guard watches for in a case channel. Only in a private conversation, Business Unit only."""
        member = inv.member
        if member is None:
            return await self.refuse_stranger(inv, "watch", code)
        if not member.has(Role.BUSINESS_UNIT):
            return await self.refuse_access(inv, member, Command("watch"), code,
                                             "Only the Business Unit can set a case's watch list.")
        if not inv.private:
            return Reply(False, "Set the watch list only in a private conversation with the bot: never type the "
                                "family's names in the case channel.")
        # In the order given: the first name is the child's, shown as the pseudonym where a return's text is
        # made safe for the report (bot/return_screen.py).
        clean = list(dict.fromkeys(" ".join(n.split()) for n in names if n and n.strip()))
        async with self.db.transaction() as s:
            case = (await s.execute(select(Case).where(Case.code == code).with_for_update())).scalar_one_or_none()
            if case is None:
                return Reply(False, f"There is no case {code}.")
            case.watch_names = clean
            await audit.append(s, audit.AuditEntry("watch_list_set", case_code=code, actor_key=member.key,
                                                   platform=inv.platform, platform_user=inv.platform_user,
                                                   detail={"names": len(clean)}), self.clock())
        return Reply(True, f"The PII guard now watches for {len(clean)} name{'s' if len(clean) != 1 else ''} in {code}.", code)

    async def case_for_channel(self, platform: str, channel_id: str) -> str | None:
        """The case code whose channel this is on the platform, if any."""
        async with self.db.read() as s:
            return (await s.execute(_CASE_FOR_CHANNEL, {"platform": platform, "channel": channel_id})).scalar_one_or_none()

    # -- what adapters ask instead of reading the tables (bot/shown.py) ------------------------------
    async def current_card(self, kind: str, case_code: str, subject: Any = None,
                           viewer: Member | None = None) -> dict[str, Any] | None:
        """The context the core last emitted for this card (a card refresh draws it again)."""
        return await shown.current_card(self.db, kind, case_code, subject, viewer.key if viewer else None)

    async def shown(self, platform: str) -> list[shown.Shown]:
        """Everything the platform has been shown, in order (an in-memory platform rebuilt after a restart)."""
        return await shown.shown_on(self.db, platform)

    async def open_cases(self, today: date | None = None) -> list[shown.OpenCase]:
        """The open cases with their status views as of `today` (the case board)."""
        return await shown.open_cases(self.db, self.partnership, self.calendar, today or london_date(self.clock()))

    async def cases_by_platform(self) -> dict[str, int]:
        return await shown.cases_by_platform(self.db)

    async def reminder_action(self, inv: Invocation, reminder_id: int, action: str) -> Reply:
        """Done / Snooze until tomorrow / Not mine, pressed on a reminder card."""
        from bot.reminder_actions import reminder_action

        return await reminder_action(self, inv, reminder_id, action)

    # -- platform retries and double clicks ------------------------------------------------------------
    async def first_receipt(self, platform: str, key: str) -> bool:
        """True the first time (platform, key) is seen, in any replica; False for a retry or a double click."""
        try:
            async with self.db.transaction() as s:
                s.add(InboundReceipt(platform=platform, key=key[:200], received_at=self.clock()))
        except IntegrityError:
            return False
        return True

    # -- refusals -----------------------------------------------------------------------------------------
    async def refuse_stranger(self, inv: Invocation, what: str, code: str | None) -> Reply:
        """Someone the partnership file does not know: refused, and the attempt is audited."""
        await self._audit_only(audit.AuditEntry(
            "access_refused", case_code=code, platform=inv.platform, platform_user=inv.platform_user,
            detail={"reason": "not a member", "command": what}))
        return Reply(False, f"You are not set up as a member of {self.partnership.partnership.short_name} in this bot, so it "
                            "cannot act for you. Ask the Business Unit to add your account to the partnership file.")

    async def refuse_access(self, inv: Invocation, member: Member, cmd: Command, code: str | None, why: str) -> Reply:
        return await self._refused(inv, member, cmd, code, Refusal(why, access=True), [])

    async def _refused(self, inv: Invocation, member: Member, cmd: Command, code: str | None, r: Refusal,
                       kept: list[audit.AuditEntry]) -> Reply:
        entry = audit.AuditEntry("access_refused" if r.access else "command_refused", case_code=code,
                                 actor_key=member.key, platform=inv.platform, platform_user=inv.platform_user,
                                 detail={"command": cmd.key, "why": r.message})
        await self._audit_only(*kept, entry)
        data: dict[str, Any] = {"field_errors": r.field_errors} if r.field_errors else {}
        if r.pii:
            data["pii_blocked"] = True
        return Reply(False, r.message, code, data=data)

    async def _audit_only(self, *entries: audit.AuditEntry) -> None:
        async with self.db.transaction() as s:
            for e in entries:
                await audit.append(s, e, self.clock())



def _answer(ref: str | Callable[..., Any]) -> Callable[..., Any]:
    """The query a registry entry names: a function in bot/queries.py, or the function itself."""
    return ref if callable(ref) else getattr(queries, ref)


def _without_bidi(cmd: Command) -> Command:
    def clean(value: Any) -> Any:  # noqa: ANN401
        if isinstance(value, str):
            return strip_bidi(value)
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(clean(v) for v in value)
        return value
    return Command(cmd.verb, cmd.option, clean(cmd.args), cmd.case_code)
