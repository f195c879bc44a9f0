"""Portal pages for a second party: the citizen invites the other parent (the notification
service sends them the link by email or text message, or the citizen passes on a code), who
accepts the invitation signed in as themselves and then answers their own checkpoints.
"""

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from onceonly.portal.client import Api, ApiProblem
from onceonly.portal.pages import form_data, page_lang, render, require_token, see_other
from onceonly.portal.parties import role_words
from onceonly.portal.routes_event import read_event
from onceonly.portal.text import text

router = APIRouter(include_in_schema=False)
HOW = ("email", "sms", "copy")
# An invitation opens with its event's id: the type and 128 bits in hex.
_EVENT_ID = re.compile(r"^[a-z_]+-[0-9a-f]{32}$")
_NOT_YOURS = {"title": "Forbidden", "detail": "only the citizen who started the event may"}


def _roles(event: dict[str, Any]) -> list[str]:
    return sorted({party["role"] for step in event["steps"] for party in step["parties"]})


def _form(request: Request, event: dict[str, Any], role: str | None, **more: Any) -> Response:
    roles = _roles(event)
    lang = page_lang(request)
    context = {
        "event": event,
        "roles": [(r, role_words(r, lang)) for r in roles],
        "role": role if role in roles else (roles[0] if roles else None),
        "invitation": None,
        "values": {},
        "errors": {},
        **more,
    }
    status = 422 if context["errors"] else 200
    return render(request, "invite.html", context, status)


@router.get("/events/{event_id}/invite")
async def invite_page(request: Request, event_id: str, role: str | None = None) -> Response:
    """Choose whom to invite (the parties the event's steps name) and how to send it."""
    async with Api(request, require_token(request)) as api:
        event = await read_event(api, event_id)
    if event.get("party_role") is not None:
        raise ApiProblem(403, _NOT_YOURS)
    return _form(request, event, role)


@router.post("/events/{event_id}/invite")
async def invite(request: Request, event_id: str) -> Response:
    """Create the invitation, send it where the citizen asked, and show it once (to copy)."""
    token = require_token(request)
    values = await form_data(request)
    how = values.get("how", "")
    role = values.get("role", "")
    to = values.get(how, "").strip() if how in ("email", "sms") else ""
    async with Api(request, token) as api:
        event = await read_event(api, event_id)
        errors = _missing(how, to)
        if errors:
            return _form(request, event, role, values=values, errors=errors)
        body: dict[str, Any] = {"role": role}
        if how != "copy":
            body |= {"channel": how, "to": to}
        try:
            invitation = await api.post(f"/v1/life-events/{event['id']}/invitations", body)
        except ApiProblem as problem:
            if problem.status != 422 or how == "copy":
                raise
            errors = {how: text(f"rule.invite.{how}", page_lang(request))}
            return _form(request, event, role, values=values, errors=errors)
    context = {
        "event": event,
        "invitation": invitation,
        "link": invitation["link"],
        "delivery": invitation.get("delivery"),
        "to": to,
        "role_words": role_words(role, page_lang(request)),
    }
    return render(request, "invite.html", context)


def _missing(how: str, to: str) -> dict[str, str]:
    """The form's own rules, before the API's: a way to send it, and an address to send to."""
    if how not in HOW:
        return {"how": text("rule.invite.how")}
    if how != "copy" and not to:
        return {how: text(f"rule.invite.{how}")}
    return {}


@router.get("/invitations/accept", name="accept_page")
async def accept_page(request: Request, code: str = "") -> Response:
    """The invited party, signed in as themselves, accepts the invitation; one who joined
    already (or the citizen who made it) is taken to the event instead."""
    token = require_token(request)
    event_id = code.partition(".")[0]
    if _EVENT_ID.match(event_id):
        try:
            async with Api(request, token) as api:
                event = await api.get(f"/v1/life-events/{event_id}")
        except ApiProblem as problem:
            if problem.status != 404:
                raise
        else:
            done = "own_invitation" if event.get("party_role") is None else "rejoined"
            return see_other(request, f"/events/{event['id']}?done={done}")
    return render(request, "accept.html", {"code": code, "error": None})


@router.post("/invitations/accept")
async def accept(request: Request) -> Response:
    """Join the event; a wrong or used code gets the same answer as a made-up one."""
    token = require_token(request)
    values = await form_data(request)
    code = values.get("code", "").strip()
    try:
        async with Api(request, token) as api:
            event = await api.post("/v1/invitations", {"invitation": code})
    except ApiProblem as problem:
        if problem.status not in (404, 422):
            raise
        context = {"code": code, "error": text("rule.invitation")}
        return render(request, "accept.html", context, 422)
    return see_other(request, f"/events/{event['id']}/next?done=joined")
