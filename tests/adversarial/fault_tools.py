"""Tools for the "Faults" adversarial tests (issue 9): a seeded plan that makes the fake platforms fail
a share of their calls, aiohttp middleware that carries it out, a gate that holds calls unanswered, and
the accounting that says, from the outbox and from what the fake platform applied, what was lost and
what was applied twice.

Four kinds of fault, drawn from one `random.Random(seed)` in the order the calls arrive (the tests make
that order deterministic: one delivery at a time, the server's own delivery task off):
- "429": refused with HTTP 429 and a Retry-After of 1-3 s; nothing applied.
- "500": refused with HTTP 500 and an HTML body, as a load balancer answers; nothing applied.
- "timeout": the request hangs past the client's timeout and is never applied.
- "lost": the request IS applied, then the answer hangs past the client's timeout (the worst case: the
  platform did the work, the bot cannot know, and retries).
"""
from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import select, text

from bot import effects as fx
from bot.audit import verify
from bot.partnership import Partnership
from storage.models import ChannelLink, OutboxEffect

KINDS = ("429", "500", "timeout", "lost")


@dataclass
class Injected:
    n: int  # the call's number among all calls the plan saw
    target: str  # what was called, e.g. "chat.postMessage" or "connector: send"
    kind: str


@dataclass
class FaultPlan:
    """Which calls fail, and how: `rate` of them, the four kinds equally likely, from `seed`."""

    seed: int
    rate: float = 0.3
    hang: float = 0.45  # seconds a "timeout" or "lost" call hangs: longer than the clients' timeout in the tests
    active: bool = True
    seen: Counter = field(default_factory=Counter)  # calls made while active, by target
    injected: list[Injected] = field(default_factory=list)
    sequence: list[str] = field(default_factory=list)  # every call made while active, in order

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def decide(self, target: str) -> tuple[str | None, int]:
        """The fault for this call (None: answer normally) and, for a 429, its Retry-After."""
        if not self.active:
            return None, 0
        self.seen[target] += 1
        self.sequence.append(target)
        x = self.rng.random()
        retry_after = self.rng.randint(1, 3)
        if x >= self.rate:
            return None, 0
        kind = KINDS[min(len(KINDS) - 1, int(x / self.rate * len(KINDS)))]
        self.injected.append(Injected(sum(self.seen.values()), target, kind))
        return kind, retry_after

    def count(self, kind: str | None = None, target: str | None = None) -> int:
        return sum(1 for i in self.injected if (kind is None or i.kind == kind) and (target is None or i.target == target))

    @property
    def calls(self) -> int:
        return sum(self.seen.values())

    def summary(self) -> dict[str, Any]:
        by_kind = Counter(i.kind for i in self.injected)
        return {"calls": self.calls, "failed": len(self.injected), "share": round(len(self.injected) / max(1, self.calls), 3),
                **{k: by_kind.get(k, 0) for k in KINDS}}


def fault_middleware(plan: FaultPlan, target_of: Callable[[web.Request], Awaitable[str | None]],
                     refuse: Callable[[str, int], web.Response]):  # noqa: ANN201
    """aiohttp middleware for a fake platform's app: `target_of` names the call (None: never faulted);
    `refuse(kind, retry_after)` builds the platform's own answer for a 429 or a 500."""

    @web.middleware
    async def inject(request: web.Request, handler):  # noqa: ANN001, ANN202
        target = await target_of(request)
        kind, retry_after = plan.decide(target) if target else (None, 0)
        if kind is None:
            return await handler(request)
        if kind in ("429", "500"):
            return refuse(kind, retry_after)
        if kind == "timeout":
            await asyncio.sleep(plan.hang)  # the client has given up by now; nothing was applied
            return web.Response(status=504, text="gateway timeout")
        answer = await handler(request)  # "lost": applied, then the answer comes too late
        await asyncio.sleep(plan.hang)
        return answer

    return inject


# -- the fakes' own answers for a refused call ----------------------------------------------------------------
def slack_refusal(kind: str, retry_after: int) -> web.Response:
    if kind == "429":
        return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                 headers={"Retry-After": str(retry_after)})
    return web.Response(status=500, text="<html>upstream error</html>", content_type="text/html")


def microsoft_refusal(kind: str, retry_after: int) -> web.Response:
    if kind == "429":
        return web.json_response({"error": {"code": "TooManyRequests", "message": "throttled"}}, status=429,
                                 headers={"Retry-After": str(retry_after)})
    return web.json_response({"error": {"code": "ServiceError", "message": "internal error"}}, status=500)


async def slack_target(request: web.Request) -> str | None:
    """Web API calls are faulted; response_url posts are not (they are not the Web API)."""
    return request.match_info.get("method") if request.path.startswith("/api/") else None


CHANNEL_POST, PERSONAL_CHAT, SEND, REPLY, UPDATE = ("connector: new channel post", "connector: new 1:1 chat",
                                                   "connector: send", "connector: reply", "connector: update")


async def connector_target(request: web.Request) -> str:
    last = request.path.rstrip("/").split("/")[-1]
    if request.method == "PUT":
        return UPDATE
    if request.method == "DELETE":
        return "connector: delete"
    if last == "conversations":
        return CHANNEL_POST if (await request.json()).get("isGroup") else PERSONAL_CHAT
    if last == "activities":
        return SEND  # a proactive message into an existing conversation (the outbox's DMs)
    return REPLY  # .../activities/{id}: the answer to an incoming message, within its turn


async def graph_target(request: web.Request) -> str:
    return f"graph: {request.method} {request.match_info.route.resource.canonical.split('/{team}', 1)[-1]}"


# -- holding calls unanswered (for SIGKILL between a state change and its delivery) --------------------------------
class Gate:
    """Holds matching calls without answering them, after applying them (`apply=True`) or before."""

    def __init__(self) -> None:
        self.rules: list[tuple[Callable[[web.Request, str], bool], bool]] = []
        self.held: list[str] = []
        self.changed = asyncio.Event()
        self._release = asyncio.Event()

    def hold(self, match: Callable[[web.Request, str], bool], *, apply: bool) -> None:
        """Hold the next call for which `match(request, body text)` is true."""
        self.rules.append((match, apply))

    def open(self) -> None:
        self.rules.clear()
        self._release.set()

    async def wait_held(self, n: int = 1, timeout: float = 15.0) -> None:
        async def until() -> None:
            while len(self.held) < n:
                self.changed.clear()
                await self.changed.wait()
        await asyncio.wait_for(until(), timeout)

    def middleware(self):  # noqa: ANN201
        @web.middleware
        async def gate(request: web.Request, handler):  # noqa: ANN001, ANN202
            body = await request.text() if self.rules and request.body_exists else ""
            rule = next((r for r in self.rules if r[0](request, body)), None)
            if rule is None:
                return await handler(request)
            self.rules.remove(rule)  # each rule holds one call
            answer = await handler(request) if rule[1] else None
            self.held.append(request.path)
            self.changed.set()
            await self._release.wait()  # the caller dies first; afterwards the answer goes nowhere
            return answer if answer is not None else web.Response(status=504)

        return gate


# -- PostgreSQL "restarted": every connection of the application's database dropped ---------------------------
TERMINATE = ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
             "WHERE datname = current_database() AND pid <> pg_backend_pid()")


async def drop_connections(url: str) -> int:
    """What clients see when the server restarts: their connections are closed under them. From a separate
    connection to the same database; returns how many backends were terminated."""
    import asyncpg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    conn = await asyncpg.connect(host=u.host, port=u.port or 5432, user=u.username, database=u.database)
    try:
        return sum(1 for row in await conn.fetch(TERMINATE) if row[0])
    finally:
        await conn.close()


class DropDuring:
    """Drops every connection (the one in use included) just before the application's next statement that
    matches `marker`, so that statement and its transaction fail as they would if the server restarted then."""

    def __init__(self, db, marker: str):  # noqa: ANN001
        from sqlalchemy import event

        self.db, self.marker, self.armed, self.dropped = db, marker, False, 0
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._before)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if not self.armed or self.marker not in statement:
            return
        self.armed = False
        from concurrent.futures import ThreadPoolExecutor

        # This hook is synchronous (inside SQLAlchemy's greenlet): run the terminating client on a loop of its own.
        with ThreadPoolExecutor(1) as pool:
            self.dropped += pool.submit(asyncio.run, drop_connections(self.db.url)).result()


# -- what the outbox says should have reached the platform -------------------------------------------------------
async def outbox_rows(db) -> list[OutboxEffect]:  # noqa: ANN001
    async with db.read() as s:
        return list((await s.execute(select(OutboxEffect).order_by(OutboxEffect.id))).scalars())


async def channel_links(db) -> dict[int, ChannelLink]:  # noqa: ANN001
    async with db.read() as s:
        return {link.case_id: link for link in (await s.execute(select(ChannelLink))).scalars()}


def expected_posts(rows: list[OutboxEffect], p: Partnership, *, has_account: Callable) -> Counter:  # noqa: ANN001
    """New messages the outbox asked for, by where they go: ("case", case_id) or ("dm", member key).
    A slot card (the status card, the vote tally, the approval card) is posted once and then updated."""
    out: Counter = Counter()
    slots: set[tuple[int, str]] = set()
    for r in rows:
        if r.kind == fx.DIRECT_MESSAGE:
            if has_account(p.member(r.payload["member"])):
                out[("dm", r.payload["member"])] += 1
        elif r.kind in (fx.POST_CARD, fx.UPDATE_STATUS):
            slot = "status" if r.kind == fx.UPDATE_STATUS else r.payload.get("slot")
            if slot is None or (r.case_id, slot) not in slots:
                out[("case", r.case_id)] += 1
            if slot is not None:
                slots.add((r.case_id, slot))
    return out


@dataclass
class Tally:
    """The outbox against the platform: every asked-for message present (`missing` = 0), and how many
    were applied more than once (`extra`), by destination."""

    expected: Counter
    applied: Counter

    @property
    def missing(self) -> dict:
        return {k: n - self.applied.get(k, 0) for k, n in self.expected.items() if self.applied.get(k, 0) < n}

    @property
    def extra(self) -> int:
        return sum(max(0, n - self.expected.get(k, 0)) for k, n in self.applied.items())

    @property
    def unexpected(self) -> dict:
        """Destinations that got messages the outbox never asked for."""
        return {k: n for k, n in self.applied.items() if k not in self.expected}


async def undelivered(db) -> list[tuple[int, str, str, int, str | None]]:  # noqa: ANN001
    return [(r.id, r.kind, r.status, r.attempts, r.last_error) for r in await outbox_rows(db) if r.status != "delivered"]


async def deliver_all(db, clock, settle: Callable, *, max_rounds: int = 100) -> int:  # noqa: ANN001
    """Deliver what is due; then move the clock to the next retry (past its back-off or Retry-After) and
    deliver again, until the outbox is empty. Returns how often the clock moved. A dead letter fails at once."""
    for rounds in range(max_rounds):
        await settle()
        rows = [r for r in await outbox_rows(db) if r.status != "delivered"]
        dead = [(r.id, r.kind, r.attempts, r.last_error) for r in rows if r.status == "dead"]
        assert not dead, f"dead letters: {dead}"
        if not rows:
            return rounds
        # Rows due now wait behind an earlier row of their case: the next thing to happen is the first future retry.
        waiting = [r.next_attempt_at for r in rows if r.next_attempt_at > clock.now]
        clock.now = (min(waiting) if waiting else clock.now) + timedelta(seconds=1)
    raise AssertionError(f"the outbox never emptied: {[(r.id, r.kind, r.status, r.attempts) for r in rows]}")


async def chain_report(db):  # noqa: ANN001, ANN201
    """`rapidreview audit verify`, as the CLI runs it (bot.audit.verify on a read session)."""
    async with db.read() as s:
        return await verify(s)


async def retries(db) -> int:  # noqa: ANN001
    """Failed delivery attempts the outbox recorded (each one was retried, or it would be dead)."""
    async with db.read() as s:
        return int((await s.execute(text("SELECT COALESCE(SUM(attempts), 0) FROM outbox"))).scalar())
