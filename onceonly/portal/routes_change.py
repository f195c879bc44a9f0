"""Portal pages to change a life event's details (a correction, through the API's
corrections route) and to cancel it (through its cancel route), each for the citizen who
started it: what can be changed and who will be told, each agency's progress in words, and
a confirmation saying what cancelling does and does not undo.
"""

import re
from typing import Any, NamedTuple

from fastapi import APIRouter, Request
from fastapi.responses import Response

from onceonly.portal.client import Api, ApiProblem
from onceonly.portal.journey_rules import typed_answer
from onceonly.portal.journeys import JOURNEYS
from onceonly.portal.journeys.questions import Ask, Question
from onceonly.portal.pages import form_data, page_lang, render, require_token, see_other
from onceonly.portal.parties import SENT, told_of_change
from onceonly.portal.routes_event import _agencies as agency_names
from onceonly.portal.routes_event import read_event
from onceonly.portal.text import text

router = APIRouter(include_in_schema=False)
_NOT_YOURS = {"title": "Forbidden", "detail": "only the citizen who started the event may"}
MAX_REASON = 200  # the API's limit on a correction's reason
_DMY = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")


async def _own_event(api: Api, event_id: str) -> dict[str, Any]:
    """The event, for the citizen who started it (403 for a party who joined)."""
    event = await read_event(api, event_id)
    if event.get("party_role") is not None:
        raise ApiProblem(403, _NOT_YOURS)
    return event


class Group(NamedTuple):
    """The details a section of the event's question pages asked, under its name (a message
    id)."""

    legend: str
    fields: tuple[Ask, ...]


def _changeable(event: dict[str, Any]) -> tuple[Group, ...]:
    """The details the citizen entered on the event's question pages, section by section: each
    can be corrected (not the portal's own questions, nor the items of a list)."""
    journey = JOURNEYS.get(event["event_type"])
    sections: dict[str, dict[str, Ask]] = {}
    for page in journey.pages if journey else ():
        if not isinstance(page, Question) or page.item_of is not None:
            continue
        for ask in page.asks:
            if not ask.path.startswith("_") and "{n}" not in ask.path:
                sections.setdefault(page.section, {}).setdefault(ask.path, ask)
    return tuple(Group(section, tuple(asks.values())) for section, asks in sections.items())


def _field(form: tuple[Group, ...], path: str) -> Ask | None:
    return next((f for group in form for f in group.fields if f.path == path), None)


def _group(form: tuple[Group, ...], path: str) -> str:
    """The section (message id) of the pages that asked for the detail at `path`."""
    return next(group.legend for group in form if any(f.path == path for f in group.fields))


@router.get("/events/{event_id}/change")
async def change_page(request: Request, event_id: str) -> Response:
    """Choose the detail to change."""
    async with Api(request, require_token(request)) as api:
        event = await _own_event(api, event_id)
    context = {"event": event, "form": _changeable(event), "error": None}
    return render(request, "change.html", context)


@router.post("/events/{event_id}/change")
async def choose_change(request: Request, event_id: str) -> Response:
    """Go on to the chosen detail's page, or say that one must be chosen."""
    token = require_token(request)
    values = await form_data(request)
    async with Api(request, token) as api:
        event = await _own_event(api, event_id)
    form = _changeable(event)
    field = _field(form, values.get("path", ""))
    if field is None:
        context = {"event": event, "form": form, "error": text("rule.change.field")}
        return render(request, "change.html", context, 422)
    return see_other(request, f"/events/{event['id']}/change/{field.path}")


@router.get("/events/{event_id}/change/{path}")
async def change_value_page(request: Request, event_id: str, path: str) -> Response:
    """The right value for one detail, why, and which agencies will be told."""
    async with Api(request, require_token(request)) as api:
        event = await _own_event(api, event_id)
        agencies = await agency_names(api, page_lang(request))
    return _value_form(request, event, agencies=agencies, path=path, values={}, errors={})


def _value_form(
    request: Request,
    event: dict[str, Any],
    *,
    agencies: dict[str, str],
    path: str,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    field = _field(_changeable(event), path)
    if field is None:
        raise ApiProblem(404, {"title": "Not found", "detail": "path: no such detail"})
    # One line per agency (two steps at one agency are told alike).
    told = list(dict.fromkeys((agencies.get(a, a), how) for a, how in told_of_change(event, path)))
    context = {
        "event": event,
        "field": field,
        "group": _group(_changeable(event), path),
        "told": told,
        "values": values,
        "errors": errors,
    }
    return render(request, "change_value.html", context, 422 if errors else 200)


@router.post("/events/{event_id}/change/{path}")
async def correct(request: Request, event_id: str, path: str) -> Response:
    """Send the correction through the API; its refusals land on the inputs."""
    token = require_token(request)
    values = await form_data(request)
    async with Api(request, token) as api:
        event = await _own_event(api, event_id)
        agencies = await agency_names(api, page_lang(request))
        field = _field(_changeable(event), path)
        if field is None:
            raise ApiProblem(404, {"title": "Not found", "detail": "path: no such detail"})
        lang = page_lang(request)
        value, reason = values.get("value", "").strip(), values.get("reason", "").strip()
        errors = {}
        if not value:
            errors["value"] = text("rule.change.value", lang)
        if not reason or len(reason) > MAX_REASON:
            errors["reason"] = text("rule.change.reason", lang)
        if errors:
            return _value_form(
                request, event, agencies=agencies, path=path, values=values, errors=errors
            )
        typed = _typed(field, value)
        body = {"corrections": [{"path": path, "value": typed}], "reason": reason}
        try:
            await api.post(f"/v1/life-events/{event['id']}/corrections", body)
        except ApiProblem as problem:
            if problem.status != 422:
                raise
            rules = "; ".join(error["rule"] for error in problem.errors) or problem.detail
            target = "reason" if any(e["field"] == "reason" for e in problem.errors) else "value"
            errors = {target: rules}
            return _value_form(
                request, event, agencies=agencies, path=path, values=values, errors=errors
            )
    return see_other(request, f"/events/{event['id']}/changes?done=corrected")


def _typed(field: Ask, value: str) -> Any:
    """The value as the event's data holds it (names as a list, numbers as numbers, a date
    written day/month/year as an ISO date), by the same rules as the pages that entered it."""
    written = _DMY.match(value) if field.kind == "date" else None
    if written:
        day, month, year = (int(part) for part in written.groups())
        value = f"{year:04d}-{month:02d}-{day:02d}"
    if field.kind == "checkbox":
        return bool(value)
    return typed_answer(field.kind, value)


@router.get("/events/{event_id}/changes")
async def changes(request: Request, event_id: str, done: str | None = None) -> Response:
    """Each correction asked for, and each agency's progress with it in words."""
    async with Api(request, require_token(request)) as api:
        event = await _own_event(api, event_id)
        agencies = await agency_names(api, page_lang(request))
        corrections = await api.get(f"/v1/life-events/{event['id']}/corrections")
    form = _changeable(event)
    lang = page_lang(request)
    labels = {
        f.path: f"{text(fs.legend, lang)}: {text(f.label, lang)}" for fs in form for f in fs.fields
    }
    context = {
        "event": event,
        "corrections": corrections,
        "agencies": agencies,
        "labels": labels,
        "done": text("done.corrected", lang) if done == "corrected" else None,
    }
    return render(request, "changes.html", context)


@router.get("/events/{event_id}/cancel")
async def cancel_page(request: Request, event_id: str) -> Response:
    """What cancelling does and does not undo, and the choice."""
    async with Api(request, require_token(request)) as api:
        event = await _own_event(api, event_id)
        agencies = await agency_names(api, page_lang(request))
    sent = sorted(
        {agencies.get(s["agency"], s["agency"]) for s in event["steps"] if s["state"] in SENT}
    )
    ended = event["status"] not in ("awaiting_consent", "in_progress")
    return render(request, "cancel.html", {"event": event, "sent": sent, "ended": ended})


@router.post("/events/{event_id}/cancel")
async def cancel(request: Request, event_id: str) -> Response:
    """Cancel the event through the API, then show its progress."""
    token = require_token(request)
    await form_data(request)
    async with Api(request, token) as api:
        event = await _own_event(api, event_id)
        await api.post(f"/v1/life-events/{event['id']}/cancellation", {})
    return see_other(request, f"/events/{event['id']}?done=cancelled")
