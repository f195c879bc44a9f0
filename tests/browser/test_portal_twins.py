"""A birth told again in the portal while its event is open (Chromium, the real stack): the
citizen is asked whether it is another baby of the same birth or the same baby. Another baby
gets a page of its own details only (the rest shown as the first event has it) and an event
linked to the first; the same baby leads to the open event. Every page passes axe-core and
fits 375 px and 1280 px."""

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.accessibility import WIDTHS, assert_page_is_accessible
from tests.integration.conftest import Stack

pytestmark = pytest.mark.integration
expect = pytest.importorskip("playwright.sync_api", reason="the playwright package").expect
CONFIRMED = re.compile(r"/start/birth/confirmation/(?P<event>birth-[0-9a-f]{32})$")


def new_page(browser: Any, stack: Stack) -> Any:
    context = browser.new_context(
        base_url=stack.api_url,
        locale="en-NZ",
        timezone_id="Pacific/Auckland",
        viewport={"width": WIDTHS[-1], "height": 900},
    )
    context.set_default_timeout(30_000)
    return context.new_page()


def checked_at_each_width(page: Any, screenshots: Path, name: str) -> None:
    """axe-core finds nothing and nothing overflows, at a phone's width and a desktop's."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_page_is_accessible(page)
        page.screenshot(path=str(screenshots / f"twins-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS[-1], "height": 900})


def sign_in(page: Any, citizen_id: str) -> None:
    page.goto("/signin")
    page.get_by_label("Citizen id").fill(citizen_id)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {citizen_id}")).to_be_visible()


def tell_the_birth(page: Any) -> None:
    """The made-up birth through the birth journey's "check your answers", sent (the 409
    comes from whatever starts the event)."""
    page.goto("/start/birth/example")
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    page.get_by_role("button", name="Send").click()


def confirmed(page: Any) -> str:
    """The started event's id, from its confirmation page."""
    page.wait_for_url(CONFIRMED)
    match = CONFIRMED.search(page.url)
    assert match is not None
    return match["event"]


def test_a_birth_told_again_asks_which_baby_and_starts_a_linked_twin(
    browser: Any, stack: Stack, screenshots: Path
):
    page = new_page(browser, stack)
    sign_in(page, "browser-parent-of-twins")
    tell_the_birth(page)
    first = confirmed(page)

    tell_the_birth(page)
    question = page.get_by_role("heading", name="You have already told us about a birth")
    expect(question).to_be_visible()
    expect(page.get_by_role("link", name="See the life event you started")).to_have_attribute(
        "href", f"/events/{first}"
    )
    checked_at_each_width(page, screenshots, "question")

    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Select whether this is another baby")
    checked_at_each_width(page, screenshots, "question-unanswered")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Yes, another baby: twins, triplets or more")).to_be_focused()

    page.get_by_label("Yes, another baby: twins, triplets or more").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Tell us about your other baby")).to_be_visible()
    # What the first event holds is shown, not asked; this baby's details as entered are kept.
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Hēni Ngāta-Synthetic")
    expect(facts).to_contain_text("Ponsonby Family Doctors")
    expect(page.locator("#f-child-name-given_names")).to_have_value("Aroha, Mere")
    expect(page.locator("#f-child-name-family_name")).to_have_value("Ngāta-Synthetic")
    expect(page.get_by_label("Female")).to_be_checked()
    expect(page.locator("#f-birth_parent-name-family_name")).to_have_count(0)
    checked_at_each_width(page, screenshots, "another-baby")

    # Every error at once, each on its input and in the summary, naming the input and the rule.
    page.fill("#f-child-name-given_names", "Mere")
    page.fill("#f-child-name-family_name", "")
    page.fill("#f-multiple_birth-plurality", "2")
    page.fill("#f-multiple_birth-birth_order", "3")
    page.get_by_role("button", name="Send").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    order = page.locator("#f-multiple_birth-birth_order")
    expect(order).to_have_attribute("aria-invalid", "true")
    expect(summary).to_contain_text("Which of them is this baby: must be at most plurality")
    family = page.locator("#f-child-name-family_name")
    expect(family).to_have_attribute("aria-invalid", "true")
    expect(summary.get_by_role("link", name=re.compile("^Family name: "))).to_be_visible()
    expect(page.locator("#f-child-name-given_names")).to_have_value("Mere")
    checked_at_each_width(page, screenshots, "another-baby-with-an-error")
    summary.get_by_role("link", name=re.compile("^Family name: ")).click()
    expect(family).to_be_focused()

    family.fill("Ngāta-Synthetic")
    order.fill("2")
    page.get_by_role("button", name="Send").click()
    twin = confirmed(page)
    assert twin != first

    # Told once more, and this time it is the same baby: the open event, nothing started.
    tell_the_birth(page)
    page.get_by_label("No, it is the same baby").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(f"/events/{first}$"))
    page.goto("/")
    expect(page.locator("a[href^='/events/birth-']")).to_have_count(2)
