"""When the sandbox runs, and where: decided once at start-up from the environment.

The sandbox has no sign-in (anyone who can open the page can act as any member), so it is only ever
served on a loopback address; a setting that would expose it is refused with the reason in the
start-up block rather than quietly ignored.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bot.grammar import ParseError, parse_date

PLATFORM = "sandbox"  # cases opened in the sandbox carry this name; their outbox rows come to its port
# Fictional cases never share a file with real ones unless the operator says so.
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./rapidreview-sandbox.db"
SWITCH = "RAPIDREVIEW_SANDBOX"
START_DATE = "RAPIDREVIEW_SANDBOX_TODAY"


def _flag(value: str | None) -> bool | None:
    """True / False when the variable says so; None when it is unset or empty."""
    v = (value or "").strip().lower()
    if not v:
        return None
    return v in ("1", "true", "yes", "on")


def is_loopback(host: str) -> bool:
    """The address is on this machine only (never 0.0.0.0, ::, or a LAN address)."""
    h = host.strip().strip("[]").lower()
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def other_platforms(env: Mapping[str, str]) -> list[str]:
    """The chat platforms the environment configures (the same tests as their adapters make)."""
    found = []
    if (env.get("SLACK_BOT_TOKEN") or "").strip() and (env.get("SLACK_SIGNING_SECRET") or "").strip():
        found.append("Slack")
    if (env.get("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID") or "").strip() or _flag(env.get("TEAMS_ANONYMOUS")):
        found.append("Teams")
    return found


@dataclass(frozen=True)
class Decision:
    on: bool
    reason: str
    start: date | None = None  # the sandbox clock starts on this London date (09:00) instead of today


def decide(env: Mapping[str, str], host: str) -> Decision:
    """Whether the sandbox runs, and the one-line reason for the start-up block."""
    switch = _flag(env.get(SWITCH))
    others = other_platforms(env)
    if switch is False:
        return Decision(False, f"{SWITCH}=false")
    if others and switch:
        # Beside a real platform the sandbox would share its database: anyone on this machine could act as
        # any member on real cases (a security test approved a Slack case as all three executive leads).
        return Decision(False, f"refused: {' and '.join(others)} configured. The sandbox has no sign-in and would "
                               "share their database; run it as a separate server with its own database "
                               f"(without the {' and '.join(others)} settings, on another RAPIDREVIEW_PORT)")
    if others:
        return Decision(False, f"{' and '.join(others)} configured")
    if not is_loopback(host):
        return Decision(False, f"refused: RAPIDREVIEW_HOST={host} is not a loopback address. The sandbox has no "
                               "sign-in (anyone who opens it can act as any member), so it only runs on 127.0.0.1")
    start = None
    raw = (env.get(START_DATE) or "").strip()
    if raw:
        try:
            start = parse_date(raw, START_DATE)
        except ParseError as exc:
            return Decision(False, f"refused: {exc}")
    return Decision(True, "", start)


