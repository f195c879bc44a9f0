"""The language switch: a link on every page that remembers the visitor's choice."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from onceonly.portal.pages import LANG_COOKIE, error_page, safe_next, see_other, set_cookie
from onceonly.portal.text import LANGUAGES, text

router = APIRouter(include_in_schema=False)


@router.get("/language/{lang}")
async def choose_language(request: Request, lang: str, next: str | None = None) -> Response:
    """Show the portal in `lang` from now on, starting with the page the visitor was on.

    A GET, so the switch is a plain link that works without a form: it changes nothing but how
    this browser's pages read."""
    if lang not in LANGUAGES:
        return error_page(request, 404, text("error.language"))
    response = see_other(request, safe_next(next))
    set_cookie(request, response, LANG_COOKIE, lang)
    return response
