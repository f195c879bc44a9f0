"""Signed callbacks from the mock agencies: how a slow mock agency tells onceonly that a request
it accepted earlier has an outcome. The envelope and its signature follow onceonly's published
callback protocol, implemented here apart (the mocks import nothing from the project, as a
real agency would not): `{"callback_id", "idempotency_key", "reference", "state"}`, with
`Onceonly-Timestamp: <unix seconds>` and `Onceonly-Signature: v1=<hex HMAC-SHA256 of
"<timestamp>." + body>`. The callback only says "ask me", so it carries no personal data.

A mock agency calls back when the mocks' environment holds `MOCK_CALLBACK_URL` (onceonly's API
base URL) and, in `MOCK_CALLBACK_SECRETS` (a JSON object), a secret for that agency. It POSTs
to `{MOCK_CALLBACK_URL}/v1/agency-callbacks/{agency}`, one attempt at a time: the callback is
later work in the mocks' store (mocks/kit/later.py), tried again with backoff while onceonly is
unreachable, answers 5xx or says it is too early, and kept across restarts of the mocks.
A 409 means onceonly knows already (a replay of a delivery whose answer was lost, or a step no
longer waiting); any other refusal (a bad signature) is final too.
"""

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import httpx

CALLBACK_URL_ENV = "MOCK_CALLBACK_URL"
CALLBACK_SECRETS_ENV = "MOCK_CALLBACK_SECRETS"
SIGNATURE_HEADER = "Onceonly-Signature"
TIMESTAMP_HEADER = "Onceonly-Timestamp"
# The protocol's request keys: `<event id>/<step id>`; a request sent under another key has no
# step to wake.
_ONCEONLY_KEY = re.compile(r"[a-z]+-[0-9a-f]{32}/[a-z][a-z0-9_]*")
# Statuses after which onceonly may take the same callback later (425: the step is not waiting
# yet, its submission's answer not yet recorded).
_RETRYABLE = frozenset({408, 425, 429})

logger = logging.getLogger("mocks.callbacks")


@dataclass(frozen=True)
class CallbackTarget:
    """Where one agency calls back, and the secret it signs with."""

    url: str
    secret: bytes = b""

    def __repr__(self) -> str:
        # Never print the secret.
        return f"CallbackTarget(url={self.url!r})"


def callback_target(agency: str, environ: Mapping[str, str]) -> CallbackTarget | None:
    """The agency's callback target, or None when the environment sets none for it.

    ValueError, naming the variable, when `MOCK_CALLBACK_SECRETS` is not a JSON object of
    non-empty strings: the mocks must not start calling back unsigned or not at all unnoticed.
    """
    base_url = environ.get(CALLBACK_URL_ENV, "").strip()
    raw = environ.get(CALLBACK_SECRETS_ENV)
    if raw is None:
        return None
    try:
        secrets_by_agency = json.loads(raw)
    except ValueError:
        raise ValueError(f"{CALLBACK_SECRETS_ENV} must be a JSON object") from None
    if not isinstance(secrets_by_agency, dict) or not all(
        isinstance(secret, str) and secret for secret in secrets_by_agency.values()
    ):
        raise ValueError(f"{CALLBACK_SECRETS_ENV} must map agency names to non-empty strings")
    secret = secrets_by_agency.get(agency)
    if not base_url or secret is None:
        return None
    return CallbackTarget(f"{base_url.rstrip('/')}/v1/agency-callbacks/{agency}", secret.encode())


@dataclass(frozen=True)
class Callback:
    """One callback's envelope."""

    callback_id: str
    idempotency_key: str
    reference: str
    state: Literal["completed", "rejected"]

    def body(self) -> bytes:
        """The envelope as the JSON body of the call."""
        return json.dumps(
            {
                "callback_id": self.callback_id,
                "idempotency_key": self.idempotency_key,
                "reference": self.reference,
                "state": self.state,
            }
        ).encode()


def new_callback(
    callback_id: str, idempotency_key: str, reference: str, state: Literal["completed", "rejected"]
) -> Callback | None:
    """The envelope for a request onceonly sent under `idempotency_key`; None when the key is
    not in the protocol's form, so there is no step to wake."""
    if not _ONCEONLY_KEY.fullmatch(idempotency_key):
        return None
    return Callback(callback_id, idempotency_key, reference, state)


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """The `Onceonly-Signature` value: `v1=` and the HMAC-SHA256 of `"<timestamp>." + body`."""
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def signed_request(callback: Callback, secret: bytes, now: float) -> tuple[bytes, dict[str, str]]:
    """The callback's body and headers, signed at `now` (unix seconds)."""
    body = callback.body()
    timestamp = int(now)
    return body, {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


Delivery = Literal["delivered", "known", "retry", "refused"]
"""How one attempt ended: taken (2xx); known already (409: a replay, or no step waiting);
to be tried again (unreachable, 5xx, 408, 425, 429); refused for good (any other 4xx)."""


def delivery(status: int | None) -> Delivery:
    """What an attempt answered `status` means (None: onceonly was unreachable)."""
    if status is None or status >= 500 or status in _RETRYABLE:
        return "retry"
    if 200 <= status < 300:
        return "delivered"
    return "known" if status == 409 else "refused"


async def post_callback(
    http: httpx.AsyncClient, target: CallbackTarget, callback: Callback
) -> tuple[Delivery, str]:
    """One attempt to deliver the signed callback: how it ended, and what onceonly answered
    (`HTTP <status>` or the transport error's name). Logs the agency's reference, never more."""
    # Signed at each attempt, so a late retry is not stale.
    body, headers = signed_request(callback, target.secret, time.time())
    try:
        response = await http.post(target.url, content=body, headers=headers)
    except httpx.TransportError as error:
        status, answered = None, type(error).__name__
    else:
        status, answered = response.status_code, f"HTTP {response.status_code}"
    ended = delivery(status)
    log = logger.info if ended in ("delivered", "known") else logger.warning
    log("callback %s for %s: %s (%s)", callback.callback_id, callback.reference, ended, answered)
    return ended, answered
