"""`list`: open cases a page at a time, so the answer stays short and quick however many cases are open."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import event, insert

from storage.models import Case
from tests.driver import Driver


async def _open_cases(db, first: int, last: int, closed: int = 0) -> None:  # noqa: ANN001
    """Cases rr-2026-<first>…<last>, open except the first `closed`."""
    now = datetime.now(timezone.utc)
    rows = [{"code": f"rr-2026-{i:03d}", "year": 2026, "number": i, "pseudonym": f"Child {i}", "kind": "death",
             "state": "CLOSED" if i < first + closed else "INFO_GATHERING", "track": "rapid_review", "platform": "fake",
             "la_aware_on": date(2026, 9, 1), "lcspr_stage": "not_started", "channel_opened": True,
             "refer_as_possibly_national": False, "watch_names": [], "created_at": now, "updated_at": now}
            for i in range(first, last + 1)]
    async with db.transaction() as s:
        await s.execute(insert(Case), rows)


async def test_a_long_list_comes_a_page_at_a_time_oldest_first(core, clock, db):
    await _open_cases(db, 1, 47, closed=2)  # 45 open
    d = Driver(core, clock).on(date(2026, 9, 14))
    first = await d.ok("bu_officer", "list")
    lines = first.text.splitlines()
    assert lines[0] == "Open cases 1–20 of 45 (page 1 of 3; next: list page=2):"
    assert [ln.split(" / ")[0] for ln in lines[1:]] == [f"• rr-2026-{i:03d}" for i in range(3, 23)]
    assert "next: " in lines[1] and first.data["pages"] == 3
    last = await d.ok("bu_officer", "list page=3")
    assert last.text.splitlines()[0] == "Open cases 41–45 of 45 (page 3 of 3):"
    assert len(last.text.splitlines()) == 6


async def test_a_page_past_the_end_or_a_bad_page_is_explained(core, clock, db):
    await _open_cases(db, 1, 3)
    d = Driver(core, clock).on(date(2026, 9, 14))
    assert (await d.ok("bu_officer", "list")).text.splitlines()[0] == "Open cases (3):"
    assert (await d.refused("bu_officer", "list page=2")).text == "There is only 1 page of open cases (3). Try: list page=1"
    for bad in ("page=0", "page=two", "page=-1"):
        assert "for example: list page=2" in (await d.refused("bu_officer", f"list {bad}")).text


async def test_list_costs_the_same_few_statements_whatever_the_number_of_cases(core, clock, db):
    statements: list[str] = []
    listener = lambda *a: statements.append(a[2])  # noqa: E731 (conn, cursor, statement, ...)
    event.listen(db.engine.sync_engine, "before_cursor_execute", listener)
    d = Driver(core, clock).on(date(2026, 9, 14))
    counts = []
    for first, last in ((1, 5), (6, 200)):
        await _open_cases(db, first, last)
        statements.clear()
        await d.ok("bu_officer", "list")
        counts.append(len(statements))
    event.remove(db.engine.sync_engine, "before_cursor_execute", listener)
    assert counts[0] == counts[1] <= 3, counts
