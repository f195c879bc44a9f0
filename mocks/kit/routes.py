"""The routes every mock agency serves from its declaration (mocks/kit/agency.py): the submission
pipeline, register look-ups, compensating calls and the control routes.

A submission goes through the same gates at every agency, in this order: faults (the agency
may be slow or down, and a 503 records nothing), the API key, the `Idempotency-Key` header
(these three in mocks/kit/gates.py), the agency's own schema, the consent receipt when the
mocks check receipts (403 without a receipt that allows the submission, see
mocks/kit/receipts.py), then the store, which answers a repeated key with its first answer
(and with 409 when the key comes back with a different body).
A register look-up (a GET) passes the same faults and API key gates, then the agency's own
schema for its path and query parameters, and answers 404 when the register holds nothing.
A compensating call (withdrawing what a submission made) passes the faults, API key,
`Idempotency-Key` and schema gates, then the rules of mocks/kit/compensations.py.
A slow agency's service may accept a request for a later outcome (`MockDeferral`, as in
mocks/agencies/ird/cases.py and mocks/agencies/bdm/reviews.py): the promise is stored with
the record and kept by mocks/kit/later.py; an agency may add routes of its own (status
checks, mocks/kit/followups.py; amendments, mocks/kit/amendments.py) with its `RouteContext`.
Each agency module supplies only what differs: its path, header, schema, rules, answer and
error shape.
"""

import json
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from mocks.kit.admin import admin_gate
from mocks.kit.agency import (
    SUBMITTING_DECISIONS,
    MockAgency,
    MockDeferral,
    MockLookup,
    MockService,
    Problem,
    ReceiptCheck,
    RouteContext,
    ServedAgency,
    problems_from,
)
from mocks.kit.callbacks import callback_target
from mocks.kit.compensations import (
    MockCompensation,
    Refused,
    withdraw,
    withdrawals_of,
)
from mocks.kit.faults import FaultKnobs, add_fault_routes
from mocks.kit.gates import keyed_request, reference_call_route, refusal, turned_away
from mocks.kit.later import Action, Decided
from mocks.kit.store import NextNumber, Record, Store


def agency_router(
    agency: ServedAgency,
    store: Store,
    knobs: FaultKnobs,
    api_key: str,
    *,
    admin_key: str | None,
    receipts: ReceiptCheck | None = None,
    environ: Mapping[str, str] | None = None,
    actions: dict[tuple[str, str], Action] | None = None,
) -> APIRouter:
    """The agency's routes: its submission services, its look-ups, `_records` and `_faults`.

    `admin_key` opens `_records` and `_faults`; None serves neither (production).
    `receipts` is the consent receipt gate; None leaves it off. `environ` configures the
    agency's own routes (such as where a slow agency calls back). The work its slow services
    promise is added to `actions`, for mocks/kit/later.py to perform.
    """
    router = APIRouter(tags=[agency.name])
    context = (
        RouteContext(agency, store, knobs, api_key, receipts, environ or {})
        if isinstance(agency, MockAgency)
        else None
    )
    for service in agency.services:
        deferral = context.agency.deferrals.get(service.path) if context else None
        if deferral and context and actions is not None:
            actions[(agency.name, deferral.action)] = _action(deferral, context)
        _add_submission_route(
            router,
            agency,
            service,
            store=store,
            knobs=knobs,
            api_key=api_key,
            receipts=receipts,
            later=deferral,
        )
    for lookup in agency.lookups:
        _add_lookup_route(router, agency, lookup, store=store, knobs=knobs, api_key=api_key)
    # A register takes no submissions, so it has nothing to withdraw.
    for compensation in agency.compensations if isinstance(agency, MockAgency) else ():
        _add_compensation_route(
            router, agency, compensation, store=store, knobs=knobs, api_key=api_key
        )

    if context is not None:
        for add_routes in context.agency.routes:
            add_routes(router, context)

    if admin_key is not None:
        _add_control_routes(router, agency, store, knobs, admin_key)
    return router


def _add_control_routes(
    router: APIRouter, agency: ServedAgency, store: Store, knobs: FaultKnobs, admin_key: str
) -> None:
    """`_records` and `_faults`, behind the admin key."""
    admin = [Depends(admin_gate(admin_key))]

    @router.get(
        "/_records",
        summary="List the submissions, withdrawals and amendments held",
        dependencies=admin,
    )
    async def list_records() -> dict[str, Any]:
        records = await store.records(agency.name)
        withdrawals = await store.records(withdrawals_of(agency.name))
        amendments = await store.records(amendments_of(agency.name))
        return {
            "agency": agency.name,
            "records": [_listed(record) for record in records],
            "withdrawals": [_listed(record) for record in withdrawals],
            "amendments": [_listed(record) for record in amendments],
            "later": await store.promises.later_work(agency.name),
        }

    add_fault_routes(router, knobs, admin)


def _action(deferral: MockDeferral, context: RouteContext) -> Action:
    async def decide(record: Record) -> Decided:
        return await deferral.decide(record, context)

    name = context.agency.name
    target = callback_target(name, context.environ) if deferral.calls_back else None
    return Action(decide, target)


def _listed(record: Record) -> dict[str, Any]:
    """A record as `_records` lists it."""
    return {
        "idempotency_key": record.idempotency_key,
        "received": record.received,
        "status": record.status,
        "answer": record.answer,
        "recorded_at": record.recorded_at,
    }


def _add_submission_route(
    router: APIRouter,
    agency: ServedAgency,
    service: MockService[Any],
    *,
    store: Store,
    knobs: FaultKnobs,
    api_key: str,
    receipts: ReceiptCheck | None,
    later: MockDeferral | None = None,
) -> None:
    """The service's submission route, through the shared gates (see the module docstring);
    with `later`, a request the deferral accepts is answered now and decided afterwards."""

    def refuse(status: int, *problems: Problem) -> JSONResponse:
        return refusal(agency, status, *problems)

    @router.post(service.path, summary=service.summary, status_code=service.success_status)
    async def submit(request: Request) -> JSONResponse:
        idempotency_key = await keyed_request(agency, request, knobs, api_key)
        if isinstance(idempotency_key, JSONResponse):
            return idempotency_key
        raw = await request.body()
        try:
            submission = service.request_model.model_validate_json(raw)
        except ValidationError as error:
            return refuse(422, *problems_from(error))
        received = json.loads(raw)
        refused = (
            []
            if receipts is None
            else receipts(service.path, request.headers, received, SUBMITTING_DECISIONS)
        )
        if refused:
            return refuse(403, *refused)

        def issue(next_number: NextNumber) -> tuple[int, dict[str, Any]]:
            if later is not None:
                accepted = later.accept(submission, next_number, knobs.settings)
                if accepted is not None:
                    return later.status, accepted
            return service.success_status, service.issue(submission, next_number)

        promise = later.promise if later is not None else None
        record = await store.record_once(agency.name, idempotency_key, received, issue, promise)
        if record.received != received:
            return refuse(
                409,
                Problem("Idempotency-Key", "the key was already used for a different submission"),
            )
        return JSONResponse(record.answer, status_code=record.status)


def amendments_of(agency: str) -> str:
    """Where the store keeps the agency's amendments, apart from its submissions."""
    return f"{agency}.amendments"


def _add_lookup_route(
    router: APIRouter,
    agency: ServedAgency,
    lookup: MockLookup[Any],
    *,
    store: Store,
    knobs: FaultKnobs,
    api_key: str,
) -> None:
    """The look-up's GET route. Reading changes nothing, so it needs no idempotency key."""

    # The handler reads its parameters itself (through the agency's model), so FastAPI cannot
    # see them: the OpenAPI entry names them here.
    documented = [_documented_parameter(lookup, name) for name in lookup.query_model.model_fields]

    @router.get(lookup.path, summary=lookup.summary, openapi_extra={"parameters": documented})
    async def look_up(request: Request) -> JSONResponse:
        turned = await turned_away(agency, request, knobs, api_key)
        if turned is not None:
            return turned
        # Path parameters win over a query parameter of the same name.
        parameters = {**request.query_params, **request.path_params}
        try:
            query = lookup.query_model.model_validate(parameters)
        except ValidationError as error:
            return refusal(agency, 422, *problems_from(error))
        found = await lookup.answer(query, store)
        if found is None:
            return refusal(agency, 404, Problem(None, "the register holds no such record"))
        return JSONResponse(found)


def _documented_parameter(lookup: MockLookup[Any], name: str) -> dict[str, Any]:
    """One of the look-up's parameters as OpenAPI describes it: in the path, or in the query."""
    field = lookup.query_model.model_fields[name]
    alias = field.alias or name
    in_path = f"{{{alias}}}" in lookup.path
    return {
        "name": alias,
        "in": "path" if in_path else "query",
        "required": in_path or field.is_required(),
        "schema": {"type": "string"},
    }


def _add_compensation_route(
    router: APIRouter,
    agency: ServedAgency,
    compensation: MockCompensation,
    *,
    store: Store,
    knobs: FaultKnobs,
    api_key: str,
) -> None:
    """The compensating call's route: a submission's gates, then mocks/kit/compensations.py."""
    parameter = compensation.parameter

    def refuse(status: int, *problems: Problem) -> JSONResponse:
        return refusal(agency, status, *problems)

    @reference_call_route(router, compensation)
    async def compensate(request: Request) -> JSONResponse:
        idempotency_key = await keyed_request(agency, request, knobs, api_key)
        if isinstance(idempotency_key, JSONResponse):
            return idempotency_key
        raw = await request.body()
        body: dict[str, Any] = {}
        if compensation.request_model is None:
            if raw.strip():
                return refuse(422, Problem(None, "the request takes no body"))
        else:
            try:
                compensation.request_model.model_validate_json(raw)
            except ValidationError as error:
                return refuse(422, *problems_from(error))
            body = json.loads(raw)
        reference = request.path_params[parameter]
        outcome = await withdraw(
            compensation,
            store,
            agency.name,
            reference=reference,
            idempotency_key=idempotency_key,
            received={parameter: reference, **body},
        )
        if isinstance(outcome, Refused):
            return refuse(outcome.status, Problem(outcome.field, outcome.message))
        return JSONResponse(outcome.answer, status_code=outcome.status)
