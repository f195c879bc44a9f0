"""A birth told again while its event is open: the question the API's 409 leads to (another
baby of the same birth, or the same one), and the page for another baby of a multiple birth,
which asks only for that baby's details and starts its event linked to the first, with the
parents' details, address and health choices as the API gives them from the first event.
"""

import re
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from onceonly.domain.address_model import Address
from onceonly.domain.addresses import format_address_line
from onceonly.portal.client import Api, ApiProblem
from onceonly.portal.forms import Field, Fieldset, errors_by_input, form_paths, to_data
from onceonly.portal.pages import form_data, render, require_token, see_other
from onceonly.portal.text import text

router = APIRouter(include_in_schema=False)
# Only a birth event's id is ever put in a link or redirect here.
BIRTH_EVENT_ID = re.compile(r"^birth-[0-9a-f]{32}$")
ANSWERS = ("another", "same")

ANOTHER_CHILD_FORM: tuple[Fieldset, ...] = (
    Fieldset(
        "twins.fs.child",
        (
            Field(
                "child.name.given_names",
                "twins.f.given_names",
                "names",
                hint="twins.f.given_names.hint",
            ),
            Field("child.name.family_name", "twins.f.family_name"),
            Field("child.name.known_as", "twins.f.known_as", required=False),
            Field(
                "child.sex", "twins.f.sex", "choice", choices=("female", "male", "indeterminate")
            ),
            Field(
                "child.place_of_birth", "twins.f.place_of_birth", hint="twins.f.place_of_birth.hint"
            ),
        ),
    ),
    Fieldset(
        "twins.fs.multiple_birth",
        (
            Field(
                "multiple_birth.plurality",
                "twins.f.plurality",
                "number",
                hint="twins.f.plurality.hint",
            ),
            Field(
                "multiple_birth.birth_order",
                "twins.f.birth_order",
                "number",
                hint="twins.f.birth_order.hint",
            ),
        ),
    ),
)
"""This baby's details and its place in the birth: all the other-baby page asks."""
SIBLING_ORDER = Fieldset(
    "twins.fs.first_baby",
    (
        Field(
            "multiple_birth.sibling_birth_order",
            "twins.f.sibling_birth_order",
            "number",
            required=False,
            hint="twins.f.sibling_birth_order.hint",
        ),
    ),
)
"""Asked too when the first event does not say which of the babies it is."""


def another_child_form(shared: dict[str, Any]) -> tuple[Fieldset, ...]:
    """The other-baby page's inputs, given the first event's shared data."""
    return ANOTHER_CHILD_FORM + ((SIBLING_ORDER,) if shared.get("birth_order") is None else ())


def existing_event(problem: ApiProblem) -> str | None:
    """The open event a 409 names, if it is a duplicate birth's."""
    found = problem.existing_event_id
    return found if found and BIRTH_EVENT_ID.match(found) else None


async def ask_which_baby(request: Request, values: dict[str, str], existing_id: str) -> Response:
    """The question page, carrying this baby's details as entered (the start handler calls
    this when the API answers 409 naming `existing_id`)."""
    return _question(request, existing_id, _child_values(values), error=None)


@router.post("/start/birth/duplicate/{existing_id}")
async def answer_which_baby(request: Request, existing_id: str) -> Response:
    """Another baby: this baby's page, its details as entered; the same: the open event."""
    require_token(request)
    existing_id = _birth_id(existing_id)
    values = await form_data(request)
    answer = values.get("answer")
    if answer not in ANSWERS:
        return _question(
            request, existing_id, _child_values(values), text("twins.question.required"), 422
        )
    if answer == "same":
        return see_other(request, f"/events/{existing_id}")
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
    values = await form_data(request)
    idempotency_key = values.pop("idempotency_key", "") or secrets.token_urlsafe(16)
    try:
        async with Api(request, token) as api:
            shared = await api.get(f"/v1/life-events/{sibling_id}/shared-birth-data")
            entered = to_data(another_child_form(shared), values)
            body = {"event_type": "birth", "data": linked_data(entered, shared, sibling_id)}
            event = await api.post(
                "/v1/life-events", body, headers={"Idempotency-Key": idempotency_key}
            )
    except ApiProblem as problem:
        twin_told_twice = existing_event(problem) if problem.status == 409 else None
        if twin_told_twice:
            return _question(request, twin_told_twice, _child_values(values), error=None)
        if problem.status != 422:
            raise
        return await _another(request, sibling_id, values, problem=problem, status=422)
    return see_other(request, f"/events/{event['id']}/next")


def linked_data(entered: dict[str, Any], shared: dict[str, Any], sibling_id: str) -> dict[str, Any]:
    """The API's `data` for another baby: its own details as entered, its date of birth and
    the shared parts as the first event has them, linked to that event."""
    child = {**entered.get("child", {}), "date_of_birth": shared["date_of_birth"]}
    multiple = {**entered.get("multiple_birth", {}), "sibling_event_id": sibling_id}
    return {"child": child, **shared["data"], "multiple_birth": multiple}


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


async def _another(
    request: Request,
    sibling_id: str,
    values: dict[str, str],
    *,
    problem: ApiProblem | None = None,
    status: int = 200,
) -> Response:
    async with Api(request, require_token(request)) as api:
        shared = await api.get(f"/v1/life-events/{sibling_id}/shared-birth-data")
    form = another_child_form(shared)
    errors, summary = errors_by_input(form, problem.errors if problem else [])
    context = {
        "sibling_id": sibling_id,
        "shared": shared,
        "from_first": shared_summary(shared),
        "form": form,
        "values": values,
        "errors": errors,
        "summary": summary,
        "problem": problem if problem and not problem.errors else None,
        "idempotency_key": secrets.token_urlsafe(16),
        "labels": {f.path: text(f.label) for fs in form for f in fs.fields},
    }
    return render(request, "twins_another.html", context, status)


def _question(
    request: Request,
    existing_id: str,
    values: dict[str, str],
    error: str | None,
    status: int = 200,
) -> Response:
    context = {"existing_id": existing_id, "values": values, "error": error}
    return render(request, "twins_question.html", context, status)


def _child_values(values: dict[str, str]) -> dict[str, str]:
    """Of a form's inputs, those this baby's page takes (carried through the question)."""
    paths = form_paths((*ANOTHER_CHILD_FORM, SIBLING_ORDER))
    return {path: values[path] for path in paths if path in values}


def _birth_id(event_id: str) -> str:
    if not BIRTH_EVENT_ID.match(event_id):
        raise ApiProblem(404, {"title": "Not found", "detail": "id: no such life event"})
    return event_id
