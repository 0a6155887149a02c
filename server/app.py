"""Composition root: builds the core, the delivery side and the aiohttp server from the settings.

The only module (with the CLI) that knows about every part; adapters register their routes here.
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType

from aiohttp import web

from bot.report import links as report_links
from server import ops, oversight_routes, report_routes
from bot.calendar import WorkingDayCalendar
from bot.core import Core
from bot.deadlines import calendar_for
from bot.inbound import InboundQueue
from bot.outbox import Dispatcher
from bot.partnership import Partnership, load_partnership
from bot.ports import AdapterStatus, PlatformPort
from bot.settings import Settings
from bot.ticker import Ticker, start_scheduler
from storage.db import Database

log = logging.getLogger("rapidreview")


# Each adapter package exposes `setup(runtime, app, env) -> AdapterStatus`; it registers its routes on
# the shared aiohttp app and returns the port through which the outbox reaches its platform.
ADAPTERS = ("adapters.slack", "adapters.teams", "adapters.sandbox")


@dataclass
class Runtime:
    settings: Settings
    partnership: Partnership
    calendar: WorkingDayCalendar
    db: Database
    core: Core
    dispatcher: Dispatcher
    platforms: dict[str, PlatformPort]
    ticker: Ticker
    inbound: InboundQueue | None = None  # acknowledged commands, kept until done and answered

    def use_clock(self, clock: Callable[[], datetime]) -> None:
        """One clock for every part that reads the time (the sandbox's movable clock)."""
        self.core.clock = self.dispatcher.clock = self.ticker.clock = clock


def make_calendar(settings: Settings, partnership: Partnership) -> WorkingDayCalendar:
    return calendar_for(partnership.timescales, settings.holidays_file)


def build_runtime(settings: Settings, platforms: dict[str, PlatformPort] | None = None) -> Runtime:
    partnership = load_partnership(settings.partnership)
    calendar = make_calendar(settings, partnership)
    db = Database(settings.database_url)
    core = Core(db, partnership, calendar)
    platforms = dict(platforms or {})
    dispatcher = Dispatcher(db, partnership, platforms)
    core.on_commit.append(dispatcher.wake)
    ticker = Ticker(db, partnership, calendar, dispatcher, on_commit=core.on_commit)
    return Runtime(settings, partnership, calendar, db, core, dispatcher, platforms, ticker, InboundQueue(db))


def adapter_modules() -> list[ModuleType]:
    """The adapter packages that are part of this build, in ADAPTERS order."""
    import importlib

    modules = []
    for module_name in ADAPTERS:
        try:
            modules.append(importlib.import_module(module_name))
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
    return modules


def prepare_settings(settings: Settings, env: Mapping[str, str] | None = None) -> Settings:
    """Let adapters adjust the settings before anything is built (the sandbox's own database file)."""
    env = os.environ if env is None else env
    for module in adapter_modules():
        hook = getattr(module, "prepare_settings", None)
        if hook is not None:
            settings = hook(settings, env)
    return settings


def setup_adapters(rt: Runtime, app: web.Application, env: Mapping[str, str] | None = None) -> list[AdapterStatus]:
    """Let each adapter that is part of this build register itself; collect what they report."""
    env = os.environ if env is None else env
    statuses = []
    for module in adapter_modules():
        status = module.setup(rt, app, env)
        statuses.append(status)
        if status.configured and status.port is not None:
            rt.platforms[status.port.name] = status.port
    return statuses


def platform_report(statuses: list[AdapterStatus], env: Mapping[str, str] | None = None) -> list[str]:
    """One line per platform: configured or not, and why. Logged as one block at start-up."""
    env = os.environ if env is None else env
    lines = [f"{s.name}: {'configured' if s.configured else 'not configured'} ({s.reason})" for s in statuses]
    named = {s.name for s in statuses}
    if "Slack" not in named:
        missing = [k for k in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET") if not env.get(k)]
        lines.append("Slack: not configured (" + (f"{' and '.join(missing)} not set" if missing else
                                                   "the Slack adapter is not part of this build") + ")")
    if "Teams" not in named:
        lines.append("Teams: not configured (" + (
            "the Teams adapter is not part of this build"
            if env.get("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID") or env.get("TEAMS_ANONYMOUS") else
            "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID not set and TEAMS_ANONYMOUS not true") + ")")
    return lines


# Typed application keys (aiohttp warns about plain strings, and these say what each holds).
ADAPTER_STATUSES = web.AppKey("adapter_statuses", list)
DISPATCHER_TASK = web.AppKey("dispatcher_task", asyncio.Task)
SCHEDULER = web.AppKey("scheduler", object)
INBOUND_TASK = web.AppKey("inbound_task", asyncio.Task)
INBOUND_SWEEP_SECONDS = 2.0
# Slow clients (issue 16): a connection must send each request's headers within HEADER_TIMEOUT (it is also the
# longest a connection may sit idle between requests) and its body within BODY_TIMEOUT, or it is closed (408).
# Platforms send small requests at once; these only cut off clients that trickle bytes to hold connections open.
HEADER_TIMEOUT = 15.0
BODY_TIMEOUT = 15.0
LINGER = 2.0
RUNTIME = web.AppKey("runtime", Runtime)


def make_web_app(rt: Runtime, env: Mapping[str, str] | None = None) -> web.Application:
    # Platform payloads are small; a larger body is refused before any work (aiohttp answers 413).
    app = web.Application(client_max_size=1024 * 1024, middlewares=[_body_deadline])
    app[ADAPTER_STATUSES] = setup_adapters(rt, app, env)
    ready = {"ok": False}

    async def healthz(_request: web.Request) -> web.Response:
        if not ready["ok"]:
            return web.json_response({"status": "starting"}, status=503)
        return web.json_response({"status": "ok", "partnership": rt.partnership.partnership.short_name})

    app.router.add_get("/healthz", healthz)
    report_routes.setup(app, rt)  # signed, short-lived links to the report (never a file in a channel)
    ops.setup(app, rt)  # GET /readyz and GET /metrics (docs/operations.md)
    oversight_routes.setup(app, rt)  # the same, for the oversight report (`oversight` in chat)

    async def on_startup(_app: web.Application) -> None:
        # The calendar or reminder policy may have changed since the last run (e.g. a new one-off bank holiday).
        await rt.ticker.recompute_all()
        app[DISPATCHER_TASK] = asyncio.create_task(rt.dispatcher.run())
        app[SCHEDULER] = start_scheduler(rt.ticker, rt.settings.tick_seconds)
        app[INBOUND_TASK] = asyncio.create_task(_finish_unfinished(rt))
        ready["ok"] = True

    async def on_cleanup(_app: web.Application) -> None:
        scheduler = app.get(SCHEDULER)
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        for key in (DISPATCHER_TASK, INBOUND_TASK):
            task = app.get(key)
            if task:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        await rt.db.dispose()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    app[RUNTIME] = rt
    return app


@web.middleware
async def _body_deadline(request: web.Request, handler):  # noqa: ANN001, ANN202
    """Read the whole body within BODY_TIMEOUT before any handler runs (they all read it whole anyway)."""
    if request.can_read_body:
        try:
            await asyncio.wait_for(request.read(), BODY_TIMEOUT)
        except asyncio.TimeoutError:
            response = web.json_response({"error": f"the request body did not arrive within {BODY_TIMEOUT:g} seconds"},
                                         status=408)
            response.force_close()  # the connection closes after this answer
            return response
    return await handler(request)


def make_runner(app: web.Application) -> web.AppRunner:
    """The runner `serve` listens with: idle connections and unfinished headers are closed after HEADER_TIMEOUT
    (aiohttp's keep-alive timer runs from the moment a connection opens until a request's headers are in)."""
    return web.AppRunner(app, access_log=None, keepalive_timeout=HEADER_TIMEOUT,
                         lingering_time=LINGER)  # how long the rest of a refused body is read before closing


async def _finish_unfinished(rt: Runtime) -> None:
    """Every replica, every few seconds: finish acknowledged commands that a dead process left (bot/inbound.py)."""
    if rt.inbound is None:
        return
    while True:
        try:
            await rt.inbound.sweep()
        except Exception as exc:  # noqa: BLE001 (the database may be away for a moment: try again next time)
            log.warning("could not look for unfinished commands: %s", type(exc).__name__)
        await asyncio.sleep(INBOUND_SWEEP_SECONDS)


async def serve(settings: Settings, env: Mapping[str, str] | None = None) -> None:
    """Check, then listen until SIGINT or SIGTERM. A failed check raises StartupRefused (its message says what to do)."""
    from server.startup import check_database, check_production

    env = os.environ if env is None else env
    settings = prepare_settings(settings, env)
    check_production(settings, env)
    rt = build_runtime(settings)  # reads the partnership file: its mistakes are reported first
    if not _migrates_itself(settings, env):
        await check_database(settings.database_url)
    block = [f"Rapid review bot for {rt.partnership.partnership.name}",
             f"  listening on http://{settings.host}:{settings.port}/ (GET /healthz, /readyz, /metrics)",
             f"  database: {_safe_url(settings.database_url)}",
             f"  partnership file: {settings.partnership} ({len(rt.partnership.members)} members, "
             f"{len(rt.partnership.agencies)} agencies)"]
    app = make_web_app(rt)
    block += [f"  {line}" for line in platform_report(app[ADAPTER_STATUSES])]
    log.info("\n".join(block))
    runner = make_runner(app)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def _migrates_itself(settings: Settings, env: Mapping[str, str]) -> bool:
    """The sandbox brings its own database file up to date at start-up (adapters/sandbox)."""
    try:
        from adapters.sandbox.config import DEFAULT_DATABASE_URL
    except ModuleNotFoundError:
        return False
    return settings.database_url == DEFAULT_DATABASE_URL


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
