"""`oversight` in chat: this year's headline figures, and a signed link to the full report for the asker.

Numbers only (no case is named), answered privately to the member who asked (ephemeral in Slack, a private
reply in Teams). Who may ask is the role matrix's `oversight` row; the link is checked against it again
when it is opened.
"""
from __future__ import annotations

from datetime import date

from bot import audit
from bot.calendar import format_human, london_date
from bot.context import Invocation, Reply
from bot.oversight import oversight
from bot.oversight.figures import Oversight, Period
from bot.oversight.links import issue


def year_to_date(today: date) -> Period:
    return Period(date(today.year, 1, 1), today)


def _pct(k: int, n: int) -> str:
    return f"{k} of {n} ({round(100 * k / n)}%)" if n else "none due"


def headline_lines(o: Oversight, sin_days: int = 5) -> list[str]:
    v = o.values
    returns_on_time = sum(a.on_time for a in o.agencies)
    returns_counted = sum(a.counted for a in o.agencies)
    outcomes = ", ".join(f"{n} {label.lower()}" for label, n in (
        ("agree", o.outcomes["AGREES"]), ("ask to reconsider", o.outcomes["DISAGREES_OR_RECONSIDER"]),
        ("request information", o.outcomes["REQUESTS_INFORMATION"]),
        ("national review", o.outcomes["NATIONAL_REVIEW_COMMISSIONED"]),
        ("local review", o.outcomes["LOCAL_REVIEW_MORE_APPROPRIATE"])) if n) or "none yet"
    return [
        f"• Referrals: {v['referrals']}; SINs sent: {v['sins']}, within {sin_days} working days: "
        f"{_pct(v['sin_on_time'], v['sin_n'])}",
        f"• Rapid reviews to the Panel: {v['rapid_reviews']}, within {o.rr_due_day} working days: "
        f"{_pct(v['rapid_review_on_time'], v['rapid_review_n'])}",
        f"• Panel responses: {v['panel_n']} ({outcomes}); an executive lead disagreed first on "
        f"{v['executive_disagreed']}",
        f"• LCSPRs: {v['lcsprs_decided']} decided, {v['lcsprs_published']} published; national reviews: "
        f"{v['national_reviews']}; local reviews: {v['local_reviews']}",
        f"• Agency returns on time: {_pct(returns_on_time, returns_counted)}",
        f"• Actions: {v['actions_overdue']} overdue, {v['actions_open']} open, {v['actions_completed']} completed",
    ]


async def headline(core, inv: Invocation, member=None, cmd=None, code=None) -> Reply:  # noqa: ANN001 (bot.core.Core)
    """The reply to `oversight`: the year to date, and the asker's link to the full report. (The extra
    parameters are the command registry's query signature: (core, invocation, member, command, case code).)"""
    now = core.clock()
    period = year_to_date(london_date(now))
    o = await oversight(core.db, core.partnership, core.calendar, period, period.end)
    url, claims = issue(inv.member.key, period, now)
    async with core.db.transaction() as s:
        await audit.append(s, audit.AuditEntry("oversight_link_issued", actor_key=inv.member.key, platform=inv.platform,
                                               platform_user=inv.platform_user, detail={
                                                   "from": period.start.isoformat(), "to": period.end.isoformat(),
                                                   "expires": claims.expires.isoformat()}), now)
    text = "\n".join([f"Oversight, {format_human(period.start)} to {format_human(period.end)}:", *headline_lines(o, core.partnership.timescales.sin_working_days),
                      f"The full report, with charts and each figure's definition (for you only, valid until "
                      f"{claims.expires_human}): {url}"])
    return Reply(True, text, data={"figures": {f.key: f.value for f in o.figures}, "url": url})
