"""Signed callbacks from the mock agencies: how a slow mock agency tells onceonly that a request
it accepted earlier has an outcome. The envelope and its signature follow onceonly's published
callback protocol, implemented here apart (the mocks import nothing from the project, as a
real agency would not): `{"callback_id", "idempotency_key", "reference", "state"}`, with
`Onceonly-Timestamp: <unix seconds>` and `Onceonly-Signature: v1=<hex HMAC-SHA256 of
"<timestamp>." + body>`. The callback only says "ask me", so it carries no personal data.

A mock agency calls back when the mocks' environment holds `MOCK_CALLBACK_URL` (onceonly's API
base URL) and, in `MOCK_CALLBACK_SECRETS` (a JSON object), a secret for that agency. It POSTs
to `{MOCK_CALLBACK_URL}/v1/agency-callbacks/{agency}` and retries with backoff while onceonly
is unreachable or answers 5xx; any other refusal (a replay, a bad signature) is final.
"""

import asyncio
import hashlib
import hmac
import json
import logging
import re
import secrets
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
# Statuses after which onceonly may take the same callback later.
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
    idempotency_key: str, reference: str, state: Literal["completed", "rejected"]
) -> Callback | None:
    """The envelope for a request onceonly sent under `idempotency_key`; None when the key is
    not in the protocol's form, so there is no step to wake."""
    if not _ONCEONLY_KEY.fullmatch(idempotency_key):
        return None
    return Callback(f"cb-{secrets.token_hex(16)}", idempotency_key, reference, state)


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


async def deliver(
    target: CallbackTarget,
    callback: Callback,
    *,
    attempts: int = 6,
    first_wait: float = 0.5,
    call_seconds: float = 10.0,
) -> bool:
    """POST the signed callback until onceonly takes it (True) or refuses it or every attempt
    failed (False). Logs the agency's reference and the outcome, never more."""
    wait = first_wait
    for attempt in range(1, attempts + 1):
        # Signed again for each attempt, so a late retry is not stale.
        body, headers = signed_request(callback, target.secret, time.time())
        try:
            async with httpx.AsyncClient(timeout=call_seconds) as client:
                response = await client.post(target.url, content=body, headers=headers)
        except httpx.TransportError as error:
            outcome = type(error).__name__
        else:
            status = response.status_code
            if response.is_success:
                logger.info(
                    "callback %s for %s delivered", callback.callback_id, callback.reference
                )
                return True
            if status < 500 and status not in _RETRYABLE:
                logger.warning(
                    "callback %s for %s refused: HTTP %d",
                    callback.callback_id,
                    callback.reference,
                    status,
                )
                return False
            outcome = f"HTTP {status}"
        logger.warning(
            "callback %s for %s failed (attempt %d of %d): %s",
            callback.callback_id,
            callback.reference,
            attempt,
            attempts,
            outcome,
        )
        if attempt < attempts:
            await asyncio.sleep(wait)
            wait *= 2
    return False
