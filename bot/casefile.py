"""A case and everything hanging off it, loaded in one go for a command or a status view."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.states import AGENCY_COMPLETE, AGENCY_OUTSTANDING, AgencyState, StatutoryPartnerKeys
from storage.models import (ActionItem, AgencyRequest, Case, ExecutiveDecision, LineOfEnquiry, ReportVersion,
                            SafetyAction, SharingTask, Vote)


@dataclass
class CaseFile:
    case: Case
    requests: list[AgencyRequest] = field(default_factory=list)
    votes: list[Vote] = field(default_factory=list)
    versions: list[ReportVersion] = field(default_factory=list)
    decisions: list[ExecutiveDecision] = field(default_factory=list)
    sharing: list[SharingTask] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    lines_of_enquiry: list[LineOfEnquiry] = field(default_factory=list)
    safety: list[SafetyAction] = field(default_factory=list)  # immediate safety actions (issue 14 item 17)

    def request(self, agency_key: str) -> AgencyRequest | None:
        return next((r for r in self.requests if r.agency_key == agency_key), None)

    @property
    def outstanding(self) -> list[AgencyRequest]:
        return [r for r in self.requests if AgencyState(r.state) in AGENCY_OUTSTANDING]


    @property
    def current_version(self) -> ReportVersion | None:
        return max(self.versions, key=lambda v: v.number, default=None)

    def live_decisions(self) -> list[ExecutiveDecision]:
        """Decisions on the current version that nothing has voided."""
        cur = self.current_version
        if cur is None:
            return []
        return [d for d in self.decisions if not d.void and d.report_version == cur.number
                and d.content_hash == cur.content_hash]

    def approvals_by_partner(self) -> dict[str, ExecutiveDecision]:
        return {d.partner: d for d in self.live_decisions() if d.decision == "approve"}

    def disagreements(self) -> list[ExecutiveDecision]:
        return [d for d in self.live_decisions() if d.decision == "disagree"]

    @property
    def unanimous(self) -> bool:
        return set(self.approvals_by_partner()) == set(StatutoryPartnerKeys)


def _by_case(model, order):  # noqa: ANN001, ANN202
    return select(model).where(model.case_id == bindparam("cid")).order_by(order)


# Built once: every command and status view loads a case file, and building the statements each time
# cost about a sixth of the load.
_PARTS = {
    "requests": _by_case(AgencyRequest, AgencyRequest.id),
    "votes": _by_case(Vote, Vote.id),
    "versions": _by_case(ReportVersion, ReportVersion.number),
    "decisions": _by_case(ExecutiveDecision, ExecutiveDecision.id),
    "sharing": _by_case(SharingTask, SharingTask.id),
    "actions": _by_case(ActionItem, ActionItem.number),
    "lines_of_enquiry": _by_case(LineOfEnquiry, LineOfEnquiry.number),
    "safety": _by_case(SafetyAction, SafetyAction.number),
}


async def load_case_file(session: AsyncSession, case: Case, only: tuple[str, ...] | None = None) -> CaseFile:
    """The whole file, or `only` the named parts (the rest left empty) for a read that needs little."""
    parts = {name: list((await session.execute(stmt, {"cid": case.id})).scalars()) for name, stmt in _PARTS.items()
             if only is None or name in only}
    return CaseFile(case=case, **parts)
