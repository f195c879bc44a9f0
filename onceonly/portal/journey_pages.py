"""What the journey's routes share: the journey of an event type, today's date where the
service runs, the catalogue's words, the citizen's answers loaded and saved, and where each
page leads."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response

from onceonly.portal import journey_session
from onceonly.portal.client import Api, ApiProblem
from onceonly.portal.journey_rules import asks_of, linear_pages, next_slug
from onceonly.portal.journeys import JOURNEYS
from onceonly.portal.journeys.questions import Journey, ListPage, Question
from onceonly.portal.pages import page_lang, require_token, see_other, settings_of, signed_in_as
from onceonly.portal.text import text

Answers = dict[str, str]


def journey_of(event_type: str) -> Journey:
    """The journey of a life event, or a 404 page."""
    journey = JOURNEYS.get(event_type)
    if journey is None:
        raise ApiProblem(404, {"title": "Not found", "detail": "event_type: no such life event"})
    return journey


def page_of(journey: Journey, slug: str) -> Question | ListPage:
    """A page of the journey, or a 404 page."""
    try:
        return journey.page(slug)
    except KeyError:
        raise ApiProblem(404, {"title": "Not found", "detail": "no such question"}) from None


def today(request: Request) -> date:
    """Today where the service runs: the date the API checks against too."""
    return datetime.now(ZoneInfo(settings_of(request).timezone)).date()


def words(request: Request) -> Callable[..., str]:
    """The page's message table as a function."""
    lang = page_lang(request)
    return lambda message_id, **params: text(message_id, lang, **params)


async def catalogue_entry(
    request: Request, event_type: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """The life event's catalogue entry, and every agency's name by id."""
    async with Api(request, None) as api:
        catalogue = await api.get("/v1/catalogue")
    agencies = {agency["id"]: agency["name"] for agency in catalogue["agencies"]}
    for event in catalogue["life_events"]:
        if event["event_type"] == event_type:
            return dict(event), agencies
    raise ApiProblem(404, {"title": "Not found", "detail": "event_type: no such life event"})


def load(request: Request, event_type: str) -> journey_session.Journey:
    """The signed-in citizen's journey for this event (NotSignedIn without a session)."""
    require_token(request)
    subject = signed_in_as(request) or ""
    return journey_session.load(request, settings_of(request), event_type, subject)


def saved(request: Request, event_type: str, held: journey_session.Journey, url: str) -> Response:
    """Go to `url`, keeping the journey."""
    response = see_other(request, url)
    journey_session.save(request, response, settings_of(request), event_type, held)
    return response


def url_of(journey: Journey, slug: str | None, *query: str) -> str:
    """A page's address (None: check your answers)."""
    base = f"/start/{journey.event_type}"
    if slug is None:
        return f"{base}/check"
    kind = "list" if isinstance(journey.page(slug), ListPage) else "q"
    return f"{base}/{kind}/{slug}" + (f"?{'&'.join(query)}" if query else "")


def first_url(journey: Journey, answers: Answers, on: date) -> str:
    """The first question's address."""
    return url_of(journey, linear_pages(journey, answers, on)[0].slug)


def after(journey: Journey, slug: str, answers: Answers, on: date, change: bool) -> str:
    """Where a page leads: the next page, or back to "check your answers" after a change
    (unless the change opened a page not yet answered, which comes first)."""
    following = next_slug(journey, answers, on, slug)
    if not change:
        return url_of(journey, following)
    while following is not None:
        page = journey.page(following)
        if isinstance(page, Question) and not any(
            ask.path in answers for ask in asks_of(page, None, answers, on)
        ):
            return url_of(journey, following, "change=1")
        following = next_slug(journey, answers, on, following)
    return url_of(journey, None)
