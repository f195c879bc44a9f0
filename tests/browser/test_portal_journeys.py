"""A birth, a move and a death told through the portal's question pages in a real browser
against the real stack, each to its confirmation, and the event checked through the API.

Every page visited is audited at 375 px and 1280 px wide with the accessibility kit
(tests/browser/accessibility.py): no horizontal overflow, and axe-core finds no violation.
A blank submit on each page names exactly the inputs it must; a prefilled rural address said
to be wrong is replaced whole (no RD, suburb or street of it is sent). Screenshots go to
ONCEONLY_SCREENSHOTS_DIR.
"""

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from mocks.agencies.addresses import synthetic_residence
from tests.browser.accessibility import WIDTHS, assert_page_is_accessible
from tests.integration.conftest import Stack, citizen, today, wait_for

pytestmark = pytest.mark.integration
expect = pytest.importorskip("playwright.sync_api", reason="the playwright package").expect
SLOW = 90_000  # ms: registers and agencies answer in seconds; a loaded machine gets room
CONFIRMED = re.compile(r"/start/[a-z]+/confirmation/(?P<event>[a-z_]+-[0-9a-f]{32})$")
WELLINGTON = {"number": "45", "street": "Cuba Street", "suburb": "Te Aro", "city": "Wellington",
              "postcode": "6011"}  # fmt: skip


def rural_citizen(prefix: str) -> tuple[str, dict[str, Any]]:
    """A citizen id the address register answers with a rural address (an RD) for, and that
    address: computed from the register's own rule, not written down here."""
    for number in range(200):
        found = synthetic_residence(f"{prefix}{number}")
        if found["address"]["ruralDelivery"] and len(found["household"]) >= 2:
            return f"{prefix}{number}", found
    raise AssertionError("no rural residence drawn")


class Visit:
    """A browser page whose every state is audited at both widths, and counted."""

    def __init__(self, browser: Any, stack: Stack, screenshots: Path) -> None:
        context = browser.new_context(
            base_url=stack.api_url, locale="en-NZ", timezone_id="Pacific/Auckland"
        )
        context.set_default_timeout(30_000)
        self.page = context.new_page()
        self.screenshots = screenshots
        self.scans = 0
        self.audited = ""

    def audit(self, name: str | None = None) -> None:
        page = self.page
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            assert_page_is_accessible(page)
            if name:
                path = self.screenshots / f"{name}-{width}.png"
                page.screenshot(path=str(path), full_page=True)
        self.scans += 1
        self.audited = page.url

    def sign_in(self, citizen_id: str) -> None:
        self.page.goto("/signin")
        self.page.get_by_label("Citizen id").fill(citizen_id)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_text(f"Signed in as {citizen_id}")).to_be_visible()

    def blank(self, *labels: str, name: str | None = None) -> None:
        """Continue with nothing entered: the summary names exactly `labels`, in order."""
        self.page.get_by_role("button", name="Continue").click()
        summary = self.page.locator(".error-summary")
        expect(summary).to_be_focused()
        named = [text.split(":")[0] for text in summary.locator("a").all_text_contents()]
        assert named == list(labels), self.page.url
        self.audit(name)

    def answer(self, answers: dict[str, Any], name: str | None = None) -> None:
        """Fill in the page (a date as "d m yyyy", a radio as "=value", a box as True) and
        continue."""
        page = self.page
        if name or page.url != self.audited:
            self.audit(name)
        for path, value in answers.items():
            field = "#f-" + path.replace(".", "-")
            if value is True:
                page.check(field)
            elif isinstance(value, str) and value.startswith("="):
                page.check(f"input[name='{path}'][value='{value[1:]}']")
            elif page.locator(f"{field}-day").count():
                for part, typed in zip(("day", "month", "year"), value.split(), strict=True):
                    page.fill(f"{field}-{part}", typed)
            elif page.locator(f"select{field}").count():
                page.select_option(field, value)
            else:
                page.fill(field, value)
        page.get_by_role("button", name="Continue").click()

    def choose(self, words: str, name: str | None = None) -> None:
        if name or self.page.url != self.audited:
            self.audit(name)
        self.page.get_by_label(words, exact=True).check()
        self.page.get_by_role("button", name="Continue").click()


def date_words(days_ago: int, stack: Stack) -> str:
    day = today(stack) - timedelta(days=days_ago)
    return f"{day.day} {day.month} {day.year}"


def send(visit: Visit, name: str | None = None) -> str:
    """Send from "check your answers"; the event's id from the confirmation page."""
    page = visit.page
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(CONFIRMED)
    expect(page.get_by_role("heading", name="Your details have been received")).to_be_visible()
    match = CONFIRMED.search(page.url)
    assert match is not None
    expect(page.locator(".reference")).to_have_text(match["event"])
    visit.audit(name)
    return match["event"]


def previews(api: Any, event_id: str, step_id: str) -> str:
    """The step's preview (what its agency will receive), as text, once it is ready."""

    def ready(event: dict[str, Any]) -> bool:
        step = next(s for s in event["steps"] if s["id"] == step_id)
        return bool(step["preview"] and step["preview"]["body"])

    event = wait_for(api, event_id, ready)
    step = next(s for s in event["steps"] if s["id"] == step_id)
    return json.dumps(step["preview"]["body"], ensure_ascii=False)


def test_a_birth_told_page_by_page_with_a_prefilled_address_replaced_whole(
    browser: Any, stack: Stack, screenshots: Path
):
    citizen_id, residence = rural_citizen("forms-birth-")
    old = residence["address"]
    visit = Visit(browser, stack, screenshots)
    page = visit.page
    visit.sign_in(citizen_id)
    page.goto("/start/birth")
    expect(page.get_by_role("heading", name="What you will need")).to_be_visible()
    visit.audit("20-birth-start")
    page.get_by_role("link", name="Start now").first.click()

    page.get_by_label(re.compile("Your current address")).check()
    page.get_by_label(re.compile("Your IRD number")).check()
    visit.answer({}, "21-birth-records")
    expect(page.get_by_role("heading", name="Details we found")).to_be_visible(timeout=SLOW)
    expect(
        page.get_by_text("From National address register (Toitū Te Whenua LINZ)")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text(old["ruralDelivery"])
    visit.audit("22-birth-found")
    page.get_by_role("link", name="Continue").click()

    visit.blank("Given names", "Family name", name="23-birth-question-with-errors")
    visit.answer(
        {"child.name.given_names": "Aroha, Mere", "child.name.family_name": "Ngāta-Synthetic"}
    )
    visit.blank("Date of birth", "Place of birth")
    visit.answer({"child.date_of_birth": date_words(7, stack),
                  "child.place_of_birth": "Auckland City Hospital"})  # fmt: skip
    visit.blank("Sex")
    visit.answer({"child.sex": "=female"})
    visit.blank("Given names", "Family name")
    visit.answer(
        {"birth_parent.name.given_names": "Hēni", "birth_parent.name.family_name": "Ngāta"}
    )
    visit.blank("Date of birth")
    visit.answer({"birth_parent.date_of_birth": "14 3 1994"})
    expect(page.get_by_text("Filled in from Inland Revenue (Te Tari Taake)")).to_be_visible()
    visit.answer({"birth_parent.email": "heni@example.org", "birth_parent.phone": "021 555 0199"})
    visit.blank("Naming the other parent")
    visit.choose("No")
    expect(page.locator("main")).to_contain_text(old["ruralDelivery"])
    visit.blank("Whether this is the address")
    visit.choose("No: I will enter the address myself (every part of this one is cleared)",
                 "25-birth-address-found")  # fmt: skip
    page.wait_for_url(re.compile(r"/start/birth/q/address$"))
    boxes = page.locator("form input[name^='address.'], form select").all()
    assert len(boxes) == 12
    for box in boxes:
        assert box.input_value() == "", "a part of the old address was left behind"
    visit.blank("Street number", "Street name", "Town or city", "Postcode")
    visit.answer({f"address.{part}": value for part, value in WELLINGTON.items()})
    visit.blank("Doctor's practice (GP)", "Well Child Tamariki Ora provider")
    visit.answer({"health.gp_practice": "Te Aro Health Centre",
                  "health.well_child_provider": "Whānau Āwhina Plunket"})  # fmt: skip

    expect(
        page.get_by_role("heading", name="Check your answers before you send them")
    ).to_be_visible()
    visit.audit("27-birth-check")
    page.get_by_role("link", name="Change Place of birth").click()
    visit.answer({"child.place_of_birth": "Wellington Hospital"})
    page.wait_for_url(re.compile(r"/start/birth/check$"))
    expect(page.get_by_text("Wellington Hospital")).to_be_visible()
    expect(page.get_by_text("From Inland Revenue (Te Tari Taake)")).to_be_visible()
    event_id = send(visit, "28-birth-confirmation")

    api = citizen(stack, citizen_id)
    event = api.get(f"/v1/life-events/{event_id}").json()
    kept = {part["path"]: part["confirmed"] for part in event["prefilled"]}
    assert kept == {"address": False, "birth_parent.ird_number": True}
    sent = previews(api, event_id, "register_birth")
    assert "Cuba Street" in sent and "Wellington" in sent and "Ngāta-Synthetic" in sent
    for part in (old["street"], old["suburb"], old["ruralDelivery"], old["postcode"]):
        assert part not in sent, f"{part} of the old address was sent"
    page.get_by_role("link", name="Continue to your choices").click()
    page.wait_for_url(re.compile(rf"/events/{event_id}/steps/register_birth"))
    print(f"birth: {visit.scans} page states audited (each at both widths)")


def test_a_move_told_page_by_page_with_the_household_from_the_register(
    browser: Any, stack: Stack, screenshots: Path
):
    citizen_id, residence = rural_citizen("forms-move-")
    visit = Visit(browser, stack, screenshots)
    page = visit.page
    visit.sign_in(citizen_id)
    page.goto("/start/move")
    visit.audit()
    page.get_by_role("link", name="Start now").first.click()
    page.get_by_label(re.compile("The address you are moving from")).check()
    visit.answer({})
    expect(page.get_by_role("heading", name="Details we found")).to_be_visible(timeout=SLOW)
    household = [f"{' '.join(m['givenNames'])} {m['familyName']}" for m in residence["household"]]
    expect(page.get_by_text(household[0])).to_be_visible()
    visit.audit()
    page.get_by_role("link", name="Continue").click()

    visit.blank("Given names", "Family name")
    visit.answer({"mover.name.given_names": "Mere", "mover.name.family_name": "Tūhoe-Synthetic"})
    visit.blank("Date of birth")
    visit.answer({"mover.date_of_birth": "20 5 1988"})
    visit.answer({"mover.email": "mere@example.org"})
    visit.answer({"mover.ird_number": "049-091-850", "mover.driver_licence.number": "DL123456"})
    # A licence number without its version: the model's rule, said on the version's input.
    expect(page.locator(".error-summary")).to_contain_text("Driver licence version: is required")
    visit.audit()
    visit.answer({"mover.driver_licence.version": "101"})
    visit.blank("Whether this is the address")
    visit.choose("Yes, this is the address")
    visit.blank("Street number", "Street name", "Town or city", "Postcode")
    visit.answer({f"new_address.{part}": value for part, value in WELLINGTON.items()})
    visit.blank("Date of the move")
    visit.answer({"move_date": date_words(3, stack)})

    expect(page.get_by_role("heading", name="Added so far")).to_be_visible()
    for name in household:
        expect(page.locator(".summary dt", has_text=name).first).to_be_visible()
    visit.blank("Does anyone else move with you?", name="33-move-household")
    page.get_by_role("button", name=f"Remove {household[-1]}").click()
    expect(page.locator(".summary-row")).to_have_count(len(household) - 1)
    visit.choose("Yes")
    visit.blank("Given names", "Family name", "Date of birth", "How they are related to you")
    visit.answer({f"household.{len(household) - 1}.name.given_names": "Ānaru",
                  f"household.{len(household) - 1}.name.family_name": "Tūhoe-Synthetic",
                  f"household.{len(household) - 1}.date_of_birth": "30 10 2012",
                  f"household.{len(household) - 1}.relationship": "child"})  # fmt: skip
    expect(page.locator(".summary dt", has_text="Ānaru Tūhoe-Synthetic")).to_be_visible()
    visit.choose("No")
    visit.answer({})  # changing doctor is optional
    visit.blank("Do you have a dog that moves with you?")
    visit.choose("Yes")
    visit.blank("Dog's name", "Breed", "Microchip number")
    visit.answer({"dogs.0.name": "Pātiki", "dogs.0.breed": "Huntaway", "dogs.0.microchip": "123"})
    expect(page.locator(".error-summary")).to_contain_text("Microchip number")
    visit.audit()
    visit.answer({"dogs.0.microchip": "982000123456789"})
    visit.choose("No")

    expect(
        page.get_by_role("heading", name="Check your answers before you send them")
    ).to_be_visible()
    expect(
        page.get_by_text("From National address register (Toitū Te Whenua LINZ)")
    ).to_be_visible()
    visit.audit()
    event_id = send(visit)
    api = citizen(stack, citizen_id)
    event = api.get(f"/v1/life-events/{event_id}").json()
    assert {p["path"]: p["confirmed"] for p in event["prefilled"]}["previous_address"] is True
    sent = previews(api, event_id, "update_electoral_roll")
    assert "Cuba Street" in sent and "Tūhoe-Synthetic" in sent
    # And on to the end in the portal: every agency answered on one page, then done.
    page.goto(f"/events/{event_id}/choices")
    send_answers = page.get_by_role("button", name="Send my answers")
    for _ in range(60):  # the button shows once every preview is ready
        if send_answers.count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    for choice in page.locator("input[value=grant], input[value=acknowledge]").all():
        choice.check()
    visit.audit()
    send_answers.click()
    expect(page.locator("[data-cell=status]")).to_contain_text("Done", timeout=SLOW)
    states = {step["state"] for step in api.get(f"/v1/life-events/{event_id}").json()["steps"]}
    assert states <= {"completed", "not_applicable"}, states
    print(f"move: {visit.scans} page states audited (each at both widths)")


def test_a_death_told_page_by_page_with_a_po_box_and_a_funeral_grant(
    browser: Any, stack: Stack, screenshots: Path
):
    visit = Visit(browser, stack, screenshots)
    page = visit.page
    visit.sign_in("forms-kin")
    page.goto("/start/death")
    visit.audit()
    page.get_by_role("link", name="Start now").first.click()
    page.get_by_label(re.compile("The details of the death")).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".error-summary")).to_contain_text("Death registration number: is needed")
    visit.audit()
    page.get_by_label(re.compile("The details of the death")).uncheck()
    page.get_by_role("button", name="Continue").click()

    visit.blank("Given names", "Family name")
    visit.answer({"deceased.name.given_names": "Hōhepa, Te Rangi",
                  "deceased.name.family_name": "Synthetic"})  # fmt: skip
    visit.blank("Date of birth", "Date of death")
    visit.answer({"deceased.date_of_birth": "11 2 1941", "deceased.date_of_death": "10 2 1941"})
    expect(page.locator(".error-summary")).to_contain_text(
        "Date of death: must not be before the date of birth"
    )
    visit.audit("42-death-dates-error")
    visit.answer({"deceased.date_of_death": date_words(4, stack)})
    visit.blank("Sex", "Place of death")
    visit.answer({"deceased.sex": "=male", "deceased.place_of_death": "Whangārei Hospital"})
    visit.blank("Street number", "Street name", "Town or city", "Postcode")
    visit.answer({"deceased.last_address.number": "1280",
                  "deceased.last_address.street": "State Highway 1",
                  "deceased.last_address.rural_delivery": "2",
                  "deceased.last_address.city": "Kaiwaka",
                  "deceased.last_address.postcode": "0573"})  # fmt: skip
    visit.answer({"deceased.ird_number": "136-410-132", "deceased.nhi_number": "ZAC5361"})
    visit.answer({"deceased.kainga_ora_tenant": True}, name="43-death-licence-and-home")
    visit.blank("Given names", "Family name")
    visit.answer({"notifier.name.given_names": "Aroha", "notifier.name.family_name": "Synthetic"})
    visit.blank("Your relationship to them", "Why you may act for them")
    visit.answer({"notifier.relationship": "child", "notifier.authority": "=executor"})
    visit.blank("Phone number")
    visit.answer({"notifier.phone": "027 555 0100"})
    visit.blank("Where letters go")
    visit.choose("A PO Box")
    visit.blank("PO Box number", "Town or city", "Postcode", name="44-death-po-box")
    visit.answer({"notifier.postal_address.box_number": "1234",
                  "notifier.postal_address.city": "Whangārei",
                  "notifier.postal_address.postcode": "0140"})  # fmt: skip
    visit.blank("Applying for a funeral grant")
    visit.choose("Yes")
    visit.blank("Funeral director", "Cost of the funeral")
    visit.answer({"funeral_grant.funeral_director": "Northland Funeral Services",
                  "funeral_grant.funeral_cost": "8450.00"})  # fmt: skip

    expect(
        page.get_by_role("heading", name="Check your answers before you send them")
    ).to_be_visible()
    visit.audit("45-death-check")
    event_id = send(visit)
    api = citizen(stack, citizen_id="forms-kin")
    sent = previews(api, event_id, "register_death")
    assert "Hōhepa" in sent
    event = api.get(f"/v1/life-events/{event_id}").json()
    states = {step["id"]: step["state"] for step in event["steps"]}
    assert states["funeral_grant"] != "not_applicable"
    assert states["end_tenancy"] != "not_applicable"
    print(f"death: {visit.scans} page states audited (each at both widths)")
