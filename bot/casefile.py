"""A case and everything hanging off it, loaded in one go for a command or a status view."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.states import AGENCY_COMPLETE, AGENCY_OUTSTANDING, AgencyState, StatutoryPartnerKeys
from storage.models import (ActionItem, AgencyRequest, Case, ExecutiveDecision, LineOfEnquiry, ReportVersion,
                            SharingTask, Vote)


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

    def request(self, agency_key: str) -> AgencyRequest | None:
        return next((r for r in self.requests if r.agency_key == agency_key), None)

    @property
    def outstanding(self) -> list[AgencyRequest]:
        return [r for r in self.requests if AgencyState(r.state) in AGENCY_OUTSTANDING]

    @property
    def all_returns_in(self) -> bool:
        return all(AgencyState(r.state) in AGENCY_COMPLETE for r in self.requests)

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


async def load_case_file(session: AsyncSession, case: Case) -> CaseFile:
    cid = case.id

    async def rows(model, order):  # noqa: ANN001
        return list((await session.execute(select(model).where(model.case_id == cid).order_by(order))).scalars())

    return CaseFile(
        case=case,
        requests=await rows(AgencyRequest, AgencyRequest.id),
        votes=await rows(Vote, Vote.id),
        versions=await rows(ReportVersion, ReportVersion.number),
        decisions=await rows(ExecutiveDecision, ExecutiveDecision.id),
        sharing=await rows(SharingTask, SharingTask.id),
        actions=await rows(ActionItem, ActionItem.number),
        lines_of_enquiry=await rows(LineOfEnquiry, LineOfEnquiry.number),
    )
