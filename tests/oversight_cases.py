"""A scripted set of cases whose oversight figures are known, worked out by hand below.

Every case is run through the core (members' commands on given days). The free text typed into them
(FREE_TEXT) must never reach an oversight output.

* rr-2026-001 "Child A": aware Tue 1 Sep 2026, SIN Mon 7 Sep; then the awareness date is corrected to
  Thu 27 Aug (`aware … reason=`). The SIN was due 5 working days after 27 Aug, across the summer bank holiday
  (Mon 31 Aug): 28 Aug, 1, 2, 3, 4 Sep → due Fri 4 Sep, sent Mon 7 Sep: 1 working day late (before the
  correction it was on time: due Tue 8 Sep). Returns due SIN + 8 WD = Thu 17 Sep: police returns Wed 16 Sep
  (on time), health nil Wed 9 Sep (on time), education waived. Report v1 Mon 21 Sep; the ICB disagrees Tue
  22 Sep; v2 Wed 23 Sep, approved by all three Fri 25 Sep (working day 4 from 21 Sep). Sent to the Panel Mon
  28 Sep: due SIN + 15 WD = Mon 28 Sep, on time, working day 15. The Panel agrees Mon 12 Oct (10 working days).
  LCSPR decided Wed 14 Oct 2026 → publication due Wed 14 Apr 2027; published Tue 20 Apr 2027: 4 WD late.
  Actions: education due Mon 2 Nov, done Fri 30 Oct; police due Tue 1 Dec, never done; health due Mon 1 Feb 2027.
* rr-2026-002 "Young Person C": care leaver's death, aware Wed 1 Apr 2026, notified Wed 8 Apr: notification only.
* rr-2026-003 "Child L": aware Tue 1 Sep, SIN Mon 7 Sep (due Tue 8 Sep: on time); the SIN withdrawn and the
  case triaged to a local review Mon 7 Sep.
* rr-2026-004 "Child P": aware Fri 18 Dec 2026 → SIN due Tue 29 Dec (Christmas and Boxing Day substitutes);
  SIN sent Mon 4 Jan 2027: 30, 31 Dec, (1 Jan bank holiday), 4 Jan → 3 working days late. Police return due
  SIN + 8 WD = Thu 14 Jan, in Wed 20 Jan: 4 WD late. Report Wed 20 Jan, approved Fri 22 Jan (working day 2);
  sent Wed 27 Jan 2027 against due Mon 25 Jan: 2 WD late, working day 17.
"""
from __future__ import annotations

from datetime import date

from tests.driver import Driver

FREE_TEXT = ["Zebra crossing lessons", "Quokka marmalade", "Narwhal typo", "Pelican training refresh",
             "Walrus evidence", "Ocelot chronology", "Toucan close"]
EXECS = ("exec_council", "exec_icb", "exec_police")


async def _report_and_approve(d: Driver, report_on: date, approve_on: date, recommendation: str = "no-lcspr") -> None:
    await d.ok("bu_officer", "pack")
    await d.ok("sprg_chair", f"meeting rrm {report_on.isoformat()}")
    await d.ok("sprg_chair", f'recommend {recommendation} reason="the group\'s view"')
    d.on(report_on)
    await d.ok("bu_officer", "report")
    d.on(approve_on)
    for lead in EXECS:
        await d.ok(lead, "approve")


async def child_a(d: Driver) -> str:
    d.on(date(2026, 9, 7))
    await d.ok("bu_officer", 'new pseudonym="Child A" aware=2026-09-01 sin=2026-09-07')
    await d.ok("sprg_chair", "triage notifiable")
    await d.ok("sprg_chair", f'kloe "{FREE_TEXT[0]}"')
    await d.ok("bu_officer", "request police,health,education")
    d.on(date(2026, 9, 8))
    await d.ok("bu_officer", f'aware 2026-08-27 reason="{FREE_TEXT[2]}"')
    d.on(date(2026, 9, 9))
    await d.ok("lead_health", "nil")
    d.on(date(2026, 9, 16))
    await d.ok("lead_police", "return")
    await d.ok("sprg_chair", f'waive education reason="{FREE_TEXT[5]}"')
    await d.ok("bu_officer", "pack")
    d.on(date(2026, 9, 21))  # the meeting is recorded as held on its day (issue 14: before that it is scheduled)
    await d.ok("sprg_chair", "meeting rrm 2026-09-21")
    await d.ok("sprg_chair", 'recommend lcspr reason="multi-agency learning"')
    await d.ok("bu_officer", "report")
    d.on(date(2026, 9, 22))
    await d.ok("exec_council", "approve v1")
    await d.ok("exec_icb", f'disagree v1 reason="{FREE_TEXT[1]}"')
    d.on(date(2026, 9, 23))
    await d.ok("sprg_chair", 'section learning "Information sharing between health and education"')  # v2 differs
    await d.ok("bu_officer", "report")
    d.on(date(2026, 9, 25))
    for lead in EXECS:
        await d.ok(lead, "approve v2")
    d.on(date(2026, 9, 28))
    await d.ok("bu_officer", "submit")
    d.on(date(2026, 10, 12))
    await d.ok("bu_officer", "panel agrees")
    await d.ok("bu_officer", "shared all")
    d.on(date(2026, 10, 14))
    await d.ok("bu_officer", "lcspr decided 2026-10-14")
    await d.ok("learning_lead", f'action add owner=education due=2026-11-02 "{FREE_TEXT[3]}"')
    await d.ok("learning_lead", 'action add owner=police due=2026-12-01 "Refresh the referral pathway"')
    await d.ok("learning_lead", 'action add owner=health due=2027-02-01 "Audit the health visiting records"')
    d.on(date(2026, 10, 30))
    await d.ok("lead_education", f'action done 1 evidence="{FREE_TEXT[4]}"')
    d.on(date(2027, 4, 1))
    # After the 6-month due date, so it needs a reason (issue 14 item 12).
    await d.ok("bu_officer", 'lcspr planned 2027-04-20 reason="the independent reviewer needs more time"')
    d.on(date(2027, 4, 20))
    await d.ok("bu_officer", "lcspr published 2027-04-20")
    return d.case_code


async def young_person_c(d: Driver) -> str:
    d.on(date(2026, 4, 1))
    await d.ok("bu_officer", 'new pseudonym="Young Person C" aware=2026-04-01 kind=care_leaver_death')
    d.on(date(2026, 4, 8))
    await d.ok("bu_officer", "notified 2026-04-08")
    await d.ok("bu_officer", f'close reason="{FREE_TEXT[6]}"')
    return d.case_code


async def child_l(d: Driver) -> str:
    d.on(date(2026, 9, 7))
    await d.ok("bu_officer", 'new pseudonym="Child L" aware=2026-09-01 sin=2026-09-07')
    # With a SIN sent, a local review follows only once the notification is withdrawn (AS-11 as corrected).
    await d.ok("sprg_chair", 'triage withdrawn reason="the criteria were not met"')
    await d.ok("sprg_chair", "triage local")
    return d.case_code


async def child_p(d: Driver) -> str:
    d.on(date(2026, 12, 18))
    await d.ok("bu_officer", 'new pseudonym="Child P" aware=2026-12-18')
    d.on(date(2027, 1, 4))
    await d.ok("bu_officer", "sin 2027-01-04")
    await d.ok("sprg_chair", "triage notifiable")
    await d.ok("bu_officer", "request police")
    d.on(date(2027, 1, 20))
    await d.ok("lead_police", "return")
    await _report_and_approve(d, date(2027, 1, 20), date(2027, 1, 22))
    d.on(date(2027, 1, 27))
    await d.ok("bu_officer", "submit")
    return d.case_code


async def scripted_year(core, clock, platform: str = "fake") -> list[str]:  # noqa: ANN001
    """Open the four cases (in the order of their case codes) and return the codes. The sandbox's page takes
    them as its own (`platform="sandbox"`): it refuses a database holding any other platform's cases."""
    codes = []
    for build in (child_a, young_person_c, child_l, child_p):
        d = Driver(core, clock, platform=platform)
        codes.append(await build(d))
    return codes
