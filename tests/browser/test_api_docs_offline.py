"""The API's documentation in a real browser with no internet: every request leaving the API's
own address is refused, and Swagger UI still renders every operation of the document."""

from typing import Any
from urllib.parse import urlparse

from onceonly.api.app import create_app
from onceonly.settings import Settings
from tests.integration.conftest import Stack

OPERATIONS = [
    (method, path)
    for path, operations in create_app(Settings()).openapi()["paths"].items()
    for method in operations
]


def offline_page(browser: Any, stack: Stack) -> tuple[Any, list[str]]:
    """A page that may reach the API's address only; the other URLs it tried."""
    page = browser.new_page()
    api = urlparse(stack.api_url).netloc
    refused: list[str] = []

    def only_the_api(route: Any) -> None:
        if urlparse(route.request.url).netloc == api:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_api)
    return page, refused


def test_swagger_ui_shows_every_operation_offline(browser: Any, stack: Stack):
    page, refused = offline_page(browser, stack)
    page.goto(f"{stack.api_url}/docs")
    record = "/v1/life-events/{event_id}/receipts/{receipt_id}/record"
    page.locator(".opblock-summary-path", has_text=record).first.wait_for()
    assert page.locator(".opblock").count() == len(OPERATIONS)
    assert refused == []
    page.close()
