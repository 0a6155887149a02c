"""A whole case with structured agency returns, narrative sections and criteria, for the report tests.

Every person, agency text and reference here is fictional.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.report import links as report_links
from bot.context import Invocation
from bot.grammar import Command
from tests.driver import Driver
from tests.scenarios import to_gathering

SECRET = b"test-secret-for-report-links-0123456789"
BASE_URL = "http://127.0.0.1:3978"

RETURNS = {
    "police": {
        "completed_by_role": "Detective Inspector, Public Protection", "senior_signoff_role": "Detective Chief Inspector",
        "signoff_date": "2026-09-14", "involvement_period": "Mar 2026 to Aug 2026",
        "nature_of_involvement": "Two call-outs to the family home; the child was present at one.",
        "chronology": [
            {"date": "2026-08-02", "source": "Response team", "event": "Welfare check after a call from the school",
             "action": "Child seen with the older sibling", "outcome": "Information shared with the school"},
            {"date": "2026-03-14", "source": "Control room", "event": "Domestic incident reported by a neighbour",
             "action": "Officers attended; risk assessed as medium", "outcome": "Referral to children's social care"},
        ],
        "lived_experience": "Officers noted the child was quiet and stayed close to the older sibling.",
        "went_well": "Prompt referral to children's social care after the March incident.",
        "could_be_different": "The August welfare check was not linked to the March incident.",
        "information_sharing": "The March referral reached social care but not the health visiting team.",
        "single_agency_learning": "Check previous incidents at an address before a welfare visit.",
        "immediate_actions": "Briefing for response officers on linking incidents | in progress.",
        "parallel_processes": "Police investigation: yes.",
        "equality_considerations": "English is the family's second language; no interpreter was used at the March call.",
    },
    "health": {
        "completed_by_role": "Named Nurse for Safeguarding", "senior_signoff_role": "Designated Nurse",
        "signoff_date": "2026-09-15", "involvement_period": "Jan 2026 to Aug 2026",
        "chronology": [
            {"date": "2026-05-20", "source": "GP surgery", "event": "Attendance for a minor injury", "action": "Treated",
             "outcome": "No safeguarding referral made"},
            {"date": "2026-03-14", "source": "Health visiting", "event": "Developmental review missed",
             "action": "Letter sent", "outcome": "Review rebooked"},
        ],
        "went_well": "The missed review was followed up within a week.",
        "could_be_different": "The minor injury was not considered against the family's history.",
        "single_agency_learning": "Use the safeguarding flag when a child with a missed review attends.",
    },
    "social_care": {
        "completed_by_role": "Team Manager, Front Door", "senior_signoff_role": "Head of Service",
        "signoff_date": "2026-09-15",
        "chronology": [
            {"date": "2026-03-16", "source": "Front door", "event": "Police referral received",
             "action": "Checks with health and school", "outcome": "No further action"},
        ],
        "lived_experience": "The older sibling described the child as 'the quiet one' at home.",
        "information_sharing": "Checks did not include the health visiting team.",
        "single_agency_learning": "Include health visiting in front door checks for children under five.",
        "parallel_processes": "None known.",
    },
}


async def give_return(core, d: Driver, agency: str) -> None:  # noqa: ANN001
    lead = core.partnership.member(f"lead_{agency}")
    r = await core.handle(Invocation(platform="fake", platform_user=lead.slack_user_id, member=lead,
                                     case_code=d.case_code, command=Command("return", None, {"agency": None,
                                                                                            "fields": RETURNS[agency]})))
    assert r.ok, r.text


async def to_report_v1(core, clock) -> Driver:  # noqa: ANN001
    """AS-10's case with structured returns, written sections and criteria; report v1 made on Tue 22 Sep 2026."""
    d = Driver(core, clock)
    await to_gathering(d)  # SIN Mon 7 Sep 2026; police, health, social care, education, ambulance asked
    await d.ok("sprg_chair", 'kloe "Whether agencies linked the incidents over time"')
    await d.ok("sprg_chair", "meeting icdm 2026-09-08")
    d.on(date(2026, 9, 9))
    await d.ok("lead_ambulance", "nil")
    d.on(date(2026, 9, 15))
    for agency in ("police", "health", "social_care"):
        await give_return(core, d, agency)
    d.on(date(2026, 9, 17))
    await d.ok("sprg_chair", 'waive education reason="no involvement: confirmed by the designated safeguarding lead"')
    await d.ok("bu_officer", "pack")
    await d.ok("bu_officer", "meeting rrm 2026-09-21")  # scheduled
    d.on(date(2026, 9, 21))
    await d.ok("bu_officer", "meeting rrm held")
    for key in ("sprg_police", "sprg_health", "sprg_social_care"):
        await d.ok(key, 'vote lcspr reason="multi-agency learning about information sharing"')
    await d.ok("sprg_education", 'vote no-lcspr reason="learning already known"')
    await d.ok("sprg_chair", 'vote lcspr national reason="recurrent theme of incidents not being linked"')
    await d.ok("sprg_chair", 'recommend lcspr reason="The agencies did not link incidents over five months."')
    await d.ok("sprg_chair", 'section summary "The child was seriously harmed at home in August 2026.\n\n'
                             'A police investigation is under way."')
    await d.ok("sprg_chair", 'section lived-experience "A quiet child who stayed close to an older sibling; '
                             'English is the family\'s second language."')
    await d.ok("bu_officer", 'section practice-episodes "- March: the referral was not shared with health visiting.\n'
                             '- May: the minor injury was seen without the history.\n- August: the welfare check '
                             'was not linked to March."')
    await d.ok("bu_officer", 'section learning "Agencies saw single events, not the pattern over time."')
    await d.ok("bu_officer", 'section sin-ref "DFE-SIN-77412"')
    await d.ok("bu_officer", 'section period "1 January 2026 to the incident"')
    for crit, answer, why in (("a", "met", "improvements in linking incidents"), ("b", "met", "a recurrent national theme"),
                              ("c", "met", "police, health and social care"), ("d", "not-met", "the Panel has not considered it"),
                              ("national-a", "met", "as (a)"), ("national-b", "not-met", "no change to guidance needed"),
                              ("national-c", "uncertain", "for the Panel to judge")):
        await d.ok("sprg_chair", f'criterion {crit} {answer} reason="{why}"')
    d.on(date(2026, 9, 22))
    await d.ok("bu_officer", "report")
    return d


@pytest.fixture(autouse=True)
def link_secret():
    signer = report_links.configure(SECRET, BASE_URL, timedelta(hours=24))
    yield signer
    report_links._signer = None
