"""The portal in process, without a browser or Temporal: the pages that need neither, form
posts accepted on the portal while the API stays JSON-only, CSRF, and dev sign-in switched off.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from onceonly.api.app import create_app
from onceonly.auth import verify_token
from onceonly.portal.pages import CSRF_COOKIE, SESSION_COOKIE
from onceonly.settings import Settings


def portal(settings: Settings) -> Iterator[TestClient]:
    # The catalogue and sign-in never reach Temporal: a stand-in client is never called.
    app = create_app(settings, temporal=object())  # type: ignore[arg-type]
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    yield from portal(settings)


def csrf(client: TestClient) -> str:
    client.get("/signin")
    token = client.cookies.get(CSRF_COOKIE)
    assert token
    return token


def test_pages_are_utf8_html_in_english_with_the_portals_headers(client: TestClient):
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="en">' in page.text
    assert "Kāinga Ora" in page.text  # macrons survive the API, the template and the wire
    assert "default-src 'self'" in page.headers["content-security-policy"]
    # The tab shows the service's own icon, served from this site (the policy allows no other).
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page.text)
    assert icon is not None
    served = client.get(icon[1])
    assert served.status_code == 200 and served.text.startswith("<svg")


def test_every_life_event_has_a_start_page_that_leads_to_its_questions(client: TestClient):
    for event_type in ("birth", "move", "death"):
        page = client.get(f"/start/{event_type}")
        assert page.status_code == 200
        assert f'href="/start/{event_type}/records"' in page.text  # each offers its registers
        assert "citizen API" not in page.text


def test_signing_in_sets_an_httponly_strict_cookie_holding_the_citizens_token(
    client: TestClient, settings: Settings
):
    answer = client.post(
        "/signin",
        data={"citizen_id": "demo-parent", "csrf": csrf(client), "next": "/start/birth"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/start/birth"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert verify_token(settings, client.cookies[SESSION_COOKIE]).subject == "demo-parent"


def test_a_bad_citizen_id_is_named_next_to_its_field(client: TestClient):
    answer = client.post("/signin", data={"citizen_id": "<script>", "csrf": csrf(client)})
    assert answer.status_code == 422
    assert 'href="#citizen_id"' in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert "<script>" not in answer.text


def test_a_form_without_the_browsers_csrf_token_is_refused(client: TestClient):
    csrf(client)
    answer = client.post("/signin", data={"citizen_id": "demo", "csrf": "guessed"})
    assert answer.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_form_posts_reach_the_portal_while_the_api_takes_json_only(client: TestClient):
    form: dict[str, Any] = {"content": "event_type=birth", "headers": {
        "content-type": "application/x-www-form-urlencoded"}}  # fmt: skip
    assert client.post("/v1/life-events", **form).status_code == 415
    assert client.post("/signin", **form).status_code == 403  # the portal's own rule: CSRF


def test_pages_that_need_a_citizen_send_the_visitor_to_sign_in_and_back(client: TestClient):
    answer = client.get("/invitations/accept?code=x.y.z", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=/invitations/accept%3Fcode%3Dx.y.z"


def test_without_dev_login_no_one_signs_in_with_a_made_up_id(settings: Settings):
    for client in portal(settings.model_copy(update={"portal_dev_login": False})):
        assert "Sign in through your identity provider" in client.get("/signin").text
        answer = client.post("/signin", data={"citizen_id": "demo", "csrf": csrf(client)})
        assert answer.status_code == 403
        assert SESSION_COOKIE not in client.cookies
