"""The one way adapters call an agency: POST JSON, and turn the outcome into our error types.

Timeouts, connection failures, 408, 429 and 5xx mean "try again later" (`AgencyUnavailable`,
which Temporal retries); any other 4xx means the agency refused this data
(`AgencyRejected`, which retrying cannot fix). Each agency words its errors in its own shape,
so the caller passes a function that finds the message in that shape.
Every POST, PUT and PATCH carries the submission's signed consent receipt as
`Consent-Receipt` when the activity has set `CONSENT_RECEIPT` (an amendment discloses data too).
`AgencyClient` is the one constructor of every adapter: an agency declares its API's root,
how it takes the API key and where its errors hold their message (`AgencyApi`), and calls it
by paths below that root.
"""

import base64
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar
from urllib.parse import quote

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


@dataclass(frozen=True)
class ApiKeyHeader:
    """An agency that takes the API key in a header, after a scheme when it names one
    (`Authorization: Bearer <key>`)."""

    name: str
    scheme: str | None = None

    def headers(self, api_key: str) -> dict[str, str]:
        """The header carrying `api_key`."""
        return {self.name: f"{self.scheme} {api_key}" if self.scheme else api_key}


@dataclass(frozen=True)
class BasicAuth:
    """An agency that takes HTTP Basic credentials: the user name it issued onceonly, and the
    API key as the password."""

    user: str

    def headers(self, api_key: str) -> dict[str, str]:
        """The `Authorization` header carrying the user and `api_key`."""
        credentials = base64.b64encode(f"{self.user}:{api_key}".encode()).decode()
        return {"Authorization": f"Basic {credentials}"}


@dataclass(frozen=True)
class AgencyApi:
    """Where an agency's API is and how it is spoken to."""

    root: str
    """The API's root below the agencies' base URL ("/ird/gateway/v2"); paths go below it."""
    auth: ApiKeyHeader | BasicAuth
    """How the agency takes the API key."""
    error_message: ErrorMessage
    """Where the agency's error bodies hold their message."""


class AgencyClient:
    """One agency's API called through the shared HTTP client. A subclass names its `agency`
    and declares its `api`; its constructor is this one, the signature `AdapterPlugin.build`
    takes."""

    agency: str
    api: ClassVar[AgencyApi]

    def __init__(self, client: httpx.AsyncClient, base_url: str, api_key: str) -> None:
        """Call the agency under `base_url` (the agencies' root) with `client`, authenticated
        by `api_key`."""
        self._client = client
        self._root = f"{base_url.rstrip('/')}{self.api.root}"
        self._headers = self.api.auth.headers(api_key)

    def _url(self, path: str, reference: str | None) -> str:
        # A reference (or identity) is opaque: quoted whole, it stays one path segment.
        if reference is not None:
            path = path.format(reference=quote(reference, safe=""))
        return f"{self._root}{path}"

    async def _send(
        self,
        method: Literal["POST", "PUT", "PATCH"],
        path: str,
        body: Mapping[str, Any],
        idempotency_key: str,
        *,
        reference: str | None = None,
    ) -> Any:
        """`send_json` to `path` (its `{reference}` filled in)."""
        return await send_json(
            self._client,
            method,
            self.agency,
            self._url(path, reference),
            body,
            headers=self._headers,
            idempotency_key=idempotency_key,
            error_message=self.api.error_message,
        )

    async def _get(
        self, path: str, *, reference: str | None = None, params: Mapping[str, str] | None = None
    ) -> Any:
        """`get_json` from `path` (its `{reference}` filled in)."""
        return await get_json(
            self._client,
            self.agency,
            self._url(path, reference),
            params=params,
            headers=self._headers,
            error_message=self.api.error_message,
        )

    async def _delete(self, path: str, reference: str, idempotency_key: str) -> Any:
        """`delete_json` at `path` with its `{reference}` filled in."""
        return await delete_json(
            self._client,
            self.agency,
            self._url(path, reference),
            headers=self._headers,
            idempotency_key=idempotency_key,
            error_message=self.api.error_message,
        )
