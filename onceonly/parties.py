"""Who joined whose life event: the parties (the other parent) who accepted an invitation,
by their pseudonymous key, so that their list of life events holds the events they joined.

Temporal's visibility indexes the starter's key (`OnceonlyCitizenKey`) but a joined party's
key only inside a space-separated keyword (`OnceonlyPartyKeys`), which a list query cannot
search by one key; the store keeps one row per party and event instead. The API writes the
row once the event accepted the party (the event stays the authority on who may act: this is
only where a party's list finds it), and writes it again whenever the party reopens their
invitation, so a row lost to a crash between the two is made good.
"""

from datetime import UTC, datetime
from typing import Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

MAX_JOINED = 200
"""The events one person's list shows as a party: far more than any family has."""


class JoinedParty(BaseModel):
    """A party's place in an event they joined: no personal data, only keys and ids."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    party_key: str = Field(description="The party's pseudonymous key (a keyed hash).")
    event_id: str
    role: str = Field(description="Their part in the event, as in `other_parent`.")
    joined_at: AwareDatetime

    @field_validator("joined_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


class EventParties(Protocol):
    """The events each party joined: the API writes and reads them."""

    async def record(self, joined: JoinedParty) -> bool:
        """Keep that the party joined the event (once: a second write changes nothing); True
        when it was new."""
        ...

    async def joined_by(self, party_key: str, limit: int = MAX_JOINED) -> list[JoinedParty]:
        """The events the party joined, newest first, at most `limit`."""
        ...
