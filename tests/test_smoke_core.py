from datetime import date

from tests.driver import Driver


async def test_open_a_case_and_deliver_its_channel(core, clock, dispatcher, fake):
    d = Driver(core, clock).on(date(2026, 12, 18))
    r = await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-12-18')
    assert d.case_code == "rr-2026-001"
    assert await d.state() == "SIN_DECISION"
    delivered = await dispatcher.drain()
    assert delivered >= 3
    cid, ch = fake.channel_named("rr-2026-001")
    assert ch["private"]
    assert "Tue 29 Dec 2026" in " ".join(fake.texts())
