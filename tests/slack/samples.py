"""Realistic contexts for every card kind, shaped exactly as the core builds them (bot/views.py, bot/steps/*)."""
from __future__ import annotations

from typing import Any

CODE, PSEUDO = "rr-2026-007", "Child V"


def _deadline(key: str, label: str, iso: str, human: str, *, met=False, overdue=False, note=None) -> dict[str, Any]:  # noqa: ANN001
    return {"key": key, "label": label, "date": iso, "human": human, "met": met, "overdue": overdue, "note": note}


def case_status(**over: Any) -> dict[str, Any]:
    deadlines = [
        _deadline("sin_due", "SIN to the Panel", "2026-12-29", "Tue 29 Dec 2026", met=True, note="SIN submitted 1 working day late"),
        _deadline("partners_informed_due", "Safeguarding partners informed", "2026-12-29", "Tue 29 Dec 2026"),
        _deadline("rapid_review_due", "Rapid review to the Panel", "2027-01-21", "Thu 21 Jan 2027", overdue=True),
    ]
    view = {
        "case_code": CODE, "pseudonym": PSEUDO, "label": "Rapid Review", "state": "EXEC_APPROVAL",
        "state_label": "Awaiting executive approval", "deadlines": deadlines, "next_deadline": deadlines[1],
        "agencies": [{"key": "police", "name": "North Yorkshire Police", "status": "accepted", "due": "2027-01-12",
                      "due_human": "Tue 12 Jan 2027", "overdue": False},
                     {"key": "education", "name": "Education (school)", "status": "requested", "due": "2027-01-12",
                      "due_human": "Tue 12 Jan 2027", "overdue": True}],
        "outstanding": ["Education (school)"], "overdue": ["Education (school)"],
        "votes": {"lcspr": 2, "no_lcspr": 1, "national": 1,
                  "members": [{"member": "Taylor Dummy (fictional)", "choice": "lcspr", "national": True}]},
        "recommendation": "LCSPR recommended", "residing_partnership": None, "lead_partnership": None,
        "report_version": 2,
        "approvals": {"version": 2, "partners": [
            {"partner": "local_authority", "label": "Local authority", "status": "approved"},
            {"partner": "icb", "label": "ICB", "status": "disagreed"},
            {"partner": "police", "label": "Police", "status": "awaiting"}], "count": "1 of 3", "complete": False},
        "can_submit": False, "panel_outcome": "AGREES",
        "sharing": [{"recipient": "practitioners", "label": "practitioners", "done": True},
                    {"recipient": "family", "label": "family", "done": False}],
        "actions": [{"number": 1, "owner": "Education (school)", "due": "2027-03-01", "due_human": "Mon 1 Mar 2027",
                     "status": "open"}],
        "briefing_done": True, "lcspr_stage": "not_started",
    }
    view.update(over)
    return view


def empty_status() -> dict[str, Any]:
    """A case just opened from a referral: no deadlines, nothing requested."""
    return case_status(state="REFERRAL_RECEIVED", state_label="Referral received", deadlines=[], next_deadline=None,
                       agencies=[], outstanding=[], overdue=[], votes={"lcspr": 0, "no_lcspr": 0, "national": 0, "members": []},
                       recommendation=None, report_version=None,
                       approvals={"version": None, "partners": [], "count": "0 of 3", "complete": False},
                       panel_outcome=None, sharing=[], actions=[], briefing_done=False)


def approval(**over: Any) -> dict[str, Any]:
    ctx = {"case_code": CODE, "pseudonym": PSEUDO, "version": 2, "content_hash": "3f9a0c1b2d4e",
           "partners": [{"partner": "local_authority", "label": "Local authority", "status": "approved"},
                        {"partner": "icb", "label": "ICB", "status": "awaiting"},
                        {"partner": "police", "label": "Police", "status": "disagreed"}],
           "count": "1 of 3", "complete": False, "recommendation": "LCSPR recommended", "national": True}
    ctx.update(over)
    return ctx


LONG = "Refresh designated safeguarding lead training & check <escalation> routes. " * 60  # > 3,000 characters

SAMPLES: dict[str, list[dict[str, Any]]] = {
    "case_status": [case_status(), empty_status(), case_status(next_deadline=None, panel_outcome=None),
                    case_status(lcspr={"stage": "reviewer_appointed", "decided": "Wed 20 Jan 2027",
                                       "reviewer_appointed": "Mon 1 Feb 2027", "publication_due": "Tue 20 Jul 2027",
                                       "planned": None, "copy_due": None, "publish_decision": None,
                                       "publish_decided": None, "published": None}),
                    case_status(lcspr={"stage": "on_hold", "decided": None, "reviewer_appointed": None,
                                       "publication_due": None, "planned": None, "copy_due": None,
                                       "publish_decision": None, "publish_decided": None, "published": None})],
    "notice": [{"case_code": CODE, "text": "Information requested from North Yorkshire Police, Education (school): "
                                           "returns due Thu 17 Sep 2026."},
               {"case_code": CODE, "text": "<!channel> & " + LONG}],
    "agency_request": [
        {"case_code": CODE, "pseudonym": PSEUDO, "agency_key": "education", "agency": "Education (school)",
         "due": "2026-09-17", "due_human": "Thu 17 Sep 2026",
         "lines_of_enquiry": ["Information sharing between health and education", LONG]},
        {"case_code": CODE, "pseudonym": PSEUDO, "agency_key": "police", "agency": "North Yorkshire Police",
         "due": "2026-09-17", "due_human": "Thu 17 Sep 2026", "lines_of_enquiry": []}],
    "vote": [
        {"case_code": CODE, "pseudonym": PSEUDO, "votes": [
            {"member": "Taylor Dummy (fictional)", "choice": "lcspr", "national": False},
            {"member": "Morgan Placeholder (fictional)", "choice": "no-lcspr", "national": True}],
         "lcspr": 1, "no_lcspr": 1, "national": 1},
        {"case_code": CODE, "pseudonym": PSEUDO, "votes": [], "lcspr": 0, "no_lcspr": 0, "national": 0}],
    "executive_approval": [approval(), approval(changed_since=1, changed_sections=["Learning", "Recommendation"],
                                                report_url="https://rapidreview.example.org/r/eyJrIjoicmVwb3J0In0.c2ln?fmt=docx&v=2",
                                                link_expires="Fri 2 Oct 2026 17:00"),
                           approval(complete=True, count="3 of 3", recommendation=None, national=False,
                                                partners=[dict(p, status="approved") for p in approval()["partners"]])],
    "panel_response": [{"case_code": CODE, "pseudonym": PSEUDO, "outcome": "AGREES", "received": "Mon 12 Oct 2026"}],
    "sharing": [
        {"case_code": CODE, "pseudonym": PSEUDO, "tasks": [
            {"recipient": "practitioners", "label": "practitioners", "done": True, "due_human": "Wed 14 Oct 2026"},
            {"recipient": "family", "label": "the family", "done": False, "due_human": "Wed 14 Oct 2026"}]},
        {"case_code": CODE, "pseudonym": PSEUDO, "tasks": [
            {"recipient": "family", "label": "the family", "done": True, "due_human": "Wed 14 Oct 2026"}]}],
    "action_item": [
        {"case_code": CODE, "pseudonym": PSEUDO, "number": 1, "owner": "Education (school)", "text": LONG,
         "due_human": "Mon 1 Mar 2027", "status": "open"},
        {"case_code": CODE, "pseudonym": PSEUDO, "number": 2, "owner": "North Yorkshire Police",
         "text": "Review the out-of-hours referral route", "due_human": "Mon 1 Mar 2027", "status": "done"}],
    "reminder": [{"case_code": CODE, "pseudonym": PSEUDO, "reminder_id": 42, "kind": "agency_return",
                  "text": "rr-2026-007 / Child V: Education (school) return due in 2 working days (Thu 17 Sep 2026)"}],
    "pii_alert": [
        {"case_code": CODE, "pseudonym": PSEUDO, "audience": "poster", "found": "a date of birth",
         "text": "Your message in rr-2026-007 / Child V looked like it contained a date of birth, so it was removed."},
        {"case_code": CODE, "pseudonym": PSEUDO, "audience": "business_unit", "found": "a postcode",
         "text": "A message in rr-2026-007 / Child V was blocked by the PII guard (postcode). Its content was not kept."}],
}
