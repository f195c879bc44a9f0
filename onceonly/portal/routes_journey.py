"""A life event told through question pages: the start page, the registers the citizen lets
us look up, and one question (or a small group) per page. The answers wait in the browser's
sealed cookie (`journey_session`); each page is checked by the event's own data model as the
API checks it, and shows every error it has at once. "Check your answers", the lists and the
start of the event are `routes_check`.
"""

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from onceonly.portal.client import Api, ApiProblem
from onceonly.portal.journey_pages import (
    Answers,
    after,
    catalogue_entry,
    first_url,
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
    check,
    dotted,
    flatten,
    group_of,
    item_count,
    place,
    previous_slug,
    read_page,
    required,
    without,
)
from onceonly.portal.journey_views import address_lines, cleared, prefilled
from onceonly.portal.journeys.questions import Ask, Journey, Question
from onceonly.portal.pages import form_data, page_lang, render, require_token, see_other
from onceonly.portal.text import text
from onceonly.portal.text_forms import plain_rule

router = APIRouter(include_in_schema=False)
_SOURCE = re.compile(r"^[a-z_]{1,40}$")


@router.get("/start/{event_type}")
async def start_page(request: Request, event_type: str) -> Response:
    """What the citizen will need, how long it takes, what each agency gets and why; Start."""
    journey = journey_of(event_type)
    event, agencies = await catalogue_entry(request, event_type)
    first = (
        f"/start/{event_type}/records"
        if event["prefill"]
        else first_url(journey, {}, today(request))
    )
    context = {"event": event, "agencies": agencies, "journey": journey, "first": first}
    return render(request, "journey_start.html", context)


@router.get("/start/{event_type}/records")
async def records_page(request: Request, event_type: str) -> Response:
    """The registers the citizen may let us look up, to fill in details for them."""
    journey = journey_of(event_type)
    load(request, event_type)
    event, agencies = await catalogue_entry(request, event_type)
    if not event["prefill"]:
        return see_other(request, first_url(journey, {}, today(request)))
    context = {"event": event, "agencies": agencies, "errors": {}, "values": {}}
    return render(request, "journey_records.html", context)


@router.post("/start/{event_type}/records")
async def look_up_records(request: Request, event_type: str) -> Response:
    """Look up the registers ticked (none ticked goes straight to the questions)."""
    journey = journey_of(event_type)
    held = load(request, event_type)
    values = await form_data(request)
    event, agencies = await catalogue_entry(request, event_type)
    offers = event["prefill"]
    sources = [offer["source"] for offer in offers if values.get(f"source.{offer['source']}")]
    if not sources:
        return see_other(request, first_url(journey, held.answers, today(request)))
    body: dict[str, Any] = {"event_type": event_type, "sources": sources}
    needs = [o["needs"] for o in offers if o.get("needs") and o["source"] in sources]
    body |= {need: values.get(need, "").strip() for need in needs}
    blank = {need: text("rule.needed", page_lang(request)) for need in needs if not body[need]}
    if blank:
        asked = {"event": event, "agencies": agencies, "errors": blank, "values": values}
        return render(request, "journey_records.html", asked, 422)
    try:
        async with Api(request, require_token(request)) as api:
            draft = await api.post("/v1/prefill", body)
    except ApiProblem as problem:
        if problem.status not in (422, 503):
            raise
        lang = page_lang(request)
        errors = {dotted(e["field"]): plain_rule(e["rule"], lang) for e in problem.errors}
        context: dict[str, Any] = {
            "event": event,
            "agencies": agencies,
            "errors": errors,
            "values": values,
            "problem": None if errors else problem.detail,
        }
        return render(request, "journey_records.html", context, problem.status)
    held.answers = with_prefill(held.answers, draft)
    held.prefill_id = draft["id"]
    held.filled = [(filled["path"], filled["source"]) for filled in draft["filled"]]
    missing = ",".join(s for s in draft["unavailable"] if _SOURCE.match(s))
    return saved(request, event_type, held, f"/start/{event_type}/records/found?missing={missing}")


def with_prefill(answers: Answers, draft: dict[str, Any]) -> Answers:
    """The answers with each part a register filled in replacing the whole of what was there,
    marked with its register."""
    found = flatten(draft["data"])
    for filled in draft["filled"]:
        path = filled["path"]
        answers = cleared(answers, path)
        answers |= {k: v for k, v in found.items() if k == path or k.startswith(f"{path}.")}
        answers[f"_prefilled.{path}"] = filled["source"]
        answers.pop(f"_{path}_kept", None)
    return answers


@router.get("/start/{event_type}/records/found")
async def found_page(request: Request, event_type: str, missing: str = "") -> Response:
    """What the registers filled in, in words, before the questions begin."""
    journey = journey_of(event_type)
    held = load(request, event_type)
    event, agencies = await catalogue_entry(request, event_type)
    context = {
        "event": event,
        "found": prefilled(held.answers, held.filled, words(request), agencies),
        "missing": [agencies[source] for source in missing.split(",") if source in agencies],
        "next": first_url(journey, held.answers, today(request)),
    }
    return render(request, "journey_found.html", context)


@router.get("/start/{event_type}/q/{slug}")
async def question_page(
    request: Request, event_type: str, slug: str, n: int | None = None, change: bool = False
) -> Response:
    """One question page, with the answers given so far."""
    journey = journey_of(event_type)
    held = load(request, event_type)
    page = _question_of(journey, slug)
    n = _item(page, held.answers, n)
    asks = asks_of(page, n, held.answers, today(request))
    return await _render(
        request, journey, page, n, asks=asks, values=held.answers, errors={}, change=change
    )


@router.post("/start/{event_type}/q/{slug}")
async def answer(
    request: Request, event_type: str, slug: str, n: int | None = None, change: bool = False
) -> Response:
    """Keep the page's answers once the data model finds nothing wrong with them; else show
    every error of the page at once, each naming its input and the rule."""
    journey = journey_of(event_type)
    held = load(request, event_type)
    form = await form_data(request)
    on = today(request)
    page = _question_of(journey, slug)
    n = _item(page, held.answers, n)
    asks = asks_of(page, n, held.answers, on)
    values, own_errors = read_page(journey, asks, form)
    answers = with_values(journey, held.answers, values)
    group = group_of(page, n)
    lang = page_lang(request)
    # Each object the page fills is made to exist, so that every missing part is named.
    parents = [a.path.rsplit(".", 1)[0] for a in asks if "." in a.path and required(journey, a)]
    found = check(journey, answers, on, [*([group] if group else []), *parents])
    hints = {a.path: text(a.hint, lang) for a in asks if a.hint}
    errors = {
        path: plain_rule(rule, lang, hints.get(path))
        for path, rule in place(found, [a.path for a in asks], group).items()
    }
    # An email address breaks a pattern before its own rule is reached: say that rule.
    errors |= {
        a.path: text("rule.email", lang)
        for a in asks
        if a.kind == "email" and errors.get(a.path, "").startswith(text("rule.pattern", lang))
    }
    errors |= {path: text(rule, lang) for path, rule in own_errors.items()}
    if errors:
        typed = {**held.answers, **form}
        return await _render(
            request,
            journey,
            page,
            n,
            asks=asks,
            values=typed,
            errors=errors,
            change=change,
            typed=True,
        )
    held.answers = answers
    return saved(request, event_type, held, after(journey, page.slug, answers, on, change))


def with_values(journey: Journey, answers: Answers, values: Answers) -> Answers:
    """The answers with a page's new values: a prefilled part changed no longer names its
    register, an address not kept is dropped whole, a part answered "no" to is dropped."""
    updated = dict(answers)
    for path, value in values.items():
        if answers.get(path, value) != value:
            updated = {k: v for k, v in updated.items() if not _marks(k, path)}
        if path.startswith("_") and path.endswith("_kept") and value == "no":
            updated = cleared(updated, path[1:-5])
        updated[path] = value
    for part, gate in journey.gates.items():
        if updated.get(gate) == "no":
            updated = without(updated, part)
    return updated


def _before_questions(journey: Journey, event: dict[str, Any]) -> str:
    """Where the first question's Back link goes: the registers, where the event offers any."""
    base = f"/start/{journey.event_type}"
    return f"{base}/records" if event["prefill"] else base


def _marks(key: str, path: str) -> bool:
    """True when `key` marks `path` (or the part holding it) as filled in by a register."""
    marked = key.removeprefix("_prefilled.")
    return key != marked and (path == marked or path.startswith(f"{marked}."))


def _question_of(journey: Journey, slug: str) -> Question:
    page = page_of(journey, slug)
    if not isinstance(page, Question):
        raise ApiProblem(404, {"title": "Not found", "detail": "no such question"})
    return page


def _item(page: Question, answers: Answers, n: int | None) -> int | None:
    """The list item a page is about: an existing one, or the next new one."""
    if page.item_of is None:
        return None
    if n is None or not 0 <= n <= item_count(answers, page.item_of):
        raise ApiProblem(404, {"title": "Not found", "detail": "no such item"})
    return n


async def _render(
    request: Request,
    journey: Journey,
    page: Question,
    n: int | None,
    *,
    asks: list[Ask],
    values: Answers,
    errors: Answers,
    change: bool,
    typed: bool = False,
) -> Response:
    event, agencies = await catalogue_entry(request, journey.event_type)
    back = previous_slug(journey, values, today(request), page.slug)
    query = [f"n={n}"] if n is not None else []
    sources = {
        source for key, source in values.items() if any(_marks(key, ask.path) for ask in asks)
    }
    kept = [ask.path for ask in page.asks if ask.path.endswith("_kept")]
    if kept and values.get(f"_prefilled.{kept[0][1:-5]}"):
        sources.add(values[f"_prefilled.{kept[0][1:-5]}"])
    context = {
        "event": event,
        "page": page,
        "asks": asks,
        "values": values,
        "typed": typed,
        "errors": errors,
        "required": {ask.path: required(journey, ask) for ask in asks},
        "back": url_of(journey, None)
        if change
        else (url_of(journey, back) if back else _before_questions(journey, event)),
        "action": url_of(journey, page.slug, *query, *(["change=1"] if change else [])),
        "found_in": sorted(agencies.get(source, source) for source in sources),
        "kept_address": address_lines(values, kept[0][1:-5]) if kept else [],
        "item_number": None if n is None else n + 1,
    }
    return render(request, "journey_question.html", context, 422 if errors else 200)
