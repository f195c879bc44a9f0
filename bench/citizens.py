"""Citizens driving the API, as a front end would: start a birth (or any life event), answer
every checkpoint in one batch, read the event, withdraw a consent, correct a field. Every call
that cannot have been answered (the API or Temporal down) is retried with the same
`Idempotency-Key`, so a retry can never start a second event.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from onceonly.auth import mint_token
from onceonly.samples import birth_request_data
from onceonly.settings import Settings

# Long enough for an API restart or a dev server restart; a call still failing then is a finding.
RETRY_FOR_SECONDS = 180.0
RETRY_PAUSE_SECONDS = 0.5
# An update waits for a worker; after a worker is killed that is its sticky timeout and more.
CALL_TIMEOUT_SECONDS = 60.0


class JourneyFailed(RuntimeError):
    """A citizen's call was refused, or kept failing for longer than RETRY_FOR_SECONDS."""


@dataclass
class Journey:
    """One citizen's birth event as the driver saw it."""

    citizen: str
    idempotency_key: str
    sent_at: float = 0.0
    """Wall-clock time the start was first sent."""
    decided_at: float | None = None
    """Wall-clock time the grant was first sent."""
    event_id: str | None = None
    granted: tuple[str, ...] = ()
    """The steps granted: those the new event showed awaiting consent."""
    grant_answered: bool = False
    answered_ids: set[str] = field(default_factory=set)
    """Every event id the API answered for the idempotency key: one, or a duplicate."""
    retries: int = 0


def _retryable(response: httpx.Response) -> bool:
    # 5xx: the API or Temporal behind it was down; 429: slow down and come back.
    return response.status_code >= 500 or response.status_code == 429


class CitizenApi:
    """The citizen API on one shared connection pool, a token per citizen."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        """Mint tokens with `settings`' secret; call the API through `http`."""
        self._settings = settings
        self._http = http
        self._tokens: dict[str, str] = {}

    def _headers(self, citizen: str, **extra: str) -> dict[str, str]:
        token = self._tokens.get(citizen) or mint_token(self._settings, citizen)
        self._tokens[citizen] = token
        return {"Authorization": f"Bearer {token}", **extra}

    async def _call(
        self, journey: Journey, send: Callable[[], Awaitable[httpx.Response]]
    ) -> httpx.Response:
        """Send until an answer that is not "try again", counting the retries."""
        deadline = time.monotonic() + RETRY_FOR_SECONDS
        while True:
            try:
                response = await send()
                if not _retryable(response):
                    return response
                reason = f"HTTP {response.status_code}"
            except httpx.TransportError as error:
                reason = type(error).__name__
            if time.monotonic() > deadline:
                raise JourneyFailed(f"{journey.citizen}: still failing ({reason})")
            journey.retries += 1
            await asyncio.sleep(RETRY_PAUSE_SECONDS)

    async def start_birth(self, journey: Journey) -> str:
        """Start the sample birth under the journey's key; the event id it answered."""
        today = datetime.now(ZoneInfo(self._settings.timezone)).date()
        event = await self.start_event(journey, "birth", birth_request_data(today))
        return str(event["id"])

    async def start_event(
        self, journey: Journey, event_type: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """Start a life event under the journey's key; the event as the API answered it."""
        body = {"event_type": event_type, "data": data}
        headers = self._headers(journey.citizen, **{"Idempotency-Key": journey.idempotency_key})
        if not journey.sent_at:
            journey.sent_at = time.time()
        response = await self._call(
            journey, lambda: self._http.post("/v1/life-events", json=body, headers=headers)
        )
        if response.status_code not in (200, 201):
            raise JourneyFailed(f"start answered {response.status_code}: {response.text[:200]}")
        event: dict[str, Any] = response.json()
        journey.answered_ids.add(event["id"])
        journey.event_id = journey.event_id or event["id"]
        if not journey.granted:
            journey.granted = tuple(
                step["id"] for step in event["steps"] if step["state"] == "awaiting_consent"
            )
        return event

    async def grant_all(self, journey: Journey) -> None:
        """Grant every checkpoint of the new event in one batch."""
        await self.decide(journey, {step: "grant" for step in journey.granted})

    async def decide(self, journey: Journey, decisions: dict[str, str]) -> None:
        """Answer the new event's checkpoints in one batch: step id -> grant, decline or
        acknowledge."""
        assert journey.event_id is not None
        body = {"decisions": [{"step_id": s, "decision": d} for s, d in decisions.items()]}
        path = f"/v1/life-events/{journey.event_id}/consents"
        headers = self._headers(journey.citizen)
        journey.decided_at = time.time()
        retries_before = journey.retries
        response = await self._call(
            journey, lambda: self._http.post(path, json=body, headers=headers)
        )
        # A retried decision whose first try was applied before its answer was lost is
        # answered 409; the event then shows no checkpoint left open.
        if response.status_code == 409 and journey.retries > retries_before:
            status, _ = await self.read(journey)
            journey.grant_answered = status != "awaiting_consent"
        else:
            journey.grant_answered = response.status_code == 200
        if journey.grant_answered:
            return
        raise JourneyFailed(f"decision answered {response.status_code}: {response.text[:200]}")

    async def withdraw(self, journey: Journey, step_id: str) -> dict[str, Any]:
        """Withdraw the consent given at a step; the event as the API answered it."""
        assert journey.event_id is not None
        path = f"/v1/life-events/{journey.event_id}/consents/{step_id}"
        headers = self._headers(journey.citizen)
        response = await self._call(journey, lambda: self._http.delete(path, headers=headers))
        if response.status_code != 200:
            raise JourneyFailed(
                f"withdrawal answered {response.status_code}: {response.text[:200]}"
            )
        event: dict[str, Any] = response.json()
        return event

    async def correct(self, journey: Journey, body: dict[str, Any]) -> dict[str, Any]:
        """Correct fields of the event (`corrections` and `reason`); the correction started."""
        assert journey.event_id is not None
        path = f"/v1/life-events/{journey.event_id}/corrections"
        headers = self._headers(journey.citizen)
        response = await self._call(
            journey, lambda: self._http.post(path, json=body, headers=headers)
        )
        if response.status_code != 202:
            raise JourneyFailed(
                f"correction answered {response.status_code}: {response.text[:200]}"
            )
        started: dict[str, Any] = response.json()
        return started

    async def corrections(self, journey: Journey) -> list[dict[str, Any]]:
        """The event's corrections and each agency's progress with them."""
        assert journey.event_id is not None
        path = f"/v1/life-events/{journey.event_id}/corrections"
        headers = self._headers(journey.citizen)
        response = await self._call(journey, lambda: self._http.get(path, headers=headers))
        if response.status_code != 200:
            raise JourneyFailed(
                f"corrections answered {response.status_code}: {response.text[:200]}"
            )
        found: list[dict[str, Any]] = response.json()
        return found

    async def event(self, journey: Journey) -> dict[str, Any]:
        """The event as the citizen reads it."""
        assert journey.event_id is not None
        headers = self._headers(journey.citizen)
        response = await self._call(
            journey, lambda: self._http.get(f"/v1/life-events/{journey.event_id}", headers=headers)
        )
        if response.status_code != 200:
            raise JourneyFailed(f"read answered {response.status_code}: {response.text[:200]}")
        event: dict[str, Any] = response.json()
        return event

    async def read(self, journey: Journey) -> tuple[str, float]:
        """The event's status, and how long the read took (seconds)."""
        assert journey.event_id is not None
        headers = self._headers(journey.citizen)
        started = time.perf_counter()
        response = await self._call(
            journey, lambda: self._http.get(f"/v1/life-events/{journey.event_id}", headers=headers)
        )
        took = time.perf_counter() - started
        if response.status_code != 200:
            raise JourneyFailed(f"read answered {response.status_code}: {response.text[:200]}")
        return str(response.json()["status"]), took


def api_client(settings: Settings, connections: int) -> httpx.AsyncClient:
    """An HTTP client for the citizen API with room for `connections` calls at once."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=settings.api_url, timeout=CALL_TIMEOUT_SECONDS, limits=limits)


async def run_journeys(
    api: CitizenApi,
    journeys: list[Journey],
    concurrency: int,
    *,
    grant: bool,
    then: Callable[[Journey], Awaitable[None]] | None = None,
) -> None:
    """Start every journey's birth (and grant it, and wait for `then`, such as its end) with at
    most `concurrency` citizens at once."""
    gate = asyncio.Semaphore(concurrency)

    async def one(journey: Journey) -> None:
        async with gate:
            await api.start_birth(journey)
            if grant:
                await api.grant_all(journey)
            if then is not None:
                await then(journey)

    await asyncio.gather(*(one(journey) for journey in journeys))


def journeys_for(run: str, count: int) -> list[Journey]:
    """`count` citizens of one run, each with one idempotency key."""
    return [Journey(f"{run}-citizen-{i}", f"{run}-event-{i}") for i in range(count)]
