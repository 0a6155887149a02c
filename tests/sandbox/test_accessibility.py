"""WCAG 2.2 AA in a real browser: axe-core (npm, tests/js) run in Debian's headless Chromium on the sandbox
page, the case board and the oversight page, with `rapidreview demo`'s fictional year loaded, at desktop and
phone widths. 0 violations is the bar (UK public-sector bodies must meet WCAG 2.2 AA). Screenshots go to
test-output/oversight/."""
from __future__ import annotations

import json
import os

import pytest

from tests.sandbox.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, clean_env, free_port, require_browser, serve_process

AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
OUT = ROOT / "test-output" / "oversight"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TODAY = "2026-12-22"
SECRET = "an accessibility test secret"
YEAR = "from=2026-01-01&to=2026-12-31"


def _require_axe() -> None:
    if not AXE.exists():
        why = "axe-core is not installed: run `make js` (npm install in tests/js)"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


@pytest.fixture(scope="module")
def demo_served(tmp_path_factory):
    """`rapidreview serve` on a free loopback port, its database filled by `rapidreview demo` first."""
    require_browser()
    _require_axe()
    folder = tmp_path_factory.mktemp("a11y")
    port = free_port()
    env = clean_env(RAPIDREVIEW_DATABASE_URL=f"sqlite+aiosqlite:///{folder}/rr.db", RAPIDREVIEW_PORT=str(port),
                    RAPIDREVIEW_HOST="127.0.0.1", RAPIDREVIEW_SANDBOX_TODAY=TODAY, RAPIDREVIEW_LINK_SECRET=SECRET)
    yield from serve_process(folder, env, ["db", "upgrade"], ["demo", "--today", TODAY])


@pytest.fixture(scope="module")
def chromium(demo_served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(chromium, url: str, width: int):  # noqa: ANN001, ANN202
    # axe is injected as a script tag, which the pages' own Content-Security-Policy would (rightly) refuse.
    context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    return page, errors


def _violations(page) -> list[str]:  # noqa: ANN001
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} at " + json.dumps([n['target'] for n in v['nodes']][:5])
            for v in result["violations"]]


PAGES = [
    ("sandbox", "/?as=bu_officer", "() => document.getElementById('conversation-title').textContent.length > 1"),
    ("board", "/board", "() => document.querySelectorAll('article.case').length > 0"),
    ("oversight", f"/oversight?{YEAR}", "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)"),
    ("oversight-error", "/oversight?from=2026-02-30&to=2026-12-31", "() => !!document.querySelector('[role=alert]')"),
]


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("name, path, ready", PAGES, ids=[p[0] for p in PAGES])
def test_wcag_2_2_aa_has_no_violations(chromium, demo_served, name, path, ready, width):
    OUT.mkdir(parents=True, exist_ok=True)
    page, errors = _open(chromium, demo_served.url + path, width)
    page.wait_for_function(ready)
    found = _violations(page)
    page.screenshot(path=str(OUT / f"{name}-{width}px.png"), full_page=True)
    assert found == [], "\n".join(found)
    if width == 375:
        # Nothing wider than a phone's screen except inside its own scrolling box (WCAG 1.4.10 reflow).
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert not [e for e in errors if "400" not in e], errors  # the error page's own status is expected


def test_the_oversight_page_shows_the_demo_year_and_its_charts(chromium, demo_served):
    page, errors = _open(chromium, f"{demo_served.url}/oversight?{YEAR}", 1280)
    page.wait_for_function(PAGES[2][2])
    charts = page.locator("figure.chart img")
    assert charts.count() == 4
    sizes = page.evaluate("() => [...document.querySelectorAll('figure.chart img')].map(i => [i.naturalWidth, i.alt.length])")
    assert all(w > 300 and alt > 40 for w, alt in sizes), sizes
    assert page.get_by_role("heading", level=1).inner_text().startswith("Oversight report: Thu 1 Jan 2026")
    # The keyboard reaches the period form first (after the skip link), and the form changes the period.
    page.get_by_label("From").fill("2026-07-01")
    page.get_by_label("To").fill("2026-12-31")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/oversight?from=2026-07-01&to=2026-12-31")
    assert "Wed 1 Jul 2026" in page.get_by_role("heading", level=1).inner_text()
    for i, chart in enumerate(("timeliness_by_quarter", "rapid_review_days", "returns_by_agency", "actions_by_agency")):
        page.locator("figure.chart").nth(i).screenshot(path=str(OUT / f"chart-{chart}.png"))
    assert not errors, errors


@pytest.mark.parametrize("width", [1280, 375])
def test_the_signed_link_page_meets_wcag_2_2_aa_too(chromium, demo_served, width):
    """The page a partnership chair opens from `oversight` in chat (a real deployment's way in)."""
    from datetime import date, datetime, timezone

    from bot.oversight.figures import Period
    from bot.oversight.links import issue
    from bot.report.links import LinkSigner

    url, _ = issue("partnership_chair", Period(date(2026, 1, 1), date(2026, 12, 31)),
                   datetime(2026, 12, 22, 9, tzinfo=timezone.utc), LinkSigner(SECRET.encode(), demo_served.url))
    page, errors = _open(chromium, url + "/view", width)
    page.wait_for_function(PAGES[2][2])
    assert page.locator("img").count() == 4
    found = _violations(page)
    page.screenshot(path=str(OUT / f"signed-link-{width}px.png"), full_page=True)
    assert found == [], "\n".join(found)
    if width == 375:
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert not errors, errors
