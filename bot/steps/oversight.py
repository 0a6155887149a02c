"""The Independent Scrutineer and the Partnership (executive) Chair hear the outcome (issue 14 item 8).

NYSCP's process: they are informed at the start (intake), and told when the report goes to the executive
leads, when all three approve it, and when it is submitted to the Panel. Status words, versions and dates
only: no report content, no reasons.
"""
from __future__ import annotations

from bot.context import StepContext
from bot.effects import direct_message
from bot.partnership import Role


def tell_oversight(ctx: StepContext, what: str) -> None:
    c = ctx.case
    for key in ctx.members_with(Role.INDEPENDENT_SCRUTINEER, Role.PARTNERSHIP_CHAIR):
        ctx.emit(direct_message(c.code, key, "notice", {"case_code": c.code, "text": f"{c.code} / {c.pseudonym}: {what}"}))
    ctx.audit("oversight_told", what=what.split(":")[0][:60])
