"""Circulating the SPRG pack: a link by direct message to everyone entitled to it (issue 14 item 9).

What the pack holds and who may have it: bot/report/sprg_pack.py.
"""
from __future__ import annotations

from bot.context import StepContext
from bot.effects import direct_message
from bot.report.sprg_pack import may_have, ready, sprg_pack_markdown  # noqa: F401 (used by the link step)


def send_links(ctx: StepContext) -> None:
    from bot.steps.report import issue_link

    c, f = ctx.case, ctx.file
    keys = [m.key for m in ctx.partnership.members if may_have(m, f)]
    for key in keys:
        url, expires = issue_link(ctx, key, "sprg-pack", None, "docx")
        ctx.emit(direct_message(c.code, key, "notice", {"case_code": c.code, "text":
            f"{c.code} / {c.pseudonym}: the SPRG pack is ready. Your link, valid until {expires}: {url} . It is for you "
            "only: please do not forward it. A new link at any time: link sprg-pack"}))
