"""The reference citizen portal: server-rendered pages at `/` that walk a citizen through a
life event by calling the citizen API (/v1) exactly as any other client would.
"""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from onceonly.portal import (
    routes_change,
    routes_check,
    routes_choices,
    routes_event,
    routes_inbox,
    routes_invite,
    routes_journey,
    routes_language,
    routes_start,
    routes_statistics,
    routes_twins,
)
from onceonly.portal.pages import HERE, install_handlers


def install_portal(app: FastAPI) -> None:
    """Serve the portal's pages and static files from `app`, beside the API."""
    install_handlers(app)
    app.include_router(routes_start.router)
    app.include_router(routes_journey.router)
    app.include_router(routes_check.router)
    app.include_router(routes_event.router)
    app.include_router(routes_choices.router)
    app.include_router(routes_invite.router)
    app.include_router(routes_change.router)
    app.include_router(routes_language.router)
    app.include_router(routes_statistics.router)
    app.include_router(routes_twins.router)
    app.include_router(routes_inbox.router)
    app.add_exception_handler(routes_inbox.StaffNotSignedIn, routes_inbox.staff_not_signed_in)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
