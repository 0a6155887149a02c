"""The Panel submission pack: the approved report plus a covering summary of the partners' decision.

Made by `submit` after all three partners approved the same version, in the same transaction that
records the submission date. The covering summary is stored (a `report_document` row bound to the
report version and its hash), so what was sent can always be shown again exactly.
"""
from __future__ import annotations

import hashlib
from datetime import date

from bot.report import blocks as md
from bot.calendar import LONDON, WorkingDayCalendar, format_human
from bot.casefile import CaseFile
from bot.deadlines import case_deadlines
from bot.partnership import PARTNER_LABELS, Partnership, StatutoryPartner
from bot.report.build import RECOMMENDATION_LABELS, votes_context, environment, tidy
from bot.states import StatutoryPartnerKeys
from storage.models import ReportDocument, ReportVersion

PACK = "panel_pack"


def covering_markdown(f: CaseFile, p: Partnership, cal: WorkingDayCalendar, version: ReportVersion, number: int,
                      submitted_on: date, sin_reference: str | None) -> str:
    c = f.case
    dl = {d.key: d for d in case_deadlines(c, cal, p.timescales)}
    rr_due = dl["rapid_review_due"].due if "rapid_review_due" in dl else None
    timing = ""
    if rr_due is not None:
        late = cal.working_days_late(rr_due, submitted_on)
        timing = (f" (due {format_human(rr_due)}: on time)" if late == 0 else
                  f" (due {format_human(rr_due)}: {late} working day{'s' if late != 1 else ''} after the due date)")
    approvals = []
    for partner in StatutoryPartnerKeys:
        d = next((x for x in f.approvals_by_partner().values() if x.partner == partner), None)
        approvals.append({"partner": PARTNER_LABELS[partner],
                          "organisation": p.partner_agency(StatutoryPartner(partner)).name,
                          "decision": "Approved" if d else "Awaiting",
                          "date": format_human(d.decided_at.astimezone(LONDON).date()) if d else "",
                          "version": f"v{d.report_version}" if d else ""})
    details = [
        ("Case code / pseudonym", f"{md.cell(c.code)} / {md.cell(c.pseudonym)}"),
        ("SIN reference", md.cell(sin_reference) or "_to be added by the Business Unit_"),
        ("Notifying local authority", md.cell(p.partner_agency(StatutoryPartner.LOCAL_AUTHORITY).name)),
        ("SIN submitted", format_human(c.sin_submitted_on) if c.sin_submitted_on else "_not recorded_"),
        ("Submitted to the Panel", format_human(submitted_on) + timing),
        ("Report enclosed", f"Rapid Review Report v{version.number}"),
    ]
    from bot.report.build import sin_detail_rows  # issue 14 item 19

    details[4:4] = sin_detail_rows(c)
    context = {
        "case": {"code": c.code, "pseudonym": c.pseudonym, "partnership": p.partnership.name},
        "number": number, "submitted_on": format_human(submitted_on), "details": details,
        "decision": RECOMMENDATION_LABELS.get(c.recommendation or "", "not recorded"),
        "national": "yes" if c.refer_as_possibly_national else "no",
        "tally": votes_context(f, p)["tally"], "approvals": approvals,
        "version": version.number, "content_hash": version.content_hash,
    }
    return tidy(environment().get_template("covering.md.j2").render(context))


def pack_hash(covering: str, version: ReportVersion) -> str:
    """One hash for the whole pack: the covering summary and the enclosed report's own hash."""
    return hashlib.sha256((covering + "\n" + version.content_hash).encode("utf-8")).hexdigest()


def new_pack(f: CaseFile, p: Partnership, cal: WorkingDayCalendar, version: ReportVersion, number: int,
             submitted_on: date, sin_reference: str | None, created_by: str, now) -> ReportDocument:  # noqa: ANN001
    covering = covering_markdown(f, p, cal, version, number, submitted_on, sin_reference)
    return ReportDocument(case_id=f.case.id, kind=PACK, number=number, report_version=version.number,
                          content=covering, content_hash=pack_hash(covering, version), created_by=created_by,
                          created_at=now)
