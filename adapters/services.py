"""The base of every JSON-over-HTTP agency adapter: each service the agency offers declared
once, and `submit` and `preview` both derived from that one declaration.

A `Service` names its path, its request mapping (the step's disclosure -> the agency's JSON)
and its answer reading (the agency's answer -> our reference and facts). `preview` is the
request mapping's body and `submit` POSTs that same body, so what the citizen is shown is what
the agency receives. The capabilities stay opt-in, per service and per adapter: an adapter
that can correct, withdraw or report on requests derives from `Amending`, `Withdrawing` or
`ReportingStatus` and declares, on each service that has one, its `Amendment`, `Withdrawal`
or `StatusCheck`; a service without one is refused with the shared refusal
(`AmendmentNotOffered`, `WithdrawalNotOffered`, "reports no status"). An adapter whose
agency works another way writes the method itself (BDM's status).

    class PassportsAdapter(JsonAgencyAdapter):
        agency = "passports"
        title = "Passports"
        api = AgencyApi("/passports/v1", ApiKeyHeader("X-DIA-Api-Key"), passports_error_message)
        services = (Service(STEP.service, "/passports/deceased-cancellations",
                            to_passport_cancellation, from_passports_answer),)
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from adapters.base import (
    AgencyAnswer,
    AgencyPolicy,
    AgencyRejected,
    AgencyStatus,
    AmendmentAnswer,
    AmendmentNotOffered,
    Disclosure,
    ServiceNotOffered,
    WithdrawalAnswer,
    WithdrawalNotOffered,
)
from adapters.http import AgencyClient

RequestMapping = Callable[[Disclosure], dict[str, Any]]
"""A step's disclosure as the agency's request body."""
AnswerReading = Callable[[Any], AgencyAnswer]
"""The agency's parsed 2xx answer as our answer (`read_answer` refuses another shape)."""


@dataclass(frozen=True)
class Amendment:
    """How the agency takes a correction of what a service sent: the service's own request,
    by its own mapping, sent by `method` to `path` (whose `{reference}` is the record's)."""

    path: str
    answer: Callable[[Any], AmendmentAnswer]
    method: Literal["POST", "PUT", "PATCH"] = "POST"


@dataclass(frozen=True)
class Withdrawal:
    """How the agency undoes what a service made: `body` POSTed to `path` (whose `{reference}`
    is the record's), or, without a body, a DELETE of `path`."""

    path: str
    answer: Callable[[Any], WithdrawalAnswer]
    body: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class StatusCheck:
    """Where the agency says how a service's request stands: a GET of `path` (whose
    `{reference}` is the request's), read by `answer` given the service's name."""

    path: str
    answer: Callable[[str, Any], AgencyStatus]


@dataclass(frozen=True)
class Service:
    """One service the agency offers, declared once."""

    name: str
    """The service's name, as the catalogue's steps name it."""
    path: str
    """Where submissions go, below the agency's API root."""
    request: RequestMapping
    """The disclosure as the agency's request: what `preview` shows and `submit` sends."""
    answer: AnswerReading
    """The agency's answer to a submission as our reference and facts."""
    amendment: Amendment | None = None
    withdrawal: Withdrawal | None = None
    status: StatusCheck | None = None


class JsonAgencyAdapter(AgencyClient):
    """An agency adapter made of its declared services. A subclass sets `agency`, `title`,
    `api`, `services` and, when the agency's pace is not the default, `policy`."""

    title: ClassVar[str]
    """How refusals name the agency: "BDM", "the Electoral Commission"."""
    policy: AgencyPolicy = AgencyPolicy()
    services: ClassVar[tuple[Service, ...]]

    def service(self, name: str) -> Service:
        """The declared service `name`; ServiceNotOffered when the agency has none."""
        for declared in self.services:
            if declared.name == name:
                return declared
        raise ServiceNotOffered(self.agency, name, title=self.title)

    async def submit(
        self, service: str, disclosure: Disclosure, idempotency_key: str
    ) -> AgencyAnswer:
        """POST the service's request, by its mapping; the same idempotency key makes one
        record at the agency and gets its first answer again."""
        declared = self.service(service)
        body = await self._completed(declared.request(disclosure))
        return declared.answer(await self._send("POST", declared.path, body, idempotency_key))

    async def preview(self, service: str, disclosure: Disclosure) -> dict[str, Any]:
        """The request `submit` would send for `service`, by the same mapping; sends nothing."""
        return self.service(service).request(disclosure)

    async def _completed(self, body: dict[str, Any]) -> dict[str, Any]:
        """The previewed body as it is sent: the same, unless a part of it only the agency can
        give is looked up first (the council's property id)."""
        return body


class Amending(JsonAgencyAdapter):
    """An adapter whose agency takes corrections of the services that declare an `Amendment`."""

    async def amend(
        self, service: str, reference: str, disclosure: Disclosure, idempotency_key: str
    ) -> AmendmentAnswer:
        """Send the service's request again, corrected, for the record under `reference`;
        AmendmentNotOffered for a service without an `Amendment`."""
        declared = self.service(service)
        amendment = declared.amendment
        if amendment is None:
            raise AmendmentNotOffered(self.agency, service)
        body = declared.request(disclosure)
        answer = await self._send(
            amendment.method, amendment.path, body, idempotency_key, reference=reference
        )
        return amendment.answer(answer)


class Withdrawing(JsonAgencyAdapter):
    """An adapter whose agency can undo what the services that declare a `Withdrawal` made."""

    async def withdraw(
        self, service: str, reference: str, idempotency_key: str
    ) -> WithdrawalAnswer:
        """Withdraw (or delete) what `service` made under `reference`; WithdrawalNotOffered
        for a service without a `Withdrawal`, or one the agency does not offer."""
        declared = next((s for s in self.services if s.name == service), None)
        withdrawal = None if declared is None else declared.withdrawal
        if withdrawal is None:
            raise WithdrawalNotOffered(self.agency, service)
        if withdrawal.body is None:
            answer = await self._delete(withdrawal.path, reference, idempotency_key)
        else:
            answer = await self._send(
                "POST", withdrawal.path, withdrawal.body, idempotency_key, reference=reference
            )
        return withdrawal.answer(answer)


class ReportingStatus(JsonAgencyAdapter):
    """An adapter whose agency says how the requests of services that declare a
    `StatusCheck` stand."""

    async def status(self, service: str, reference: str) -> AgencyStatus:
        """What the agency says now about the request under `reference`."""
        check = self.service(service).status
        if check is None:
            raise AgencyRejected(self.agency, f"{self.title} reports no status of {service}")
        return check.answer(service, await self._get(check.path, reference=reference))
