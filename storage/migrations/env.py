"""Alembic environment: runs migrations through the async engine."""
from __future__ import annotations

import asyncio

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.db import make_engine

target_metadata = SQLModel.metadata


def _run(connection) -> None:  # noqa: ANN001
    if connection.dialect.name == "sqlite":
        # A batch migration rebuilds a table (copy, drop, rename); with foreign keys enforced, dropping a parent
        # such as review_case fails although the rebuilt table has every row back. SQLite's own advice for schema
        # changes: keep them off while migrating. This runs before the driver opens its transaction, where the
        # pragma takes effect (inside one it is ignored).
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _online() -> None:
    engine = make_engine(context.config.get_main_option("sqlalchemy.url"))
    async with engine.connect() as conn:
        await conn.run_sync(_run)
        await conn.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_online())
