"""Portal pages for a second party: the citizen invites the other parent, who accepts the
invitation signed in as themselves and then answers their own checkpoints.
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from onceonly.portal.client import Api, ApiProblem
from onceonly.portal.pages import form_data, render, require_token, see_other
from onceonly.portal.routes_event import read_event
from onceonly.portal.text import text

router = APIRouter(include_in_schema=False)


@router.get("/events/{event_id}/invite")
async def invite_page(request: Request, event_id: str) -> Response:
    """Choose whom to invite: the parties the event's steps name."""
    async with Api(request, require_token(request)) as api:
        event = await read_event(api, event_id)
    roles = sorted({party["role"] for step in event["steps"] for party in step["parties"]})
    return render(request, "invite.html", {"event": event, "roles": roles, "invitation": None})


@router.post("/events/{event_id}/invite")
async def invite(request: Request, event_id: str) -> Response:
    """Create the invitation and show it once (it is not kept anywhere the portal can show)."""
    token = require_token(request)
    values = await form_data(request)
    async with Api(request, token) as api:
        event = await read_event(api, event_id)
        path = f"/v1/life-events/{event['id']}/invitations"
        invitation = await api.post(path, {"role": values.get("role", "")})
    link = str(request.url_for("accept_page").include_query_params(code=invitation["invitation"]))
    context = {"event": event, "roles": [], "invitation": invitation, "link": link}
    return render(request, "invite.html", context)


@router.get("/invitations/accept", name="accept_page")
async def accept_page(request: Request, code: str = "") -> Response:
    """The invited party, signed in as themselves, accepts the invitation."""
    require_token(request)
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
