"""The citizen API application: routes, problem handlers, body limit, metrics, Temporal."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from temporalio.client import Client

from onceonly.api import (
    births,
    callbacks,
    cancellation,
    catalogue,
    consents,
    corrections,
    disclosures,
    inbox,
    life_events,
    prefill,
    receipts,
    statistics,
    usage,
    well_known,
)
from onceonly.api.docs import install_docs
from onceonly.api.limits import BodyLimit, RateLimit
from onceonly.api.openapi import install_openapi
from onceonly.api.problems import PROBLEM_JSON, Problem, install_problem_handlers
from onceonly.life_events import check_life_events
from onceonly.metrics import install_metrics
from onceonly.portal import install_portal
from onceonly.settings import Settings
from onceonly.store import opened_store
from onceonly.temporal import connect, sdk_runtime

# Every answer but a route's documented success is a problem document; documenting it as the
# "default" response also replaces FastAPI's own 422 shape, which this API never sends.
PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    "default": {
        "model": Problem,
        "description": f"A problem (RFC 9457, {PROBLEM_JSON}) naming each field and rule",
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
}


def create_app(settings: Settings, temporal: Client | None = None) -> FastAPI:
    """The API; it connects to Temporal at start-up unless given a client."""
    check_life_events()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with opened_store(settings) as store:
            app.state.store = store
            # Its own SDK runtime, so the SDK core's log lines are JSON like the API's.
            app.state.temporal = temporal or await connect(settings, runtime=sdk_runtime())
            yield

    app = FastAPI(
        title="onceonly citizen API",
        version="1",
        summary="Tell government once about a life event.",
        lifespan=lifespan,
        responses=PROBLEM_RESPONSES,
        # Served by install_docs from the API's own assets: no CDN, so they work offline.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    install_problem_handlers(app)
    # JSON only on the API (/v1); the portal's pages take HTML form posts.
    app.add_middleware(
        BodyLimit, max_bytes=settings.max_request_bytes, json_only=True, json_prefix="/v1/"
    )
    app.add_middleware(RateLimit, settings=settings)
    app.include_router(catalogue.router)
    app.include_router(life_events.router)
    app.include_router(births.router)
    app.include_router(prefill.router)
    app.include_router(consents.router)
    app.include_router(receipts.router)
    app.include_router(corrections.router)
    app.include_router(cancellation.router)
    app.include_router(well_known.router)
    app.include_router(disclosures.router)
    app.include_router(callbacks.router)
    app.include_router(statistics.router)
    app.include_router(usage.router)
    app.include_router(inbox.router)
    install_metrics(app)
    install_portal(app)
    install_docs(app)
    install_openapi(app, lambda: datetime.now(ZoneInfo(settings.timezone)).date())

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    return app
