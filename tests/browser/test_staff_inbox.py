"""The agencies' staff inbox in a real browser against the real stack, its council a work-queue
agency: a citizen tells a move, its two council steps wait as tasks; a council staff member
signs in, lists them (no personal data), opens one (the citizen's disclosure log names them),
completes it with the council's reference after a refused empty one, and the other after a
refused empty rejection; the life event then completes, the citizen's progress page shows the
council's references, and staff of another agency cannot open the council's task. (A task
rejected with a reason: tests/integration/test_work_queue_on_the_real_stack.py.) Every inbox
page passes the accessibility checks at both widths, saved as inbox-*.png (see conftest,
ONCEONLY_SCREENSHOTS_DIR).
"""

from pathlib import Path
from typing import Any

import pytest

from onceonly.samples import move_request_data
from tests.browser.accessibility import WIDTHS, assert_page_is_accessible
from tests.integration.conftest import Stack, citizen, start_and_grant, step_of, today, wait_for

pytestmark = pytest.mark.integration
expect = pytest.importorskip("playwright.sync_api", reason="the playwright package").expect
SLOW = 90_000  # ms: the workflow wakes on the close at once; a loaded CI machine gets room
COUNCIL_STEPS = ("council_rates", "council_dog_registration")
STAFF = "jane.doe"
COUNCIL = "Your local council"
REFERENCE = "RATES-2026-0042"
DOG_REFERENCE = "DOG-2026-0117"
# The citizen's values: the list of tasks names none of them.
PERSONAL = ("Tūhoe-Synthetic", "Ānahera", "Cuba Street", "Pātiki", "mere@example.org")


def new_page(browser: Any, stack: Stack) -> Any:
    context = browser.new_context(
        base_url=stack.api_url,
        locale="en-NZ",
        timezone_id="Pacific/Auckland",
        viewport={"width": WIDTHS[-1], "height": 900},
    )
    context.set_default_timeout(30_000)
    return context.new_page()


def check(page: Any, directory: Path, name: str) -> None:
    """The page as it stands passes axe and fits at every width; a screenshot of each."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_page_is_accessible(page)
        page.screenshot(path=str(directory / f"inbox-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS[-1], "height": 900})


def staff_sign_in(page: Any, name: str, agency: str) -> None:
    page.get_by_label("Your name").fill(name)
    page.get_by_label(agency, exact=True).check()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {name} at {agency}")).to_be_visible()


def move_waiting_for_the_council(stack: Stack, citizen_id: str) -> tuple[str, dict[str, str]]:
    """A move told and consented through the API, once both council steps wait on a task:
    the event's id and each council step's task id."""
    with citizen(stack, citizen_id) as api:
        event_id = start_and_grant(
            api, {"event_type": "move", "data": move_request_data(today(stack))}
        )
        event = wait_for(
            api,
            event_id,
            lambda event: all(
                step_of(event, step)["state"] == "submitted"
                and str(step_of(event, step)["reference"] or "").startswith("T-")
                for step in COUNCIL_STEPS
            ),
        )
    return event_id, {step: step_of(event, step)["reference"] for step in COUNCIL_STEPS}


def test_council_staff_work_through_a_moves_tasks_in_the_inbox(
    browser: Any, work_queue_stack: Stack, screenshots: Path
):
    stack = work_queue_stack
    event_id, tasks = move_waiting_for_the_council(stack, "inbox-mover")
    rates, dogs = tasks["council_rates"], tasks["council_dog_registration"]

    staff = new_page(browser, stack)
    staff.goto("/inbox")  # not signed in as staff: to the sign-in, and back after
    expect(staff).to_have_url(f"{stack.api_url}/inbox/sign-in?next=/inbox")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Sign in to your agency's inbox")
    check(staff, screenshots, "sign-in")
    staff.get_by_role("button", name="Sign in").click()
    summary = staff.locator(".error-summary")
    expect(summary).to_contain_text("Your name must be 1 to 128 letters, numbers, or . _ @ : + -")
    expect(summary).to_contain_text("Select your agency")
    check(staff, screenshots, "sign-in-errors")
    staff_sign_in(staff, STAFF, COUNCIL)

    expect(staff).to_have_url(f"{stack.api_url}/inbox")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Tasks")
    expect(staff.locator(".caption")).to_have_text(COUNCIL)
    for task_id, service in ((rates, "Council rates"), (dogs, "Dog registration")):
        row = staff.locator(f"#task-{task_id}")
        expect(row).to_contain_text("Record a new request")
        expect(row).to_contain_text(f"{service} (Moving house)")
        expect(row).to_contain_text(f"Task {task_id}")
        expect(row).to_contain_text("Due:")
        expect(row.locator(".tag")).to_have_text("To do")
    listed = staff.locator("main").inner_text()
    assert not [value for value in PERSONAL if value in listed], listed
    check(staff, screenshots, "list")
    # In te reo Māori the inbox reads in English where it has no words yet, as accessibly.
    staff.get_by_role("link", name="Te reo Māori").click()
    expect(staff.locator("html")).to_have_attribute("lang", "mi")
    expect(staff.locator(f"#task-{rates}")).to_contain_text("Record a new request")
    assert_page_is_accessible(staff)
    staff.get_by_role("link", name="English").click()
    expect(staff.locator("html")).to_have_attribute("lang", "en")

    # Opening a task shows what the step discloses, why, and the receipt's check.
    staff.locator(f"#task-{rates} a").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Record a new request")
    expect(staff.locator(".caption")).to_have_text(f"Task {rates}")
    about = staff.locator("dl.about")
    expect(about).to_contain_text("Council rates (Moving house)")
    expect(about).to_contain_text("The citizen's consent")
    expect(about).to_contain_text("Consent receipt checked: signed by onceonly")
    details = staff.locator("dl.details")
    expect(details).to_contain_text("Mere Ānahera Tūhoe-Synthetic")
    expect(details).to_contain_text("Cuba Street")
    expect(staff.locator(".logged")).to_contain_text(
        f"they can see that {STAFF} at {COUNCIL} viewed these details"
    )
    check(staff, screenshots, "task")

    # An empty reference is refused by the API, named in the error summary and at the input.
    staff.get_by_role("button", name="Complete task").click()
    summary = staff.locator(".error-summary")
    expect(summary.get_by_role("link")).to_contain_text("Your reference: ")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#reference")
    expect(staff.get_by_label("Your reference")).to_have_attribute("aria-invalid", "true")
    check(staff, screenshots, "task-errors")
    staff.get_by_label("Your reference").fill(REFERENCE)
    staff.get_by_role("button", name="Complete task").click()
    expect(staff.locator(".notice[role=status]")).to_have_text(
        f"Task {rates} is completed. The citizen's life event has been told."
    )

    staff.locator(f"#task-{dogs} a").click()
    expect(about).to_contain_text("Required by law")
    expect(about).to_contain_text("Dog Control Act 1996")
    # A rejection needs a reason: refused without one, named at its field.
    staff.get_by_role("button", name="Reject task").click()
    expect(staff.locator(".error-summary").get_by_role("link")).to_have_attribute("href", "#reason")
    staff.get_by_label("Your reference").fill(DOG_REFERENCE)
    staff.get_by_role("button", name="Complete task").click()
    expect(staff.locator(".notice[role=status]")).to_contain_text(f"Task {dogs} is completed")
    expect(staff.locator(f"#task-{rates} .tag")).to_have_text("Completed")
    expect(staff.locator(f"#task-{dogs} .tag")).to_have_text("Completed")
    check(staff, screenshots, "closed")

    staff.get_by_role("link", name="Completed", exact=True).click()
    expect(staff.locator(".task-item")).to_have_count(2)
    expect(staff.get_by_text("There are no open tasks.")).to_have_count(0)
    staff.get_by_role("link", name="Open", exact=True).click()
    expect(staff.get_by_text("There are no open tasks.")).to_be_visible()

    # A closed task says who closed it, when and how, and offers nothing more to do.
    staff.goto(f"/inbox/tasks/{rates}")
    expect(staff.locator(".closed")).to_contain_text(f"Completed by {STAFF} on ")
    expect(staff.locator(".closed")).to_contain_text(f"with reference {REFERENCE}.")
    expect(staff.locator("form[action$=complete]")).to_have_count(0)
    expect(staff.locator("form[action$=reject]")).to_have_count(0)
    check(staff, screenshots, "task-closed")

    # Staff of another agency are told there is no such task.
    staff.get_by_role("button", name="Sign out").click()
    expect(staff.get_by_text("You have signed out of the inbox.")).to_be_visible()
    staff.goto(f"/inbox/tasks/{rates}")
    staff_sign_in(staff, "someone.else", "Inland Revenue (Te Tari Taake)")
    expect(staff.get_by_text("There is no such task in your agency's inbox.")).to_be_visible()
    staff.goto("/inbox")
    expect(staff.get_by_text("There are no open tasks.")).to_be_visible()
    staff.context.close()

    # The life event completes: every step done, the council's by its staff.
    with citizen(stack, "inbox-mover") as api:
        wait_for(api, event_id, lambda event: event["status"] == "completed")

    # The citizen sees the council's references, and who looked at their details.
    page = new_page(browser, stack)
    page.goto("/signin")
    page.get_by_label("Citizen id").fill("inbox-mover")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/events/{event_id}")
    rates_row, dogs_row = (
        page.locator("#step-council_rates"),
        page.locator("#step-council_dog_registration"),
    )
    expect(rates_row).to_have_attribute("data-state", "completed", timeout=SLOW)
    expect(rates_row.locator("[data-cell=reference]")).to_have_text(REFERENCE)
    expect(dogs_row).to_have_attribute("data-state", "completed", timeout=SLOW)
    expect(dogs_row.locator("[data-cell=reference]")).to_have_text(DOG_REFERENCE)
    page.goto(f"/events/{event_id}/disclosures")
    expect(page.get_by_text(f"Viewed by {STAFF} at {COUNCIL}").first).to_be_visible()
    assert_page_is_accessible(page)
    page.screenshot(path=str(screenshots / "inbox-citizen-disclosures-1280.png"), full_page=True)
    page.context.close()
