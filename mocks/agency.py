"""What every mock agency shares: the submission pipeline, field rules, and control routes.

A submission goes through the same gates at every agency, in this order: faults (the agency
may be slow or down, and a 503 records nothing), the API key, the `Idempotency-Key` header,
the agency's own schema, then the store, which answers a repeated key with its first answer
(and with 409 when the key comes back with a different body).
Each agency module supplies only what differs: its path, header, schema, rules, answer and
error shape.
"""

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from mocks.faults import FaultKnobs, add_fault_routes
from mocks.store import NextNumber, Store

# Keys are opaque tokens (a UUID, a workflow's step id); a limit keeps them tokens.
_MAX_IDEMPOTENCY_KEY_LENGTH = 255


def _nz_zone() -> tzinfo:
    try:
        return ZoneInfo("Pacific/Auckland")
    except ZoneInfoNotFoundError:  # pragma: no cover - only on hosts without tz data
        # Standard time is close enough for "not after today" when no tz database exists.
        return timezone(timedelta(hours=12))


_NZ = _nz_zone()


def nz_today() -> date:
    """Today's date in New Zealand, where a baby born this morning was born "today"."""
    return datetime.now(_NZ).date()


def matching(pattern: str, rule: str) -> Callable[[str], str]:
    """A validator that accepts a string matching `pattern` and otherwise says `must be <rule>`.

    The message names the rule, never the value: submissions hold personal data.
    """
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"must be {rule}")
        return value

    return check


# Letters of any script, macrons included, whether precomposed (ā) or combining (a + U+0304).
_LETTERS = r"(?:[^\W\d_]|[\u0300-\u036f])+"
NAME_PATTERN = rf"{_LETTERS}(?:[ '\u2019-]{_LETTERS})*"
"""A personal name: runs of letters joined by single spaces, hyphens or apostrophes."""
NAME_RULE = "letters, with single spaces, hyphens or apostrophes between them"


def not_after_today(value: date) -> date:
    """A validator for dates that must already have happened (New Zealand time)."""
    if value > nz_today():
        raise ValueError("must not be after today")
    return value


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: the agency's own field name (if any) and the rule."""

    field: str | None
    message: str


RequestT = TypeVar("RequestT", bound=BaseModel)


@dataclass(frozen=True)
class MockService(Generic[RequestT]):
    """One submission service of a mock agency: its path, schema and answer."""

    path: str
    summary: str
    request_model: type[RequestT]
    issue: Callable[[RequestT, NextNumber], dict[str, Any]]
    success_status: int = 201


@dataclass(frozen=True)
class MockAgency(Generic[RequestT]):
    """One mock agency's submission service, as data the shared pipeline runs."""

    name: str
    path: str
    summary: str
    request_model: type[RequestT]
    read_api_key: Callable[[Request], str | None]
    issue: Callable[[RequestT, NextNumber], dict[str, Any]]
    error_body: Callable[[int, list[Problem]], dict[str, Any]]
    success_status: int = 201
    more_services: tuple[MockService[Any], ...] = ()
    """Further services, behind the same key, idempotency, error shape and records."""

    @property
    def services(self) -> tuple[MockService[Any], ...]:
        """Every submission service of the agency, its first one first."""
        first = MockService(
            self.path, self.summary, self.request_model, self.issue, self.success_status
        )
        return (first, *self.more_services)


def problems_from(error: ValidationError) -> list[Problem]:
    """The schema errors as problems, named by the agency's field paths, without the values."""
    problems = []
    for detail in error.errors(include_url=False, include_input=False):
        field = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in detail["loc"]
        ).lstrip(".")
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "json_invalid":
            # The parser's message can quote the body; the rule is all the client needs.
            message = "the body must be valid JSON"
        problems.append(Problem(field or None, message))
    return problems


def agency_router(
    agency: MockAgency[Any], store: Store, knobs: FaultKnobs, api_key: str
) -> APIRouter:
    """The agency's routes: its submission services, `_records` and `_faults`."""
    router = APIRouter(tags=[agency.name])
    for service in agency.services:
        _add_submission_route(router, agency, service, store=store, knobs=knobs, api_key=api_key)

    @router.get("/_records", summary="List the submissions the agency holds")
    async def list_records() -> dict[str, Any]:
        records = await store.records(agency.name)
        return {
            "agency": agency.name,
            "records": [
                {
                    "idempotency_key": record.idempotency_key,
                    "received": record.received,
                    "status": record.status,
                    "answer": record.answer,
                    "recorded_at": record.recorded_at,
                }
                for record in records
            ],
        }

    add_fault_routes(router, knobs)
    return router


def _add_submission_route(
    router: APIRouter,
    agency: MockAgency[Any],
    service: MockService[Any],
    *,
    store: Store,
    knobs: FaultKnobs,
    api_key: str,
) -> None:
    """The service's submission route, through the shared gates (see the module docstring)."""

    def refuse(status: int, *problems: Problem) -> JSONResponse:
        return JSONResponse(agency.error_body(status, list(problems)), status_code=status)

    @router.post(service.path, summary=service.summary, status_code=service.success_status)
    async def submit(request: Request) -> JSONResponse:
        if await knobs.strikes():
            return refuse(503, Problem(None, "the service is temporarily unavailable"))
        presented = agency.read_api_key(request) or ""
        if not secrets.compare_digest(presented.encode(), api_key.encode()):
            return refuse(401, Problem(None, "a valid API key is required"))
        idempotency_key = request.headers.get("Idempotency-Key", "")
        if not 0 < len(idempotency_key) <= _MAX_IDEMPOTENCY_KEY_LENGTH:
            return refuse(
                400, Problem("Idempotency-Key", "the header is required (1 to 255 characters)")
            )
        raw = await request.body()
        try:
            submission = service.request_model.model_validate_json(raw)
        except ValidationError as error:
            return refuse(422, *problems_from(error))
        received = json.loads(raw)
        record = await store.record_once(
            agency.name,
            idempotency_key,
            received,
            lambda next_number: (service.success_status, service.issue(submission, next_number)),
        )
        if record.received != received:
            return refuse(
                409,
                Problem("Idempotency-Key", "the key was already used for a different submission"),
            )
        return JSONResponse(record.answer, status_code=record.status)
