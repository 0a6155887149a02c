"""What an IT admin's tooling reads: GET /readyz, GET /metrics (Prometheus text) and JSON log lines."""
from __future__ import annotations

import json
from contextlib import asynccontextmanager
import logging
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from bot.context import Invocation
from bot.settings import Settings
from server.app import build_runtime, make_web_app
from server.ops import JsonFormatter, configure_logging
from storage.models import OutboxEffect
from tests.driver import Driver
from tests.fakes.platform import FakePlatform


class Served:
    def __init__(self, rt, runner: web.AppRunner):  # noqa: ANN001
        self.rt, self.runner = rt, runner
        self.base = f"http://127.0.0.1:{runner.addresses[0][1]}"

    async def get(self, path: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as s, s.get(self.base + path) as r:
            return r.status, await r.text()

    async def metrics(self) -> dict[tuple[str, tuple], float]:
        status, body = await self.get("/metrics")
        assert status == 200
        return {(s.name, tuple(sorted(s.labels.items()))): s.value
                for family in text_string_to_metric_families(body) for s in family.samples}


async def serve(db_url: str, clock, platforms: dict | None = None) -> Served:  # noqa: ANN001
    rt = build_runtime(Settings(database_url=db_url, tick_seconds=3600),
                       platforms if platforms is not None else {"fake": FakePlatform("fake")})
    rt.use_clock(clock)
    runner = web.AppRunner(make_web_app(rt, {"RAPIDREVIEW_SANDBOX": "false"}), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return Served(rt, runner)


@pytest.fixture
async def served(db, clock):
    s = await serve(db.url, clock)
    yield s
    await s.runner.cleanup()


async def test_metrics_count_requests_commands_and_the_outbox_in_prometheus_text(served, clock):
    rt = served.rt
    assert (await served.get("/healthz"))[0] == 200
    assert (await served.get("/no-such-page"))[0] == 404
    d = Driver(rt.core, clock)
    await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-12-14')
    await d.refused("bu_officer", "frobnicate rr-2026-001")
    await d.refused(None, "status rr-2026-001")  # a stranger
    # One effect stuck for ten minutes, one given up.
    async with rt.db.transaction() as s:
        rows = (await s.execute(update(OutboxEffect).values(status="pending", next_attempt_at=clock() + timedelta(hours=1),
                                                            created_at=clock() - timedelta(minutes=10))
                                .returning(OutboxEffect.id))).scalars().all()
        await s.execute(update(OutboxEffect).where(OutboxEffect.id == rows[0]).values(status="dead"))
    clock.now += timedelta(days=10)  # the SIN reminder is due by now
    m = await served.metrics()

    assert m[("rapidreview_http_requests_total", (("method", "GET"), ("route", "/healthz"), ("status", "200")))] == 1
    assert m[("rapidreview_http_requests_total", (("method", "GET"), ("route", "unmatched"), ("status", "404")))] == 1
    assert m[("rapidreview_commands_total", (("outcome", "ok"), ("verb", "new")))] == 1
    assert m[("rapidreview_commands_total", (("outcome", "refused"), ("verb", "unknown")))] == 1
    assert m[("rapidreview_commands_total", (("outcome", "refused"), ("verb", "status")))] == 1
    assert m[("rapidreview_outbox_pending", ())] == len(rows) - 1
    assert m[("rapidreview_outbox_dead_letters", ())] == 1
    age = m[("rapidreview_outbox_oldest_pending_age_seconds", ())]
    assert timedelta(days=10, minutes=10).total_seconds() == age
    assert m[("rapidreview_reminders_due", ())] >= 1
    assert m[("rapidreview_ticker_interval_seconds", ())] == 3600
    # No label carries a case code, a pseudonym or typed text.
    body = (await served.get("/metrics"))[1]
    assert "rr-2026" not in body and "Child V" not in body and "frobnicate" not in body


async def test_the_ticker_lag_resets_when_a_tick_finishes(served):
    before = (await served.metrics())[("rapidreview_ticker_lag_seconds", ())]
    await served.rt.ticker.tick()
    m = await served.metrics()
    assert m[("rapidreview_ticks_total", (("outcome", "ok"),))] == 1
    assert m[("rapidreview_ticker_lag_seconds", ())] <= max(before, 1.0)


async def test_readyz_is_ready_on_a_migrated_database_with_credentials_accepted(served):
    status, body = await served.get("/readyz")
    checks = json.loads(body)["checks"]
    assert status == 200, body
    assert checks["database"]["ok"] and checks["migrations"]["ok"]
    assert checks["migrations"]["database"] == checks["migrations"]["code"]
    assert checks["platforms"]["fake"]["ok"]


async def test_readyz_says_when_the_database_is_behind_the_code_or_unreachable(db, clock):
    from sqlalchemy import text

    async with db.transaction() as session:
        head = (await session.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
        await session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    behind = await serve(db.url, clock)
    try:
        status, body = await behind.get("/readyz")
        checks = json.loads(body)["checks"]
        assert status == 503 and checks["database"]["ok"] and not checks["migrations"]["ok"]
        assert checks["migrations"]["database"] == "0001"
        assert checks["migrations"]["fix"] == "run `rapidreview db upgrade`"
        @asynccontextmanager
        async def unreachable():  # noqa: ANN202
            raise ConnectionRefusedError("connect to postgres@db.internal:5432 refused")
            yield

        behind.rt.db.read = unreachable
        gone = await behind.get("/readyz")
        assert gone[0] == 503 and json.loads(gone[1])["checks"]["database"] == {
            "ok": False, "error": "ConnectionRefusedError"}
        assert "db.internal" not in gone[1]
    finally:
        await behind.runner.cleanup()
        # PostgreSQL's test database is shared by the session: later tests start servers that check the revision.
        async with db.transaction() as session:
            await session.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})


async def test_readyz_fails_when_a_platform_refuses_the_credentials(db, clock):
    class Refused(FakePlatform):
        async def check_credentials(self) -> tuple[bool, str]:
            return False, "auth.test refused the bot token (invalid_auth)"

    s = await serve(db.url, clock, {"fake": Refused("fake")})
    try:
        status, body = await s.get("/readyz")
        assert status == 503
        assert json.loads(body)["checks"]["platforms"]["fake"] == {
            "ok": False, "detail": "auth.test refused the bot token (invalid_auth)"}
    finally:
        await s.runner.cleanup()


def test_json_log_lines_are_one_object_each_and_leave_exception_messages_out(capsys):
    configure_logging({"RAPIDREVIEW_LOG_FORMAT": "json"})
    try:
        log = logging.getLogger("rapidreview.test")
        log.info("outbox row %s (%s) failed (attempt %d); retry in %.1fs", 7, "post_card", 2, 4.0)
        try:
            raise ValueError("Jane Smith, born 01/02/2015, 12 Acacia Avenue")
        except ValueError:
            log.exception("delivering outbox row %s failed unexpectedly", 7)
    finally:
        configure_logging({})
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]
    assert len(entries) == 2
    assert {"ts", "level", "logger", "message"} <= set(entries[0])
    assert entries[0]["message"] == "outbox row 7 (post_card) failed (attempt 2); retry in 4.0s"
    assert entries[1]["level"] == "ERROR" and entries[1]["exc_type"] == "ValueError" and entries[1]["exc_frames"]
    assert not any(word in "\n".join(lines) for word in ("Jane", "Acacia", "2015"))


async def test_a_case_logged_as_json_names_no_child(db, clock, capsys):
    """A stranger's command and a refused one with identifying details: nothing they typed reaches a log line."""
    configure_logging({"RAPIDREVIEW_LOG_FORMAT": "json"}, level=logging.DEBUG)
    try:
        s = await serve(db.url, clock)
        try:
            d = Driver(s.rt.core, clock)
            s.rt.platforms["fake"].fail_next(1)  # one failed delivery: a warning line
            await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-12-14')
            await s.rt.dispatcher.drain()  # the failed delivery's warning is written now, not when the wake runs
            member = s.rt.partnership.member("sprg_chair")
            await s.rt.core.handle(Invocation("fake", "U1", member, text='kloe "Jane Smith lives at 12 Acacia Avenue"',
                                              case_code="rr-2026-001"))
            await s.rt.core.handle(Invocation("fake", "U2", None, text="status Jane Smith"))
            await s.rt.ticker.tick()
        finally:
            await s.runner.cleanup()
    finally:
        configure_logging({})
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert lines and all(isinstance(json.loads(line), dict) for line in lines)
    assert not any(word in "\n".join(lines) for word in ("Jane", "Acacia"))


def test_an_unknown_log_format_is_refused_by_name():
    with pytest.raises(ValueError, match="RAPIDREVIEW_LOG_FORMAT='xml' is not known: use json or text"):
        configure_logging({"RAPIDREVIEW_LOG_FORMAT": "xml"})
    assert JsonFormatter().format(logging.LogRecord("x", logging.INFO, __file__, 1, "plain", (), None))
