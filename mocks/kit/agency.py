"""What every mock agency declares: its services, look-ups and slow answers (`MockAgency`),
the problems it reports, and the context its own routes get. The routes every agency serves
from its declaration (the submission pipeline, look-ups, compensations and control routes) are
mocks/kit/routes.py; the field rules agencies share, mocks/kit/formats.py.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from fastapi import APIRouter, Request
from pydantic import BaseModel, ValidationError

from mocks.kit.compensations import MockCompensation
from mocks.kit.faults import FaultKnobs, FaultSettings
from mocks.kit.later import Decided
from mocks.kit.promises import Later
from mocks.kit.store import NextNumber, Record, Store


@dataclass(frozen=True)
class Coverage:
    """What one service's body is made from, so the gate can check the receipt covers it.

    `sources` maps each request field, by its path in the agency's JSON (dotted through
    nested objects: `child.givenNames`), to the canonical field (or fields) it is made from.
    An entry covers its field and everything under it, so each entry is the largest part of
    the body made from one canonical field: a flat field, or a whole object or list (an
    address, a name) made from one; an object mixing several has an entry per field inside
    it. A constant (FHIR's `resourceType`) is made from nothing: `()`.
    """

    service: str
    """The service's name as onceonly's catalogue and receipts name it."""
    sources: Mapping[str, str | tuple[str, ...]]

    def sources_of(self, field: str) -> tuple[str, ...] | None:
        """The canonical fields the request field is made from; None when the table has no
        entry for it (a table must name every field, so the gate refuses such a field)."""
        found = self.sources.get(field)
        return (found,) if isinstance(found, str) else found


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


QueryT = TypeVar("QueryT", bound=BaseModel)


@dataclass(frozen=True)
class MockLookup(Generic[QueryT]):
    """One register look-up of a mock agency: a GET route whose path and query parameters
    `query_model` checks, answered from the agency's data (None from `answer` is a 404)."""

    path: str
    summary: str
    query_model: type[QueryT]
    answer: Callable[[QueryT, Store], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True)
class MockDeferral:
    """How a service accepts a request for an outcome that comes later (a slow agency)."""

    accept: Callable[[Any, NextNumber, FaultSettings], dict[str, Any] | None]
    """The answer accepting the request for later, given the live knobs; None answers now."""
    action: str
    """The name of the promised work in the mocks' store (`<agency>.<what>`)."""
    due_field: str
    """The field of the accepting answer that says when the decision is due (ISO, UTC)."""
    decide: Callable[[Record, "RouteContext"], Awaitable[Decided]]
    """Takes the decision once it is due (a second call finds the first)."""
    calls_back: bool = False
    """Whether the agency calls onceonly back once it has decided."""
    status: int = 202

    def promise(self, status: int, answer: dict[str, Any]) -> Later | None:
        """The work an answer accepting the request for later promises (None for any other)."""
        if status != self.status:
            return None
        return Later(self.action, datetime.fromisoformat(answer[self.due_field]).timestamp())


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
    lookups: tuple[MockLookup[Any], ...] = ()
    """Register look-ups (GET), behind the same faults, key and error shape."""
    compensations: tuple[MockCompensation, ...] = ()
    """Calls that withdraw what a service recorded, behind the same gates (see
    mocks/kit/compensations.py)."""
    deferrals: Mapping[str, MockDeferral] = field(default_factory=dict)
    """Services (by path) that may accept a request for a later outcome."""
    routes: tuple[Callable[[APIRouter, "RouteContext"], None], ...] = ()
    """Further routes of the agency's own (status checks, amendments), added with its context."""
    receipt_coverage: Mapping[str, Coverage] = field(default_factory=dict)
    """What each service's request is made from, by service path, for the consent receipt
    gate (mocks/kit/receipts.py); empty for a service that discloses no citizen's data under
    a catalogue step (the notification service, onceonly's own messenger)."""

    @property
    def services(self) -> tuple[MockService[Any], ...]:
        """Every submission service of the agency, its first one first."""
        first = MockService(
            self.path, self.summary, self.request_model, self.issue, self.success_status
        )
        return (first, *self.more_services)


ReceiptCheck = Callable[[str, Mapping[str, str], Any, frozenset[str]], list[Problem]]
"""An agency's consent receipt gate (`mocks.kit.receipts.receipt_check`): the service's path,
the request's headers, its parsed body and the decisions that allow this kind of request
give the problems that refuse it (none: it passes)."""
SUBMITTING_DECISIONS = frozenset({"grant", "acknowledge"})
"""The decisions that allow a submission: consent given, or a statutory step acknowledged."""
AMENDING_DECISIONS = frozenset({"correct"})
"""The decision that allows an amendment: the citizen's (or an operator's) correction."""


class ServedAgency(Protocol):
    """What the shared pipeline serves: a `MockAgency`, or a register that takes no
    submissions (`mocks.kit.register.MockRegister`)."""

    @property
    def name(self) -> str: ...
    @property
    def read_api_key(self) -> Callable[[Request], str | None]: ...
    @property
    def error_body(self) -> Callable[[int, list[Problem]], dict[str, Any]]: ...
    @property
    def services(self) -> tuple[MockService[Any], ...]: ...
    @property
    def lookups(self) -> tuple[MockLookup[Any], ...]: ...


@dataclass
class RouteContext:
    """One served agency's state in one app, for the routes and hooks of its own."""

    agency: MockAgency[Any]
    store: Store
    knobs: FaultKnobs
    api_key: str
    receipts: ReceiptCheck | None
    environ: Mapping[str, str]


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
