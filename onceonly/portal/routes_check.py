"""The end of a journey: the "add another" pages of lists (people moving, dogs), "check your
answers" with a Change link per answer, starting the event through the API (one function,
`start_event`, that a duplicate check can wrap), and the confirmation with its reference.
"""

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from onceonly.portal import journey_session, routes_twins
from onceonly.portal.client import Api, ApiProblem
from onceonly.portal.journey_pages import (
    Answers,
    after,
    catalogue_entry,
    journey_of,
    load,
    page_of,
    saved,
    today,
    url_of,
    words,
)
from onceonly.portal.journey_rules import (
    asks_of,
    dotted,
    flatten,
    item_count,
    linear_pages,
    remove_item,
    to_data,
)
from onceonly.portal.journey_views import sections
from onceonly.portal.journeys.questions import Journey, ListPage, Question
from onceonly.portal.pages import (
    form_data,
    page_lang,
    render,
    require_token,
    see_other,
    settings_of,
)
from onceonly.portal.text import text
from onceonly.portal.text_forms import plain_rule
from onceonly.samples import birth_request_data, death_request_data, move_request_data

router = APIRouter(include_in_schema=False)
_EVENT_ID = re.compile(r"^[a-z_]+-[0-9a-f]{32}$")
_EXAMPLES = {"birth": birth_request_data, "move": move_request_data, "death": death_request_data}


def _list_of(journey: Journey, slug: str) -> ListPage:
    page = page_of(journey, slug)
    if not isinstance(page, ListPage):
        raise ApiProblem(404, {"title": "Not found", "detail": "no such list"})
    return page


@router.get("/start/{event_type}/list/{slug}")
async def list_page(request: Request, event_type: str, slug: str, change: bool = False) -> Response:
    """The items so far, each to change or remove, and whether there is another."""
    journey = journey_of(event_type)
    held = load(request, event_type)
    return await _list(request, journey, _list_of(journey, slug), held.answers, {}, change=change)


@router.post("/start/{event_type}/list/{slug}")
async def answer_list(
    request: Request, event_type: str, slug: str, change: bool = False
) -> Response:
    """Another item (its page), or on to the next question."""
    journey = journey_of(event_type)
    held = load(request, event_type)
    page = _list_of(journey, slug)
    more = (await form_data(request)).get("more", "")
    count = item_count(held.answers, page.path)
    lang = page_lang(request)
    if more not in ("yes", "no"):
        return await _list(
            request, journey, page, held.answers, {"more": text("rule.choose", lang)}, change=change
        )
    if more == "yes" and count >= page.most:
        error = {"more": text("rule.list_full", lang, most=page.most)}
        return await _list(request, journey, page, held.answers, error, change=change)
    if more == "yes":
        return see_other(request, url_of(journey, page.item, f"n={count}"))
    return see_other(request, after(journey, page.slug, held.answers, today(request), change))


@router.post("/start/{event_type}/list/{slug}/remove")
async def remove(request: Request, event_type: str, slug: str) -> Response:
    """Take an item off the list."""
    journey = journey_of(event_type)
    held = load(request, event_type)
    page = _list_of(journey, slug)
    item = (await form_data(request)).get("n", "")
    if item.isdigit() and int(item) < item_count(held.answers, page.path):
        held.answers = remove_item(held.answers, page.path, int(item))
    return saved(request, event_type, held, url_of(journey, page.slug))


async def _list(
    request: Request,
    journey: Journey,
    page: ListPage,
    answers: Answers,
    errors: Answers,
    *,
    change: bool,
) -> Response:
    event, _agencies = await catalogue_entry(request, journey.event_type)
    count = item_count(answers, page.path)
    items = [page.item_words(answers, n) for n in range(count)]
    context = {
        "event": event,
        "page": page,
        "items": items,
        "errors": errors,
        "item_url": url_of(journey, page.item),
        "action": url_of(journey, page.slug, *(["change=1"] if change else [])),
        "back": url_of(journey, None) if change else _back(journey, page.slug, answers, request),
    }
    return render(request, "journey_list.html", context, 422 if errors else 200)


def _back(journey: Journey, slug: str, answers: Answers, request: Request) -> str:
    shown = [page.slug for page in linear_pages(journey, answers, today(request))]
    index = shown.index(slug)
    return url_of(journey, shown[index - 1]) if index else f"/start/{journey.event_type}"


@router.get("/start/{event_type}/check")
async def check_page(request: Request, event_type: str) -> Response:
    """Every answer, in words, with a Change link each, before the event starts."""
    journey = journey_of(event_type)
    held = load(request, event_type)
    return await _check(request, journey, held.answers, [])


@router.post("/start/{event_type}/check")
async def send(request: Request, event_type: str) -> Response:
    """Start the life event with the answers; the API's problems are shown with Change links."""
    journey = journey_of(event_type)
    held = load(request, event_type)
    await form_data(request)
    data = to_data(journey, held.answers)
    try:
        event = await start_event(request, event_type, data, held.prefill_id, held.idempotency_key)
    except ApiProblem as problem:
        # The same birth open already: another baby of it (twins), or the same baby?
        told = routes_twins.existing_event(problem) if problem.status == 409 else None
        if told:
            return routes_twins.ask_which_baby(request, held.answers, told)
        if problem.status != 422:
            raise
        return await _check(request, journey, held.answers, problem.errors, status=422)
    response = see_other(request, f"/start/{event_type}/confirmation/{event['id']}")
    journey_session.forget(request, response, event_type)
    return response


async def start_event(
    request: Request,
    event_type: str,
    data: dict[str, Any],
    prefill_id: str | None,
    idempotency_key: str,
) -> dict[str, Any]:
    """Start the life event through the API (POST /v1/life-events), once for this key: the one
    place every journey ends, so a check before it (another child, the same child) goes here."""
    body: dict[str, Any] = {"event_type": event_type, "data": data}
    if prefill_id:
        body["prefill_id"] = prefill_id
    async with Api(request, require_token(request)) as api:
        started: dict[str, Any] = await api.post(
            "/v1/life-events", body, headers={"Idempotency-Key": idempotency_key}
        )
    return started


async def _check(
    request: Request,
    journey: Journey,
    answers: Answers,
    problems: list[dict[str, str]],
    status: int = 200,
) -> Response:
    event, agencies = await catalogue_entry(request, journey.event_type)
    on = today(request)
    found = sections(journey, answers, on, words(request), agencies)
    lang = page_lang(request)
    summary = [
        {
            "text": plain_rule(problem["rule"], lang),
            "href": _page_with(journey, answers, dotted(problem["field"]), on),
        }
        for problem in problems
    ]
    context = {"event": event, "sections": found, "summary": summary}
    return render(request, "journey_check.html", context, status)


def _page_with(journey: Journey, answers: Answers, path: str, on: Any) -> str | None:
    """The page (to change) that asks for `path`, or for the part holding it."""
    for page in journey.pages:
        if not isinstance(page, Question):
            continue
        items = range(item_count(answers, page.item_of)) if page.item_of else [None]
        for n in items:
            for ask in asks_of(page, n, answers, on):
                if (
                    path == ask.path
                    or path.startswith(f"{ask.path}.")
                    or ask.path.startswith(f"{path}.")
                ):
                    query = ([f"n={n}"] if n is not None else []) + ["change=1"]
                    return url_of(journey, page.slug, *query)
    return None


@router.get("/start/{event_type}/example")
async def example(request: Request, event_type: str) -> Response:
    """On the demonstration only: made-up answers throughout, straight to checking them."""
    journey = journey_of(event_type)
    held = load(request, event_type)
    if not settings_of(request).portal_dev_login:
        raise ApiProblem(404, {"title": "Not found", "detail": "no example here"})
    data = _EXAMPLES[event_type](today(request))
    answers = flatten(data)
    answers |= {gate: "yes" if part in data else "no" for part, gate in journey.gates.items()}
    if event_type == "death":
        answers["_postal_kind"] = answers.pop("notifier.postal_address.kind", "street")
    held.answers = answers
    return saved(request, event_type, held, url_of(journey, None))


@router.get("/start/{event_type}/confirmation/{event_id}")
async def confirmation(request: Request, event_type: str, event_id: str) -> Response:
    """The event's reference, and what happens next."""
    journey_of(event_type)
    if not _EVENT_ID.match(event_id):
        raise ApiProblem(404, {"title": "Not found"})
    async with Api(request, require_token(request)) as api:
        event = await api.get(f"/v1/life-events/{event_id}")
    entry, agencies = await catalogue_entry(request, event_type)
    steps = [step for step in event["steps"] if step["state"] != "not_applicable"]
    context = {"event": entry, "started": event, "steps": steps, "agencies": agencies}
    return render(request, "journey_confirmation.html", context)
