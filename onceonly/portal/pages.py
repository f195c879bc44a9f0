"""How the portal renders pages and keeps its session: templates and their helpers, the
HttpOnly session cookie holding the citizen's API token, the double-submit CSRF token every
form carries, and the pages shown when the API says no.
"""

import hmac
import secrets
from collections.abc import Mapping
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_time
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from onceonly.auth import InvalidToken, verify_token
from onceonly.portal.catalogues import ENGLISH, LANGUAGE_NAMES
from onceonly.portal.client import ApiProblem
from onceonly.portal.parties import role_words
from onceonly.portal.text import LANGUAGES, field_words, state_words, text
from onceonly.settings import Settings

SESSION_COOKIE = "onceonly_session"
CSRF_COOKIE = "onceonly_csrf"
LANG_COOKIE = "onceonly_lang"
HERE = Path(__file__).parent
# Nothing from elsewhere: no inline script, no third-party fonts, no framing by other sites.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
templates = Jinja2Templates(directory=HERE / "templates")


class NotSignedIn(Exception):
    """The page needs a signed-in citizen."""


class CsrfRefused(Exception):
    """A form post without the token of the browser's own session."""


def settings_of(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def session_token(request: Request) -> str | None:
    """The citizen's API token from the session cookie, if it is still valid."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        verify_token(settings_of(request), token)
    except InvalidToken:
        return None
    return token


def require_token(request: Request) -> str:
    """The citizen's token, or NotSignedIn (answered with the sign-in page)."""
    token = session_token(request)
    if token is None:
        raise NotSignedIn
    return token


def signed_in_as(request: Request) -> str | None:
    """Who the session belongs to, for the page header."""
    token = session_token(request)
    return verify_token(settings_of(request), token).subject if token else None


def csrf_token(request: Request) -> str:
    """The browser's CSRF token (made on first use; the response sets its cookie)."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = request.state.new_csrf = secrets.token_urlsafe(32)
    return str(token)


async def form_data(request: Request) -> dict[str, str]:
    """The posted form's fields, once its CSRF token matches the browser's cookie."""
    form = await request.form()
    values = {key: value for key, value in form.items() if isinstance(value, str)}
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(values.pop("csrf", "").encode(), cookie.encode()):
        raise CsrfRefused
    return values


def safe_next(path: str | None) -> str:
    """Where to go after signing in: only a path on this site (never `//elsewhere`)."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/"


def page_lang(request: Request) -> str:
    """The page's language: the visitor's choice (the language switch's cookie), else the
    browser's preference where the portal has that language, else English."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    preferred = [
        part.split(";")[0].strip()
        for part in request.headers.get("accept-language", "").split(",")
        if part.strip()
    ]
    try:
        negotiated = Locale.negotiate(preferred, LANGUAGES, sep="-")
    except (UnknownLocaleError, ValueError):  # a malformed header is no preference
        return ENGLISH
    return str(negotiated) if negotiated is not None and str(negotiated) in LANGUAGES else ENGLISH


def _locale(lang: str) -> str:
    """Babel's locale for a page language: New Zealand English, or the language itself."""
    return "en_NZ" if lang == ENGLISH else lang


def when(value: str | None, timezone: str, lang: str = ENGLISH) -> str:
    """A timestamp or date from the API as people read it, in the service's timezone and the
    page's language (month names from CLDR through Babel)."""
    if not value:
        return ""
    if len(value) == 10:
        return format_date(date.fromisoformat(value), "d MMMM y", locale=_locale(lang))
    moment = datetime.fromisoformat(value).astimezone(ZoneInfo(timezone))
    words = format_datetime(moment, "d MMMM y, h:mm a", locale=_locale(lang))
    return words.replace("AM", "am").replace("PM", "pm")


def day_and_time(value: str, timezone: str, lang: str = ENGLISH) -> tuple[str, str]:
    """A timestamp from the API as a day and a time of day, for a sentence ("on 7 December
    2026 at 2:14pm"), in the service's timezone and the page's language."""
    moment = datetime.fromisoformat(value).astimezone(ZoneInfo(timezone))
    day = format_date(moment, "d MMMM y", locale=_locale(lang))
    time = format_time(moment, "h:mm a", locale=_locale(lang))
    return day, time.replace(" AM", "am").replace(" PM", "pm").replace(" am", "am").replace(
        " pm", "pm"
    )


def month_name(month: str, lang: str = ENGLISH) -> str:
    """A YYYY-MM month as people read it in the page's language: `November 2026`."""
    return format_date(date.fromisoformat(f"{month}-01"), "MMMM y", locale=_locale(lang))


def language_links(request: Request, lang: str) -> list[dict[str, str]]:
    """The language switch: every other language, named in itself, back to this page."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return [
        {"lang": other, "name": LANGUAGE_NAMES.get(other, other), "href": _switch(other, here)}
        for other in LANGUAGES
        if other != lang
    ]


def _switch(lang: str, here: str) -> str:
    return f"/language/{lang}?next={quote(here, safe='')}"


def render(
    request: Request, template: str, context: Mapping[str, Any], status_code: int = 200
) -> HTMLResponse:
    """A page, with the words, session and CSRF token every template uses."""
    lang = page_lang(request)
    timezone = settings_of(request).timezone
    page = {
        "t": partial(text, lang=lang),
        "lang": lang,
        "state_words": partial(state_words, lang=lang),
        "field_words": partial(field_words, lang=lang),
        "role_words": partial(role_words, lang=lang),
        "when": partial(when, timezone=timezone, lang=lang),
        "languages": language_links(request, lang),
        "csrf": csrf_token(request),
        "signed_in_as": signed_in_as(request),
        "dev_login": settings_of(request).portal_dev_login,
        **context,
    }
    response = templates.TemplateResponse(request, template, page, status_code=status_code)
    secured(request, response)
    return response


def secured(request: Request, response: Response) -> Response:
    """A response with the portal's headers, setting the CSRF cookie when one was made."""
    response.headers.update(SECURITY_HEADERS)
    new = getattr(request.state, "new_csrf", None)
    if new:
        set_cookie(request, response, CSRF_COOKIE, new)
    return response


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """An HttpOnly, SameSite=Strict cookie, Secure whenever the portal is served over HTTPS."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def see_other(request: Request, url: str) -> Response:
    """Post-redirect-get: the browser fetches `url` next."""
    return secured(request, RedirectResponse(url, status_code=303))


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """A page saying what went wrong, in plain words."""
    lang = page_lang(request)
    title = text("error.not_found.title" if status == 404 else "error.title", lang)
    return render(request, "error.html", {"title": title, "message": message}, status)


async def _api_problem(request: Request, problem: Exception) -> Response:
    assert isinstance(problem, ApiProblem)
    if problem.status == 401:
        return await _not_signed_in(request, problem)
    lang = page_lang(request)
    if problem.status == 404:
        return error_page(request, 404, text("error.not_found", lang))
    if problem.status == 403:
        return error_page(request, 403, text("error.forbidden", lang))
    if problem.status == 409:
        return error_page(request, 409, text("error.conflict", lang, detail=problem.detail))
    if problem.status == 422:
        detail = "; ".join(f"{e['field']}: {e['rule']}" for e in problem.errors)
        return error_page(request, 422, text("form.error.general", lang, detail=detail))
    return error_page(request, 503, text("error.unavailable", lang))


async def _not_signed_in(request: Request, _: Exception) -> Response:
    query = f"?{request.url.query}" if request.url.query else ""
    target = f"{request.url.path}{query}" if request.method == "GET" else "/"
    response = see_other(request, f"/signin?next={quote(target)}")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def _csrf_refused(request: Request, _: Exception) -> Response:
    return error_page(request, 403, text("error.csrf", page_lang(request)))


def install_handlers(app: FastAPI) -> None:
    """Answer the portal's own exceptions with pages (the API's problem handlers are apart)."""
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(NotSignedIn, _not_signed_in)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
