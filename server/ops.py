"""What an IT admin's tooling expects of a service: `GET /readyz`, `GET /metrics` (Prometheus text format, from
prometheus-client) and `RAPIDREVIEW_LOG_FORMAT=json` (one JSON object per log line). See docs/operations.md.

Kept beside the composition root and hooked in from server/app.py with one call, so the core knows nothing of
it: command outcomes are counted by wrapping `Core.handle`, ticks by wrapping `Ticker.tick`. Labels are route
templates, verbs and outcomes only: never a case code, a name or anything a person typed.
"""
from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, generate_latest
from sqlalchemy import func, select, text

from storage.models import OutboxEffect, Reminder

log = logging.getLogger("rapidreview.ops")
CREDENTIALS_RECHECK_SECONDS = 60.0  # /readyz may be polled every few seconds; a token check costs a network call


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)  # SQLite hands back naive datetimes


# -- metrics -----------------------------------------------------------------------------------------------------
class Metrics:
    """One registry per web app (not the library's global one), so tests and the sandbox can build several."""

    def __init__(self, rt: Any):  # noqa: ANN401 (server.app.Runtime; imported lazily to avoid a cycle)
        self.rt = rt
        self.registry = r = CollectorRegistry(auto_describe=True)
        self.requests = Counter("rapidreview_http_requests", "HTTP requests by route template, method and status",
                                ["route", "method", "status"], registry=r)
        self.commands = Counter("rapidreview_commands", "Commands handled, by verb and outcome (ok, refused, error)",
                                ["verb", "outcome"], registry=r)
        self.outbox = Gauge("rapidreview_outbox_pending", "Outbox effects waiting to be delivered", registry=r)
        self.oldest = Gauge("rapidreview_outbox_oldest_pending_age_seconds",
                            "Age of the oldest outbox effect still waiting (0 when none)", registry=r)
        self.dead = Gauge("rapidreview_outbox_dead_letters", "Outbox effects that gave up (dead letters)", registry=r)
        self.reminders_due = Gauge("rapidreview_reminders_due", "Reminders due now and not yet released", registry=r)
        self.tick_interval = Gauge("rapidreview_ticker_interval_seconds", "How often the ticker should run", registry=r)
        self.tick_lag = Gauge("rapidreview_ticker_lag_seconds",
                              "Seconds since the last tick finished (since start-up before the first)", registry=r)
        self.ticks = Counter("rapidreview_ticks", "Ticks run, by outcome", ["outcome"], registry=r)
        self.tick_interval.set(rt.settings.tick_seconds)
        self.started = time.monotonic()
        self.last_tick: float | None = None

    def clock(self) -> datetime:
        return self.rt.core.clock()

    async def refresh(self) -> None:
        """The database-derived gauges, read when scraped (every replica reports the shared tables)."""
        now = self.clock()
        async with self.rt.db.read() as s:
            pending = (await s.execute(select(func.count(), func.min(OutboxEffect.created_at))
                                       .where(OutboxEffect.status.in_(("pending", "claimed"))))).one()
            dead = (await s.execute(select(func.count()).where(OutboxEffect.status == "dead"))).scalar_one()
            due = (await s.execute(select(func.count()).where(Reminder.status == "pending",
                                                              Reminder.due_at <= now))).scalar_one()
        self.outbox.set(pending[0])
        self.oldest.set(max(0.0, (now - _aware(pending[1])).total_seconds()) if pending[1] else 0.0)
        self.dead.set(dead)
        self.reminders_due.set(due)
        self.tick_lag.set(time.monotonic() - (self.last_tick if self.last_tick is not None else self.started))

    async def exposition(self) -> bytes:
        await self.refresh()
        return generate_latest(self.registry)


def command_verb(inv: Any) -> str:  # noqa: ANN401 (bot.context.Invocation)
    """The verb a command asked for, as a bounded label: a known verb, or "unknown" (never the typed text)."""
    from bot.grammar import SPECS

    if inv.command is not None:
        verb = inv.command.verb
    else:
        words = (inv.text or "").strip().split(maxsplit=1)
        verb = words[0].lower().lstrip("/") if words else ""
    return verb if verb in SPECS else "unknown"


def instrument(rt: Any, metrics: Metrics) -> None:  # noqa: ANN401
    """Count command outcomes and time ticks by wrapping the runtime's own objects (the core is not edited)."""
    core, ticker = rt.core, rt.ticker
    if getattr(core, "_ops_instrumented", False):  # a second web app on the same runtime: count once
        return
    core._ops_instrumented = True
    handle, tick = core.handle, ticker.tick

    async def counted_handle(inv):  # noqa: ANN001, ANN202
        verb = command_verb(inv)
        try:
            reply = await handle(inv)
        except Exception:
            metrics.commands.labels(verb, "error").inc()
            raise
        metrics.commands.labels(verb, "ok" if reply.ok else "refused").inc()
        return reply

    async def timed_tick(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        try:
            result = await tick(*args, **kwargs)
        except Exception:
            metrics.ticks.labels("error").inc()
            raise
        metrics.ticks.labels("ok").inc()
        metrics.last_tick = time.monotonic()
        return result

    core.handle = counted_handle
    ticker.tick = timed_tick


def requests_middleware(metrics: Metrics):  # noqa: ANN201
    @web.middleware
    async def count(request: web.Request, handler):  # noqa: ANN001, ANN202
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            metrics.requests.labels(route, request.method, str(exc.status)).inc()
            raise
        except Exception:
            metrics.requests.labels(route, request.method, "500").inc()
            raise
        metrics.requests.labels(route, request.method, str(response.status)).inc()
        return response
    return count


# -- readiness -----------------------------------------------------------------------------------------------------
def migration_head() -> str | None:
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


class Readiness:
    """Ready means: the database answers, its schema is at the code's migration head, and every configured
    platform's credentials were accepted (checked at most once a minute)."""

    def __init__(self, rt: Any, head: str | None):  # noqa: ANN401
        self.rt, self.head = rt, head
        self._credentials: tuple[float, dict[str, dict[str, Any]]] | None = None

    async def check(self) -> tuple[bool, dict[str, Any]]:
        checks: dict[str, Any] = {}
        try:
            async with self.rt.db.read() as s:
                await s.execute(text("SELECT 1"))
                checks["database"] = {"ok": True}
                try:
                    current = (await s.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
                except Exception:  # no alembic_version table: never migrated
                    current = []
            ok = self.head is not None and current == [self.head]
            checks["migrations"] = {"ok": ok, "database": current[0] if len(current) == 1 else None, "code": self.head}
            if not ok:
                checks["migrations"]["fix"] = "run `rapidreview db upgrade`"
        except Exception as exc:  # the driver's message may carry the host or user: only the type
            checks["database"] = {"ok": False, "error": type(exc).__name__}
            checks["migrations"] = {"ok": False, "error": "database unreachable"}
        checks["platforms"] = await self.platforms()
        ready = all(c.get("ok") for c in (checks["database"], checks["migrations"])) and \
            all(p["ok"] for p in checks["platforms"].values())
        return ready, checks

    async def platforms(self) -> dict[str, dict[str, Any]]:
        if self._credentials is not None and time.monotonic() - self._credentials[0] < CREDENTIALS_RECHECK_SECONDS:
            return self._credentials[1]
        out: dict[str, dict[str, Any]] = {}
        for name, port in self.rt.platforms.items():
            check = getattr(port, "check_credentials", None)
            if check is None:
                out[name] = {"ok": True, "detail": "no credentials to check"}
                continue
            try:
                ok, detail = await check()
            except Exception as exc:
                ok, detail = False, f"credential check failed ({type(exc).__name__})"
            out[name] = {"ok": bool(ok), "detail": detail}
        self._credentials = (time.monotonic(), out)
        return out


# -- wiring (one call from server/app.py) ---------------------------------------------------------------------------
METRICS = web.AppKey("metrics", Metrics)
READINESS = web.AppKey("readiness", Readiness)


def setup(app: web.Application, rt: Any) -> None:  # noqa: ANN401
    metrics = Metrics(rt)
    readiness = Readiness(rt, migration_head())
    instrument(rt, metrics)
    app.middlewares.append(requests_middleware(metrics))

    async def readyz(_request: web.Request) -> web.Response:
        ready, checks = await readiness.check()
        return web.json_response({"status": "ready" if ready else "not ready", "checks": checks},
                                 status=200 if ready else 503)

    async def metrics_route(_request: web.Request) -> web.Response:
        body = await metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_route)
    app[METRICS] = metrics
    app[READINESS] = readiness


# -- logs ----------------------------------------------------------------------------------------------------------
class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message; an exception as its type and frames only (an
    exception's message may quote what someone typed, and a case channel is where names get typed)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if record.exc_info and record.exc_info[0] is not None:
            entry["exc_type"] = record.exc_info[0].__name__
            entry["exc_frames"] = [f"{f.filename}:{f.lineno} in {f.name}"
                                   for f in traceback.extract_tb(record.exc_info[2])[-6:]]
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(env: Mapping[str, str], level: int = logging.INFO) -> None:
    """`RAPIDREVIEW_LOG_FORMAT=json` for log shippers; anything else (or unset) the plain text lines."""
    fmt = (env.get("RAPIDREVIEW_LOG_FORMAT") or "text").strip().lower()
    if fmt not in ("json", "text"):
        raise ValueError(f"RAPIDREVIEW_LOG_FORMAT={fmt!r} is not known: use json or text")
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # The ticker runs every few seconds: its scheduler's and alembic's routine lines would drown the log.
    for noisy in ("apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
