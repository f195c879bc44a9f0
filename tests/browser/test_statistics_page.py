"""The open statistics page: anyone can read it without signing in, small counts show as
"Fewer than 6", a wrong choice of months is named, and it passes the accessibility checks at
both widths, in English and te reo Māori."""

from typing import Any

from tests.browser.accessibility import WIDTHS, assert_page_is_accessible
from tests.integration.conftest import Stack

expect = __import__("playwright.sync_api", fromlist=["expect"]).expect


def test_anyone_reads_the_figures_of_the_last_year(browser: Any, stack: Stack, screenshots):
    for width in WIDTHS:
        context = browser.new_context(
            base_url=stack.api_url, locale="en-NZ", viewport={"width": width, "height": 900}
        )
        page = context.new_page()
        page.goto("/")
        page.get_by_role("link", name="Statistics about this service").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "How many people use this service"
        )
        # A fresh stack has no event in any month that ended: every count is suppressed.
        assert page.locator("table.figures").count() == 12
        assert page.get_by_text("Fewer than 6").count() == 12 * 3 * 2
        assert page.get_by_text("Too few to say").count() == 12 * 3
        assert_page_is_accessible(page)
        page.screenshot(path=str(screenshots / f"statistics-{width}.png"), full_page=True)
        page.get_by_role("link", name="Te reo Māori").click()
        expect(page.locator("html")).to_have_attribute("lang", "mi")
        assert_page_is_accessible(page)
        context.close()


def test_months_the_wrong_way_round_are_named(browser: Any, stack: Stack):
    context = browser.new_context(base_url=stack.api_url, viewport={"width": 375, "height": 900})
    page = context.new_page()
    page.goto("/statistics")
    options = page.locator("#since option")
    newest, oldest = options.first.get_attribute("value"), options.last.get_attribute("value")
    page.locator("#since").select_option(newest)
    page.locator("#until").select_option(oldest)
    page.get_by_role("button", name="Show these months").click()
    expect(page.locator(".error-summary")).to_contain_text("To: must not be before since")
    assert page.locator("table.figures").count() == 0
    assert_page_is_accessible(page)
    context.close()
