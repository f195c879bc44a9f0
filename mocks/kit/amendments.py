"""Corrections at the mock agencies: the corrected record in full, for a record a service made.

When a citizen corrects a field after a step ran (a misspelt name, a wrong unit number),
onceonly sends each agency that holds it the service's request again, corrected, to the record
the agency's reference names. Each agency words the call its own way (IRD a `PUT` of the case,
MSD a `POST .../amendments`, NZTA a `PATCH`); every one passes the submission's gates: faults,
API key, `Idempotency-Key`, the service's own schema, and the consent receipt, which must
cover the corrected body as it would the submission. Then the reference must be one the
service issued (else 404), and a repeated key answers its first answer (409 with another
body). Amendments are kept apart from the submissions, so `_records` lists each record as the
agency first received it and, under `amendments`, every correction to it.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from mocks.kit.agency import AMENDING_DECISIONS, Problem, RouteContext, problems_from
from mocks.kit.compensations import record_call
from mocks.kit.gates import keyed_request, reference_call_route, refusal
from mocks.kit.routes import amendments_of
from mocks.kit.store import NextNumber


@dataclass(frozen=True)
class MockAmendment:
    """One correction call of a mock agency, to the records of one of its services."""

    method: Literal["PUT", "PATCH", "POST"]
    path: str
    """The route; its one path parameter is the reference ("/x/{case_id}/amendments")."""
    summary: str
    service_path: str
    """The service whose records it corrects: its receipt coverage applies to the body."""
    request_model: type[BaseModel]
    """The corrected record, in the service's format."""
    reference_field: str
    """The field of the service's answer that holds the reference."""
    reference_pattern: str
    """The references the service issues: another service's are not found."""
    issue: Callable[[str, NextNumber], dict[str, Any]]
    """The answer to a new amendment of the reference."""
    success_status: int = 200

    @property
    def parameter(self) -> str:
        """The name of the path parameter that holds the reference."""
        (name,) = re.findall(r"\{(\w+)\}", self.path)
        return str(name)


def amendment_routes(*amendments: MockAmendment) -> Callable[[APIRouter, RouteContext], None]:
    """The agency's own routes (`MockAgency.routes`) taking these amendments."""

    def add(router: APIRouter, context: RouteContext) -> None:
        for amendment in amendments:
            _add_amendment_route(router, context, amendment)

    return add


async def _checked_body(
    request: Request, context: RouteContext, amendment: MockAmendment
) -> tuple[dict[str, Any], str] | JSONResponse:
    """The body and idempotency key of a request through the submission's gates, or the
    refusal of the first gate it fails."""
    agency = context.agency
    idempotency_key = await keyed_request(agency, request, context.knobs, context.api_key)
    if isinstance(idempotency_key, JSONResponse):
        return idempotency_key
    raw = await request.body()
    try:
        amendment.request_model.model_validate_json(raw)
    except ValidationError as error:
        return refusal(agency, 422, *problems_from(error))
    body: dict[str, Any] = json.loads(raw)
    if context.receipts is not None:
        refused = context.receipts(
            amendment.service_path, request.headers, body, AMENDING_DECISIONS
        )
        if refused:
            return refusal(agency, 403, *refused)
    return body, idempotency_key


def _made_by_service(received: dict[str, Any], amendment: MockAmendment) -> bool:
    # Services may share a reference sequence (NZTA's transactions): a record is the
    # service's when the service's own schema reads what the agency received.
    try:
        amendment.request_model.model_validate_json(json.dumps(received))
    except ValidationError:
        return False
    return True


def _add_amendment_route(
    router: APIRouter, context: RouteContext, amendment: MockAmendment
) -> None:
    agency = context.agency
    parameter = amendment.parameter

    def refuse(status: int, *problems: Problem) -> JSONResponse:
        return refusal(agency, status, *problems)

    @reference_call_route(router, amendment)
    async def amend(request: Request) -> JSONResponse:
        checked = await _checked_body(request, context, amendment)
        if isinstance(checked, JSONResponse):
            return checked
        body, idempotency_key = checked
        reference = request.path_params[parameter]
        issued = re.fullmatch(amendment.reference_pattern, reference) is not None
        found = issued and await context.store.record_answered(
            agency.name, amendment.reference_field, reference
        )
        if not found or not _made_by_service(found.received, amendment):
            return refuse(404, Problem(None, "the agency holds no record with that reference"))
        received = {parameter: reference, **body}
        record = await record_call(
            context.store,
            amendments_of(agency.name),
            idempotency_key,
            received,
            call=amendment,
            reference=reference,
        )
        if record is None:
            return refuse(
                409,
                Problem("Idempotency-Key", "the key was already used for a different amendment"),
            )
        return JSONResponse(record.answer, status_code=record.status)
