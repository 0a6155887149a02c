"""Reconsideration: the recommendation revised after an executive disagreement or a Panel request to
reconsider (domain §2.2 S9 "any disagrees → S8 with vn+1", S12(b), AS-13, AS-15).

The chair (with the Business Unit) may change the recommendation, the narrative and the criteria; the next
`report` makes v(n+1), which voids every earlier approval, so all three partners decide again.
"""
from __future__ import annotations

from bot.context import StepContext
from bot.effects import direct_message, notice
from bot.partnership import Role
from bot.states import RECOMMENDATIONS, CaseState
from bot.steps.common import refuse_identifying_text

PANEL_RECONSIDER = "DISAGREES_OR_RECONSIDER"


def guard_revise(ctx: StepContext) -> str | None:
    """While a version is simply out for approval, changing the recommendation under the leads' feet is refused:
    only a disagreement or the Panel's request to reconsider reopens it."""
    c, f = ctx.case, ctx.file
    if c.state == CaseState.EXEC_APPROVAL and c.panel_outcome != PANEL_RECONSIDER:
        v = f.current_version
        return (f"Report v{v.number if v else 1} is with the executive leads. The recommendation can be revised once a "
                "partner disagrees (`disagree`) or the Panel asks the partners to reconsider.")
    return None


async def revise_recommendation(ctx: StepContext) -> CaseState:
    refuse_identifying_text(ctx, ctx.args["reason"], "rationale")
    c, f = ctx.case, ctx.file
    before = (c.recommendation, c.refer_as_possibly_national)
    c.recommendation = RECOMMENDATIONS[ctx.cmd.option]
    c.refer_as_possibly_national = ctx.args["national"]
    c.recommendation_reason = ctx.args["reason"]
    cur = f.current_version
    # The version out for a decision is withdrawn: decisions on it no longer count towards submission.
    voided = 0
    for d in f.decisions:
        if not d.void:
            d.void, voided = True, voided + 1
    why = "panel_reconsider" if c.state == CaseState.EXEC_APPROVAL else "executive_disagreement"
    ctx.audit("recommendation_revised", **{"from": before[0], "to": c.recommendation, "national_from": before[1],
                                           "national": c.refer_as_possibly_national, "why": why,
                                           "version_withdrawn": cur.number if cur else None,
                                           "voided_decisions": voided, "reason": ctx.args["reason"]})
    nxt = (cur.number + 1) if cur else 1
    label = c.recommendation + (" (may be of national importance)" if c.refer_as_possibly_national else "")
    same = before == (c.recommendation, c.refer_as_possibly_national)
    what = f"Recommendation {'confirmed' if same else 'revised'}: {label}" + ("" if same else f" (was {before[0]})")
    ctx.emit(notice(c.code, f"{what}. SPRG members may give fresh views (`vote`) until v{nxt} is sent. "
                            f"Next: `report` sends v{nxt}; all three partners must approve it."))
    for key in ctx.members_with(Role.EXECUTIVE_LEAD):
        ctx.emit(direct_message(c.code, key, "notice", {"case_code": c.code, "text":
            f"{c.code} / {c.pseudonym}: the recommendation is being reconsidered; "
            f"v{cur.number if cur else 1} is withdrawn and v{nxt} will come to you for a decision."}))
    ctx.say(f"{what}. {'Earlier decisions are void. ' if voided else ''}`report` makes v{nxt} with a summary of what changed.")
    return CaseState.REPORT_DRAFTING


def unanimous_lost_to(f, version: int) -> list[str]:  # noqa: ANN001
    """The partners who disagreed with this version (void or not)."""
    return sorted({d.partner for d in f.decisions if d.decision == "disagree" and d.report_version == version})


def unchanged_after_disagreement(ctx: StepContext, new) -> str | None:  # noqa: ANN001
    """A version after a disagreement must say something different: the same text again would only be
    disagreed with again, and its "changed since" summary would be empty."""
    prev = new.previous
    if prev is None or new.changed or not unanimous_lost_to(ctx.file, prev.number):
        return None
    return (f"v{prev.number + 1} would say exactly what v{prev.number} said, and a partner disagreed with v{prev.number}. "
            'Revise the recommendation (for example: recommend no-lcspr reason="…"), a report section (`section`) or '
            "a criterion (`criterion`) first, then `report` again.")


async def edited_since_approval(ctx: StepContext, version) -> list[str]:  # noqa: ANN001
    """The report parts written by hand (narrative sections, criteria) changed after this version was made
    (item 13). Parts built from records (dates, returns, the LCSPR's progress) are not edits to warn about."""
    from sqlalchemy import select

    from bot.steps.report import section_label
    from storage.models import ReportCriterion, ReportSection

    if version is None:
        return []
    made = version.created_at  # storage keeps instants timezone-aware (UtcDateTime)
    cid = ctx.case.id
    sections = (await ctx.session.execute(select(ReportSection.key, ReportSection.updated_at).where(
        ReportSection.case_id == cid))).all()
    criteria = (await ctx.session.execute(select(ReportCriterion.key, ReportCriterion.answered_at).where(
        ReportCriterion.case_id == cid))).all()
    out = [section_label(k).capitalize() for k, at in sections if at and at > made]
    out += [f"criterion {k}" for k, at in criteria if at and at > made]
    return out
