"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, a frozen clock, the core.

Storage-touching tests take the `db` fixture and run once per backend. PostgreSQL tests skip with a
reason when no server answers, unless RAPIDREVIEW_REQUIRE_POSTGRES is set (CI), where they fail.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import socket
import uuid
from datetime import date, datetime, time, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.calendar import WorkingDayCalendar, at_london_time
from bot.core import Core
from tests.fakes.platform import FakePlatform
from bot.outbox import Dispatcher
from bot.partnership import load_partnership
from bot.settings import DEFAULT_PARTNERSHIP
from storage.db import Database, upgrade

PG_HOST, PG_PORT = os.environ.get("RAPIDREVIEW_TEST_PG_HOST", "127.0.0.1"), int(os.environ.get("RAPIDREVIEW_TEST_PG_PORT", "5432"))
PG_ADMIN = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/postgres"
REQUIRE_PG = bool(os.environ.get("RAPIDREVIEW_REQUIRE_POSTGRES"))


# -- no test may reach beyond this machine -----------------------------------------------------------
_real_getaddrinfo = socket.getaddrinfo
_LOOPBACK = {"127.0.0.1", "::1", "localhost", "0.0.0.0", ""}


def _guarded_getaddrinfo(host, *args, **kw):  # noqa: ANN001, ANN002, ANN003
    h = host.decode() if isinstance(host, bytes) else (host or "")
    if h not in _LOOPBACK and not h.startswith("127."):
        raise OSError(f"test tried to resolve non-loopback host {h!r}: tests must not reach the internet")
    return _real_getaddrinfo(host, *args, **kw)


socket.getaddrinfo = _guarded_getaddrinfo


# -- databases -------------------------------------------------------------------------------------
def _pg_available() -> str | None:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=2):
            return None
    except OSError as exc:
        return f"PostgreSQL not reachable on {PG_HOST}:{PG_PORT} ({exc})"


def _pg_admin(sql: str) -> None:
    """Run one statement on the admin database, from any context (its own loop, in a thread)."""
    import asyncpg
    from concurrent.futures import ThreadPoolExecutor

    async def go() -> None:
        conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="postgres")
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, go()).result()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_url():
    why = _pg_available()
    if why:
        if REQUIRE_PG:
            pytest.fail(f"{why}; RAPIDREVIEW_REQUIRE_POSTGRES is set, so PostgreSQL tests must run")
        pytest.skip(why)
    name = f"rr_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    url = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    upgrade(url)
    yield url
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


TABLES = ["outbox", "reminder", "reminder_preference", "channel_link", "inbound_receipt", "audit_event", "executive_decision",
          "report_version", "vote", "agency_request", "line_of_enquiry", "sharing_task", "action_item", "safety_action",
          "review_case", "conversation_ref", "inbound_work", "report_section", "report_criterion", "report_document",
          "shown_effect"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "rapidreview.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        database = Database(f"sqlite+aiosqlite:///{path}")
    else:
        url = request.getfixturevalue("pg_url")
        database = Database(url)
        async with database.transaction() as s:
            await s.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
            await s.execute(text("UPDATE audit_head SET seq = 0, last_hash = :g WHERE id = 1"), {"g": "0" * 64})
    yield database
    await database.dispose()


# -- the core ---------------------------------------------------------------------------------------------
class FrozenClock:
    """An injected clock: tests say what day and London time it is; nothing sleeps."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def on(self, d: date, at: time = time(10, 0)) -> None:
        self.now = at_london_time(d, at)


@pytest.fixture
def partnership():
    return load_partnership(DEFAULT_PARTNERSHIP)


@pytest.fixture
def calendar():
    return WorkingDayCalendar()


@pytest.fixture
def clock():
    return FrozenClock(datetime(2026, 12, 18, 10, 0, tzinfo=timezone.utc))


@pytest.fixture
def fake():
    return FakePlatform("fake")


@pytest.fixture
def core(db, partnership, calendar, clock):
    return Core(db, partnership, calendar, clock=clock)


@pytest.fixture
def dispatcher(db, partnership, fake, clock):
    return Dispatcher(db, partnership, {"fake": fake}, clock=clock, worker_id="test-worker")
