"""The accessibility checks can fail: axe-core finds a known violation and an overflow on a
page made to have them, and none on a page of the portal."""

from typing import Any

from tests.browser.accessibility import WIDTHS, assert_page_is_accessible, axe_violations, overflow
from tests.integration.conftest import Stack

BAD_PAGE = """<!doctype html><html><head><title>bad</title></head><body><main>
<h1>A page with faults</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input type="text"><div style="width: 2000px">wide</div></main></body></html>"""


def test_axe_and_the_overflow_check_find_what_is_wrong(browser: Any):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.set_content(BAD_PAGE)
    found = " ".join(axe_violations(page))
    assert "image-alt" in found and "label" in found and "html-has-lang" in found
    assert overflow(page) > 1000
    context.close()


def test_the_sign_in_page_passes_at_both_widths(browser: Any, stack: Stack):
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(f"{stack.api_url}/signin")
        assert_page_is_accessible(page)
        context.close()
