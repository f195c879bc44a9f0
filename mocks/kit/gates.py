"""The gates every mock agency's routes pass, in the agency's own error shape: faults (the
agency may be slow or down), the API key, and for calls that change data the
`Idempotency-Key` header; and the OpenAPI entry of a reference in a route's path.
"""

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mocks.kit.agency import Problem, ServedAgency
from mocks.kit.compensations import ReferenceCall
from mocks.kit.faults import FaultKnobs

# Keys are opaque tokens (a UUID, a workflow's step id); a limit keeps them tokens.
_MAX_IDEMPOTENCY_KEY_LENGTH = 255


def refusal(agency: ServedAgency, status: int, *problems: Problem) -> JSONResponse:
    """The agency's answer refusing a request, in its own error shape."""
    return JSONResponse(agency.error_body(status, list(problems)), status_code=status)


async def turned_away(
    agency: ServedAgency, request: Request, knobs: FaultKnobs, api_key: str
) -> JSONResponse | None:
    """The first gates of every route that serves data: faults, then the API key."""
    if await knobs.strikes():
        return refusal(agency, 503, Problem(None, "the service is temporarily unavailable"))
    return key_refusal(agency, request, api_key)


async def keyed_request(
    agency: ServedAgency, request: Request, knobs: FaultKnobs, api_key: str
) -> str | JSONResponse:
    """The gates of every call that changes data: faults, the API key, then the
    `Idempotency-Key` header, whose value it gives (else the refusal of the first gate)."""
    turned = await turned_away(agency, request, knobs, api_key)
    if turned is not None:
        return turned
    idempotency_key = request.headers.get("Idempotency-Key", "")
    if not 0 < len(idempotency_key) <= _MAX_IDEMPOTENCY_KEY_LENGTH:
        return refusal(
            agency,
            400,
            Problem("Idempotency-Key", "the header is required (1 to 255 characters)"),
        )
    return idempotency_key


def reference_call_route(
    router: APIRouter, call: ReferenceCall
) -> Callable[[Callable[[Request], Awaitable[JSONResponse]]], Any]:
    """The route of a call about a record by its reference (a withdrawal, an amendment)."""
    return router.api_route(
        call.path,
        methods=[call.method],
        summary=call.summary,
        status_code=call.success_status,
        openapi_extra={"parameters": [reference_parameter(call.parameter)]},
    )


def reference_parameter(name: str) -> dict[str, Any]:
    """A reference in a route's path, as OpenAPI documents it (the handlers of routes about a
    record read the reference themselves, so FastAPI cannot see it)."""
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def key_refusal(agency: ServedAgency, request: Request, api_key: str) -> JSONResponse | None:
    """The agency's 401 when the request lacks its valid API key, else None (control routes
    that change data, such as a register's seeding, pass this gate but not the faults)."""
    presented = agency.read_api_key(request) or ""
    if not secrets.compare_digest(presented.encode(), api_key.encode()):
        return refusal(agency, 401, Problem(None, "a valid API key is required"))
    return None
