"""Slow mock agencies: IRD issues a newborn's IRD number a configurable time after it answers,
then calls onceonly back with a signed envelope; BDM reviews a death registration before it
registers (or rejects) it, and says so only when asked. The adapters read both as pending
answers and their later status. The promised work is kept in the mocks' store, so a restart of
the mocks (a new app on the same file) still decides and calls back. Delays are fractions of a
second: the knobs take seconds.
"""

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from adapters.base import AgencyRejected
from adapters.bdm import DEATH_REVIEW_DUE, BdmAdapter
from adapters.ird import NEWBORN_ISSUE_DUE, IrdAdapter
from mocks.agencies.ird.numbers import is_valid_ird_number
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from onceonly.callbacks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    AgencyCallback,
    CallbackRefused,
    verify_callback,
)
from onceonly.domain.catalogue import BIRTH, DEATH
from tests.mocks.samples import disclose, sample_birth, sample_death

BASE_URL = "http://agencies.test"
SECRET = "ird-callback-secret-for-tests"
NEWBORN = BIRTH.step("child_ird_number").service
DEATH_REGISTRATION = DEATH.step("register_death").service
# Keys in onceonly's format (`<event id>/<step id>`), which a callback names.
BIRTH_EVENT = f"birth-{'a' * 32}"
BIRTH_KEY = f"{BIRTH_EVENT}/child_ird_number"
DEATH_KEY = f"death-{'b' * 32}/register_death"


@dataclass
class Receiver:
    """A tiny HTTP server on loopback standing in for onceonly's callback route: it checks
    each callback's signature and answers 200, or 401 when it does not hold; the first calls
    are answered `first_answers` (503: the API is down; 425: the step is not waiting yet)."""

    first_answers: list[int] = field(default_factory=list)
    callbacks: asyncio.Queue[AgencyCallback] = field(default_factory=asyncio.Queue)
    paths: list[str] = field(default_factory=list)
    calls: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        request_line, *header_lines = head.strip().split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in header_lines)
        }
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        self.calls += 1
        self.paths.append(request_line.split()[1])
        status = 200
        if self.calls <= len(self.first_answers):
            status = self.first_answers[self.calls - 1]
        else:
            try:
                verify_callback(
                    SECRET.encode(),
                    headers.get(TIMESTAMP_HEADER.lower()),
                    headers.get(SIGNATURE_HEADER.lower()),
                    body,
                    time.time(),
                )
                self.callbacks.put_nowait(AgencyCallback.model_validate_json(body))
            except CallbackRefused:
                status = 401
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        writer.close()


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    found = Receiver()
    server = await asyncio.start_server(found.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield found, f"http://127.0.0.1:{port}"


def _app(tmp_path: Path, **environ: str) -> FastAPI:
    return create_app(tmp_path / "agencies.db", environ=environ)


@pytest.fixture
def slow_environ(receiver: tuple[Receiver, str]) -> dict[str, str]:
    return {
        "MOCK_IRD_ISSUE_DELAY_SECONDS": "0.3",
        "MOCK_BDM_DEATH_REVIEW_SECONDS": "0.3",
        "MOCK_CALLBACK_URL": receiver[1],
        "MOCK_CALLBACK_SECRETS": json.dumps({"ird": SECRET}),
    }


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app, with the app's lifespan running (its loop of promised work)."""
    transport = httpx.ASGITransport(app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=transport, base_url=BASE_URL, headers=admin_headers()
        ) as client,
    ):
        yield client


@pytest.fixture
async def client(tmp_path: Path, slow_environ: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(_app(tmp_path, **slow_environ)) as client:
        yield client


@pytest.fixture
def ird(client: httpx.AsyncClient) -> IrdAdapter:
    return IrdAdapter(client, BASE_URL, "dev-ird-key")


@pytest.fixture
def bdm(client: httpx.AsyncClient) -> BdmAdapter:
    return BdmAdapter(client, BASE_URL, "dev-bdm-key")


def newborn() -> dict[str, Any]:
    return disclose(
        "child_ird_number", sample_birth(), child__birth_registration_number="2026/000001"
    )


def death() -> dict[str, Any]:
    return disclose("register_death", sample_death(), DEATH)


async def test_ird_issues_the_number_later_and_calls_back(
    ird: IrdAdapter, receiver: tuple[Receiver, str], client: httpx.AsyncClient
) -> None:
    answer = await ird.submit(NEWBORN, newborn(), BIRTH_KEY)
    assert answer.pending and answer.follow_up == "callback"
    assert answer.outcome_due == NEWBORN_ISSUE_DUE
    assert answer.outputs == {}
    assert (await ird.status(NEWBORN, answer.reference)).state == "pending"

    callback = await asyncio.wait_for(receiver[0].callbacks.get(), timeout=5)
    assert receiver[0].paths == ["/v1/agency-callbacks/ird"]
    assert (callback.reference, callback.state) == (answer.reference, "completed")
    assert (callback.event_id, callback.step_id) == (BIRTH_EVENT, "child_ird_number")

    status = await ird.status(NEWBORN, answer.reference)
    assert (status.state, status.effect) == ("completed", "in_effect")
    assert is_valid_ird_number(status.outputs["child.ird_number"])
    # A repeat of the submission is the same case, and issues no second number.
    assert await ird.submit(NEWBORN, newborn(), BIRTH_KEY) == answer
    assert (await ird.status(NEWBORN, answer.reference)).outputs == status.outputs
    held = (await client.get("/ird/_records")).json()["records"]
    assert [r["status"] for r in held] == [202]
    assert "irdNumber" not in held[0]["answer"]


async def test_ird_answer_while_pending_is_received_without_a_number(
    client: httpx.AsyncClient, ird: IrdAdapter, receiver: tuple[Receiver, str]
) -> None:
    body = await ird.preview(NEWBORN, newborn())
    response = await client.post(
        "/ird/gateway/v2/newborn-registrations",
        json=body,
        headers={"Authorization": "Bearer dev-ird-key", "Idempotency-Key": "plain-key"},
    )
    assert response.status_code == 202
    assert response.json()["status"] == "received"
    assert "irdNumber" not in response.json()
    case = f"/ird/gateway/v2/cases/{response.json()['caseReference']}"
    headers = {"Authorization": "Bearer dev-ird-key"}
    assert (await client.get(case, headers=headers)).json()["caseStatus"] == "RECEIVED"
    await asyncio.sleep(0.4)
    issued = (await client.get(case, headers=headers)).json()
    assert issued["caseStatus"] == "COMPLETED"
    assert is_valid_ird_number(issued["irdNumber"])
    # A request under a key that is not onceonly's has no step to wake: no callback.
    await asyncio.sleep(0.1)
    assert receiver[0].calls == 0


async def test_callback_is_retried_while_onceonly_is_down(
    ird: IrdAdapter, receiver: tuple[Receiver, str]
) -> None:
    receiver[0].first_answers = [503, 503]
    answer = await ird.submit(NEWBORN, newborn(), BIRTH_KEY)
    callback = await asyncio.wait_for(receiver[0].callbacks.get(), timeout=10)
    assert callback.reference == answer.reference
    assert receiver[0].calls == 3


async def test_ird_answers_at_once_without_a_delay(tmp_path: Path) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(_app(tmp_path)), base_url=BASE_URL, headers=admin_headers()
    ) as client:
        ird = IrdAdapter(client, BASE_URL, "dev-ird-key")
        answer = await ird.submit(NEWBORN, newborn(), BIRTH_KEY)
        assert not answer.pending
        assert answer.follow_up is None
        status = await ird.status(NEWBORN, answer.reference)
        assert status.state == "completed"
        assert status.outputs == answer.outputs


async def test_issue_delay_is_a_runtime_knob(tmp_path: Path) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(_app(tmp_path)), base_url=BASE_URL, headers=admin_headers()
    ) as client:
        ird = IrdAdapter(client, BASE_URL, "dev-ird-key")
        knob = {"error_rate": 0.0, "latency_ms": 0, "issue_delay_seconds": 0.2}
        assert (await client.put("/ird/_faults", json=knob)).json() == knob
        assert (await ird.submit(NEWBORN, newborn(), BIRTH_KEY)).pending
        await client.put("/ird/_faults", json={"issue_delay_seconds": 0})
        assert not (await ird.submit(NEWBORN, newborn(), f"{BIRTH_KEY[:-1]}x")).pending


async def test_unknown_case_is_404_in_irds_shape(
    client: httpx.AsyncClient, ird: IrdAdapter
) -> None:
    response = await client.get(
        "/ird/gateway/v2/cases/NB-99999999", headers={"Authorization": "Bearer dev-ird-key"}
    )
    assert response.status_code == 404
    assert response.json()["faultCode"] == "NOT_FOUND"
    with pytest.raises(AgencyRejected, match="HTTP 404"):
        await ird.status(NEWBORN, "NB-99999999")


@pytest.mark.parametrize(
    "secrets", ["not json", json.dumps(["ird"]), json.dumps({"ird": ""})], ids=str
)
def test_bad_callback_secrets_stop_the_mocks_starting(tmp_path: Path, secrets: str) -> None:
    with pytest.raises(ValueError, match="MOCK_CALLBACK_SECRETS"):
        _app(tmp_path, MOCK_CALLBACK_URL="http://127.0.0.1:9", MOCK_CALLBACK_SECRETS=secrets)


async def test_bdm_reviews_a_death_then_registers_it(bdm: BdmAdapter) -> None:
    answer = await bdm.submit(DEATH_REGISTRATION, death(), DEATH_KEY)
    assert answer.pending and answer.follow_up == "poll"
    assert answer.outcome_due == DEATH_REVIEW_DUE
    assert answer.outputs == {}
    assert (await bdm.status(DEATH_REGISTRATION, answer.reference)).state == "pending"
    await asyncio.sleep(0.4)
    status = await bdm.status(DEATH_REGISTRATION, answer.reference)
    assert status.state == "completed"
    number = status.outputs["deceased.death_registration_number"]
    # The register of deaths holds the reviewed registration under its number.
    record = await bdm.death_record(number)
    assert record.registration_number == number
    assert record.name.family_name == sample_death().deceased.name.family_name


async def test_bdm_review_can_reject(client: httpx.AsyncClient, bdm: BdmAdapter) -> None:
    await client.put("/bdm/_faults", json={"death_review_seconds": 0.2, "review_rejects": True})
    answer = await bdm.submit(DEATH_REGISTRATION, death(), DEATH_KEY)
    await asyncio.sleep(0.3)
    status = await bdm.status(DEATH_REGISTRATION, answer.reference)
    assert status.state == "rejected"
    assert status.message and "coroner" in status.message
    assert status.outputs == {}
    # The decision is kept once taken.
    await client.put("/bdm/_faults", json={"death_review_seconds": 0.2})
    assert (await bdm.status(DEATH_REGISTRATION, answer.reference)).state == "rejected"


async def test_bdm_registers_at_once_without_a_review(tmp_path: Path) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(_app(tmp_path)), base_url=BASE_URL, headers=admin_headers()
    ) as client:
        bdm = BdmAdapter(client, BASE_URL, "dev-bdm-key")
        answer = await bdm.submit(DEATH_REGISTRATION, death(), DEATH_KEY)
        assert not answer.pending
        status = await bdm.status(DEATH_REGISTRATION, answer.reference)
        assert status.state == "completed"
        assert status.outputs == answer.outputs


async def test_bdm_unknown_review_is_404(client: httpx.AsyncClient, bdm: BdmAdapter) -> None:
    response = await client.get(
        "/bdm/v1/death-registration-reviews/REV-999999", headers={"X-Api-Key": "dev-bdm-key"}
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["message"]
    with pytest.raises(AgencyRejected, match="HTTP 404"):
        await bdm.status(DEATH_REGISTRATION, "REV-999999")
    with pytest.raises(AgencyRejected, match="no status"):
        await bdm.status(BIRTH.step("register_birth").service, "2026/000001")
