"""What the adapter contract kit checks an adapter against: the mock agencies served on a
free loopback port (with their consent receipt gate on), or a recorded exchange of requests
and answers replayed through `httpx.MockTransport`.
"""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from pydantic import BaseModel, ConfigDict

from onceonly.local_stack import free_port
from onceonly.receipts import public_jwks
from onceonly.settings import Settings

# A cold uvicorn starts in well under a second; this only bounds a broken start.
_START_SECONDS = 10


class ContractViolation(AssertionError):
    """The adapter broke its contract: the message says which rule, and what to change."""


@dataclass
class ServedMocks:
    """The mock agencies running for a contract run, and their control routes."""

    base_url: str
    admin_headers: dict[str, str]
    """What opens the mocks' `_records` and `_faults` (their admin key)."""

    def records(self, agency: str, idempotency_key: str) -> int:
        """How many submissions the agency holds under `idempotency_key`."""
        url = f"{self.base_url}/{agency}/_records"
        listed = httpx.get(url, headers=self.admin_headers).json()["records"]
        return sum(1 for record in listed if record["idempotency_key"] == idempotency_key)

    @contextmanager
    def faults(self, agency: str, **settings: Any) -> Iterator[None]:
        """The agency behaving as `settings` say (mocks/kit/faults.py) for the block only."""
        url = f"{self.base_url}/{agency}/_faults"
        headers = self.admin_headers
        before = httpx.get(url, headers=headers).json()
        httpx.put(url, json={**before, **settings}, headers=headers).raise_for_status()
        try:
            yield
        finally:
            httpx.put(url, json=before, headers=headers).raise_for_status()


@contextmanager
def serve_mocks(db_path: Path, settings: Settings | None = None) -> Iterator[ServedMocks]:
    """Every mock agency (the installed plugins' too) on a free loopback port, checking
    consent receipts against the keys of `settings` (the development keys by default)."""
    # Imported here: the mocks are a test tool, not something onceonly runs with.
    from mocks.app import create_app  # noqa: PLC0415

    settings = settings or Settings()
    environ = {
        "MOCK_RECEIPT_JWKS": json.dumps(public_jwks(settings)),
        "MOCK_ADMIN_KEY": settings.mocks_admin_key,
    }
    port = free_port()
    app = create_app(db_path, environ=environ)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + _START_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the mock agencies did not start")
        time.sleep(0.02)
    try:
        yield ServedMocks(f"http://127.0.0.1:{port}", settings.mocks_admin_headers)
    finally:
        server.should_exit = True
        thread.join(timeout=_START_SECONDS)


class RecordedRequest(BaseModel):
    """A request as the agency received it: `headers` lists those that must be sent (a value
    of "*" asks only that the header is there: a receipt, a key that differs per run)."""

    model_config = ConfigDict(extra="forbid")

    method: str
    path: str
    headers: dict[str, str] = {}
    json_body: Any = None


class RecordedResponse(BaseModel):
    """The agency's answer to it."""

    model_config = ConfigDict(extra="forbid")

    status: int
    json_body: Any = None


class Exchange(BaseModel):
    """One request and its answer."""

    model_config = ConfigDict(extra="forbid")

    request: RecordedRequest
    response: RecordedResponse


class Recording(BaseModel):
    """A recorded conversation with an agency, for one service's sample."""

    model_config = ConfigDict(extra="forbid")

    agency: str
    service: str
    exchanges: list[Exchange]


def load_recording(path: Path) -> Recording:
    """A recording from its JSON file (pydantic errors name the bad entry)."""
    return Recording.model_validate_json(path.read_text(encoding="utf-8"))


@dataclass
class Replay:
    """A recording served as an agency: each request must match a recorded one (method,
    path, required headers, JSON body), which answers it; anything else is a violation."""

    recording: Recording
    mismatches: list[str] = field(default_factory=list)

    def transport(self) -> httpx.MockTransport:
        """The transport to give the adapter's client."""
        return httpx.MockTransport(self._answer)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        reasons = []
        for exchange in self.recording.exchanges:
            expected = exchange.request
            if (request.method, request.url.path) != (expected.method, expected.path):
                continue
            problem = _header_problem(request, expected) or (
                None if body == expected.json_body else "its JSON body differs from the recording"
            )
            if problem is None:
                return httpx.Response(exchange.response.status, json=exchange.response.json_body)
            reasons.append(problem)
        why = "; ".join(reasons) or "no recorded request has this method and path"
        self.mismatches.append(f"{request.method} {request.url.path}: {why}")
        raise ContractViolation(f"{self.recording.agency}: unrecorded {self.mismatches[-1]}")


def _header_problem(request: httpx.Request, expected: RecordedRequest) -> str | None:
    for name, value in expected.headers.items():
        sent = request.headers.get(name)
        if sent is None:
            return f"header {name} is missing"
        if value not in ("*", sent):
            return f"header {name} differs from the recording"
    return None
