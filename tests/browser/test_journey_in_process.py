"""The question pages in process, without a browser or Temporal: a blank page names every
required input at once, answers wait sealed in the browser's cookie (no personal data in
it readable, bound to the citizen, read by any portal process with the same settings), and
"change" returns to "check your answers"."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from onceonly.api.app import create_app
from onceonly.portal.journey_session import cookie_name
from onceonly.portal.pages import CSRF_COOKIE
from onceonly.settings import Settings

SUMMARY = re.compile(r'<li><a href="#([^"]+)">([^<]+)</a></li>')


def portal(settings: Settings) -> TestClient:
    # The catalogue, sign-in and the question pages never reach Temporal: the stand-in is
    # never called.
    return TestClient(create_app(settings, temporal=object()), base_url="http://127.0.0.1")  # type: ignore[arg-type]


def signed_in(client: TestClient, citizen_id: str) -> str:
    client.get("/signin")
    csrf = client.cookies[CSRF_COOKIE]
    answer = client.post(
        "/signin", data={"citizen_id": citizen_id, "csrf": csrf}, follow_redirects=False
    )
    assert answer.status_code == 303
    return csrf


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with portal(settings) as client:
        yield client


def test_a_blank_page_names_each_required_input_and_its_rule_at_once(client: TestClient):
    csrf = signed_in(client, "in-process-parent")
    page = client.post("/start/birth/q/your-name", data={"csrf": csrf})
    assert page.status_code == 422
    assert SUMMARY.findall(page.text) == [
        ("f-birth_parent-name-given_names", "Given names: is required"),
        ("f-birth_parent-name-family_name", "Family name: is required"),
    ]  # and not "Name they prefer", which is optional
    assert page.text.count('aria-invalid="true"') == 2
    contact = client.post(
        "/start/birth/q/your-contact", data={"csrf": csrf}, follow_redirects=False
    )
    assert contact.status_code == 303  # every input of it is optional


def test_a_date_comes_in_three_inputs_and_a_wrong_one_says_so(client: TestClient):
    csrf = signed_in(client, "in-process-parent")
    page = client.get("/start/birth/q/baby-birth")
    for part in ("day", "month", "year"):
        assert f'name="child.date_of_birth.{part}"' in page.text
    wrong = {
        "child.date_of_birth.day": "30",
        "child.date_of_birth.month": "2",
        "child.date_of_birth.year": "2026",
        "child.place_of_birth": "Home",
        "csrf": csrf,
    }
    page = client.post("/start/birth/q/baby-birth", data=wrong)
    assert SUMMARY.findall(page.text) == [
        ("f-child-date_of_birth-day", "Date of birth: must be a real date, as in 27 3 2007")
    ]
    assert 'value="30"' in page.text  # what was typed stays to be corrected


def test_answers_are_sealed_in_the_cookie_and_read_by_another_process(settings: Settings):
    with portal(settings) as first:
        csrf = signed_in(first, "in-process-parent")
        name = {"child.name.given_names": "Aroha", "child.name.family_name": "Ngāta-Synthetic"}
        first.post("/start/birth/q/baby-name", data={**name, "csrf": csrf}, follow_redirects=False)
        sealed = first.cookies[cookie_name("birth", 0)]
        assert "Ngāta" not in sealed and "Ngata" not in sealed and "Aroha" not in sealed
        cookies = dict(first.cookies)
    with portal(settings) as second:  # another process: nothing shared but the settings
        second.cookies.update(cookies)
        assert 'value="Ngāta-Synthetic"' in second.get("/start/birth/q/baby-name").text
        signed_in(second, "someone-else")  # the same browser, another citizen
        assert "Ngāta" not in second.get("/start/birth/q/baby-name").text
    other = settings.model_copy(update={"jwt_secret": "another-deployments-secret-0123456789"})
    with portal(other) as elsewhere:
        elsewhere.cookies.update(cookies)
        assert "Ngāta" not in elsewhere.get("/start/birth/q/baby-name").text


def test_a_change_from_check_your_answers_returns_there(client: TestClient):
    csrf = signed_in(client, "in-process-parent")
    assert client.get("/start/birth/example", follow_redirects=False).status_code == 303
    check = client.get("/start/birth/check").text
    assert "Ponsonby Family Doctors" in check
    assert 'href="/start/birth/q/health?change=1"' in check
    changed = {
        "health.gp_practice": "Grey Lynn Doctors",
        "health.well_child_provider": "Plunket",
        "csrf": csrf,
    }
    answer = client.post("/start/birth/q/health?change=1", data=changed, follow_redirects=False)
    assert answer.headers["location"] == "/start/birth/check"
    assert "Grey Lynn Doctors" in client.get("/start/birth/check").text
    # Naming the other parent opens pages not yet answered: they come before the check.
    answer = client.post(
        "/start/birth/q/other-parent?change=1",
        data={"_other_parent": "yes", "csrf": csrf},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/start/birth/q/other-parent-name?change=1"
