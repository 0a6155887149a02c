"""`rapidreview demo`'s past year: nine fictional cases from the last twelve months, so the oversight page
and report look like a real year (some late, one executive disagreement, one LCSPR, a national review, a
local review, a notification-only death, a withdrawn SIN, an overdue action).

Like the current cases (demo.py), each is built by the members' own commands through the core, on working
days counted back from today; each step names its day as "n working days ago". Reasons typed here are
fictional and, like every reason, never reach the oversight outputs.
"""
from __future__ import annotations

PAST_PSEUDONYMS = ("Child B", "Young Person D", "Child E", "Baby F", "Child G", "Child H", "Child J", "Baby K",
                   "Child M")
EXECS = ("exec_council", "exec_icb", "exec_police")


async def _open(r, pseudonym: str, aware: int, sin: int, agencies: str) -> None:  # noqa: ANN001 (demo._Runner)
    r.code = None
    await r.on(sin).run("bu_officer", f'new pseudonym="{pseudonym}" aware={r.back(aware)} sin={r.back(sin)}')
    await r.run("bu_officer", f"informed {r.back(sin)}")
    await r.run("sprg_chair", "triage notifiable")
    await r.run("bu_officer", f"request {agencies}")


async def _review(r, *, returns: list[tuple[int, str, str]], meeting: int, report: int, approve: int,  # noqa: ANN001
                  submit: int, panel: int, outcome: str = "agrees", recommendation: str = "no-lcspr",
                  disagree: tuple[int, str] | None = None) -> None:
    for day, lead, verb in returns:
        await r.on(day).run(lead, verb)
    await r.run("bu_officer", "pack")
    await r.on(meeting).run("sprg_chair", f"meeting rrm {r.back(meeting)}")
    await r.run("sprg_chair", f'recommend {recommendation} reason="the SPRG\'s view after the meeting"')
    await r.on(report).run("bu_officer", "report")
    if disagree is not None:
        day, lead = disagree
        await r.on(day).run(lead, 'disagree reason="the learning needs to be clearer"')
        # A new version must say something different (issue 14 item 1): the chair makes the learning clearer.
        await r.run("sprg_chair", 'section learning "Information sharing between agencies, set out agency by agency"')
        await r.run("bu_officer", "report")
    for lead in EXECS:
        await r.on(approve).run(lead, "approve")
    await r.on(submit).run("bu_officer", "submit")
    await r.on(panel).run("bu_officer", f"panel {outcome}")
    await r.run("bu_officer", "shared all")


async def _finish(r, day: int) -> None:  # noqa: ANN001
    await r.on(day).run("bu_officer", "briefing done")
    await r.run("bu_officer", "close")


async def fill_year(r) -> list[str]:  # noqa: ANN001 (demo._Runner)
    """The nine past cases, oldest first. Returns their codes."""
    codes = []
    # Child B: everything on time; the Panel agrees; one action, done on time; closed.
    await _open(r, "Child B", aware=245, sin=242, agencies="police,health,education")
    await _review(r, returns=[(236, "lead_police", "return"), (235, "lead_health", "return"),
                              (234, "lead_education", "nil")],
                  meeting=231, report=229, approve=228, submit=227, panel=212)
    await r.on(212).run("learning_lead", f"action add owner=education due={r.back(190)} "
                                         '"Refresh the designated safeguarding leads\' training"')
    await r.on(195).run("lead_education", 'action done 1 evidence="training register"')
    await _finish(r, 194)
    codes.append(r.code)
    # Young Person D: a care leaver's death, notified to the Secretary of State and Ofsted; no rapid review.
    r.code = None
    await r.on(226).run("bu_officer", f'new pseudonym="Young Person D" aware={r.back(226)} kind=care_leaver_death')
    await r.on(222).run("bu_officer", f"notified {r.back(222)}")
    await r.run("bu_officer", "close")
    codes.append(r.code)
    # Child E: the SIN two working days late; the rapid review on time; an LCSPR, published.
    await _open(r, "Child E", aware=210, sin=203, agencies="police,social_care")
    await _review(r, returns=[(196, "lead_police", "return"), (195, "lead_social_care", "return")],
                  meeting=192, report=190, approve=189, submit=188, panel=175, recommendation="lcspr")
    await r.on(175).run("bu_officer", f"lcspr decided {r.back(175)}")
    await r.on(150).run("bu_officer", f"lcspr reviewer {r.back(150)}")
    await r.on(60).run("bu_officer", f"lcspr publish full {r.back(60)}")
    await r.on(60).run("bu_officer", f"lcspr planned {r.back(50)}")
    await r.on(50).run("bu_officer", f"lcspr published {r.back(50)}")
    await _finish(r, 49)
    codes.append(r.code)
    # Baby F: no SIN; the SPRG chose a local review.
    r.code = None
    await r.on(180).run("bu_officer", f'new pseudonym="Baby F" aware={r.back(181)}')
    await r.run("bu_officer", "sin not-met")
    await r.on(178).run("sprg_chair", "triage local")
    await r.run("bu_officer", "request health")
    await r.on(172).run("lead_health", "return")
    await _finish(r, 140)
    codes.append(r.code)
    # Child G: a late police return; the rapid review three working days late; an action left overdue (open case).
    await _open(r, "Child G", aware=160, sin=156, agencies="police,health,ambulance")
    await _review(r, returns=[(150, "lead_health", "return"), (149, "lead_ambulance", "nil"),
                              (141, "lead_police", "return")],
                  meeting=140, report=139, approve=139, submit=138, panel=124)
    await r.on(124).run("learning_lead", f"action add owner=police due={r.back(60)} "
                                         '"Review how the control room passes on concerns"')
    await r.run("learning_lead", f"action add owner=health due={r.back(70)} "
                                 '"Audit the health visiting records"')
    await r.on(72).run("lead_health", 'action done 2 evidence="audit report"')
    await r.on(100).run("bu_officer", "briefing done")
    codes.append(r.code)
    # Child H: the ICB disagreed with v1; v2 approved; the Panel commissioned a national review.
    await _open(r, "Child H", aware=128, sin=124, agencies="police,social_care,education")
    await _review(r, returns=[(118, "lead_police", "return"), (117, "lead_social_care", "return"),
                              (116, "lead_education", "return")],
                  meeting=114, report=112, approve=110, submit=109, panel=92, outcome="national",
                  disagree=(111, "exec_icb"))
    # A national review closes with the practitioners' briefing issued (issue 14 item 14).
    await r.on(90).run("bu_officer", "briefing done")
    await r.run("bu_officer", "close")
    codes.append(r.code)
    # Child J: on time throughout, two nil returns; the Panel agrees.
    await _open(r, "Child J", aware=100, sin=96, agencies="police,probation,ambulance")
    await _review(r, returns=[(92, "lead_probation", "nil"), (91, "lead_ambulance", "nil"),
                              (89, "lead_police", "return")],
                  meeting=86, report=84, approve=83, submit=82, panel=68)
    await _finish(r, 66)
    codes.append(r.code)
    # Baby K: the SIN a working day late and the rapid review two working days late; the Panel agrees.
    await _open(r, "Baby K", aware=64, sin=58, agencies="police,health")
    await _review(r, returns=[(49, "lead_police", "return"), (47, "lead_health", "return")],
                  meeting=46, report=44, approve=42, submit=41, panel=28)
    await _finish(r, 27)
    codes.append(r.code)
    # Child M: a SIN sent, then the SPRG found the criteria were not met: withdrawn.
    r.code = None
    await r.on(36).run("bu_officer", f'new pseudonym="Child M" aware={r.back(40)} sin={r.back(36)}')
    await r.on(35).run("sprg_chair", 'triage withdrawn reason="the harm was not caused by abuse or neglect"')
    await r.on(34).run("bu_officer", "close")
    codes.append(r.code)
    return codes
