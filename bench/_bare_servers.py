"""Baseline servers for the latency benchmarks, run as `python -m bench._bare_servers MODE PORT`.

aiohttp: reads the body and answers 200 (the floor of the stack); bolt: a bare Bolt AsyncApp with
process_before_response=True whose /rapidreview handler only acks; agents: a bare Microsoft 365 Agents SDK
app (anonymous) answering every invoke with a fixed card; healthz: aiohttp answering GET /healthz.
"""
from __future__ import annotations

import os
import sys

from aiohttp import web


async def _read_200(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(status=200)


async def _healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def aiohttp_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/slack/events", _read_200)
    app.router.add_get("/healthz", _healthz)
    return app


def bolt_app() -> web.Application:
    from slack_bolt.adapter.aiohttp import to_aiohttp_response
    from slack_bolt.request.async_request import AsyncBoltRequest
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    bolt = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"], process_before_response=True)

    @bolt.command("/rapidreview")
    async def ack_only(ack):  # noqa: ANN001
        await ack()

    async def handle(request: web.Request) -> web.Response:
        # The same glue as the bot's adapter (adapters/slack/http.py), without the bot behind it.
        body = await request.read()
        bolt_request = AsyncBoltRequest(body=body.decode("utf-8"), query=request.query_string,
                                        headers={k.lower(): v for k, v in request.headers.items()})
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))

    app = web.Application()
    app.router.add_post("/slack/events", handle)
    app.router.add_get("/healthz", _healthz)
    return app


def main() -> None:
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "agents":
        from bench._bare_agents import agents_app
        app = agents_app()
    else:
        app = {"aiohttp": aiohttp_app, "bolt": bolt_app, "healthz": aiohttp_app}[mode]()
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


if __name__ == "__main__":
    main()
