"""Issue 16, item 2: what Slack was told we received is never lost, even when the server is killed.

The real server (`python -m server.cli serve`) on PostgreSQL gets a burst of signed `/rapidreview new` commands,
20 ms apart, and is killed with SIGKILL half a second in; it is restarted on the same database. Every command
that was acknowledged (HTTP 200) must end with a committed case (exactly one) and an answer at its response_url.
Repeated over several kills; the figures are printed (acknowledged, committed, answered, lost, twice)."""
from __future__ import annotations

import asyncio
import time
from datetime import date, datetime, timedelta, timezone

import aiohttp
import pytest
from sqlalchemy import func, select, update

from bot.partnership import load_partnership
from bot.settings import DEFAULT_PARTNERSHIP
from storage.db import Database
from storage.models import Case
from tests.adversarial.test_faults import Served
from tests.slack.conftest import SlackSide

ROUNDS = 3
BURST = 40
GAP = 0.02
KILL_AFTER = 0.5


def pseudonym(n: int) -> str:
    a, b, c = n // 676 % 26, n // 26 % 26, n % 26
    return "Child " + "".join(chr(65 + x) for x in (a, b, c))


async def _expire_claims_of(db: Database, pid: int) -> None:
    """A dead process's claims are taken over when their lease ends: the test moves that time on."""
    from storage.models import InboundWork  # noqa: PLC0415 (absent before the fix: the test then fails here)

    async with db.transaction() as s:
        await s.execute(update(InboundWork).where(InboundWork.claimed_by.like(f"%:{pid}"))
                        .values(claimed_until=datetime.now(timezone.utc) - timedelta(seconds=1)))


@pytest.mark.postgres
async def test_every_acknowledged_command_is_committed_and_answered_across_repeated_kills(pg_url, fake_slack):
    started = time.monotonic()
    db = Database(pg_url)
    # The session's PostgreSQL database is shared: start from empty tables, as the `db` fixture does (a receipt
    # another test left with the same trigger id would make a command here a replay, rightly dropped).
    from sqlalchemy import text

    from tests.conftest import TABLES

    async with db.transaction() as s:
        await s.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        await s.execute(text("UPDATE audit_head SET seq = 0, last_hash = :g WHERE id = 1"), {"g": "0" * 64})
    p = load_partnership(DEFAULT_PARTNERSHIP)
    bu = p.member("bu_officer").slack_user_id
    served = Served(pg_url, fake_slack)
    slack = SlackSide(f"http://127.0.0.1:{served.port}/slack/events", fake_slack)
    aware = (date.today() - timedelta(days=3)).isoformat()
    acked: dict[str, str] = {}  # pseudonym -> response_url id, for every command answered 200
    ack_seconds: list[float] = []
    refused_at_ack: list[str] = []
    figures = []
    try:
        for r in range(ROUNDS):
            await served.start()
            sent: dict[str, str] = {}

            async def one(n: int) -> None:
                fields = slack.command_fields(bu, f'new pseudonym="{pseudonym(n)}" aware={aware}')
                sent[pseudonym(n)] = fields["response_url"].rsplit("/", 1)[1]
                t0 = time.monotonic()
                try:
                    status, text = await slack.form(fields)
                except aiohttp.ClientError:
                    return  # no answer: Slack shows the person an error (nothing was acknowledged)
                if status == 200 and text.strip():
                    refused_at_ack.append(pseudonym(n))  # answered in the ack itself ("nothing was done")
                elif status == 200:
                    acked[pseudonym(n)] = sent[pseudonym(n)]
                    ack_seconds.append(time.monotonic() - t0)

            tasks = []
            for i in range(BURST):
                tasks.append(asyncio.create_task(one(r * BURST + i)))
                await asyncio.sleep(GAP)
                if (i + 1) * GAP >= KILL_AFTER and len(tasks) == int(KILL_AFTER / GAP):
                    pid = await served.kill()
            await asyncio.gather(*tasks)
            try:
                await _expire_claims_of(db, pid)
            except ImportError:
                pass
            await served.start()  # restarted: it finishes what the dead process acknowledged
            deadline = time.monotonic() + 30  # normally a second or two; a loaded machine takes longer
            while time.monotonic() < deadline:
                answered = {rid for rid, _ in fake_slack.responses}
                if all(rid in answered for rid in acked.values()):
                    break
                await asyncio.sleep(0.1)
            await served.stop()
            async with db.read() as s:
                cases = dict((await s.execute(select(Case.pseudonym, func.count()).group_by(Case.pseudonym))).all())
            answered = {rid for rid, _ in fake_slack.responses}
            this_round = [ps for ps in acked if ps in sent]
            lost = [ps for ps in this_round if not cases.get(ps) or acked[ps] not in answered]
            if lost:  # what the database says about them (to tell a slow finish from a lost command)
                from storage.models import InboundWork

                async with db.read() as s:
                    rows = (await s.execute(select(InboundWork))).scalars().all()
                print("lost:", [(ps, [(w.status, w.attempts, w.committed, w.claimed_by) for w in rows
                                      if ps in (w.payload or {}).get("text", "")]) for ps in lost])
            figures.append({"round": r + 1, "sent": BURST, "acknowledged": len(this_round),
                            "committed": sum(1 for ps in this_round if cases.get(ps)),
                            "answered": sum(1 for ps in this_round if acked[ps] in answered),
                            "lost": len(lost), "twice": sum(1 for n in cases.values() if n > 1)})
        ack_seconds.sort()
        print("crash figures:", figures, "answered in the ack:", len(refused_at_ack), "ack seconds (median, max):",
              (round(ack_seconds[len(ack_seconds) // 2], 3), round(ack_seconds[-1], 3)) if ack_seconds else None,
              "seconds:", round(time.monotonic() - started, 1))
        assert sum(f["acknowledged"] for f in figures) > 0
        assert [f["lost"] for f in figures] == [0] * ROUNDS, figures
        assert [f["twice"] for f in figures] == [0] * ROUNDS, figures
        assert time.monotonic() - started < 150  # 20 s alone, about 50 s in the full suite; every wait has a deadline
    finally:
        await served.stop()
        await db.dispose()
        if any(f["lost"] for f in figures):
            print("\n".join(served.logs)[-3000:])


async def test_a_retried_message_event_whose_screening_was_cut_off_is_screened_not_dropped(slack, monkeypatch):
    """Before: the event's receipt was committed first, so when screening died (a crash: no ack, Slack retries),
    the retry was dropped as a duplicate and the message was never screened. Now the receipt commits with what
    the screening wrote."""
    from tests.slack.test_events import LEAK, MEMBER, _case_channel, _message

    channel = await _case_channel(slack)
    ts = slack.fake.human_message(channel, MEMBER, LEAK)
    real = slack.rt.core.screen_message
    calls = {"n": 0}

    async def dies_the_first_time(inv):  # noqa: ANN001, ANN202
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionResetError("the process died here")
        return await real(inv)

    monkeypatch.setattr(slack.rt.core, "screen_message", dies_the_first_time)
    event = _message(channel, MEMBER, LEAK, ts)
    await slack.slack.event(event, event_id="Ev0CRASH001")
    await slack.slack.event(event, event_id="Ev0CRASH001", retry=1)  # Slack retries what was not acknowledged
    await slack.settle()
    assert calls["n"] == 2
    assert len(await slack.audit("pii_blocked")) == 1
    await slack.slack.event(event, event_id="Ev0CRASH001", retry=2)  # once screened, a further retry is dropped
    await slack.settle()
    assert calls["n"] == 2 and len(await slack.audit("pii_blocked")) == 1


async def test_an_acknowledged_command_left_unfinished_is_finished_by_the_sweep(slack):
    """A command kept before its ack and never claimed (its process died at once) is run and answered by any
    replica's sweep; one whose outcome committed is answered, never run twice."""
    from sqlalchemy import select as _select

    from adapters.slack.handlers import COMMAND_WORK, command_payload
    from storage.models import InboundWork

    import server.app

    rt, side = slack.rt, slack.slack
    sweeper = slack.app.get(server.app.INBOUND_TASK)  # the test sweeps by itself, when it says
    if sweeper is not None:
        sweeper.cancel()
        await asyncio.gather(sweeper, return_exceptions=True)
    bu = rt.partnership.member("bu_officer").slack_user_id
    fields = side.command_fields(bu, 'new pseudonym="Child Q" aware=2026-09-01')
    work_id = await rt.inbound.accept("slack", f"command:{fields['trigger_id']}", COMMAND_WORK, command_payload(fields))
    async with rt.db.transaction() as s:  # as if received by a process that died before claiming it
        w = (await s.execute(_select(InboundWork).where(InboundWork.id == work_id))).scalar_one()
        w.received_at = w.received_at - timedelta(seconds=10)
    assert await rt.inbound.sweep() == 1
    reply = await side.reply_to(fields["response_url"].rsplit("/", 1)[1])
    assert reply and "Child Q" in reply["text"], reply
    assert await rt.inbound.sweep() == 0  # done: nothing left
    async with rt.db.read() as s:
        assert (await s.execute(_select(func.count()).select_from(Case))).scalar() == 1
        w = (await s.execute(_select(InboundWork).where(InboundWork.id == work_id))).scalar_one()
        assert w.status == "done" and w.committed
