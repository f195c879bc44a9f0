"""Several checkpoints on one page, one choice per agency (as Tell Us Once asks them): each
answer still goes to the API on its own (POST /v1/life-events/{id}/consents, one decision),
so one that is refused is shown against its agency while the others stand.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from onceonly.portal.client import Api, ApiProblem
from onceonly.portal.pages import form_data, page_lang, render, require_token, see_other
from onceonly.portal.routes_event import (
    _segment,
    answered_by_me,
    checkpoint_context,
    read_event,
    step_words,
)
from onceonly.portal.text import state_words, text

router = APIRouter(include_in_schema=False)
FIELD = "decision."  # a form field per step: decision.<step id> = grant, decline, acknowledge


@router.get("/events/{event_id}/choices")
async def choices_page(request: Request, event_id: str) -> Response:
    """Every checkpoint still waiting for the citizen, each with what its agency receives."""
    async with Api(request, require_token(request)) as api:
        page = await _page(request, api, event_id)
    if not page["items"]:
        return see_other(request, f"/events/{page['event']['id']}")
    return render(request, "choices.html", page)


@router.post("/events/{event_id}/choices")
async def answer_choices(request: Request, event_id: str) -> Response:
    """Check that every agency has an answer, then send each on its own; show any refused."""
    token = require_token(request)
    values = {k: v for k, v in (await form_data(request)).items() if k.startswith(FIELD)}
    lang = page_lang(request)
    async with Api(request, token) as api:
        page = await _page(request, api, event_id)
        items = page["items"]
        missing = {
            item["step"]["id"]: _required(item, lang)
            for item in items
            if values.get(FIELD + item["step"]["id"]) not in item["step"]["answers"]
        }
        if missing:
            return render(
                request, "choices.html", {**page, "values": values, "errors": missing}, 400
            )
        failed: dict[str, str] = {}
        recorded = []
        path = f"/v1/life-events/{_segment(event_id)}/consents"
        # Every answer given, in the event's order, even for a step answered elsewhere since
        # the page was shown: the API says why it no longer applies, against that agency.
        for step in page["event"]["steps"]:
            answer = values.get(FIELD + step["id"])
            if not answer:
                continue
            name = page["words"][step["id"]]["name"]
            try:
                await api.post(path, {"decisions": [{"step_id": step["id"], "decision": answer}]})
            except ApiProblem as refused:
                if refused.status == 401:
                    raise
                failed[step["id"]] = refused.detail or refused.title
            else:
                recorded.append(name)
        again = await _page(request, api, event_id) if failed else page
    states = {step["id"]: step["state"] for step in again["event"]["steps"]}
    # A step another answer of the same page stopped (a "no" to what it needs) is no error:
    # the progress page says why it was skipped.
    errors = {
        step_id: _refusal(again, step_id, detail, lang)
        for step_id, detail in failed.items()
        if states[step_id] not in ("skipped", "not_applicable")
    }
    if not errors:
        return see_other(request, f"/events/{event_id}?done=choices")
    context = {**again, "values": values, "errors": errors, "recorded": recorded}
    return render(request, "choices.html", context, 409)


async def _page(request: Request, api: Api, event_id: str) -> dict[str, Any]:
    lang = page_lang(request)
    event = await read_event(api, event_id)
    catalogue = await api.get("/v1/catalogue")
    answered = await answered_by_me(request, api, event)
    words = step_words(event, catalogue, lang)
    items = [
        checkpoint_context(step, words[step["id"]], lang)
        for step in event["steps"]
        if step["state"] == "awaiting_consent" and step["id"] not in answered
    ]
    unasked = [words[step["id"]] for step in event["steps"] if words[step["id"]]["explain"]]
    return {
        "event": event,
        "items": items,
        "unasked": unasked,
        "words": words,
        "live": any(not item["preview"] for item in items),
        "values": {},
        "errors": {},
        "recorded": [],
    }


def _refusal(page: dict[str, Any], step_id: str, detail: str, lang: str) -> str:
    """Why an answer was not recorded, in words: most often, the step was answered meanwhile
    (in another tab, or by the API); else the API's own reason."""
    name = page["words"][step_id]["name"]
    state = next(s["state"] for s in page["event"]["steps"] if s["id"] == step_id)
    if state != "awaiting_consent":
        return text("choices.failed.answered", lang, agency=name, state=state_words(state, lang))
    return text("choices.failed", lang, agency=name, detail=detail)


def _required(item: dict[str, Any], lang: str) -> str:
    message = "choices.required.ack" if item["statutory"] else "choices.required"
    return text(message, lang, agency=item["name"])
