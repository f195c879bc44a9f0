"""The staff inbox's sign-in in process, without a browser or Temporal: the agencies offered,
what a bad name or agency is told, the staff token in its own cookie (apart from a citizen's),
the inbox's pages sending a visitor to sign in, and no made-up staff where dev login is off.
"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from onceonly.auth import verify_token
from onceonly.domain.catalogue import CATALOGUE
from onceonly.portal.inbox import STAFF_COOKIE
from onceonly.portal.pages import CSRF_COOKIE, SESSION_COOKIE
from onceonly.settings import Settings
from tests.browser.test_portal_in_process import portal


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    yield from portal(settings)


def csrf(client: TestClient) -> str:
    client.get("/inbox/sign-in")
    token = client.cookies.get(CSRF_COOKIE)
    assert token
    return token


def sign_in(client: TestClient, **form: str):
    return client.post(
        "/inbox/sign-in", data={"csrf": csrf(client), **form}, follow_redirects=False
    )


def test_the_sign_in_offers_every_agency_of_the_catalogue_by_its_name(client: TestClient):
    page = client.get("/inbox/sign-in")
    assert page.status_code == 200
    for agency in CATALOGUE.agencies:
        assert f'value="{agency.id}"' in page.text
        assert agency.name.replace("'", "&#39;") in page.text
    assert 'type="radio"' in page.text and "<legend>Your agency</legend>" in page.text


def test_staff_sign_in_puts_an_agency_token_in_a_cookie_of_its_own(
    client: TestClient, settings: Settings
):
    client.post(
        "/signin",
        data={"citizen_id": "demo-parent", "csrf": csrf(client)},
        follow_redirects=False,
    )
    citizen = client.cookies[SESSION_COOKIE]
    answer = sign_in(client, staff_name="jane.doe", agency="council", next="/inbox?state=open")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/inbox?state=open"
    cookie = answer.headers["set-cookie"].lower()
    assert cookie.startswith(f"{STAFF_COOKIE}=") and "httponly" in cookie
    assert "samesite=strict" in cookie
    caller = verify_token(settings, client.cookies[STAFF_COOKIE])
    assert (caller.subject, caller.role, caller.agency) == ("jane.doe", "agency", "council")
    assert client.cookies[SESSION_COOKIE] == citizen  # the citizen's session is untouched


@pytest.mark.parametrize(
    ("form", "named"),
    [
        ({"staff_name": "Jane Doe", "agency": "council"}, ['href="#staff_name"']),
        ({"staff_name": "jane", "agency": "nowhere"}, ["Select your agency"]),
        ({"staff_name": "", "agency": ""}, ['href="#staff_name"', "Select your agency"]),
    ],
)
def test_a_bad_name_or_agency_is_named_next_to_its_input(client: TestClient, form, named):
    answer = sign_in(client, **form)
    assert answer.status_code == 422
    assert 'class="error-summary"' in answer.text
    for words in named:
        assert words in answer.text
    assert STAFF_COOKIE not in client.cookies


def test_a_sign_in_without_the_browsers_csrf_token_is_refused(client: TestClient):
    csrf(client)
    form = {"staff_name": "jane", "agency": "council", "csrf": "guessed"}
    assert client.post("/inbox/sign-in", data=form).status_code == 403
    assert STAFF_COOKIE not in client.cookies


@pytest.mark.parametrize("path", ["/inbox", "/inbox?state=open", "/inbox/tasks/T-0123456789AB"])
def test_the_inbox_sends_a_visitor_without_a_staff_session_to_sign_in(
    client: TestClient, path: str
):
    # A citizen's session is no staff session.
    client.post(
        "/signin",
        data={"citizen_id": "demo-parent", "csrf": csrf(client)},
        follow_redirects=False,
    )
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/inbox/sign-in?next=/inbox")


def test_without_dev_login_no_one_signs_in_as_made_up_staff(settings: Settings):
    for client in portal(settings.model_copy(update={"portal_dev_login": False})):
        assert "Staff sign-in with a made-up name is turned off here" in (
            client.get("/inbox/sign-in").text
        )
        answer = sign_in(client, staff_name="jane", agency="council")
        assert answer.status_code == 403
        assert STAFF_COOKIE not in client.cookies


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/inbox/tasks/not-a-task"),
        ("get", "/inbox/tasks/T-0123456789ab"),
        ("post", "/inbox/tasks/T-0123456789AB/delete"),
    ],
)
def test_no_task_id_but_the_inboxs_own_reaches_the_api(client: TestClient, method, path):
    assert sign_in(client, staff_name="jane.doe", agency="council").status_code == 303
    form = {"csrf": client.cookies[CSRF_COOKIE]}
    answer = client.post(path, data=form) if method == "post" else client.get(path)
    assert answer.status_code == 404
    assert "There is no such task in your agency&#39;s inbox." in answer.text
    assert "Signed in as jane.doe at Your local council" in answer.text  # the staff frame
