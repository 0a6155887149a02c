"""Reading back what the report tests need."""
from __future__ import annotations

from sqlalchemy import select

from bot.context import Invocation
from storage.models import Case, ReportVersion


def inv(core, key: str, case_code: str | None = None, private: bool = True) -> Invocation:  # noqa: ANN001
    m = core.partnership.member(key)
    return Invocation(platform="fake", platform_user=m.slack_user_id, member=m, case_code=case_code, private=private)


async def versions(core, code: str) -> list[ReportVersion]:  # noqa: ANN001
    async with core.db.read() as s:
        case = (await s.execute(select(Case).where(Case.code == code))).scalar_one()
        return list((await s.execute(select(ReportVersion).where(ReportVersion.case_id == case.id)
                                     .order_by(ReportVersion.number))).scalars())
