"""Issue 16, item 4: slow clients. 150 connections each sending a partial body stayed open for 75 s and more.
Now a connection that does not finish its request's headers within HEADER_TIMEOUT, or its body within
BODY_TIMEOUT, is closed (a body that is too slow gets 408), however many there are."""
from __future__ import annotations

import asyncio
import time

import server.app
from bot.settings import Settings


async def _served(db_url: str):  # noqa: ANN202
    rt = server.app.build_runtime(Settings(database_url=db_url, tick_seconds=3600))
    app = server.app.make_web_app(rt, {"RAPIDREVIEW_SANDBOX": "false"})
    runner = server.app.make_runner(app)
    await runner.setup()
    from aiohttp import web

    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, runner.addresses[0][1]


async def _closed_within(reader: asyncio.StreamReader, seconds: float) -> bytes | None:
    """What the server sent before closing, or None if it was still open after `seconds`."""
    got = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            chunk = await asyncio.wait_for(reader.read(4096), deadline - time.monotonic())
        except asyncio.TimeoutError:
            return None
        if not chunk:
            return got
        got += chunk
    return None


async def test_slow_headers_and_slow_bodies_are_cut_off(db, monkeypatch):
    monkeypatch.setattr(server.app, "HEADER_TIMEOUT", 1.0)
    monkeypatch.setattr(server.app, "BODY_TIMEOUT", 1.0)
    runner, port = await _served(db.url)
    conns = []
    try:
        for i in range(150):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            if i % 2:
                writer.write(b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # headers never end
            else:
                writer.write(b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 100000\r\n\r\n{\"a\":")  # the body never ends
            await writer.drain()
            conns.append((reader, writer, i % 2))
        started = time.monotonic()
        results = await asyncio.gather(*(_closed_within(r, 6.0) for r, _, _ in conns))
        assert all(r is not None for r in results), f"{sum(r is None for r in results)} of 150 still open"
        assert time.monotonic() - started < 6
        bodies = [r for r, (_, _, slow_headers) in zip(results, conns) if not slow_headers]
        assert all(b.startswith(b"HTTP/1.1 408") for b in bodies), bodies[:2]
    finally:
        for _, w, _ in conns:
            w.close()
        await runner.cleanup()


async def test_an_ordinary_request_is_unaffected(db, monkeypatch):
    import aiohttp

    runner, port = await _served(db.url)
    try:
        async with aiohttp.ClientSession() as s, s.get(f"http://127.0.0.1:{port}/healthz") as r:
            assert r.status == 200
    finally:
        await runner.cleanup()
