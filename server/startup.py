"""Checks `serve` makes before it listens: each failure is one clear message and a non-zero exit, never a
traceback. Production settings first (nothing else matters if links would be wrong), then the database."""
from __future__ import annotations

from collections.abc import Mapping

from bot.report.links import BASE_URL_ENV, SECRET_ENV
from bot.settings import Settings


class StartupRefused(Exception):
    """Why the server will not start, and what to do about it (printed as it is)."""


def _is_loopback(host: str) -> bool:
    from adapters.sandbox.config import is_loopback

    return is_loopback(host)


def chat_platforms(env: Mapping[str, str]) -> list[str]:
    """Slack or Teams set up for real use (Teams' anonymous mode is local development only)."""
    found = []
    if (env.get("SLACK_BOT_TOKEN") or "").strip() and (env.get("SLACK_SIGNING_SECRET") or "").strip():
        found.append("Slack")
    anonymous = (env.get("TEAMS_ANONYMOUS") or "").strip().lower() in ("1", "true", "yes", "on")
    if (env.get("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID") or "").strip() and not anonymous:
        found.append("Teams")
    return found


def production_problems(settings: Settings, env: Mapping[str, str]) -> list[str]:
    """In production (Slack or Teams configured, listening beyond this machine): the settings report links need.
    Without them links would point at the wrong address, and die with every restart or differ between replicas."""
    platforms = chat_platforms(env)
    if not platforms or _is_loopback(settings.host):
        return []
    problems = []
    if not (env.get(BASE_URL_ENV) or "").strip():
        problems.append(f"{BASE_URL_ENV} is not set: report links need the address people reach this server at, "
                        "for example https://rapidreview.example.org")
    secret = (env.get(SECRET_ENV) or "").encode()
    if not secret:
        problems.append(f"{SECRET_ENV} is not set: report links must be signed with the same secret by every replica "
                        "and across restarts (at least 16 bytes; for example the output of `openssl rand -hex 32`)")
    elif len(secret) < 16:
        problems.append(f"{SECRET_ENV} is too short ({len(secret)} bytes): use at least 16 bytes, for example the "
                        "output of `openssl rand -hex 32`")
    return problems


def check_production(settings: Settings, env: Mapping[str, str]) -> None:
    problems = production_problems(settings, env)
    if problems:
        where = " and ".join(chat_platforms(env))
        raise StartupRefused(f"rapidreview: not starting: {where} is configured and RAPIDREVIEW_HOST={settings.host} is "
                             "reachable from other machines, so this is production, but\n  - " + "\n  - ".join(problems))


async def check_database(url: str) -> None:
    """The database answers and its schema is the one this version needs."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from storage.db import Database, alembic_config

    shown = make_url(url).render_as_string(hide_password=True)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    db = Database(url)
    try:
        try:
            async with db.read() as s:
                await s.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 (refused, unknown host, bad password, no such database: say which)
            raise StartupRefused(
                f"rapidreview: not starting: cannot reach the database at {shown} ({_reason(exc)}).\n"
                "  Check RAPIDREVIEW_DATABASE_URL and that the database server is running.") from None
        try:
            async with db.read() as s:
                current = (await s.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
        except Exception:  # noqa: BLE001 (no alembic_version table: never migrated)
            current = []
        if head not in current:
            state = f"at revision {', '.join(current)}" if current else "empty (never migrated)"
            raise StartupRefused(
                f"rapidreview: not starting: the database at {shown} is {state}; this version needs revision {head}.\n"
                "  Run `rapidreview db upgrade` (with the same RAPIDREVIEW_DATABASE_URL), then start again.")
    finally:
        await db.dispose()


def _reason(exc: BaseException) -> str:
    """The driver's own short reason, without a traceback (and without the password, which it never includes)."""
    inner = getattr(exc, "orig", None) or exc.__cause__ or exc
    text = str(inner).strip().splitlines()[0] if str(inner).strip() else ""
    return f"{type(inner).__name__}: {text}"[:300] if text else type(inner).__name__
