"""The Rapid Review Report as a numbered version with a content hash (domain §3.2 headings).

This draft is assembled from what the case holds; narrative sections are completed by the SPRG chair
and the Business Unit. Executive approvals bind to the version's content hash.
"""
from __future__ import annotations

import hashlib

from bot.calendar import format_human
from bot.casefile import CaseFile
from bot.partnership import Partnership
from bot.states import AGENCY_LABELS, RECOMMENDATIONS, AgencyState

_UNSET = "_not recorded_"


def _d(d) -> str:  # noqa: ANN001
    return format_human(d) if d else _UNSET


def build_markdown(f: CaseFile, p: Partnership, number: int) -> str:
    c = f.case
    out = [f"# Rapid Review Report: {c.code} / {c.pseudonym} (v{number})", "", "OFFICIAL-SENSITIVE", "",
           "## 1. Case details", "",
           f"- Case: {c.code} / {c.pseudonym}", f"- Notifying partnership: {p.partnership.name}",
           f"- Nature: {c.kind.replace('_', ' ')}",
           f"- Local authority became aware: {_d(c.la_aware_on)}", f"- SIN submitted: {_d(c.sin_submitted_on)}",
           f"- Residing partnership (if different): {c.residing_partnership or 'not applicable'}",
           f"- Initial case discussion: {_d(c.icdm_on)}", f"- Rapid Review Meeting: {_d(c.rrm_on)}", "",
           "## 4. Agencies involved and scope", ""]
    for r in f.requests:
        state = AgencyState(r.state)
        extra = f" (reason: {r.waived_reason})" if state == AgencyState.WAIVED and r.waived_reason else ""
        out.append(f"- {p.agency(r.agency_key).name}: {AGENCY_LABELS[state]}{extra}")
    if f.lines_of_enquiry:
        out += ["", "Key lines of enquiry:"] + [f"{loe.number}. {loe.text}" for loe in f.lines_of_enquiry]
    out += ["", "## SPRG views (advisory)", ""]
    tally = {"lcspr": 0, "no-lcspr": 0}
    for v in f.votes:
        tally[v.choice] += 1
        out.append(f"- {p.member(v.member_key).name}: {v.choice}{' (national)' if v.national else ''}: {v.reason}")
    out.append(f"- Tally: {tally['lcspr']} LCSPR, {tally['no-lcspr']} no LCSPR")
    out += ["", "## 11. Recommendation and next steps", "",
            f"- Recommendation: {RECOMMENDATIONS.get(c.recommendation, c.recommendation) if c.recommendation else _UNSET}",
            f"- Refer as possibly of national importance: {'yes' if c.refer_as_possibly_national else 'no'}",
            f"- Rationale: {c.recommendation_reason or _UNSET}", ""]
    return "\n".join(out)


def content_hash(markdown: str) -> str:
    return hashlib.sha256(markdown.encode("utf-8")).hexdigest()
