"""The contract kit's harness: samples, the adapter under test on a client that notes every
request it sends, real signed receipts, and failures that name the sample and the rule.
See onceonly/adapter_contract.py for the kit itself.
"""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx

from adapters.base import AgencyAdapter
from adapters.http import CONSENT_RECEIPT
from adapters.plugins import AdapterFactory
from onceonly.contract_agencies import ContractViolation, ServedMocks
from onceonly.domain.catalogue import CATALOGUE, LifeEventSpec, StepSpec
from onceonly.domain.receipts import ReceiptRequest, receipt_claims
from onceonly.receipts import receipt_issuer, sign_receipt
from onceonly.settings import Settings

CANARY = "CANARY-undeclared-7f3c"
"""The value put in undeclared fields: it must reach no agency."""
# Short, so a hung agency fails the check fast (contract_checks makes the mock hang longer).
CLIENT_TIMEOUT = 0.5
T = TypeVar("T")


@dataclass(frozen=True)
class Sample:
    """One service an adapter serves: its catalogue step and a disclosure of its fields."""

    event: LifeEventSpec
    step: StepSpec
    disclosure: Mapping[str, Any]
    invalid: Mapping[str, Any] | None = None
    """Data the agency must refuse; every declared value with a wrong type when None."""

    @classmethod
    def of(cls, event_type: str, step_id: str, disclosure: Mapping[str, Any]) -> "Sample":
        """The sample for the catalogue's step `step_id` of `event_type`."""
        event = CATALOGUE.event(event_type)
        return cls(event, event.step(step_id), disclosure)

    @property
    def name(self) -> str:
        """How failures name the sample."""
        return f"{self.step.agency}/{self.step.service} ({self.event.event_type}.{self.step.id})"


def invalid_disclosure(disclosure: Mapping[str, Any]) -> dict[str, Any]:
    """Every value with the wrong JSON type (a number for text, text for anything else)."""
    return {path: 12345 if isinstance(v, str) else "not-valid" for path, v in disclosure.items()}


def with_canaries(step: StepSpec, disclosure: Mapping[str, Any]) -> dict[str, Any]:
    """The disclosure plus the canary in undeclared fields beside each declared one."""
    extra = {"canary": CANARY}
    for path in step.fields:
        parent = path.rpartition(".")[0]
        extra[f"{parent}.canary" if parent else "canary_field"] = CANARY
    return {**extra, **disclosure}


@dataclass
class Harness:
    """An adapter (its factory) under test: its agency at `base_url` (the served mocks, which
    `mocks` controls, or a replayed recording), every request it sends noted in `sent`."""

    build: AdapterFactory
    base_url: str
    mocks: ServedMocks | None = None
    api_key: str | None = None
    """The key the agency takes; `dev-<agency>-key` (the mocks' default) when None."""
    settings: Settings = field(default_factory=Settings)
    """Signs the receipts; the mocks must check receipts against its keys."""
    transport: httpx.AsyncBaseTransport | None = None
    """How requests reach the agency (a replayed recording's); the network when None."""
    sent: list[httpx.Request] = field(default_factory=list)

    @asynccontextmanager
    async def adapter(
        self, agency: str, transport: httpx.AsyncBaseTransport | None = None
    ) -> AsyncIterator[AgencyAdapter]:
        """The adapter on a client of its own (over `transport` when given)."""

        async def note(request: httpx.Request) -> None:
            self.sent.append(request)

        async with httpx.AsyncClient(
            timeout=CLIENT_TIMEOUT,
            transport=transport or self.transport,
            event_hooks={"request": [note]},
        ) as client:
            yield self.build(client, self.base_url, self.api_key or f"dev-{agency}-key")

    def served(self) -> ServedMocks:
        """The mocks' controls; a check that needs them cannot run on a recording."""
        if self.mocks is None:
            raise ContractViolation("this check needs the agency's mock, not a recording")
        return self.mocks

    def receipt(self, sample: Sample, decision: str | None = None) -> str:
        """A real receipt of the sample's decision (or of `decision`, such as the `correct`
        that an amendment carries), signed as the worker signs them."""
        step = sample.step
        if decision is None:
            decision = "grant" if step.legal_basis.kind == "consent" else "acknowledge"
        [agency] = [agency for agency in CATALOGUE.agencies if agency.id == step.agency]
        request = ReceiptRequest(
            event_type=sample.event.event_type,
            event_id=f"{sample.event.event_type}-{uuid.uuid4().hex}",
            step_id=step.id,
            principal_key="c" * 64,
            decision=decision,
            decided_at=datetime.now(UTC),
            receipt_id=str(uuid.uuid4()),
        )
        issuer = receipt_issuer(self.settings)
        return sign_receipt(
            self.settings, receipt_claims(sample.event, step, agency, request, issuer)
        )

    async def call(self, receipt: str | None, call: Callable[[], Awaitable[T]]) -> T:
        """`call` made with `receipt` as the consent receipt of the submission under way."""
        token = CONSENT_RECEIPT.set(receipt)
        try:
            return await call()
        finally:
            CONSENT_RECEIPT.reset(token)


def violation(sample: Sample, rule: str, found: str) -> ContractViolation:
    """A failure naming the sample, the rule and what happened instead."""
    return ContractViolation(f"{sample.name}: {rule}; instead {found}")


def key(sample: Sample, purpose: str) -> str:
    """A fresh idempotency key for one check."""
    return f"contract-{sample.step.id}-{purpose}-{uuid.uuid4().hex[:12]}"
