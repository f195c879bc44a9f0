"""Every kind of page a citizen meets, in te reo Māori, at a phone's width and a desktop's:
the page says it is in Māori (`<html lang="mi">`), its frame is in Māori, axe-core finds no
violation and nothing is wider than the screen. Words not yet translated show in English,
never as a broken page."""

import re
from pathlib import Path
from typing import Any

from tests.browser.accessibility import WIDTHS, assert_page_is_accessible
from tests.integration.conftest import Stack

expect = __import__("playwright.sync_api", fromlist=["expect"]).expect
CONFIRMED = re.compile(r"/start/birth/confirmation/(?P<event>birth-[0-9a-f]{32})$")
CITIZEN = "reo-parent"


def pages_of(event_id: str) -> list[str]:
    """The portal's pages, before and after a birth is told."""
    return [
        "/",
        "/statistics",
        *(f"/start/{kind}" for kind in ("birth", "move", "death")),
        "/start/birth/records",
        "/start/birth/q/baby-name",
        "/start/move/q/your-name",
        f"/events/{event_id}",
        f"/events/{event_id}/next",
        f"/events/{event_id}/choices",
        f"/events/{event_id}/receipts",
        f"/events/{event_id}/disclosures",
        f"/events/{event_id}/invite",
        f"/events/{event_id}/change",
        f"/events/{event_id}/changes",
        f"/events/{event_id}/cancel",
        f"/start/birth/confirmation/{event_id}",
    ]


def test_the_pages_read_in_maori_and_pass_at_both_widths(
    browser: Any, stack: Stack, screenshots: Path
):
    context = browser.new_context(
        base_url=stack.api_url,
        timezone_id="Pacific/Auckland",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/signin")
    page.get_by_label("Citizen id").fill(CITIZEN)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/start/birth/example")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(CONFIRMED)
    match = CONFIRMED.search(page.url)
    assert match is not None
    page.get_by_role("link", name="Te reo Māori").click()
    expect(page.locator("html")).to_have_attribute("lang", "mi")
    event = match["event"]
    shown = {
        "/": "home",
        "/start/birth/q/baby-name": "question",
        f"/events/{event}": "progress",
        f"/events/{event}/next": "checkpoint",
    }
    visited = 0
    for path in pages_of(event):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert page.locator("html").get_attribute("lang") == "mi", path
        expect(page.get_by_role("button", name="Takiputa")).to_be_visible()
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            assert_page_is_accessible(page)
            visited += 1
            if path in shown:
                shot = screenshots / f"mi-{shown[path]}-{width}.png"
                page.screenshot(path=str(shot), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
    assert visited == 2 * len(pages_of(event))
    context.close()
