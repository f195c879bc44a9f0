"""The store's concern of keyed fingerprints: which life event holds each one, so that a
second event with the same fingerprint (a birth told twice) is caught by whichever API
replica it reaches. A fingerprint is a keyed hash: the store holds no personal data.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class FingerprintClaim:
    """The event holding a fingerprint, and since when (a claim whose event never started
    is taken over once it is old enough)."""

    event_id: str
    claimed_at: datetime


class EventFingerprints(Protocol):
    """Which event holds each fingerprint; every change is one statement, race-free."""

    async def claim(self, fingerprint: str, event_id: str, at: datetime) -> FingerprintClaim:
        """Hold `fingerprint` for `event_id` unless an event holds it already: the claim that
        stands after the call, `event_id`'s own for exactly one of many callers at once."""
        ...

    async def take_over(self, fingerprint: str, held_by: str, event_id: str, at: datetime) -> bool:
        """Move `fingerprint` from `held_by` (an event that has ended) to `event_id`: True for
        the one caller that moves it, False when `held_by` no longer holds it."""
        ...

    async def release(self, fingerprint: str, event_id: str) -> None:
        """Let go of `fingerprint` if `event_id` holds it (its event did not start)."""
        ...
