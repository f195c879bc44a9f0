"""The language switch: on every page, it shows the portal in te reo Māori from the page the
visitor was on, the browser's own preference chooses the first page's language, and the Māori
pages pass the same checks as the English ones."""

from typing import Any

from tests.browser.accessibility import WIDTHS, assert_page_is_accessible
from tests.integration.conftest import Stack

expect = __import__("playwright.sync_api", fromlist=["expect"]).expect


def context_for(browser: Any, stack: Stack, width: int, locale: str = "en-NZ") -> Any:
    return browser.new_context(
        base_url=stack.api_url, locale=locale, viewport={"width": width, "height": 900}
    )


def test_the_switch_keeps_the_page_and_the_choice(browser: Any, stack: Stack):
    for width in WIDTHS:
        context = context_for(browser, stack, width)
        page = context.new_page()
        page.goto("/signin?next=/")
        assert page.locator("html").get_attribute("lang") == "en"
        page.get_by_role("link", name="Te reo Māori").click()
        expect(page.locator("html")).to_have_attribute("lang", "mi")
        assert "/signin" in page.url
        expect(page.get_by_role("heading", level=1)).to_have_text("Takiuru")
        assert_page_is_accessible(page)
        page.get_by_label("Tohu kirirarau").fill(f"reo-{width}")
        page.get_by_role("button", name="Takiuru").click()
        expect(page.get_by_text(f"Kua takiuru koe hei reo-{width}")).to_be_visible()
        expect(page.get_by_role("button", name="Takiputa")).to_be_visible()
        assert_page_is_accessible(page)
        page.get_by_role("link", name="English").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        assert page.locator("html").get_attribute("lang") == "en"
        context.close()


def test_a_browser_asking_for_maori_gets_it_first(browser: Any, stack: Stack):
    context = context_for(browser, stack, 375, locale="mi-NZ")
    page = context.new_page()
    page.goto("/signin")
    assert page.locator("html").get_attribute("lang") == "mi"
    expect(page.get_by_role("link", name="English")).to_have_attribute("lang", "en")
    context.close()


def test_an_unknown_language_is_a_page_saying_so(browser: Any, stack: Stack):
    context = context_for(browser, stack, 375)
    page = context.new_page()
    response = page.goto("/language/xx?next=/")
    assert response is not None and response.status == 404
    expect(page.get_by_text("The portal is not written in that language.")).to_be_visible()
    context.close()
