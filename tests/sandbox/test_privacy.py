"""What the sandbox page and the board show carries no identifying data beyond the case code and the
pseudonym (domain §5.2): watch-list names, agency returns, reasons and blocked messages stay out of
every member's view, and what one person typed is shown to them alone."""
from __future__ import annotations

import json

from tests.sandbox.test_flow import open_case

WATCHED = "Jamie Fictitious"
RETURN_TEXT = "Health visitor contact went well MARKER-RETURN-7731"
REASON = "the analysis needs more depth MARKER-REASON-4410"
VIEW = "multi-agency learning MARKER-VIEW-9902"


async def everything_seen_by(box, who: str) -> str:  # noqa: ANN001
    state = await box.state(who)
    parts = [json.dumps(state)]
    for conv in state["conversations"]:
        parts.append(json.dumps(await box.state(who, conv["id"])))
    return "\n".join(parts)


async def test_nothing_identifying_reaches_anyone_elses_page_or_the_board(sandbox):
    code = await open_case(sandbox)
    watch = await sandbox.type("bu_officer", "dm:bu_officer", f'watch {code} "{WATCHED}"')
    assert watch["ok"], watch
    blocked = await sandbox.type("sprg_chair", code, f"{WATCHED} was seen at the school gate")
    assert blocked["hidden"]
    await sandbox.ok("bu_officer", code, "triage notifiable")
    await sandbox.ok("bu_officer", code, "request health")
    submitted = await sandbox.click("lead_health", "dm:lead_health", "agency_request", "Submit return", {
        "completed_by_role": "Named nurse", "senior_signoff_role": "Head of safeguarding", "signoff_date": "2026-12-22",
        "went_well": RETURN_TEXT})
    assert submitted["ok"], submitted
    await sandbox.ok("bu_officer", code, "pack")
    await sandbox.ok("bu_officer", code, "meeting rrm 2026-12-22")
    await sandbox.ok("sprg_police", code, f'vote lcspr reason="{VIEW}"')
    await sandbox.ok("bu_officer", code, 'recommend lcspr reason="multi-agency learning"')
    await sandbox.ok("bu_officer", code, "report")
    disagreed = await sandbox.click("exec_icb", "dm:exec_icb", "executive_approval", "Disagree with v1", {"reason": REASON})
    assert disagreed["ok"], disagreed

    board = await (await sandbox.client.get("/board")).text()
    page = await (await sandbox.client.get("/")).text()
    views = {m.key: await everything_seen_by(sandbox, m.key) for m in sandbox.rt.partnership.members}
    for text in (board, page, *views.values()):
        assert WATCHED not in text
        assert "MARKER-RETURN" not in text
        assert "MARKER-REASON" not in text
        assert "school gate" not in text
    # A member's own typed command is theirs alone (a private line); nobody else sees it.
    assert "MARKER-VIEW" in views["sprg_police"]
    for key, text in views.items():
        if key != "sprg_police":
            assert "MARKER-VIEW" not in text, key
    channel = await sandbox.state("sprg_police", code)
    own = [m for m in channel["conversation"]["messages"] if "MARKER-VIEW" in json.dumps(m)]
    assert own and all(m["kind"] == "command" and m["private"] for m in own)
    # The case is known by its code and pseudonym everywhere it appears.
    assert f"{code} / Child V" in board
    assert f"#{code} / Child V" in views["bu_officer"]


async def test_a_return_form_refused_with_identifying_details_is_not_shown_back(sandbox):
    code = await open_case(sandbox)
    await sandbox.ok("bu_officer", code, "triage notifiable")
    await sandbox.ok("bu_officer", code, "request health")
    # The sign-off role is missing, and the text names a school: the form comes back without what was typed.
    refused = await sandbox.click("lead_health", "dm:lead_health", "agency_request", "Submit return", {
        "completed_by_role": "Named nurse", "signoff_date": "2026-12-22",
        "went_well": "Seen at Hillside Primary MARKER-RETURN-5521"})
    assert not refused["ok"], refused
    assert "MARKER-RETURN" not in await everything_seen_by(sandbox, "lead_health")
