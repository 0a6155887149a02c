"""The sandbox in a real browser: headless Chromium (Debian's package) driven by playwright, against
`rapidreview serve` on 127.0.0.1. A case is opened as the Business Unit, an agency lead sends a nil
return by clicking the card, each executive lead approves by clicking, and the case board, open in
another tab, updates without a reload. Screenshots go to test-output/sandbox/."""
from __future__ import annotations

import re

from tests.sandbox.conftest import OUT, require_browser

TIMEOUT = 20_000  # ms: each step waits at most this long for the page to show its result


def _page(browser, served, width: int = 1280, height: int = 900):  # noqa: ANN001, ANN202
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page, errors


def quiet(page) -> None:  # noqa: ANN001
    """Empty the status line, so the next wait sees the next answer rather than the last one."""
    page.evaluate("() => { document.getElementById('announce').textContent = ''; }")


def act_as(page, key: str) -> None:  # noqa: ANN001
    quiet(page)
    page.get_by_label("Acting as").select_option(key)
    page.wait_for_function("() => document.getElementById('announce').textContent.includes('Now acting as')")


def open_conversation(page, name: str) -> None:  # noqa: ANN001
    page.locator("#conversations button", has_text=name).first.click()
    page.wait_for_function("(n) => document.getElementById('conversation-title').textContent.includes(n)", arg=name)


def type_command(page, text: str, expect: str) -> None:  # noqa: ANN001
    quiet(page)
    box = page.get_by_label("Command or message")
    box.fill(text)
    box.press("Enter")  # the keyboard sends it
    expect_announced(page, expect, text)


def expect_announced(page, expect: str, what: str) -> None:  # noqa: ANN001
    """Wait for the status line to say `expect`; on a timeout, say what it said instead."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function("(t) => document.getElementById('announce').textContent.includes(t)", arg=expect)
    except PlaywrightTimeout:
        said = page.evaluate("() => document.getElementById('announce').textContent")
        raise AssertionError(f"{what!r}: expected {expect!r}, the page said {said!r}") from None


def click_card_button(page, title: str, expect: str) -> None:  # noqa: ANN001
    quiet(page)
    page.locator(".card button", has_text=re.compile(f"^{re.escape(title)}$")).last.click()
    expect_announced(page, expect, title)


def test_a_case_from_new_to_approved_in_the_browser_and_the_board_follows(browser, served):
    require_browser()
    OUT.mkdir(parents=True, exist_ok=True)
    page, errors = _page(browser, served)
    page.goto(f"{served.url}/?as=bu_officer")
    assert page.get_by_text("Sandbox — fictional data only").is_visible()
    page.wait_for_function("() => document.getElementById('conversation-title').textContent.includes('Bot')")

    # The Business Unit opens the case from its private conversation; the channel appears by itself.
    type_command(page, 'new pseudonym="Child V" aware=2026-12-18 sin=2026-12-22', "Opened rr-2026-001 / Child V")
    page.locator("#conversations button", has_text="#rr-2026-001").wait_for()
    open_conversation(page, "#rr-2026-001")
    page.locator("#pinned .card").wait_for()
    type_command(page, "triage notifiable", "Done.")
    type_command(page, "request police", "Done.")

    # The police's agency lead answers the request card in their own conversation with the bot.
    act_as(page, "lead_police")
    open_conversation(page, "Bot")
    page.locator("li[data-card='agency_request'] .card").wait_for()
    click_card_button(page, "Nil return (no involvement)", "nil return")

    # Back to the Business Unit to take the case to the executive leads.
    act_as(page, "bu_officer")
    open_conversation(page, "#rr-2026-001")
    type_command(page, "pack", "Done.")
    type_command(page, "meeting rrm 2026-12-22", "Done.")

    # An SPRG member gives a view through the vote card's form (the renderer's inputs reach the core).
    act_as(page, "sprg_chair")
    open_conversation(page, "#rr-2026-001")
    type_command(page, 'vote no-lcspr reason="learning is already known"', "Your view is recorded")
    act_as(page, "sprg_health")
    open_conversation(page, "#rr-2026-001")
    vote = page.locator("li[data-card='vote'] .card").last
    vote.get_by_role("button", name="Give or change your view").click()
    vote.get_by_label("LCSPR: a local review is needed").check()
    vote.get_by_label("Your reason (no names or identifying details)").fill("multi-agency learning on information sharing")
    quiet(page)
    vote.get_by_role("button", name="Record my view").click()
    expect_announced(page, "Your view is recorded: lcspr", "Record my view")
    page.locator("li[data-card='vote'] .card", has_text="Jordan Mock").last.wait_for()

    act_as(page, "bu_officer")
    open_conversation(page, "#rr-2026-001")
    type_command(page, 'recommend lcspr reason="multi-agency learning"', "Done.")
    type_command(page, "report", "Done.")

    # The board, open in another tab, follows without a reload.
    board, board_errors = _page(browser, served)
    board.goto(f"{served.url}/board")
    article = board.locator("article[data-case='rr-2026-001']")
    article.wait_for()
    assert "Awaiting executive approval" in article.inner_text()

    for who, partner in (("exec_council", "Local authority"), ("exec_icb", "ICB"), ("exec_police", "Police")):
        act_as(page, who)
        open_conversation(page, "Bot")
        page.locator("li[data-card='executive_approval'] .card button", has_text="Approve v1").last.wait_for()
        click_card_button(page, "Approve v1", f"Approved v1 for {partner}")

    board.wait_for_function("() => document.querySelector(\"article[data-case='rr-2026-001']\").textContent"
                            ".includes('Approved by all three partners')")
    assert board.locator("article[data-case='rr-2026-001'] svg.timeline").count() == 1
    assert board.locator("article[data-case='rr-2026-001'] svg rect.holiday").count() == 3  # 25, 28 Dec, 1 Jan
    assert board.locator("article[data-case='rr-2026-001'] g.decision_approve").count() == 3

    # Screenshots for people to look at.
    act_as(page, "bu_officer")
    open_conversation(page, "#rr-2026-001")
    page.wait_for_function("() => document.querySelector('#pinned').textContent.includes('Approved by all three partners')")
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(OUT / "sandbox.png"))
    page.screenshot(path=str(OUT / "sandbox-full.png"), full_page=True)
    board.screenshot(path=str(OUT / "board.png"), full_page=True)
    assert (OUT / "sandbox.png").stat().st_size > 10_000 and (OUT / "board.png").stat().st_size > 10_000
    assert not errors and not board_errors, errors + board_errors


def test_keyboard_labels_and_a_phone_sized_screen(browser, served):
    require_browser()
    OUT.mkdir(parents=True, exist_ok=True)
    page, errors = _page(browser, served, width=375, height=812)
    page.goto(f"{served.url}/?as=exec_icb")
    page.wait_for_function("() => document.getElementById('conversation-title').textContent.length > 1")
    # Every form control has a label, every button a name (the cards' own inputs included).
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                     && !e.getAttribute('aria-labelledby'))
        .map(e => e.outerHTML.slice(0, 120))""")
    assert unlabelled == []
    nameless = page.evaluate("""() => [...document.querySelectorAll('button, a')]
        .filter(e => !(e.innerText || e.getAttribute('aria-label') || e.title || '').trim())
        .map(e => e.outerHTML.slice(0, 120))""")
    assert nameless == []
    # Nothing is wider than the phone's screen except inside its own scrolling box.
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= 375
    # The keyboard alone reaches the picker, then moves to the command box.
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "acting-as"
    page.get_by_role("link", name="Skip to the command box").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Command or message").focus()
    page.keyboard.type("status rr-2026-001")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('announce').textContent.includes('rr-2026-001')")
    page.screenshot(path=str(OUT / "sandbox-375px.png"), full_page=True)
    board, board_errors = _page(browser, served, width=375, height=812)
    board.goto(f"{served.url}/board")
    board.locator("article.case").first.wait_for()
    assert board.evaluate("() => document.documentElement.scrollWidth") <= 375
    board.screenshot(path=str(OUT / "board-375px.png"), full_page=True)
    assert not errors and not board_errors, errors + board_errors
