"""The sandbox: the whole bot in a browser, with fictional data, for people without a Slack or Teams tenant.

The third platform. Its page (at / on the shared server) lets you act as any member of the partnership;
what you type or click goes through the same core, authorisation, outbox and reminders as Slack and
Teams, and cards are the Teams Adaptive Cards drawn by Microsoft's renderer. It runs when neither Slack
nor Teams is configured (or RAPIDREVIEW_SANDBOX=true), and only on a loopback address. See docs/sandbox.md.
"""
from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping

from aiohttp import web

from adapters.sandbox.config import DEFAULT_DATABASE_URL, PLATFORM, decide, other_platforms

NAME = "Sandbox"
# What tests and tools can reach on the app: {"store", "clock", "port"}.
SANDBOX = web.AppKey("sandbox", dict)
log = logging.getLogger("rapidreview.sandbox")


def prepare_settings(settings, env: Mapping[str, str] | None = None):  # noqa: ANN001, ANN201 (bot.settings.Settings)
    """The sandbox keeps fictional cases in a file of its own unless RAPIDREVIEW_DATABASE_URL says otherwise."""
    env = os.environ if env is None else env
    if "database_url" in settings.model_fields_set or not decide(env, settings.host).on:
        return settings
    return settings.model_copy(update={"database_url": DEFAULT_DATABASE_URL})


def setup(rt, app: web.Application, env: Mapping[str, str]):  # noqa: ANN001, ANN201 (server.app.Runtime, AdapterStatus)
    """Register the page, its API and the case board; return the port the outbox delivers through."""
    from bot.ports import AdapterStatus

    decision = decide(env, rt.settings.host)
    if not decision.on:
        return AdapterStatus(NAME, False, decision.reason)

    from adapters.sandbox.clock import SandboxClock
    from adapters.sandbox.port import SandboxPort
    from adapters.sandbox.store import Store, rebuild
    from adapters.sandbox.web import SandboxWeb, renderer_installed

    # The clock is set or moved only when the sandbox is the only platform: it is the whole runtime's clock.
    alone = not other_platforms(env)
    clock = SandboxClock(decision.start if alone else None)
    if alone:
        rt.use_clock(clock)
    store = Store(clock)
    port = SandboxPort(store)
    sandbox_web = SandboxWeb(rt, store, clock, clock_control=alone)
    sandbox_web.routes(app)

    async def on_startup(_app: web.Application) -> None:
        if rt.settings.database_url == DEFAULT_DATABASE_URL:
            # Its own file of fictional data: bring it up to date rather than ask for `db upgrade` first.
            from storage.db import upgrade

            await asyncio.to_thread(upgrade, rt.settings.database_url)
        real = await real_cases(rt.core)
        if real:
            # RAPIDREVIEW_DATABASE_URL points at a database a real platform uses: never act on those cases.
            sandbox_web.refused = (f"the sandbox refuses to run on a database that holds real cases ({real} opened in "
                                   "Slack or Teams); give it a database of its own")
            log.error("sandbox: %s", sandbox_web.refused)
            return
        replayed = rebuild(store, await rt.core.shown(PLATFORM))
        if replayed:
            log.info("sandbox: rebuilt its conversations from %d things the core has shown", replayed)
        rt.dispatcher.wake()  # deliver what is waiting (e.g. `rapidreview demo`'s cases) now, not at the first tick

    async def on_shutdown(_app: web.Application) -> None:
        store.close()  # ends the pages' event streams, so the server stops at once

    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    app[SANDBOX] = {"store": store, "clock": clock, "port": port, "token": sandbox_web.token}
    url = f"http://{_url_host(rt.settings.host)}:{rt.settings.port}/"
    reason = f"open {url}, fictional data only; case board at {url}board"
    if not renderer_installed():
        reason += "; Microsoft's adaptivecards renderer is missing (run `make sandbox-js`), so cards show as plain text"
    if not alone:
        reason += "; its clock control is off because another platform shares the runtime"
    return AdapterStatus(NAME, True, reason, port)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


async def real_cases(core) -> int:  # noqa: ANN001 (bot.core.Core)
    """How many cases in this database were opened on a real platform (anything but the sandbox)."""
    return sum(n for platform, n in (await core.cases_by_platform()).items() if platform != PLATFORM)
