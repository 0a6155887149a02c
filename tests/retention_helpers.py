"""A closed case with free text in every erasable place, for the retention, erasure and export tests."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date

from bot.context import Invocation
from tests.driver import Driver
from tests.scenarios import to_approval

CLOSED_ON = date(2026, 10, 14)
REASON = "the school nurse and the health visitor never spoke"  # free text that erasure must remove
WATCHED = ["Jayden Smith", "Kerry Smith"]


async def closed_case(d: Driver) -> None:
    """AS-10's case to closure on Wed 14 Oct 2026: report v1 approved, submitted, Panel agrees, an action done."""
    await to_approval(d)
    core = d.core
    inv = Invocation(platform=d.platform, platform_user="U0FIC0001", member=core.partnership.member("bu_officer"), private=True)
    await core.set_watch_names(inv, d.case_code, WATCHED)
    await d.ok("exec_police", f'disagree reason="{REASON}"')
    # An immediate safety action's text is free text too (issue 14 item 17); done, so closure is not blocked.
    await d.ok("bu_officer", f'safety add owner=health due=2026-10-30 at_risk=siblings "{REASON}"')
    await d.ok("bu_officer", "safety done 1")
    # A new version must differ from the one disagreed with (issue 14 item 1).
    await d.ok("sprg_chair", 'section learning "Information sharing between health and education"')
    await d.ok("bu_officer", "report")
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve")
    await d.ok("bu_officer", "submit")
    d.on(date(2026, 10, 9))
    await d.ok("bu_officer", "panel agrees")
    await d.ok("bu_officer", "shared all")
    await d.ok("learning_lead", 'action add owner=education due=2027-03-01 "Refresh the information-sharing training"')
    await d.ok("bu_officer", "briefing done")
    await d.ok("bu_officer", "action done 1")
    d.on(CLOSED_ON)
    await d.ok("bu_officer", f'close reason="{REASON}"')
    assert await d.state() == "CLOSED"


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def exported_text(files: dict[str, bytes]) -> str:
    return "\n".join(body.decode("utf-8") for body in files.values())


def report_versions(files: dict[str, bytes]) -> list[dict]:
    return json.loads(files["report_versions.json"])
