"""Portal pages of one life event: its checkpoints, progress, receipts, disclosure log,
withdrawal, and inviting and accepting a second party. Each reads and acts through the API.
"""

import json
import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from onceonly.auth import citizen_key, verify_token
from onceonly.portal import consent
from onceonly.portal.client import Api, ApiProblem
from onceonly.portal.pages import (
    form_data,
    page_lang,
    render,
    require_token,
    secured,
    see_other,
    settings_of,
)
from onceonly.portal.parties import may_answer, reader_context
from onceonly.portal.staff_views import disclosures_and_views, view_words
from onceonly.portal.text import field_words, text
from onceonly.receipts import InvalidReceipt, verify_receipt

router = APIRouter(include_in_schema=False)
# Ids go into API paths: anything but a plain segment could walk to another route.
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
_FINISHED = {"completed", "partially_completed", "failed", "cancelled"}


def _segment(value: str) -> str:
    if not _SEGMENT.match(value):
        raise ApiProblem(404, {"title": "Not found", "detail": "id: no such life event"})
    return value


async def read_event(api: Api, event_id: str) -> dict[str, Any]:
    """The life event, as the API shows it to the signed-in citizen (its 404 for anyone else)."""
    event: dict[str, Any] = await api.get(f"/v1/life-events/{_segment(event_id)}")
    return event


def _step(event: dict[str, Any], step_id: str) -> dict[str, Any]:
    for step in event["steps"]:
        if step["id"] == step_id:
            return dict(step)
    raise ApiProblem(404, {"title": "Not found", "detail": "step_id: no such step"})


async def _agencies(api: Api, lang: str) -> dict[str, str]:
    return agency_names(await api.get("/v1/catalogue"), lang)


def agency_names(catalogue: dict[str, Any], lang: str = "en") -> dict[str, str]:
    """Each agency's name by its id, from the public catalogue: in te reo Māori on Māori pages
    where the agency has an official Māori name."""
    return {
        agency["id"]: (lang == "mi" and agency.get("maori_name")) or agency["name"]
        for agency in catalogue["agencies"]
    }


def step_words(
    event: dict[str, Any], catalogue: dict[str, Any], lang: str
) -> dict[str, dict[str, Any]]:
    """For each step, the words the progress page and the checkpoints show beside its state:
    its short name, why it was skipped or does not apply and what to do, and which steps
    need it (by name)."""
    agencies = agency_names(catalogue, lang)
    conditions = consent.applies_if_of(catalogue, event["event_type"])
    steps = event["steps"]
    return {
        step["id"]: {
            "name": consent.step_name(step, agencies, lang),
            "agency": agencies.get(step["agency"], step["agency"]),
            "explain": consent.explain(step, steps, agencies, conditions.get(step["id"]), lang),
            "needed_by": [
                consent.step_name(d, agencies, lang) for d in consent.dependants(steps, step["id"])
            ],
        }
        for step in steps
    }


async def answered_by_me(request: Request, api: Api, event: dict[str, Any]) -> set[str]:
    """Steps still open for other parties that the signed-in citizen has answered already
    (their signed receipt names them as its principal)."""
    if not any(s["state"] == "awaiting_consent" and s["parties"] for s in event["steps"]):
        return set()
    settings = settings_of(request)
    me = citizen_key(settings, verify_token(settings, require_token(request)).subject)
    signed = await api.get(f"/v1/life-events/{event['id']}/receipts")
    jwks = await api.get("/.well-known/jwks.json")
    answered = set()
    for receipt in signed:
        try:
            claims = verify_receipt(receipt["jws"], jwks)
        except InvalidReceipt:
            continue
        if claims.get("piiPrincipalId") == me:
            answered.add(receipt["step_id"])
    return answered


@router.get("/events/{event_id}")
async def progress(request: Request, event_id: str, done: str | None = None) -> Response:
    """Every step's state (and why, where it did not run), reference, times and due date; the
    page patches the cells that change while it is under way (static/portal.js)."""
    return render(request, "progress.html", await _progress(request, event_id, done))


@router.get("/events/{event_id}/progress")
async def progress_part(request: Request, event_id: str) -> Response:
    """The progress page's live part alone, for static/portal.js to compare cell by cell."""
    return render(request, "_progress_part.html", await _progress(request, event_id, None))


async def _progress(request: Request, event_id: str, done: str | None) -> dict[str, Any]:
    async with Api(request, require_token(request)) as api:
        event = await read_event(api, event_id)
        catalogue = await api.get("/v1/catalogue")
        answered = await answered_by_me(request, api, event)
    return {
        "event": event,
        "agencies": agency_names(catalogue, page_lang(request)),
        "words": step_words(event, catalogue, page_lang(request)),
        "live": event["status"] not in _FINISHED,
        "kept_by_law": consent.kept_by_law,
        "prefilled": [field_words(p["path"], page_lang(request)) for p in event["prefilled"]],
        "done": _done(done),
        **reader_context(event, answered, page_lang(request)),
    }


@router.get("/events/{event_id}/next")
async def next_checkpoint(request: Request, event_id: str, done: str | None = None) -> Response:
    """The first checkpoint still waiting for an answer, or the progress page."""
    async with Api(request, require_token(request)) as api:
        event = await read_event(api, event_id)
        answered = await answered_by_me(request, api, event)
    role = event.get("party_role")
    waiting = [step["id"] for step in event["steps"] if may_answer(step, role, answered)]
    suffix = f"?done={quote(done)}" if done else ""
    if waiting:
        return see_other(request, f"/events/{event['id']}/steps/{waiting[0]}{suffix}")
    return see_other(request, f"/events/{event['id']}{suffix}")


@router.get("/events/{event_id}/steps/{step_id}")
async def checkpoint(
    request: Request, event_id: str, step_id: str, done: str | None = None
) -> Response:
    """One checkpoint: what the agency will receive, in words and exactly; why it may; what
    saying no would stop; and the choice (or, for a step the law requires, the acknowledgement).
    """
    lang = page_lang(request)
    async with Api(request, require_token(request)) as api:
        event = await read_event(api, event_id)
        catalogue = await api.get("/v1/catalogue")
        answered = await answered_by_me(request, api, event)
    step = _step(event, step_id)
    waiting = [
        s["id"]
        for s in event["steps"]
        if s["state"] == "awaiting_consent" and s["id"] not in answered
    ]
    numbers = consent.question_numbers(event["steps"], waiting)
    context = {
        "event": event,
        **checkpoint_context(step, step_words(event, catalogue, lang)[step_id], lang),
        "number": numbers.get(step_id),
        "total": max(numbers.values(), default=0),
        "others_waiting": len([w for w in waiting if w != step_id]),
        "live": step["state"] == "awaiting_consent" and not step.get("preview"),
        "answered": step_id in answered,
        "done": _done(done),
    }
    return render(request, "checkpoint.html", context)


def checkpoint_context(step: dict[str, Any], words: dict[str, Any], lang: str) -> dict[str, Any]:
    """What a checkpoint shows of one step, alone or among others on one page."""
    preview = step.get("preview") or None
    body = preview.get("body") if preview else None
    return {
        "step": step,
        "agency": words["agency"],
        "name": words["name"],
        "needed_by": words["needed_by"],
        "statutory": consent.statutory(step),
        "preview": preview,
        "readable": consent.readable(step["fields"], preview, lang),
        "pending": [field_words(path, lang) for path in (preview or {}).get("pending", [])],
        "preview_text": json.dumps(body, indent=2, ensure_ascii=False) if body else None,
    }


@router.post("/events/{event_id}/steps/{step_id}")
async def decide(request: Request, event_id: str, step_id: str) -> Response:
    """Record the citizen's answer at the checkpoint, then go to the next one."""
    token = require_token(request)
    values = await form_data(request)
    decision = {"step_id": _segment(step_id), "decision": values.get("decision", "")}
    async with Api(request, token) as api:
        path = f"/v1/life-events/{_segment(event_id)}/consents"
        await api.post(path, {"decisions": [decision]})
    return see_other(request, f"/events/{event_id}/next?done=decided")


@router.get("/events/{event_id}/steps/{step_id}/withdraw")
async def withdraw_page(request: Request, event_id: str, step_id: str) -> Response:
    """Ask the citizen to confirm the withdrawal, saying what it will and will not undo; for a
    step the law requires, say what the law keeps and what to do instead (no withdrawal)."""
    async with Api(request, require_token(request)) as api:
        event = await read_event(api, event_id)
        agencies = await _agencies(api, page_lang(request))
    step = _step(event, step_id)
    lang, agency = page_lang(request), agencies.get(step["agency"], "")
    instead = text("withdraw.statutory.todo", lang, agency=agency)
    context = {
        "event": event,
        "step": step,
        "agency": agency,
        "statutory": consent.statutory(step),
        "todo": consent.words(f"withdraw.statutory.todo.{step_id}", lang, instead),
    }
    return render(request, "withdraw.html", context)


@router.post("/events/{event_id}/steps/{step_id}/withdraw")
async def withdraw(request: Request, event_id: str, step_id: str) -> Response:
    """Withdraw the consent given at the step."""
    token = require_token(request)
    await form_data(request)
    async with Api(request, token) as api:
        await api.delete(f"/v1/life-events/{_segment(event_id)}/consents/{_segment(step_id)}")
    return see_other(request, f"/events/{event_id}?done=withdrawn")


@router.get("/events/{event_id}/receipts")
async def receipts(request: Request, event_id: str) -> Response:
    """The event's signed consent receipts, each checked against the published keys."""
    async with Api(request, require_token(request)) as api:
        event = await read_event(api, event_id)
        signed = await api.get(f"/v1/life-events/{event['id']}/receipts")
        jwks = await api.get("/.well-known/jwks.json")
        agencies = await _agencies(api, page_lang(request))
    checked = [{**receipt, "valid": _verifies(receipt["jws"], jwks)} for receipt in signed]
    steps = {step["id"]: step for step in event["steps"]}
    context = {"event": event, "receipts": checked, "steps": steps, "agencies": agencies}
    return render(request, "receipts.html", context)


@router.get("/events/{event_id}/receipts/{receipt_id}.jws")
async def receipt_file(request: Request, event_id: str, receipt_id: str) -> Response:
    """One receipt as a file: the compact JWS, as the agency received it."""
    async with Api(request, require_token(request)) as api:
        signed = await api.get(f"/v1/life-events/{_segment(event_id)}/receipts")
    for receipt in signed:
        if receipt["receipt_id"] == receipt_id:
            name = f"consent-receipt-{_segment(receipt_id)}.jws"
            headers = {"Content-Disposition": f'attachment; filename="{name}"'}
            response = Response(receipt["jws"], media_type="application/jose", headers=headers)
            return secured(request, response)
    raise ApiProblem(404, {"title": "Not found", "detail": "receipt_id: no such receipt"})


@router.get("/events/{event_id}/disclosures")
async def disclosures(request: Request, event_id: str) -> Response:
    """Which agency received which fields of this event, when, and why."""
    async with Api(request, require_token(request)) as api:
        event = await read_event(api, event_id)
        log = await api.get("/v1/disclosures", params={"event_id": event["id"]})
    sent, views = disclosures_and_views(log)
    timezone, lang = settings_of(request).timezone, page_lang(request)
    seen = [view_words(view, timezone, lang) for view in views]
    return render(request, "disclosures.html", {"event": event, "disclosures": sent, "views": seen})


def _verifies(jws: str, jwks: dict[str, Any]) -> bool:
    try:
        verify_receipt(jws, jwks)
    except InvalidReceipt:
        return False
    return True


def _done(done: str | None) -> str | None:
    """The message for what just happened (only the portal's own messages, never echoed)."""
    known = (
        "withdrawn",
        "decided",
        "joined",
        "rejoined",
        "own_invitation",
        "cancelled",
        "corrected",
        "choices",
    )
    return text(f"done.{done}") if done in known else None
