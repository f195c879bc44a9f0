"""A birth told again while its event is open: the question the API's 409 leads to (another
baby of the same birth, or the same one), and the page for another baby of a multiple birth,
which asks only for that baby's details and starts its event linked to the first, with the
parents' details, address and health choices as the API gives them from the first event.

The page's inputs are the journeys' (`Ask`, drawn by `_questions.html`), and its errors are
the API's own, placed on the inputs as the question pages place theirs.
"""

import re
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from onceonly.domain.address_model import Address
from onceonly.domain.addresses import format_address_line
from onceonly.portal import journey_session
from onceonly.portal.client import Api, ApiProblem
from onceonly.portal.journey_rules import dotted, place, read_page, required, typed_answer
from onceonly.portal.journeys.birth import BIRTH
from onceonly.portal.journeys.questions import SEXES, Ask
from onceonly.portal.pages import form_data, page_lang, render, require_token, see_other
from onceonly.portal.text import field_words, text
from onceonly.portal.text_forms import plain_rule

router = APIRouter(include_in_schema=False)
# Only a birth event's id is ever put in a link or redirect here.
BIRTH_EVENT_ID = re.compile(r"^birth-[0-9a-f]{32}$")
ANSWERS = ("another", "same")
Group = tuple[str, tuple[Ask, ...]]
"""A legend (message id) and the inputs under it."""

THIS_BABY: Group = (
    "twins.fs.child",
    (
        Ask("child.name.given_names", "twins.f.given_names", "names", "twins.f.given_names.hint"),
        Ask("child.name.family_name", "twins.f.family_name"),
        Ask("child.name.known_as", "twins.f.known_as"),
        Ask("child.sex", "twins.f.sex", "choice", choices=SEXES),
        Ask("child.place_of_birth", "twins.f.place_of_birth", hint="twins.f.place_of_birth.hint"),
    ),
)
THE_BIRTH: Group = (
    "twins.fs.multiple_birth",
    (
        Ask("multiple_birth.plurality", "twins.f.plurality", "number", "twins.f.plurality.hint"),
        Ask(
            "multiple_birth.birth_order",
            "twins.f.birth_order",
            "number",
            "twins.f.birth_order.hint",
        ),
    ),
)
FIRST_BABY: Group = (
    "twins.fs.first_baby",
    (
        Ask(
            "multiple_birth.sibling_birth_order",
            "twins.f.sibling_birth_order",
            "number",
            "twins.f.sibling_birth_order.hint",
        ),
    ),
)
"""Asked too when the first event does not say which of the babies it is."""


def another_child_groups(shared: Mapping[str, Any]) -> tuple[Group, ...]:
    """The other-baby page's inputs, given the first event's shared data."""
    return (THIS_BABY, THE_BIRTH, *((FIRST_BABY,) if shared.get("birth_order") is None else ()))


def asks_in(groups: Iterable[Group]) -> list[Ask]:
    """Every input of the groups, in page order."""
    return [ask for _legend, asks in groups for ask in asks]


def entered_data(asks: Iterable[Ask], answers: Mapping[str, str]) -> dict[str, Any]:
    """This baby's part of the API's `data`: blanks left out (so the API names what is
    missing), given names split on commas, numbers as numbers. The name is always there, so
    each of its missing parts is named."""
    data: dict[str, Any] = {"child": {"name": {}}, "multiple_birth": {}}
    for ask in asks:
        if answers.get(ask.path):
            *parents, leaf = ask.path.split(".")
            node = data
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = typed_answer(ask.kind, answers[ask.path])
    return data


def linked_data(entered: dict[str, Any], shared: dict[str, Any], sibling_id: str) -> dict[str, Any]:
    """The API's `data` for another baby: its own details as entered, its date of birth and
    the shared parts as the first event has them, linked to that event."""
    child = {**entered.get("child", {}), "date_of_birth": shared["date_of_birth"]}
    multiple = {**entered.get("multiple_birth", {}), "sibling_event_id": sibling_id}
    return {"child": child, **shared["data"], "multiple_birth": multiple}


def on_page(
    problems: Iterable[Mapping[str, str]], asks: list[Ask]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The API's field errors as (rule by input path), and those about no input of the page
    (a shared part that no longer matches the first event's) as (path, rule)."""
    found = [(dotted(problem["field"]), problem["rule"]) for problem in problems]
    paths = [ask.path for ask in asks]
    others = [(path, rule) for path, rule in found if not place([(path, rule)], paths, None)]
    return place(found, paths, None), others


def shared_summary(shared: dict[str, Any]) -> list[tuple[str, str]]:
    """What the first event gives this baby's, as (text id, words) rows to show the citizen
    (the date is shown by the page, in its own words)."""
    data = shared["data"]

    def name(person: dict[str, Any]) -> str:
        return " ".join([*person["name"]["given_names"], person["name"]["family_name"]])

    rows = [("twins.another.birth_parent", name(data["birth_parent"]))]
    if data.get("other_parent"):
        rows.append(("twins.another.other_parent", name(data["other_parent"])))
    address = format_address_line(Address.model_validate(data["address"]))
    rows.append(("twins.another.address", address))
    rows.append(("twins.another.gp_practice", data["health"]["gp_practice"]))
    rows.append(("twins.another.well_child_provider", data["health"]["well_child_provider"]))
    return rows


def existing_event(problem: ApiProblem) -> str | None:
    """The open event a 409 names, if it is a duplicate birth's."""
    found = problem.existing_event_id
    return found if found and BIRTH_EVENT_ID.match(found) else None


def ask_which_baby(request: Request, answers: Mapping[str, str], existing_id: str) -> Response:
    """The question page, carrying this baby's details as answered (the birth journey's
    "check your answers" shows it when the API answers 409 naming `existing_id`)."""
    return _question(request, existing_id, _child_values(answers), error=None)


@router.post("/start/birth/duplicate/{existing_id}")
async def answer_which_baby(request: Request, existing_id: str) -> Response:
    """Another baby: this baby's page, its details as answered; the same: the open event."""
    require_token(request)
    existing_id = _birth_id(existing_id)
    values = await form_data(request)
    answer = values.get("answer")
    if answer not in ANSWERS:
        return _question(
            request, existing_id, _child_values(values), text("twins.question.required"), 422
        )
    if answer == "same":
        response = see_other(request, f"/events/{existing_id}")
        journey_session.forget(request, response, "birth")
        return response
    return await _another(request, existing_id, _child_values(values))


@router.get("/start/birth/another/{sibling_id}")
async def another_baby_page(request: Request, sibling_id: str) -> Response:
    """The page for another baby of the birth the event `sibling_id` tells."""
    require_token(request)
    return await _another(request, _birth_id(sibling_id), {})


@router.post("/start/birth/another/{sibling_id}")
async def start_another_baby(request: Request, sibling_id: str) -> Response:
    """Start this baby's event, linked to its sibling's, from that event's shared data."""
    token = require_token(request)
    sibling_id = _birth_id(sibling_id)
    form = await form_data(request)
    idempotency_key = form.pop("idempotency_key", "") or secrets.token_urlsafe(16)
    try:
        async with Api(request, token) as api:
            shared = await api.get(f"/v1/life-events/{sibling_id}/shared-birth-data")
            asks = asks_in(another_child_groups(shared))
            values = read_page(BIRTH, asks, form)[0]
            body = {
                "event_type": "birth",
                "data": linked_data(entered_data(asks, values), shared, sibling_id),
            }
            event = await api.post(
                "/v1/life-events", body, headers={"Idempotency-Key": idempotency_key}
            )
    except ApiProblem as problem:
        twin_told_twice = existing_event(problem) if problem.status == 409 else None
        if twin_told_twice:
            return _question(request, twin_told_twice, _child_values(form), error=None)
        if problem.status != 422:
            raise
        return await _another(request, sibling_id, form, problem=problem)
    response = see_other(request, f"/start/birth/confirmation/{event['id']}")
    journey_session.forget(request, response, "birth")
    return response


async def _another(
    request: Request,
    sibling_id: str,
    values: Mapping[str, str],
    *,
    problem: ApiProblem | None = None,
) -> Response:
    async with Api(request, require_token(request)) as api:
        shared = await api.get(f"/v1/life-events/{sibling_id}/shared-birth-data")
    groups = another_child_groups(shared)
    asks = asks_in(groups)
    lang = page_lang(request)
    placed, others = on_page(problem.errors if problem else [], asks)
    hints = {ask.path: text(ask.hint, lang) for ask in asks if ask.hint}
    errors = {path: plain_rule(rule, lang, hints.get(path)) for path, rule in placed.items()}
    errors |= {path: text(rule, lang) for path, rule in read_page(BIRTH, asks, values)[1].items()}
    lines = [f"{field_words(path, lang)}: {plain_rule(rule, lang)}" for path, rule in others]
    if problem and not problem.errors and problem.detail:
        lines.append(problem.detail)
    context = {
        "sibling_id": sibling_id,
        "shared": shared,
        "from_first": shared_summary(shared),
        "groups": groups,
        "asks": asks,
        "values": values,
        "errors": errors,
        "others": lines,
        "required": {ask.path: required(BIRTH, ask) for ask in asks},
        "idempotency_key": secrets.token_urlsafe(16),
    }
    return render(request, "twins_another.html", context, 422 if problem else 200)


def _question(
    request: Request,
    existing_id: str,
    values: dict[str, str],
    error: str | None,
    status: int = 200,
) -> Response:
    context = {"existing_id": existing_id, "values": values, "error": error}
    return render(request, "twins_question.html", context, status)


def _child_values(answers: Mapping[str, str]) -> dict[str, str]:
    """Of the answers, those this baby's page takes (carried through the question)."""
    paths = [ask.path for ask in asks_in((THIS_BABY, THE_BIRTH, FIRST_BABY))]
    return {path: answers[path] for path in paths if answers.get(path)}


def _birth_id(event_id: str) -> str:
    if not BIRTH_EVENT_ID.match(event_id):
        raise ApiProblem(404, {"title": "Not found", "detail": "id: no such life event"})
    return event_id
