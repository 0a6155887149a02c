"""Moving a case to a given point quickly, the way the review group would."""
from __future__ import annotations

from datetime import date

from tests.driver import Driver

AGENCIES = "police,health,social_care,education,ambulance"


async def to_gathering(d: Driver, *, aware="2026-09-01", sin="2026-09-07", agencies=AGENCIES) -> None:  # noqa: ANN001
    """AS-10's case: SIN submitted Mon 7 Sep 2026, triaged notifiable, five agencies asked that day."""
    d.on(date.fromisoformat(sin))
    await d.ok("bu_officer", f'new pseudonym="Child V" aware={aware} sin={sin}')
    await d.ok("sprg_chair", "triage notifiable")
    await d.ok("sprg_chair", 'kloe "Information sharing between health and education"')
    await d.ok("bu_officer", f"request {agencies}")


async def returns_in(d: Driver, on: date, agencies=AGENCIES) -> None:  # noqa: ANN001
    d.on(on)
    for key in agencies.split(","):
        await d.ok(f"lead_{key}", "return")


async def to_approval(d: Driver) -> None:
    """Returns in, pack out, meeting, views, recommendation, report v1 sent to the executive leads."""
    await to_gathering(d)
    await returns_in(d, date(2026, 9, 16))
    await pack_to_report(d)


async def pack_to_report(d: Driver) -> None:
    """With every return in: pack out, meeting on Mon 21 Sep, views, recommendation, report v1 sent."""
    await d.ok("bu_officer", "pack")
    d.on(date(2026, 9, 21))
    await d.ok("sprg_chair", "meeting rrm 2026-09-21")
    for key in ("sprg_police", "sprg_health", "sprg_education", "sprg_social_care"):
        await d.ok(key, 'vote lcspr reason="multi-agency learning about information sharing"')
    await d.ok("sprg_chair", 'vote no-lcspr reason="learning already known"')
    await d.ok("sprg_chair", 'recommend lcspr reason="multi-agency learning"')
    await d.ok("bu_officer", "report")
