"""The citizen portal in a real browser against the real stack: the whole birth journey, a
decline, a withdrawal, a second party, another citizen kept out, and the core journey with
JavaScript off. Each page visited is saved as a PNG (see conftest, ONCEONLY_SCREENSHOTS_DIR).
"""

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from onceonly.auth import mint_token
from onceonly.receipts import verify_receipt
from onceonly.samples import birth_request_data
from tests.integration.conftest import Stack

pytestmark = pytest.mark.integration
expect = pytest.importorskip("playwright.sync_api", reason="the playwright package").expect
STEP_URL = re.compile(r"/events/(?P<event>[a-z_]+-[0-9a-f]{32})(/steps/(?P<step>[a-z_]+))?")
BIRTH_STEPS = 5
SLOW = 90_000  # ms: agencies answer in seconds; a loaded CI machine gets room


def shot(page: Any, directory: Path, name: str) -> None:
    page.screenshot(path=str(directory / f"{name}.png"), full_page=True)


def new_page(browser: Any, stack: Stack, *, javascript: bool = True) -> Any:
    context = browser.new_context(
        base_url=stack.api_url,
        locale="en-NZ",
        timezone_id="Pacific/Auckland",
        java_script_enabled=javascript,
        viewport={"width": 1100, "height": 900},
    )
    context.set_default_timeout(30_000)
    return context.new_page()


def sign_in(page: Any, citizen_id: str) -> None:
    if "/signin" not in page.url:
        page.goto("/signin")
    page.get_by_label("Citizen id").fill(citizen_id)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {citizen_id}")).to_be_visible()


def answer_checkpoints(page: Any, directory: Path | None = None, **instead: str) -> str:
    """Answer every checkpoint the portal leads to (the first answer offered, or `instead`);
    the event's id once it lands on the progress page."""
    for number in range(1, 20):
        page.wait_for_url(STEP_URL)
        match = STEP_URL.search(page.url)
        assert match is not None
        if match["step"] is None:
            return match["event"]
        decision = page.locator("button[name=decision]")
        expect(decision.first).to_be_visible(timeout=SLOW)  # once the preview is ready
        if directory is not None and number <= 2:
            shot(page, directory, f"05-checkpoint-{number}-{match['step']}")
        wanted = instead.get(match["step"])
        button = page.locator(f"button[value={wanted}]") if wanted else decision.first
        before = page.url
        button.click()
        page.wait_for_url(lambda url, before=before: url != before)
    raise AssertionError("more checkpoints than any birth has")


def start_birth(page: Any, *, other_parent: bool = False) -> None:
    """A birth from the made-up example through "check your answers" (naming the other
    parent through its Change link), sent, and on to its checkpoints."""
    page.goto("/start/birth/example")
    if other_parent:
        page.get_by_role("link", name="Change Naming the other parent").click()
        page.get_by_label("Yes", exact=True).check()
        page.get_by_role("button", name="Continue").click()
        page.fill("#f-other_parent-name-given_names", "Tama, Rawiri")
        page.fill("#f-other_parent-name-family_name", "Synthetic")
        page.get_by_role("button", name="Continue").click()
        for part, value in (("day", "2"), ("month", "8"), ("year", "1992")):
            page.fill(f"#f-other_parent-date_of_birth-{part}", value)
        page.get_by_role("button", name="Continue").click()
    send_to_checkpoints(page)


def send_to_checkpoints(page: Any) -> None:
    page.get_by_role("button", name="Send").click()
    page.get_by_role("link", name="Continue to your choices").click()


def test_the_whole_birth_journey(browser: Any, stack: Stack, screenshots: Path):
    page = new_page(browser, stack)
    page.goto("/")
    page.keyboard.press("Tab")  # the first stop of the keyboard is the skip link, shown on focus
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(skip).not_to_be_in_viewport()
    shot(page, screenshots, "01-home-signed-out")
    page.get_by_role("link", name="Sign in").first.click()
    shot(page, screenshots, "02-sign-in")
    sign_in(page, "browser-parent")
    page.get_by_role("link", name="Having a baby").click()
    expect(page.get_by_role("heading", name="What you will be asked, and why")).to_be_visible()
    expect(
        page.get_by_text("Births, Deaths, Marriages, and Relationships Registration Act 2021, s 11")
    ).to_be_visible()
    shot(page, screenshots, "03-what-will-be-asked")
    page.get_by_role("link", name="Fill in with a made-up example").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    send_to_checkpoints(page)

    event_id = answer_checkpoints(page, screenshots)
    expect(page.locator("tr[data-state=completed]")).to_have_count(BIRTH_STEPS, timeout=SLOW)
    expect(page.locator("p.status")).to_have_text("Status: Done")
    for reference in page.locator("tr[data-state] td:nth-child(3)").all_text_contents():
        assert reference.strip() not in ("", "\N{EN DASH}")
    shot(page, screenshots, "06-progress-completed")

    page.get_by_role("link", name="Consent receipts").click()
    expect(page.locator(".receipt")).to_have_count(BIRTH_STEPS)
    expect(page.locator(".receipt .valid")).to_have_count(BIRTH_STEPS)
    shot(page, screenshots, "07-receipts")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download receipt (register_birth)").click()
    jws = Path(download.value.path()).read_text()
    claims = verify_receipt(jws, httpx.get(f"{stack.api_url}/.well-known/jwks.json").json())
    assert claims["onceonly"]["event_id"] == event_id

    page.get_by_role("link", name="Back to the life event").click()
    page.get_by_role("link", name="Who received what").click()
    expect(page.locator(".disclosure")).to_have_count(BIRTH_STEPS)
    expect(page.locator(".disclosure[data-step=register_birth]")).to_contain_text(
        "Births, Deaths and Marriages"
    )
    shot(page, screenshots, "08-disclosure-log")
    page.goto("/")
    expect(page.get_by_role("link", name="Having a baby").first).to_be_visible()
    shot(page, screenshots, "09-home-signed-in")


def test_a_decline_and_a_withdrawal(browser: Any, stack: Stack, screenshots: Path):
    page = new_page(browser, stack)
    page.goto("/signin")
    sign_in(page, "browser-decliner")
    start_birth(page)
    answer_checkpoints(page, immunisation_register="decline")
    declined = page.locator("#step-immunisation_register")
    expect(declined).to_have_attribute("data-state", "declined", timeout=SLOW)
    expect(page.locator("#step-best_start")).to_have_attribute(
        "data-state", "completed", timeout=SLOW
    )

    page.locator("#step-best_start").get_by_role("link", name="Withdraw consent").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Withdraw your consent")
    shot(page, screenshots, "10-withdraw-confirm")
    page.get_by_role("button", name="Yes, withdraw my consent").click()
    expect(page.get_by_text("Your consent was withdrawn.")).to_be_visible()
    expect(page.locator("#step-best_start")).to_have_attribute("data-state", "withdrawn")
    expect(page.locator("#step-best_start")).to_contain_text("Withdrawn")
    assert page.locator("#step-immunisation_register").get_attribute("data-state") == "declined"


def test_the_other_parent_joins_and_answers_for_themselves(
    browser: Any, stack: Stack, screenshots: Path
):
    parent = new_page(browser, stack)
    parent.goto("/signin")
    sign_in(parent, "browser-birth-parent")
    start_birth(parent, other_parent=True)
    event_id = answer_checkpoints(parent)
    expect(parent.locator("#step-register_birth")).to_have_attribute(
        "data-state", "awaiting_consent"
    )
    parent.get_by_role("link", name="Invite the other parent").first.click()
    parent.get_by_label("I will pass on a code myself").check()
    parent.get_by_role("button", name="Send the invitation").click()
    link = parent.locator("#invitation-link").get_attribute("href")
    shot(parent, screenshots, "11-invitation")

    other = new_page(browser, stack)
    other.goto(link)
    sign_in(other, "browser-other-parent")  # the sign-in page leads back to the invitation
    shot(other, screenshots, "12-accept-invitation")
    other.get_by_role("button", name="Accept and join").click()
    other.wait_for_url(re.compile(rf"/events/{event_id}/steps/register_birth"))
    other.get_by_role("button", name="I understand, send it").click()
    expect(other.locator("#step-register_birth")).to_have_attribute(
        "data-state", "completed", timeout=SLOW
    )


def test_a_death_told_once_from_the_form(browser: Any, stack: Stack, screenshots: Path):
    page = new_page(browser, stack)
    page.goto("/signin")
    sign_in(page, "browser-next-of-kin")
    page.get_by_role("link", name="When someone dies").click()
    expect(page.get_by_text("Kāinga Ora \N{EN DASH} Homes and Communities").first).to_be_visible()
    page.get_by_role("link", name="Fill in with a made-up example").click()
    expect(page.get_by_text("Hōhepa, Te Rangi")).to_be_visible()
    expect(page.get_by_text("I am the executor of their will")).to_be_visible()
    shot(page, screenshots, "14-death-check-your-answers")
    send_to_checkpoints(page)
    answer_checkpoints(page)
    expect(page.locator("p.status")).to_have_text("Status: Done", timeout=SLOW)
    expect(page.locator("#step-register_death")).to_have_attribute("data-state", "completed")


def test_another_citizen_cannot_open_the_event(browser: Any, stack: Stack, screenshots: Path):
    owner = mint_token(stack.settings, "browser-owner")
    data = birth_request_data(datetime.now(ZoneInfo(stack.settings.timezone)).date())
    started = httpx.post(
        f"{stack.api_url}/v1/life-events",
        json={"event_type": "birth", "data": data},
        headers={"Authorization": f"Bearer {owner}"},
        timeout=30,
    )
    assert started.status_code == 201, started.text
    event_id = started.json()["id"]

    page = new_page(browser, stack)
    page.goto("/signin")
    sign_in(page, "browser-stranger")
    for path in ("", "/steps/register_birth", "/receipts", "/disclosures", "/invite"):
        response = page.goto(f"/events/{event_id}{path}")
        assert response is not None and response.status == 404, path
        expect(
            page.get_by_text("There is no such life event, or it is not yours to see.")
        ).to_be_visible()
    shot(page, screenshots, "13-not-found")


def test_the_core_journey_works_without_javascript(browser: Any, stack: Stack, screenshots: Path):
    page = new_page(browser, stack, javascript=False)
    page.goto("/signin")
    sign_in(page, "browser-no-script")
    page.get_by_role("link", name="Having a baby").click()
    page.get_by_role("link", name="Fill in with a made-up example").click()
    expect(page.get_by_text("Ngāta-Synthetic").first).to_be_visible()
    send_to_checkpoints(page)
    page.wait_for_url(re.compile(r"/steps/register_birth"))
    acknowledge = page.get_by_role("button", name="I understand, send it")
    for _ in range(60):  # no script refreshes the page: the citizen follows the refresh link
        if acknowledge.count():
            break
        page.get_by_role("link", name="Refresh this page").click()
        page.wait_for_timeout(500)
    acknowledge.click()
    page.wait_for_url(re.compile(r"/steps/child_ird_number"))
    expect(page.get_by_text("Your answer was recorded.")).to_be_visible()
    page.get_by_role("link", name="Back to the life event").click()
    expect(page.locator("#step-register_birth")).not_to_have_attribute(
        "data-state", "awaiting_consent"
    )
    expect(page.get_by_role("link", name="Refresh this page")).to_be_visible()
