"""The citizen API's Prometheus metrics: requests by route template, life events, consent.

Labels hold route templates, event types and decisions only: never an event id, a citizen
or anything a citizen typed, so a scrape reveals nothing about anyone.
"""

import time
from collections.abc import Iterable

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onceonly.domain.life_event import ConsentDecision

EVENTS_STARTED = Counter(
    "onceonly_life_events_started", "Life events started, by event type.", ["event_type"]
)
CONSENT_DECISIONS = Counter(
    "onceonly_consent_decisions",
    "Consent decisions applied at checkpoints, by event type and decision.",
    ["event_type", "decision"],
)
REQUESTS = Counter(
    "onceonly_api_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
REQUEST_SECONDS = Histogram(
    "onceonly_api_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status.",
    ["method", "route", "status"],
)
# Requests no route handled (scanners, typos) share one label, so they cannot grow the series;
# methods outside HTTP's own share one too, for the same reason.
UNROUTED = "unrouted"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def record_event_started(event_type: str) -> None:
    """Count a life event the API started."""
    EVENTS_STARTED.labels(event_type=event_type).inc()


def record_consent_decisions(event_type: str, decisions: Iterable[ConsentDecision]) -> None:
    """Count consent decisions that the workflow accepted."""
    for decision in decisions:
        CONSENT_DECISIONS.labels(event_type=event_type, decision=decision.decision).inc()


def route_template(scope: Scope) -> str:
    """The template of the route that handled a request (`/v1/life-events/{event_id}`), never
    the raw path, which holds ids. The router leaves the route in the scope; a request with
    no route (a 404, or refused before routing, like a 413 from the body limit) is `unrouted`.
    """
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(template) if template else UNROUTED


class RequestMetrics:
    """ASGI middleware counting and timing every HTTP request by route template and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, noting the status it is answered with and how long it took."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        # An exception escaping the app becomes a 500 further out.
        status = 500

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        finally:
            labels = {
                "method": scope["method"] if scope["method"] in _METHODS else "other",
                "route": route_template(scope),
                "status": str(status),
            }
            REQUESTS.labels(**labels).inc()
            REQUEST_SECONDS.labels(**labels).observe(time.perf_counter() - started)


def install_metrics(app: FastAPI) -> None:
    """Add request metrics and `GET /metrics` (Prometheus text format) to the app.

    Add it after the other middleware: the last added runs first, so every answer counts.
    """
    app.add_middleware(RequestMetrics)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        """The process's metrics for Prometheus to scrape."""
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
