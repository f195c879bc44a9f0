"""Portal pages before a life event exists: signing in and out, the citizen's events, choosing
a life event and seeing what it will ask and why, prefill, and entering the data once.
"""

import re
import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from onceonly.auth import mint_token
from onceonly.portal import routes_twins
from onceonly.portal.client import Api, ApiProblem
from onceonly.portal.form_specs import FORMS
from onceonly.portal.forms import errors_by_input, to_data, to_values
from onceonly.portal.pages import (
    SESSION_COOKIE,
    form_data,
    render,
    require_token,
    safe_next,
    see_other,
    session_token,
    set_cookie,
    settings_of,
)
from onceonly.portal.text import text
from onceonly.samples import birth_request_data, death_request_data

router = APIRouter(include_in_schema=False)
CITIZEN_ID = re.compile(r"^[A-Za-z0-9._@-]{1,100}$")
_EXAMPLES = {"birth": birth_request_data, "death": death_request_data}
PREFILL_NEEDS = ("death_registration_number",)


@router.get("/")
async def home(request: Request) -> Response:
    """The citizen's life events and the ones they can start."""
    token = session_token(request)
    async with Api(request, token) as api:
        catalogue = await api.get("/v1/catalogue")
        events = await api.get("/v1/life-events") if token else []
    titles = {event["event_type"]: event["title"] for event in catalogue["life_events"]}
    context = {"catalogue": catalogue, "events": events, "titles": titles}
    return render(request, "home.html", context)


@router.get("/signin")
async def signin_page(request: Request, next: str = "/") -> Response:
    """The demo sign-in form (when the settings allow it)."""
    return render(request, "signin.html", {"next": safe_next(next), "errors": {}, "values": {}})


@router.post("/signin")
async def signin(request: Request) -> Response:
    """Sign in as the citizen id given: the same token `onceonly token <id>` mints."""
    settings = settings_of(request)
    values = await form_data(request)
    target = safe_next(values.get("next"))
    if not settings.portal_dev_login:
        return render(request, "signin.html", {"next": target, "errors": {}, "values": {}}, 403)
    citizen_id = values.get("citizen_id", "").strip()
    if not CITIZEN_ID.match(citizen_id):
        errors = {"citizen_id": text("rule.citizen_id")}
        context = {"next": target, "errors": errors, "values": {"citizen_id": citizen_id}}
        return render(request, "signin.html", context, 422)
    response = see_other(request, target)
    set_cookie(request, response, SESSION_COOKIE, mint_token(settings, citizen_id))
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    """Forget the session."""
    await form_data(request)
    response = see_other(request, "/signin?signed_out=1")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/start/{event_type}")
async def about_event(request: Request, event_type: str) -> Response:
    """What a life event will ask, of which agency, why, and under which law."""
    async with Api(request, None) as api:
        catalogue = await api.get("/v1/catalogue")
    event = _event(catalogue, event_type)
    agencies = {agency["id"]: agency["name"] for agency in catalogue["agencies"]}
    context = {"event": event, "agencies": agencies, "has_form": event_type in FORMS}
    return render(request, "about_event.html", context)


@router.get("/start/{event_type}/details")
async def details_page(request: Request, event_type: str, example: bool = False) -> Response:
    """The form for the event's data, blank or (on the demo) with a made-up example."""
    require_token(request)
    values: dict[str, str] = {}
    if example and settings_of(request).portal_dev_login and event_type in _EXAMPLES:
        today = datetime.now(ZoneInfo(settings_of(request).timezone)).date()
        values = to_values(FORMS[event_type], _EXAMPLES[event_type](today))
    return await _details(request, event_type, values)


@router.post("/start/{event_type}/prefill")
async def prefill(request: Request, event_type: str) -> Response:
    """Look up the records the citizen ticked, and show the form filled in from them."""
    token = require_token(request)
    values = await form_data(request)
    sources = [key.removeprefix("source.") for key in values if key.startswith("source.")]
    if not sources:
        return await _details(request, event_type, {}, notes=[text("prefill.none_chosen")])
    body: dict[str, Any] = {"event_type": event_type, "sources": sources}
    # What a register needs to be looked up (a death's registration number), where asked.
    body |= {need: values[need] for need in PREFILL_NEEDS if values.get(need, "").strip()}
    async with Api(request, token) as api:
        draft = await api.post("/v1/prefill", body)
    notes = []
    if draft["filled"]:
        parts = ", ".join(sorted({filled["path"] for filled in draft["filled"]}))
        notes.append(text("prefill.filled", parts=parts))
    if draft["unavailable"]:
        notes.append(text("prefill.unavailable", parts=", ".join(draft["unavailable"])))
    filled = to_values(FORMS[event_type], draft["data"]) if event_type in FORMS else {}
    return await _details(request, event_type, filled, prefill_id=draft["id"], notes=notes)


@router.post("/start/{event_type}")
async def start(request: Request, event_type: str) -> Response:
    """Start the life event with the data entered once; the API's problems go on the form."""
    token = require_token(request)
    values = await form_data(request)
    if event_type not in FORMS:
        raise ApiProblem(404, {"title": "Not found"})
    prefill_id = values.pop("prefill_id", "") or None
    idempotency_key = values.pop("idempotency_key", "") or secrets.token_urlsafe(16)
    body: dict[str, Any] = {"event_type": event_type, "data": to_data(FORMS[event_type], values)}
    if prefill_id:
        body["prefill_id"] = prefill_id
    try:
        async with Api(request, token) as api:
            event = await api.post(
                "/v1/life-events", body, headers={"Idempotency-Key": idempotency_key}
            )
    except ApiProblem as problem:
        existing = routes_twins.existing_event(problem) if problem.status == 409 else None
        if existing:
            return await routes_twins.ask_which_baby(request, values, existing)
        if problem.status != 422:
            raise
        return await _details(
            request, event_type, values, prefill_id=prefill_id, problem=problem, status=422
        )
    return see_other(request, f"/events/{event['id']}/next")


async def _details(
    request: Request,
    event_type: str,
    values: dict[str, str],
    *,
    prefill_id: str | None = None,
    notes: list[str] | None = None,
    problem: ApiProblem | None = None,
    status: int = 200,
) -> Response:
    async with Api(request, None) as api:
        catalogue = await api.get("/v1/catalogue")
    event = _event(catalogue, event_type)
    form = FORMS.get(event_type)
    if form is None:
        context = {"event": event, "agencies": {}, "has_form": False}
        return render(request, "about_event.html", context)
    errors, summary = errors_by_input(form, problem.errors if problem else [])
    context = {
        "event": event,
        "form": form,
        "values": values,
        "errors": errors,
        "summary": summary,
        "problem": problem if problem and not problem.errors else None,
        "prefill_id": prefill_id,
        "notes": notes or [],
        "idempotency_key": secrets.token_urlsafe(16),
        "example": event_type in _EXAMPLES,
        "labels": {f.path: f"{text(fs.legend)}: {text(f.label)}" for fs in form for f in fs.fields},
    }
    return render(request, "details.html", context, status)


def _event(catalogue: dict[str, Any], event_type: str) -> dict[str, Any]:
    for event in catalogue["life_events"]:
        if event["event_type"] == event_type:
            return dict(event)
    raise ApiProblem(404, {"title": "Not found", "detail": "event_type: no such life event"})
