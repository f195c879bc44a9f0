"""The contract kit's checks, one rule each: given the harness and a sample, raise a
ContractViolation that names the sample, the rule and what happened instead.

The first group needs the served mocks (records, fault knobs); `check_transport_errors`,
`check_missing_fields` and `check_receipt_sent` also run on a recording.
"""

import json
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import TypeVar

import httpx
from temporalio.exceptions import ApplicationError

from adapters.base import (
    AgencyAnswer,
    AgencyRejected,
    AgencyStatus,
    AgencyUnavailable,
    AmendingAdapter,
    AmendmentAnswer,
    Disclosure,
    StatusAdapter,
    WithdrawalAnswer,
    WithdrawingAdapter,
)
from adapters.http import RECEIPT_HEADER
from onceonly.contract_harness import (
    CANARY,
    CLIENT_TIMEOUT,
    Harness,
    Sample,
    invalid_disclosure,
    key,
    violation,
    with_canaries,
)

# Longer than the harness's client waits, so the client gives up first.
_HANG_MS = int(CLIENT_TIMEOUT * 3000)
T = TypeVar("T")
_RECEIPT_RULE = "every request must carry the submission's consent receipt as Consent-Receipt"


async def submit(
    h: Harness,
    s: Sample,
    disclosure: Disclosure,
    idempotency_key: str,
    *,
    receipt: str | None = "sign",
    transport: httpx.AsyncBaseTransport | None = None,
) -> AgencyAnswer:
    """The adapter's submission of `disclosure` for the sample's service, with a freshly
    signed receipt unless `receipt` says otherwise (None: none)."""
    signed = h.receipt(s) if receipt == "sign" else receipt
    async with h.adapter(s.step.agency, transport) as adapter:
        return await h.call(
            signed, lambda: adapter.submit(s.step.service, disclosure, idempotency_key)
        )


async def check_receipt_sent(h: Harness, s: Sample) -> AgencyAnswer:
    """A submission sends its receipt with every POST and gets a reference back."""
    receipt = h.receipt(s)
    h.sent.clear()
    answer = await submit(h, s, s.disclosure, key(s, "receipt"), receipt=receipt)
    posts = [request for request in h.sent if request.method == "POST"]
    if not posts:
        raise violation(s, "a submission must POST to the agency", "the adapter sent no POST")
    unsent = [r.url.path for r in posts if r.headers.get(RECEIPT_HEADER) != receipt]
    if unsent:
        raise violation(
            s, f"{_RECEIPT_RULE} (adapters.http.post_json sends it)", f"{unsent} did not"
        )
    if not answer.reference:
        raise violation(s, "an accepted submission must answer the agency's reference", "none")
    return answer


async def check_refused_without_receipt(h: Harness, s: Sample) -> None:
    """The agency (its mock) refuses a submission without a receipt, and records nothing."""
    unsigned = key(s, "no-receipt")
    try:
        await submit(h, s, s.disclosure, unsigned, receipt=None)
    except AgencyRejected:
        pass
    else:
        raise violation(
            s,
            "the agency must refuse a submission without a consent receipt (AgencyRejected)",
            "it was accepted: give the mock a receipt coverage table (PluginMock)",
        )
    _no_record(h, s, unsigned, "a refused submission")


async def check_idempotency(h: Harness, s: Sample) -> None:
    """The same idempotency key twice: one record at the agency, the same reference."""
    same = key(s, "idempotency")
    first = await submit(h, s, s.disclosure, same)
    again = await submit(h, s, s.disclosure, same)
    if again.reference != first.reference:
        raise violation(
            s, "a repeated idempotency key must answer the first reference", "a new one"
        )
    held = h.served().records(s.step.agency, same)
    if held != 1:
        raise violation(s, "one idempotency key must make exactly one record", f"{held}")


async def check_faults(h: Harness, s: Sample) -> None:
    """An agency answering 503 or hanging is AgencyUnavailable, and nothing is recorded."""
    mocks = h.served()
    for knobs in ({"error_rate": 1.0}, {"timeout_rate": 1.0, "timeout_ms": _HANG_MS}):
        faulted = key(s, "fault")
        with mocks.faults(s.step.agency, **knobs):
            await _expect(
                h,
                s,
                AgencyUnavailable,
                f"the agency faulted with {knobs}",
                submit(h, s, s.disclosure, faulted),
            )
        _no_record(h, s, faulted, "a faulted submission")


async def check_invalid_data(h: Harness, s: Sample) -> None:
    """Data the agency cannot take is AgencyRejected (never retried), and nothing recorded."""
    invalid = key(s, "invalid")
    data = s.invalid if s.invalid is not None else invalid_disclosure(s.disclosure)
    await _expect(h, s, AgencyRejected, "the data was invalid", submit(h, s, data, invalid))
    _no_record(h, s, invalid, "a rejected submission")


async def check_transport_errors(h: Harness, s: Sample) -> None:
    """429 and 503 answers and a timed-out call are AgencyUnavailable; 422 AgencyRejected."""

    def answering(status: int) -> httpx.MockTransport:
        return httpx.MockTransport(lambda _: httpx.Response(status, json={}))

    def timing_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    cases: list[tuple[str, httpx.MockTransport, type[Exception]]] = [
        ("the agency answered 429", answering(429), AgencyUnavailable),
        ("the agency answered 503", answering(503), AgencyUnavailable),
        ("the call timed out", httpx.MockTransport(timing_out), AgencyUnavailable),
        ("the agency answered 422", answering(422), AgencyRejected),
    ]
    for when, transport, expected in cases:
        await _expect(
            h,
            s,
            expected,
            when,
            submit(h, s, s.disclosure, key(s, "transport"), transport=transport),
        )


async def check_minimisation(h: Harness, s: Sample) -> None:
    """A canary in undeclared fields reaches neither the preview nor any request."""
    canaried = with_canaries(s.step, s.disclosure)
    async with h.adapter(s.step.agency) as adapter:
        preview = await adapter.preview(s.step.service, canaried)
    if CANARY in json.dumps(preview, default=str):
        raise violation(s, "the preview must hold only declared fields", "it holds a canary")
    h.sent.clear()
    await submit(h, s, canaried, key(s, "canary"))
    for request in h.sent:
        seen = f"{request.url} {dict(request.headers)} {request.content.decode(errors='replace')}"
        if CANARY in seen:
            raise violation(
                s,
                "the adapter must send only the step's declared fields (read them through"
                " adapters.disclosure.DisclosedFields)",
                f"an undeclared field's value reached {request.method} {request.url.path}",
            )


async def check_missing_fields(h: Harness, s: Sample) -> None:
    """A declared field left out fails as AgencyRejected (or is optional), never otherwise;
    an empty disclosure is rejected."""
    async with h.adapter(s.step.agency) as adapter:
        for path in s.step.fields:
            partial = {p: v for p, v in s.disclosure.items() if p != path}
            try:
                await adapter.preview(s.step.service, partial)
            except AgencyRejected:
                continue
            except Exception as error:  # any other error is the finding
                raise violation(
                    s, f"a missing {path} must fail as AgencyRejected", f"{type(error).__name__}"
                ) from None
        try:
            await adapter.preview(s.step.service, {})
        except AgencyRejected:
            return
    raise violation(s, "an empty disclosure must be AgencyRejected", "it was previewed")


async def check_capabilities(h: Harness, s: Sample) -> None:
    """Each declared capability works against the mock on a real submission's reference:
    status answers, amend and withdraw are idempotent by key. A service that does not offer
    one must say so before calling the agency, by a non-retryable error."""
    reference = (await submit(h, s, s.disclosure, key(s, "capabilities"))).reference
    service = s.step.service
    async with h.adapter(s.step.agency) as adapter:
        if isinstance(adapter, StatusAdapter):
            status = await _if_offered(h, s, "status", partial(adapter.status, service, reference))
            if status is not None and not isinstance(status[0], AgencyStatus):
                raise violation(s, "status must answer an AgencyStatus", repr(status[0]))
        if isinstance(adapter, AmendingAdapter):
            same, receipt = key(s, "amend"), h.receipt(s, "correct")
            amend = partial(adapter.amend, service, reference, s.disclosure, same)
            amended = await _if_offered(h, s, "amend", partial(h.call, receipt, amend), twice=True)
            _same_answers(s, "amend", amended, AmendmentAnswer)
        if isinstance(adapter, WithdrawingAdapter):
            withdraw = partial(adapter.withdraw, service, reference, key(s, "withdraw"))
            withdrawn = await _if_offered(h, s, "withdraw", withdraw, twice=True)
            _same_answers(s, "withdraw", withdrawn, WithdrawalAnswer)


async def _if_offered(
    h: Harness, s: Sample, what: str, call: Callable[[], Awaitable[T]], *, twice: bool = False
) -> list[T] | None:
    """The answers to `call` (made twice with `twice`), or None when the adapter said the
    service does not offer it without asking the agency."""
    sent = len(h.sent)
    try:
        return [await call() for _ in range(2 if twice else 1)]
    except ApplicationError as error:
        # Refused up front and for good (AgencyRejected, WithdrawalNotOffered and the like).
        if error.non_retryable and len(h.sent) == sent:
            return None
        raise violation(s, f"{what} must work against the mock", f"{error}") from None


def _same_answers(s: Sample, what: str, answers: Sequence[object] | None, kind: type) -> None:
    if answers is None:
        return
    if not all(isinstance(answer, kind) for answer in answers):
        raise violation(s, f"{what} must answer a {kind.__name__}", f"{answers!r}")
    if answers[0] != answers[1]:
        raise violation(s, f"{what} twice with one key must answer the same", "two answers")


async def _expect(
    h: Harness, s: Sample, error: type[Exception], when: str, call: Awaitable[object]
) -> None:
    try:
        await call
    except error:
        return
    except Exception as other:  # the wrong error is the finding
        raise violation(
            s,
            f"when {when} the adapter must raise {error.__name__}",
            f"{type(other).__name__}: {other}",
        ) from None
    raise violation(s, f"when {when} the adapter must raise {error.__name__}", "it succeeded")


def _no_record(h: Harness, s: Sample, idempotency_key: str, what: str) -> None:
    held = h.served().records(s.step.agency, idempotency_key)
    if held:
        raise violation(s, f"{what} must leave no record at the agency", f"{held} records")


MOCK_CHECKS = (
    check_receipt_sent,
    check_refused_without_receipt,
    check_idempotency,
    check_faults,
    check_invalid_data,
    check_transport_errors,
    check_minimisation,
    check_missing_fields,
    check_capabilities,
)
"""Every check, in the order a failure is easiest to read: the happy path first."""
