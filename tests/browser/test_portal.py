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
from onceonly.portal.form_specs import BIRTH_FORM
from onceonly.portal.forms import to_values
from onceonly.receipts import verify_receipt
from onceonly.samples import birth_request_data, with_other_parent
from tests.integration.conftest import Stack

pytestmark = pytest.mark.integration
expect = pytest.importorskip("playwright.sync_api", reason="the playwright package").expect
STEP_URL = re.compile(r"/events/(?P<event>[a-z_]+-[0-9a-f]{32})(/steps/(?P<step>[a-z_]+))?")
BIRTH_STEPS = 5
SLOW = 90_000  # ms: agencies answer in seconds; a loaded CI machine gets room


def input_id(path: str) -> str:
    return "#f-" + path.replace(".", "-")


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


def birth_values(stack: Stack, *, other_parent: bool = False) -> dict[str, str]:
    data = birth_request_data(datetime.now(ZoneInfo(stack.settings.timezone)).date())
    return to_values(BIRTH_FORM, with_other_parent(data) if other_parent else data)


def fill(page: Any, values: dict[str, str]) -> None:
    for path, value in values.items():
        if path == "child.sex":
            page.check(f"{input_id(path)}-{value}")
        else:
            page.fill(input_id(path), value)


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


def start_birth(page: Any, stack: Stack, *, other_parent: bool = False) -> None:
    page.goto("/start/birth/details")
    fill(page, birth_values(stack, other_parent=other_parent))
    page.get_by_role("button", name="Continue to your choices").click()


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
    page.get_by_role("link", name="Enter your details").click()

    page.get_by_label("Your current address, from the national address register.").check()
    page.get_by_role("button", name="Look up and fill in").click()
    expect(page.get_by_text("Filled in from government records")).to_be_visible(timeout=SLOW)
    expect(page.locator(input_id("address.street"))).not_to_have_value("")
    values = {k: v for k, v in birth_values(stack).items() if not k.startswith("address.")}
    fill(page, {**values, "child.name.family_name": ""})
    page.get_by_role("button", name="Continue to your choices").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The baby: Family name")
    shot(page, screenshots, "04-details-with-an-error")
    summary.get_by_role("link").first.click()
    family_name = page.locator(input_id("child.name.family_name"))
    expect(family_name).to_be_focused()
    expect(family_name).to_have_attribute("aria-invalid", "true")
    family_name.fill("Ngāta-Synthetic")
    page.get_by_role("button", name="Continue to your choices").click()

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
    start_birth(page, stack)
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
    start_birth(parent, stack, other_parent=True)
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
    page.get_by_role("link", name="Enter your details").click()
    page.get_by_role("link", name="Fill in with a made-up example").click()
    expect(page.locator(input_id("deceased.name.given_names"))).to_have_value("Hōhepa, Te Rangi")
    expect(page.locator(input_id("notifier.relationship"))).to_have_value("child")
    expect(page.locator(input_id("deceased.kainga_ora_tenant"))).to_be_checked()
    shot(page, screenshots, "14-death-details")
    page.get_by_role("button", name="Continue to your choices").click()
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
    page.get_by_role("link", name="Enter your details").click()
    page.get_by_role("link", name="Fill in with a made-up example").click()
    expect(page.locator(input_id("child.name.family_name"))).to_have_value("Ngāta-Synthetic")
    page.get_by_role("button", name="Continue to your choices").click()
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
