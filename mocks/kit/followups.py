"""What the mock agencies' follow-up routes share: a GET about one request by the reference the
agency issued (a status check), behind the agency's faults and API key, answered in its own
format, 404 when it issued no such reference; and the rules for deciding later.
"""

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mocks.kit.agency import Problem, RouteContext
from mocks.kit.gates import reference_parameter, refusal, turned_away

ReferenceAnswer = Callable[[str, RouteContext], Awaitable[dict[str, Any] | None]]
"""The agency's answer about the request under a reference; None when it issued no such one."""


def due_at(seconds: float) -> str:
    """The moment (UTC, ISO) `seconds` from now: when a decision taken later is due."""
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def seconds_until(due: str) -> float:
    """How long until the ISO moment `due`; zero or less once it has passed."""
    return (datetime.fromisoformat(due) - datetime.now(UTC)).total_seconds()


def in_effect(context: RouteContext, service: str) -> bool:
    """Whether the agency's completed requests of `service` (a catalogue service name) took
    effect: yes, unless the `effect_not_taken` knob names the service."""
    return service not in context.knobs.settings.effect_not_taken


def add_reference_route(
    router: APIRouter,
    context: RouteContext,
    *,
    path: str,
    summary: str,
    pattern: str,
    answer: ReferenceAnswer,
) -> None:
    """A GET route about the request under the path's one parameter (a reference matching
    `pattern`, else 404), answered by `answer`."""
    (parameter,) = re.findall(r"\{(\w+)\}", path)
    compiled = re.compile(pattern)
    agency = context.agency

    @router.get(
        path, summary=summary, openapi_extra={"parameters": [reference_parameter(parameter)]}
    )
    async def about(request: Request) -> JSONResponse:
        refused = await turned_away(agency, request, context.knobs, context.api_key)
        if refused is not None:
            return refused
        reference = request.path_params[parameter]
        found = await answer(reference, context) if compiled.fullmatch(reference) else None
        if found is None:
            return refusal(
                agency, 404, Problem(None, "the agency holds no request with that reference")
            )
        return JSONResponse(found)


def reference_route(
    *, path: str, summary: str, pattern: str, answer: ReferenceAnswer
) -> Callable[[APIRouter, RouteContext], None]:
    """An agency's own route (`MockAgency.routes`) about the request under a reference: see
    `add_reference_route`."""

    def add(router: APIRouter, context: RouteContext) -> None:
        add_reference_route(
            router, context, path=path, summary=summary, pattern=pattern, answer=answer
        )

    return add
