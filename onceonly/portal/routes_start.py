"""Portal pages around the life events: signing in and out, and the citizen's events with the
ones they can start (each then told through question pages: `routes_journey`).
"""

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from onceonly.auth import mint_token
from onceonly.portal.client import Api
from onceonly.portal.pages import (
    SESSION_COOKIE,
    form_data,
    render,
    safe_next,
    see_other,
    session_token,
    set_cookie,
    settings_of,
)
from onceonly.portal.text import text

router = APIRouter(include_in_schema=False)
CITIZEN_ID = re.compile(r"^[A-Za-z0-9._@-]{1,100}$")


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
