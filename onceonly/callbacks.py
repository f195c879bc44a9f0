"""Signed agency callbacks: how a slow agency tells onceonly that a request it accepted earlier
has an outcome, and how onceonly checks that the call came from that agency, now, once.

The agency POSTs a small envelope to `/v1/agency-callbacks/{agency}`:

    {"callback_id": "...", "idempotency_key": "<event id>/<step id>", "reference": "...",
     "state": "completed" | "rejected"}

with `Onceonly-Timestamp: <unix seconds>` and `Onceonly-Signature: v1=<hex HMAC-SHA256>` over
`"<timestamp>." + body`, keyed by the secret onceonly shares with that agency alone. The
envelope only says "ask me": the step then reads the outcome (and any facts the agency issued)
from the agency's status endpoint through its adapter, as it would when polling, so a callback
can wake a step but never put words in an agency's mouth.
"""

import hashlib
import hmac
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SIGNATURE_HEADER = "Onceonly-Signature"
TIMESTAMP_HEADER = "Onceonly-Timestamp"
SIGNATURE_VERSION = "v1"
TOLERANCE_SECONDS = 300
"""A callback signed longer ago than this (or this far in the future) is stale: together with
the record of callback ids seen, it bounds how long a captured callback could be replayed."""


class AgencyCallback(BaseModel):
    """The envelope a slow agency sends when a request it accepted has an outcome."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    callback_id: str = Field(
        min_length=8,
        max_length=128,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="Unique per callback: a second delivery of the same id is a replay.",
    )
    idempotency_key: str = Field(
        max_length=200,
        pattern=r"^[a-z]+-[0-9a-f]{32}/[a-z][a-z0-9_]*(/resubmission-[0-9]+)?$",
        description="The key onceonly sent with the request: `<event id>/<step id>`.",
    )
    reference: str = Field(min_length=1, max_length=128, description="The agency's reference.")
    state: Literal["completed", "rejected"]

    @property
    def event_id(self) -> str:
        """The life event the request belonged to."""
        return self.idempotency_key.split("/", 1)[0]

    @property
    def step_id(self) -> str:
        """The step that sent the request."""
        return self.idempotency_key.split("/")[1]


class CallbackRefused(Exception):
    """The callback's signature or timestamp does not hold: nothing is done with it."""


def sign_callback(secret: bytes, timestamp: int, body: bytes) -> str:
    """The `Onceonly-Signature` value for `body` sent at `timestamp` (unix seconds)."""
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def verify_callback(
    secret: bytes, timestamp: str | None, signature: str | None, body: bytes, now: float
) -> None:
    """Check a callback's headers against its body, at time `now` (unix seconds).

    Raises CallbackRefused naming what is wrong: a missing or malformed header, a timestamp
    outside the tolerance, or a signature that is not the agency's.
    """
    if not timestamp or not timestamp.isdigit():
        raise CallbackRefused(f"{TIMESTAMP_HEADER} must be unix seconds")
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        raise CallbackRefused(f"{TIMESTAMP_HEADER} is more than {TOLERANCE_SECONDS} s from now")
    if not signature or not signature.startswith(f"{SIGNATURE_VERSION}="):
        raise CallbackRefused(f"{SIGNATURE_HEADER} must be {SIGNATURE_VERSION}=<hex>")
    expected = sign_callback(secret, int(timestamp), body)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise CallbackRefused(f"{SIGNATURE_HEADER} does not match the body")
