"""Mock registers: agencies that answer look-ups and take no submissions.

A register (the national address register, say) answers its look-ups from the records it
holds. Tests and demos put records in through a control route, `PUT /<register><seed path>`,
behind the register's own API key but not its faults (seeding is set-up, not traffic); a PUT
replaces whatever the register held under that key. The look-ups, `_records` and `_faults`
are the shared pipeline's (mocks/kit/routes.py), so a register passes the same gates as an
agency.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from mocks.kit.agency import MockLookup, MockService, Problem, problems_from
from mocks.kit.faults import FaultKnobs
from mocks.kit.gates import key_refusal
from mocks.kit.routes import agency_router
from mocks.kit.store import Store

RecordT = TypeVar("RecordT", bound=BaseModel)


@dataclass(frozen=True)
class MockRegister(Generic[RecordT]):
    """One mock register, as data the shared pipeline serves."""

    name: str
    read_api_key: Callable[[Request], str | None]
    error_body: Callable[[int, list[Problem]], dict[str, Any]]
    lookups: tuple[MockLookup[Any], ...]
    seed_path: str
    """The control route that puts a record in; its one path parameter is the record's key."""
    key_model: type[BaseModel]
    """Checks the seed path's parameter, by the rule the look-ups apply to it."""
    record_model: type[RecordT]
    """A record in the register's own format, as its look-ups answer it."""

    @property
    def services(self) -> tuple[MockService[Any], ...]:
        """None: a register takes no submissions."""
        return ()


def register_router(
    register: MockRegister[Any],
    store: Store,
    knobs: FaultKnobs,
    api_key: str,
    *,
    admin_key: str | None,
) -> APIRouter:
    """The register's routes: its look-ups, `_records` and `_faults` (when `admin_key` is
    given), and its seeding route."""
    router = agency_router(register, store, knobs, api_key, admin_key=admin_key)

    def invalid(error: ValidationError) -> JSONResponse:
        return JSONResponse(register.error_body(422, problems_from(error)), status_code=422)

    @router.put(register.seed_path, summary="Put a record in the register (a control route)")
    async def seed(request: Request) -> JSONResponse:
        refused = key_refusal(register, request, api_key)
        if refused is not None:
            return refused
        try:
            register.key_model.model_validate(request.path_params)
        except ValidationError as error:
            return invalid(error)
        try:
            record = register.record_model.model_validate_json(await request.body())
        except ValidationError as error:
            return invalid(error)
        (key,) = request.path_params.values()
        # Held as the register writes it (its aliases), exactly what its look-ups answer.
        held = await store.hold(register.name, key, record.model_dump(mode="json", by_alias=True))
        return JSONResponse(held.answer)

    return router
