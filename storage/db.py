"""Engine, sessions and migrations. SQLite (aiosqlite) is the embedded default; PostgreSQL scales out."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, **kw) -> AsyncEngine:
    """An async engine; on SQLite with WAL, a busy timeout and foreign keys switched on.

    Statement parameters hold what people wrote (an agency return, a reason), so no database error's message
    may carry them into a log line or a traceback: `hide_parameters` keeps them out of every one."""
    kw.setdefault("hide_parameters", True)
    if is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kw)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    kw.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kw)


# Writes that must commit together with whatever the current task writes next (e.g. "this acknowledged
# command has its outcome"): run at the end of every write transaction opened inside `joined(...)`.
_JOINED: ContextVar[tuple[tuple[object, Callable[[AsyncSession], Awaitable[None]]], ...]] = \
    ContextVar("joined_writes", default=())


@contextmanager
def joined(write: Callable[[AsyncSession], Awaitable[None]]) -> Iterator[None]:
    """Inside this block, every write transaction of this task also runs `write` just before it commits.
    Only this task: a task started inside the block inherits the context but not the write."""
    token = _JOINED.set(_JOINED.get() + ((asyncio.current_task(), write),))
    try:
        yield
    finally:
        _JOINED.reset(token)


async def _run_joined(session: AsyncSession) -> None:
    task = asyncio.current_task()
    for owner, write in _JOINED.get():
        if owner is task:
            await write(session)


class Database:
    """The engine plus a session factory. On SQLite, writers queue on one in-process lock.

    SQLite allows one writer at a time; taking the lock before BEGIN means two commands in this
    process never fight for the file and fail with "database is locked". PostgreSQL needs no such
    lock: rows are locked with SELECT … FOR UPDATE inside the transaction.
    """

    def __init__(self, url: str, **engine_kw):
        self.url = url
        self.engine = make_engine(url, **engine_kw)
        self.sqlite = is_sqlite(url)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._write_lock = asyncio.Lock() if self.sqlite else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: everything inside commits together or not at all."""
        if self._write_lock is not None:
            async with self._write_lock:
                async with self._sessions() as session, session.begin():
                    yield session
                    await _run_joined(session)
        else:
            async with self._sessions() as session, session.begin():
                yield session
                await _run_joined(session)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations (blocking; call from the CLI or from a worker thread)."""
    from alembic import command

    if is_sqlite(url):
        db_path = make_url(url).database
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(alembic_config(url), revision)
        return
    # Alembic's env runs its own event loop; from inside a running loop, give it a thread of its own.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(command.upgrade, alembic_config(url), revision).result()
