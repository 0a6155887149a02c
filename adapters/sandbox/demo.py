"""`rapidreview demo`: a fictional year of cases, so the sandbox's first screen is never empty and the
oversight page looks like a real year. Nine past cases (demo_year.py) come first, then three current ones:

Each case is built the way the review group would build it: members' commands, each on its own
(working) day, through the core; so the channels, cards, audit trail and reminders are the real ones.
Dates are counted back from today (or --today) in working days, so the cases always look current:

* Child T: gathering agency information; the police return is overdue.
* Baby W: awaiting executive approval of report v2, after the ICB disagreed with v1.
* Young Person X: submitted and acknowledged; awaiting the Panel.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from adapters.sandbox.config import PLATFORM
from adapters.sandbox.demo_year import PAST_PSEUDONYMS, fill_year
from adapters.sandbox.port import SandboxPort
from adapters.sandbox.store import Store
from bot.calendar import WorkingDayCalendar, at_london_time, london_date
from bot.context import Invocation
from bot.core import Core
from bot.outbox import Dispatcher

PSEUDONYMS = ("Child T", "Baby W", "Young Person X")  # the current cases
ALL_PSEUDONYMS = PAST_PSEUDONYMS + PSEUDONYMS  # in the order they were opened


class DemoRefused(Exception):
    """The demo will not write to this database; the message says why."""


class _Clock:
    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class _Runner:
    core: Core
    dispatcher: Dispatcher
    cal: WorkingDayCalendar
    clock: _Clock
    today: date
    real_now: datetime
    code: str | None = None

    def back(self, n: int) -> date:
        """The n-th working day before today."""
        return self.cal.working_days_before(self.today, n) if n else self.today

    def on(self, n: int) -> "_Runner":
        d = self.back(n)
        # Today's commands happen now (never in the future); earlier days' at mid-morning.
        self.clock.now = min(self.real_now, at_london_time(d, time(10, 0))) if d == self.today else at_london_time(d, time(10, 0))
        return self

    async def run(self, member_key: str, text: str) -> str:
        member = self.core.partnership.member(member_key)
        reply = await self.core.handle(Invocation(PLATFORM, member.key, member, text=text, case_code=self.code,
                                                  private=self.code is None))
        if not reply.ok:
            raise RuntimeError(f"demo step refused: {member_key}: {text!r}: {reply.text}")
        if text.startswith("new "):
            self.code = reply.case_code
        # Delivered on the day, so the channels' history carries the day each message was posted.
        await self.dispatcher.drain()
        return reply.text


async def _opening(r: _Runner, pseudonym: str, aware: int, sin: int, agencies: str) -> None:
    r.code = None
    await r.on(sin).run("bu_officer", f'new pseudonym="{pseudonym}" aware={r.back(aware)} sin={r.back(sin)}')
    await r.run("bu_officer", f"informed {r.back(sin)}")
    await r.run("sprg_chair", "triage notifiable")
    await r.run("sprg_chair", 'kloe "Information sharing between health and education"')
    await r.run("sprg_chair", f"meeting icdm {r.back(sin - 1)}")
    await r.on(sin - 1).run("bu_officer", f"request {agencies}")


async def _to_report(r: _Runner, returns: list[tuple[int, str, str]], meeting: int, recommendation: str) -> None:
    for day, lead, verb in returns:
        await r.on(day).run(lead, verb)
    await r.run("bu_officer", "pack")
    await r.on(meeting).run("sprg_chair", f"meeting rrm {r.back(meeting)}")
    await r.run("sprg_police", 'vote lcspr reason="multi-agency learning about information sharing"')
    await r.run("sprg_health", 'vote lcspr reason="multi-agency learning about information sharing"')
    await r.run("sprg_education", 'vote no-lcspr reason="learning can go through a practitioners\' briefing"')
    await r.run("sprg_chair", f'recommend {recommendation} reason="the SPRG\'s view after the meeting"')


async def fill(rt, today: date, real_now: datetime) -> list[str]:  # noqa: ANN001 (server.app.Runtime)
    """Open the year's cases, moving the runtime's clock day by day, and deliver each day's messages
    into a sandbox store of our own: the outbox rows are then marked delivered on their day, and the
    sandbox server rebuilds its channels from them. Returns the case codes."""
    clock = _Clock()
    saved = rt.core.clock, rt.dispatcher.clock, rt.ticker.clock
    rt.use_clock(clock)
    rt.platforms.setdefault(PLATFORM, SandboxPort(Store(clock)))
    r = _Runner(rt.core, rt.dispatcher, rt.calendar, clock, today, real_now)
    cal = rt.calendar
    codes = []
    try:
        codes += await fill_year(r)
        # Gathering: SIN 11 working days ago, returns due 3 working days ago; police still outstanding.
        await _opening(r, PSEUDONYMS[0], aware=13, sin=11, agencies="police,health,education")
        await r.on(8).run("lead_health", "nil")
        await r.on(5).run("lead_education", "return")
        await r.on(0).run("sprg_chair", f"meeting rrm {cal.add_working_days(today, 3)}")
        codes.append(r.code)
        # Executive approval: v1 approved by the local authority, disagreed by the ICB; v2 out, one approval.
        await _opening(r, PSEUDONYMS[1], aware=14, sin=12, agencies="police,health,social_care")
        await _to_report(r, [(8, "lead_police", "return"), (7, "lead_health", "nil"), (6, "lead_social_care", "return")],
                         meeting=4, recommendation="lcspr")
        await r.on(3).run("bu_officer", "report")
        await r.on(2).run("exec_council", "approve v1")
        await r.run("exec_icb", 'disagree v1 reason="the learning on information sharing needs to be clearer"')
        # The reconsideration: the chair makes the learning clearer, so v2 says what changed since v1.
        await r.on(1).run("sprg_chair", 'section learning "Information sharing between health and education, set '
                                        'out agency by agency"')
        await r.run("bu_officer", "report")
        await r.on(0).run("exec_council", "approve v2")
        codes.append(r.code)
        # Awaiting the Panel: approved by all three, submitted and acknowledged.
        await _opening(r, PSEUDONYMS[2], aware=19, sin=17, agencies="police,health")
        await _to_report(r, [(13, "lead_police", "return"), (12, "lead_health", "return")], meeting=10,
                         recommendation="no-lcspr")
        await r.on(9).run("bu_officer", "report")
        for lead in ("exec_council", "exec_icb", "exec_police"):
            await r.on(8).run(lead, "approve")
        await r.on(7).run("bu_officer", "submit")
        await r.on(5).run("bu_officer", "panel acknowledged")
        codes.append(r.code)
    finally:
        rt.core.clock, rt.dispatcher.clock, rt.ticker.clock = saved
    return codes


async def check_database(core: Core) -> int:
    """How many sandbox cases the database holds already; refuse one that holds real cases."""
    counts = await core.cases_by_platform()
    others = {platform: n for platform, n in counts.items() if platform != PLATFORM}
    if others:
        where = ", ".join(f"{n} from {platform}" for platform, n in sorted(others.items()))
        raise DemoRefused(f"this database holds cases that were not opened in the sandbox ({where}): the demo "
                          "only writes fictional cases into a sandbox database. Unset RAPIDREVIEW_DATABASE_URL to use "
                          "the sandbox's own file.")
    return sum(counts.values())


def today_in_london() -> date:
    return london_date(datetime.now(timezone.utc))
