"""Consent in plain words, in a real browser against the real stack: a death answered on one
page (and one answer refused there while the others stand), a birth answered one question at
a time with a decline whose dependant says why it was skipped, a step that does not apply
saying why, a withdrawal, the statutory step offered no withdrawal, and the progress page
updating a cell while focus and scroll stay put. Every page is checked at 375 px and 1280 px:
no horizontal overflow, axe-core 0 violations. Events start through the API (the forms have
tests of their own); everything after is the portal.
"""

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from onceonly.auth import mint_token
from onceonly.samples import birth_request_data, death_request_data
from tests.browser.accessibility import axe_violations, overflow
from tests.integration.conftest import Stack

pytestmark = pytest.mark.integration
expect = pytest.importorskip("playwright.sync_api", reason="the playwright package").expect
SLOW = 90_000  # ms: agencies answer in seconds; a loaded machine gets room
WIDTHS = (375, 1280)


def api(stack: Stack, citizen_id: str) -> httpx.Client:
    token = mint_token(stack.settings, citizen_id)
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.Client(base_url=stack.api_url, headers=headers, timeout=30)


def start(stack: Stack, citizen_id: str, event_type: str, data: dict[str, Any]) -> str:
    with api(stack, citizen_id) as client:
        started = client.post("/v1/life-events", json={"event_type": event_type, "data": data})
    assert started.status_code == 201, started.text
    return str(started.json()["id"])


def today(stack: Stack) -> Any:
    return datetime.now(ZoneInfo(stack.settings.timezone)).date()


def signed_in(browser: Any, stack: Stack, citizen_id: str) -> Any:
    context = browser.new_context(
        base_url=stack.api_url,
        locale="en-NZ",
        timezone_id="Pacific/Auckland",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/signin")
    page.get_by_label("Citizen id").fill(citizen_id)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {citizen_id}")).to_be_visible()
    return page


def check(page: Any, screenshots: Path, name: str, *, full_page: bool = True) -> None:
    """The page as it is, at a phone's width and a desktop's: it fits, axe finds nothing."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert overflow(page) == 0, f"{name} at {width} px is wider than the screen"
        assert axe_violations(page) == [], f"{name} at {width} px"
        shot = screenshots / f"consent-{name}-{width}.png"
        page.screenshot(path=str(shot), full_page=full_page)
    page.set_viewport_size({"width": 1280, "height": 900})


def row(page: Any, step_id: str) -> Any:
    return page.locator(f"#step-{step_id}")


def test_a_death_answered_on_one_page(browser: Any, stack: Stack, screenshots: Path):
    data = death_request_data(today(stack))
    del data["deceased"]["msd_client_number"]  # so pensions are for the citizen to stop
    event_id = start(stack, "browser-one-page", "death", data)
    page = signed_in(browser, stack, "browser-one-page")
    page.goto(f"/events/{event_id}/choices")
    expect(page.get_by_role("button", name="Send my answers")).to_be_visible(timeout=SLOW)
    cards = page.locator(".choice-card")
    expect(cards).to_have_count(10)  # 11 steps, one of which does not apply
    council = page.locator("#choice-notify_council")
    council.get_by_text("What Your local council will receive").click()
    expect(council.locator(".summary")).to_contain_text("Hōhepa Te Rangi Synthetic (known as Joe)")
    expect(council.locator(".summary")).to_contain_text("1280 State Highway 1, Kaiwaka, RD 2")
    expect(council).to_contain_text("No other step depends on it.")
    registration = page.locator("#choice-register_death")
    expect(registration.get_by_role("heading", level=2)).to_contain_text("Death registration")
    expect(registration).to_contain_text("The law requires this step, so it is not a choice.")
    expect(registration).to_contain_text("These steps need it first: Inland Revenue, Funeral grant")
    expect(page.locator(".unasked")).to_contain_text(
        "Stopping benefit or pension payments (Ministry of Social Development (Te Manatū "
        "Whakahiato Ora)): Does not apply: no Work and Income client number was given."
    )
    expect(registration.get_by_role("checkbox")).to_have_accessible_name(
        "I understand that the law requires this"
    )
    check(page, screenshots, "01-death-one-page")

    page.get_by_role("button", name="Send my answers").click()  # nothing chosen yet
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Death registration: tick to acknowledge this step")
    expect(summary).to_contain_text("Passport cancellation: choose yes or no")
    check(page, screenshots, "02-death-one-page-errors", full_page=False)

    for card in cards.all():
        answer = card.get_by_role("radio", name="Yes, share").or_(card.get_by_role("checkbox"))
        answer.check()
    page.locator("#choice-cancel_passport").get_by_role("radio", name="No").check()
    with api(stack, "browser-one-page") as client:  # answered elsewhere meanwhile
        answered = client.post(
            f"/v1/life-events/{event_id}/consents",
            json={"decisions": [{"step_id": "notify_council", "decision": "grant"}]},
        )
        assert answered.status_code == 200, answered.text
    page.get_by_role("button", name="Send my answers").click()
    expect(summary).to_contain_text(
        "Council rates: your answer was not recorded, because this was answered already"
    )
    expect(page.get_by_role("status")).to_contain_text("Your answers were recorded for:")
    expect(page.get_by_role("status")).to_contain_text("Passport cancellation")
    check(page, screenshots, "03-death-one-page-one-refused", full_page=False)

    page.goto(f"/events/{event_id}")
    # Every step ends (one declined, one does not apply): the event is done but for those.
    expect(page.locator("p.status")).to_have_text("Status: Partly done", timeout=SLOW)
    msd = row(page, "stop_msd_payments")
    expect(msd).to_contain_text("Does not apply: no Work and Income client number was given.")
    expect(msd).to_contain_text("tell Work and Income on 0800 559 009")
    expect(row(page, "cancel_passport")).to_have_attribute("data-state", "declined")
    registered = row(page, "register_death")
    expect(registered.get_by_role("link", name="Withdraw consent")).to_have_count(0)
    expect(row(page, "notify_council").get_by_role("link", name="Withdraw consent")).to_be_visible()
    check(page, screenshots, "04-death-progress")
    registered.get_by_role("link", name="Kept by law: what you can do").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Births, Deaths and Marriages (Te Tari Taiwhenua DIA): kept by law"
    )
    expect(page.get_by_text("apply to Births, Deaths and Marriages to correct")).to_be_visible()
    expect(page.get_by_role("button")).to_have_count(1)  # signing out: nothing to withdraw
    check(page, screenshots, "05-death-kept-by-law")
    for path, name in (("receipts", "06-death-receipts"), ("disclosures", "07-death-disclosures")):
        page.goto(f"/events/{event_id}/{path}")
        check(page, screenshots, name)


def test_a_birth_one_question_at_a_time_with_a_decline_and_a_withdrawal(
    browser: Any, stack: Stack, screenshots: Path
):
    event_id = start(stack, "browser-one-by-one", "birth", birth_request_data(today(stack)))
    page = signed_in(browser, stack, "browser-one-by-one")
    page.goto(f"/events/{event_id}/next")
    page.wait_for_url(re.compile(r"/steps/register_birth"))
    expect(page.get_by_text("Question 1 of 5")).to_be_visible()
    acknowledge = page.get_by_role("button", name="I understand, send it")
    expect(acknowledge).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("heading", level=1)).to_contain_text("required by law")
    expect(page.locator(".summary")).to_contain_text("Your baby's name")
    check(page, screenshots, "11-birth-statutory-checkpoint")
    acknowledge.click()

    page.wait_for_url(re.compile(r"/steps/child_ird_number"))
    expect(page.get_by_text("Question 2 of 5")).to_be_visible()
    expect(
        page.get_by_text("these steps cannot happen either, because they need it: Best Start")
    ).to_be_visible()
    page.get_by_text("Show it exactly as").click()
    check(page, screenshots, "12-birth-consent-checkpoint")
    page.get_by_role("button", name="No, do not share").click()

    page.wait_for_url(re.compile(r"/steps/health_enrolment"))
    expect(page.get_by_text("Question 3 of 4")).to_be_visible()  # Best Start is not asked
    page.get_by_role("button", name=re.compile("^Yes, share with")).click()
    page.wait_for_url(re.compile(r"/steps/immunisation_register"))
    expect(page.get_by_text("Question 4 of 4")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Yes, share with")).click()

    page.wait_for_url(re.compile(rf"/events/{event_id}(\?.*)?$"))
    best_start = row(page, "best_start")
    expect(best_start).to_have_attribute("data-state", "skipped")
    expect(best_start).to_contain_text(
        "You declined “Your baby's IRD number”, so this step could not run."
    )
    expect(best_start).to_contain_text("To do this now, contact Ministry of Social Development")
    expect(row(page, "health_enrolment")).to_have_attribute("data-state", "completed", timeout=SLOW)
    expect(row(page, "register_birth").get_by_role("link", name="Withdraw consent")).to_have_count(
        0
    )
    check(page, screenshots, "13-birth-progress-with-a-decline")

    row(page, "health_enrolment").get_by_role("link", name="Withdraw consent").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Withdraw your consent")
    check(page, screenshots, "14-birth-withdraw")
    page.get_by_role("button", name="Yes, withdraw my consent").click()
    expect(page.get_by_text("Your consent was withdrawn.")).to_be_visible()
    expect(row(page, "health_enrolment")).to_have_attribute("data-state", "withdrawn")

    row(page, "register_birth").get_by_role("link", name="Kept by law").click()
    expect(page.get_by_text("The birth register is permanent")).to_be_visible()
    expect(page.get_by_role("button", name="Yes, withdraw my consent")).to_have_count(0)


def test_progress_updates_a_cell_while_focus_and_scroll_stay(
    browser: Any, stack: Stack, screenshots: Path
):
    event_id = start(stack, "browser-live", "birth", birth_request_data(today(stack)))
    page = signed_in(browser, stack, "browser-live")
    page.set_viewport_size({"width": 375, "height": 600})
    page.goto(f"/events/{event_id}")
    state = row(page, "register_birth").locator("[data-cell=state]")
    expect(state).to_contain_text("Waiting for an answer")
    # The row's element is marked: a rebuilt table would lose the mark.
    page.evaluate("document.getElementById('step-register_birth').kept = true")
    link = page.get_by_role("link", name="Who received what")
    link.focus()
    assert page.evaluate("window.scrollY") > 0  # below the fold at 375 px: scrolled to it
    # What the reader sees stays put: a cell above that grows is offset by the browser's
    # scroll anchoring, so the focused link keeps its place on the screen.
    where = "document.activeElement.getBoundingClientRect().top"
    seen_at = page.evaluate(where)
    with api(stack, "browser-live") as client:
        answered = client.post(
            f"/v1/life-events/{event_id}/consents",
            json={"decisions": [{"step_id": "register_birth", "decision": "acknowledge"}]},
        )
        assert answered.status_code == 200, answered.text
    expect(state).not_to_contain_text("Waiting for an answer", timeout=SLOW)
    expect(page.locator("#announce")).to_contain_text("Birth registration:")
    assert page.evaluate("document.activeElement.textContent") == "Who received what"
    expect(link).to_be_focused()
    assert abs(page.evaluate(where) - seen_at) < 1
    assert page.evaluate("document.getElementById('step-register_birth').kept") is True
    check(page, screenshots, "21-progress-live")

    with api(stack, "browser-live") as client:  # the rest declined: the event finishes
        client.post(
            f"/v1/life-events/{event_id}/consents",
            json={"decisions": [
                {"step_id": s, "decision": "decline"}
                for s in ("child_ird_number", "health_enrolment")
            ]},
        )  # fmt: skip
    expect(page.locator("p.status")).to_contain_text("Partly done", timeout=SLOW)
    expect(page.locator("#progress")).not_to_have_attribute("data-progress", re.compile(".*"))
    expect(link).to_be_focused()


def test_a_no_on_one_page_stops_the_yes_to_what_needs_it_without_an_error(
    browser: Any, stack: Stack, screenshots: Path
):
    event_id = start(stack, "browser-one-page-no", "birth", birth_request_data(today(stack)))
    page = signed_in(browser, stack, "browser-one-page-no")
    page.goto(f"/events/{event_id}/choices")
    send = page.get_by_role("button", name="Send my answers")
    expect(send).to_be_visible(timeout=SLOW)
    page.locator("#choice-register_birth").get_by_role("checkbox").check()
    for step_id in ("best_start", "health_enrolment", "immunisation_register"):
        page.locator(f"#choice-{step_id}").get_by_role("radio", name="Yes, share").check()
    page.locator("#choice-child_ird_number").get_by_role("radio", name="No").check()
    send.click()
    page.wait_for_url(re.compile(rf"/events/{event_id}\?done=choices"))
    expect(page.get_by_text("Your answers were recorded.")).to_be_visible()
    best_start = row(page, "best_start")
    expect(best_start).to_have_attribute("data-state", "skipped")
    expect(best_start).to_contain_text("You declined “Your baby's IRD number”")

    stranger = signed_in(browser, stack, "browser-one-page-stranger")
    for path in ("/choices", "/progress", "/steps/best_start/withdraw"):
        response = stranger.goto(f"/events/{event_id}{path}")
        assert response is not None and response.status == 404, path
