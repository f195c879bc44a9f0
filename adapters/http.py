"""The one way adapters call an agency: POST JSON, and turn the outcome into our error types.

Timeouts, connection failures, 408, 429 and 5xx mean "try again later" (`AgencyUnavailable`,
which Temporal retries); any other 4xx means the agency refused this data
(`AgencyRejected`, which retrying cannot fix). Each agency words its errors in its own shape,
so the caller passes a function that finds the message in that shape.
Every POST, PUT and PATCH carries the submission's signed consent receipt as
`Consent-Receipt` when the activity has set `CONSENT_RECEIPT` (an amendment discloses data too).
"""

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from adapters.base import AgencyRejected, AgencyUnavailable

ErrorMessage = Callable[[Any], str | None]
"""Finds the agency's message in its parsed error body; None when the body has none."""

AnswerT = TypeVar("AnswerT", bound=BaseModel)

RECEIPT_HEADER = "Consent-Receipt"
"""The header that carries the consent receipt to the agency."""
CONSENT_RECEIPT: ContextVar[str | None] = ContextVar("consent_receipt", default=None)
"""The consent receipt (compact JWS) of the submission under way. The submission activity
sets it for the duration of one submission, and `post_json` sends it as `Consent-Receipt`
when it is set; a context variable, so that no adapter has to pass it along."""

# Statuses that mean the agency may accept the same request later.
_RETRYABLE = frozenset({408, 425, 429})


async def post_json(
    client: httpx.AsyncClient,
    agency: str,
    url: str,
    body: Mapping[str, Any],
    *,
    headers: Mapping[str, str],
    idempotency_key: str,
    error_message: ErrorMessage,
) -> Any:
    """POST `body` to the agency and return its parsed JSON answer (2xx only), with the
    consent receipt when `CONSENT_RECEIPT` holds one."""
    return await send_json(
        client,
        "POST",
        agency,
        url,
        body,
        headers=headers,
        idempotency_key=idempotency_key,
        error_message=error_message,
    )


async def send_json(
    client: httpx.AsyncClient,
    method: Literal["POST", "PUT", "PATCH"],
    agency: str,
    url: str,
    body: Mapping[str, Any],
    *,
    headers: Mapping[str, str],
    idempotency_key: str,
    error_message: ErrorMessage,
) -> Any:
    """Send `body` to the agency with `method` (PUT or PATCH for an amendment) and return its
    parsed JSON answer (2xx only), with the consent receipt when `CONSENT_RECEIPT` holds one."""
    sent = {**headers, "Idempotency-Key": idempotency_key}
    receipt = CONSENT_RECEIPT.get()
    if receipt is not None:
        sent[RECEIPT_HEADER] = receipt
    request = client.build_request(method, url, json=body, headers=sent)
    return await _send(client, agency, request, error_message)


async def delete_json(
    client: httpx.AsyncClient,
    agency: str,
    url: str,
    *,
    headers: Mapping[str, str],
    idempotency_key: str,
    error_message: ErrorMessage,
) -> Any:
    """DELETE the agency's resource at `url` (a compensating call) and return its parsed JSON
    answer (2xx only); the idempotency key makes a retry land on the same deletion."""
    request = client.build_request(
        "DELETE", url, headers={**headers, "Idempotency-Key": idempotency_key}
    )
    return await _send(client, agency, request, error_message)


async def get_json(
    client: httpx.AsyncClient,
    agency: str,
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str],
    error_message: ErrorMessage,
) -> Any:
    """GET from the agency (a register look-up) and return its parsed JSON answer (2xx only).

    A 404 is an `AgencyRejected`: the register holds nothing for that query.
    """
    request = client.build_request("GET", url, params=params, headers=headers)
    return await _send(client, agency, request, error_message)


async def _send(
    client: httpx.AsyncClient, agency: str, request: httpx.Request, error_message: ErrorMessage
) -> Any:
    try:
        # The URL may carry a look-up's query; errors below never quote it.
        response = await client.send(request)
    except httpx.TransportError as error:
        raise AgencyUnavailable(agency, type(error).__name__) from error
    status = response.status_code
    if response.is_success:
        try:
            return response.json()
        except ValueError:
            raise AgencyUnavailable(agency, f"HTTP {status} with a body that is not JSON") from None
    message = _message(response, error_message)
    if status in _RETRYABLE or status >= 500 or not response.is_client_error:
        raise AgencyUnavailable(agency, f"HTTP {status}: {message}")
    raise AgencyRejected(agency, f"HTTP {status}: {message}")


def _message(response: httpx.Response, error_message: ErrorMessage) -> str:
    try:
        found = error_message(response.json())
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        # An error page in another shape (a proxy's HTML, say) has no message we can read.
        found = None
    return found or response.reason_phrase or "no message"


def read_answer(agency: str, answer: Any, model: type[AnswerT]) -> AnswerT:
    """The agency's 2xx answer parsed into the shape it documents.

    An answer in another shape is a broken contract that retrying will not mend (the agency
    repeats its first answer to the same idempotency key), so it is not retryable.
    """
    try:
        return model.model_validate(answer)
    except ValidationError as error:
        fields = ", ".join(".".join(map(str, e["loc"])) for e in error.errors())
        raise AgencyRejected(
            agency, f"its answer does not match its documented format ({fields})"
        ) from None
