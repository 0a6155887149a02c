"""What people see of a case: the status card's context and the plain-text status reply.

Built from codes, pseudonyms, dates and status words only (domain §5.2).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from bot.calendar import WorkingDayCalendar, format_human
from bot.casefile import CaseFile
from bot.deadlines import case_deadlines
from bot.headline import headline
from bot.partnership import PARTNER_LABELS, Partnership
from bot.states import (AGENCY_LABELS, AGENCY_OUTSTANDING, SHARING_RECIPIENTS, STATE_LABELS, AgencyState, CaseState,
                        StatutoryPartnerKeys)



def track_label(file_or_case) -> str:  # noqa: ANN001
    case = getattr(file_or_case, "case", file_or_case)
    if case.state == CaseState.NOTIFICATION_ONLY:
        return "Notification"
    if case.state == CaseState.CONTRIBUTING:
        return "Contributing"
    return "Local Review" if case.track == "local_review" else "Rapid Review"


def case_view(f: CaseFile, p: Partnership, cal: WorkingDayCalendar, today: date) -> dict[str, Any]:
    c = f.case
    deadlines = [d.as_dict(today) for d in case_deadlines(c, cal, p.timescales)]
    upcoming = [d for d in deadlines if not d["met"]]
    agencies = []
    for r in f.requests:
        state = AgencyState(r.state)
        agencies.append({
            "key": r.agency_key, "name": p.agency(r.agency_key).name, "status": AGENCY_LABELS[state],
            "due": r.due_on.isoformat(), "due_human": format_human(r.due_on),
            "overdue": state in AGENCY_OUTSTANDING and today > r.due_on,
        })
    version = f.current_version
    approvals = f.approvals_by_partner()
    against = {d.partner for d in f.disagreements()}
    partners = [{"partner": k, "label": PARTNER_LABELS[k],
                 "status": "approved" if k in approvals else "disagreed" if k in against else "awaiting"}
                for k in StatutoryPartnerKeys]
    votes = [{"member": p.member(v.member_key).name, "choice": v.choice, "national": v.national} for v in f.votes]
    return {
        "case_code": c.code,
        "pseudonym": c.pseudonym,
        "label": track_label(c),
        "state": c.state,
        "state_label": STATE_LABELS.get(CaseState(c.state), c.state),
        "deadlines": deadlines,
        "next_deadline": headline(upcoming, c.state),
        "agencies": agencies,
        "outstanding": [a["name"] for a in agencies if a["status"] in ("requested", "acknowledged", "query raised")],
        "overdue": [a["name"] for a in agencies if a["overdue"]],
        "votes": {
            "lcspr": sum(v["choice"] == "lcspr" for v in votes),
            "no_lcspr": sum(v["choice"] == "no-lcspr" for v in votes),
            "national": sum(v["national"] for v in votes),
            "members": votes,
        },
        "recommendation": c.recommendation,
        "residing_partnership": c.residing_partnership,
        "lead_partnership": c.lead_partnership,
        "report_version": version.number if version else None,
        "approvals": {"version": version.number if version else None, "partners": partners,
                      "count": f"{len(approvals)} of {len(StatutoryPartnerKeys)}", "complete": f.unanimous},
        "can_submit": c.state == CaseState.APPROVED,
        "panel_outcome": c.panel_outcome,
        "sharing": [{"recipient": s.recipient, "label": SHARING_RECIPIENTS[s.recipient], "done": s.done_at is not None}
                    for s in f.sharing],
        "actions": [{"number": a.number, "owner": p.agency(a.owner_agency).name, "due": a.due_on.isoformat(),
                     "due_human": format_human(a.due_on), "status": a.status} for a in f.actions],
        "briefing_done": c.briefing_done_on is not None,
        "lcspr_stage": c.lcspr_stage,
        "lcspr": _lcspr_view(c, deadlines),
    }


def _lcspr_view(c, deadlines: list[dict]) -> dict[str, Any] | None:  # noqa: ANN001
    """The LCSPR child workflow at a glance: decision, reviewer, publication due, copy date, publishing."""
    if c.lcspr_stage == "not_started" and not c.lcspr_decided_on:
        return None
    due = {d["key"]: d for d in deadlines}
    return {
        "stage": c.lcspr_stage,
        "decided": format_human(c.lcspr_decided_on) if c.lcspr_decided_on else None,
        "reviewer_appointed": format_human(c.lcspr_reviewer_appointed_on) if c.lcspr_reviewer_appointed_on else None,
        "publication_due": due["lcspr_publication_due"]["human"] if "lcspr_publication_due" in due else None,
        "planned": format_human(c.lcspr_publication_planned_on) if c.lcspr_publication_planned_on else None,
        "copy_due": due["panel_copy_due"]["human"] if "panel_copy_due" in due else None,
        "publish_decision": {"full_report": "full report", "improvements_only": "improvements only"}.get(
            c.lcspr_publish_decision or ""),
        "publish_decided": format_human(c.lcspr_publish_decided_on) if c.lcspr_publish_decided_on else None,
        "published": format_human(c.lcspr_published_on) if c.lcspr_published_on else None,
    }


def status_text(view: dict[str, Any]) -> str:
    """The plain-text status reply, readable on a phone."""
    lines = [f"*{view['case_code']} / {view['pseudonym']}* ({view['label']}): {view['state_label']}"]
    nd = view["next_deadline"]
    if nd:
        lines.append(f"Next deadline: {nd['label']}, {nd['human']}" + (" (OVERDUE)" if nd["overdue"] else ""))
    for d in view["deadlines"]:
        if d["note"]:
            lines.append(d["note"])
    if view["agencies"]:
        parts = [f"{a['name']}: {a['status']}" + (" (overdue)" if a["overdue"] else "") for a in view["agencies"]]
        lines.append("Agencies: " + "; ".join(parts))
    if view["votes"]["members"]:
        v = view["votes"]
        lines.append(f"SPRG views: {v['lcspr']} LCSPR, {v['no_lcspr']} no LCSPR"
                     + (f", {v['national']} national" if v["national"] else ""))
    if view["report_version"]:
        a = view["approvals"]
        who = ", ".join(f"{x['label']} {x['status']}" for x in a["partners"])
        lines.append(f"Report v{view['report_version']}: {a['count']} approvals ({who})")
    if view["panel_outcome"]:
        lines.append(f"Panel response: {view['panel_outcome']}")
    lc = view.get("lcspr")
    if lc:
        if lc["stage"] == "on_hold":
            lines.append("LCSPR: on hold (national review)")
        else:
            parts = [f"decided {lc['decided']}" if lc["decided"] else None,
                     f"reviewer appointed {lc['reviewer_appointed']}" if lc["reviewer_appointed"] else "reviewer not yet appointed",
                     f"publication due {lc['publication_due']}" if lc["publication_due"] else None,
                     f"planned {lc['planned']}, copy to the Panel, Secretary of State and Ofsted by {lc['copy_due']}"
                     if lc["planned"] else None,
                     f"decision to publish: {lc['publish_decision']} ({lc['publish_decided']})" if lc["publish_decision"]
                     else "decision to publish not yet recorded",
                     f"published {lc['published']}" if lc["published"] else None]
            lines.append("LCSPR: " + "; ".join(p for p in parts if p))
    return "\n".join(lines)
