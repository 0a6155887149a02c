"""Helpers shared by the steps."""
from __future__ import annotations

from bot import pii
from bot.calendar import format_human
from bot.context import StepContext
from bot.effects import invite, open_channel
from bot.partnership import Role



def refuse_identifying_text(ctx: StepContext, text: str | None, what: str) -> None:
    """Refuse free text that looks like it identifies a child or family; never echo it back."""
    if not text:
        return
    finding = pii.scan(text, ctx.file.case.watch_names if ctx.file else ())
    if finding:
        ctx.audit("pii_blocked", where=what, detector=sorted(finding.kinds))
        ctx.refuse(f"The {what} looks like it contains {pii.describe(finding)}. Nothing was saved: "
                   "describe it without identifying details (use the pseudonym and roles, never names, "
                   "dates of birth or addresses) and try again.", pii=True)


def channel_name(ctx: StepContext) -> str:
    return ctx.case.code


def topic(ctx: StepContext) -> str:
    from bot.views import track_label

    return f"{ctx.case.code} / {ctx.case.pseudonym} ({track_label(ctx.case)})"


def open_case_channel(ctx: StepContext) -> None:
    """A private channel named only by the case code, with the core group invited (domain §5.2)."""
    from bot.views import track_label

    code = ctx.case.code
    ctx.case.channel_opened = True
    ctx.emit(open_channel(code, channel_name(ctx), topic(ctx), track_label(ctx.case)))
    core_group = ctx.members_with(Role.BUSINESS_UNIT, Role.PARTNERSHIP_MANAGER, Role.SPRG_CHAIR, Role.SPRG_MEMBER)
    ctx.emit(invite(code, core_group, "case opened"))



