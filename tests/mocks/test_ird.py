"""The Inland Revenue mock: a newborn's IRD number issued a configurable time after IRD
answers, then a signed callback to onceonly (retried while onceonly is down), its cases' status,
and a customer's own IRD number, stable per identity. Its formats and gates at every service
are tested with the other agencies' (test_kit_gates.py, test_kit_receipts.py).
"""

import asyncio
import json
import re
from pathlib import Path

import httpx
import pytest

from adapters import ird as ird_mapping
from adapters.base import AgencyRejected
from adapters.ird import NEWBORN_ISSUE_DUE, IrdAdapter
from mocks.agencies.ird.numbers import is_valid_ird_number
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from onceonly.domain.catalogue import DEATH, MOVE
from onceonly.domain.identifiers import is_valid_ird_number as valid_for_onceonly
from tests.mocks.gates import AgencyGates
from tests.mocks.samples import sample_birth, sample_death, sample_move
from tests.mocks.services import Service, mapped
from tests.mocks.support import (
    BASE_URL,
    BIRTH_EVENT,
    BIRTH_KEY,
    NEWBORN,
    Receiver,
    mocks_app,
    newborn,
    serving,
)


@pytest.fixture
def ird(client: httpx.AsyncClient) -> IrdAdapter:
    return IrdAdapter(client, BASE_URL, "dev-ird-key")


class TestNewbornNumberLater:
    """IRD issuing a newborn's number after it answers, and calling onceonly back."""

    @pytest.fixture
    def environ(self, slow_environ: dict[str, str]) -> dict[str, str]:
        """IRD issuing numbers a fraction of a second after it answers, and calling back."""
        return slow_environ

    async def test_ird_issues_the_number_later_and_calls_back(
        self, ird: IrdAdapter, receiver: tuple[Receiver, str], client: httpx.AsyncClient
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
        self, client: httpx.AsyncClient, ird: IrdAdapter, receiver: tuple[Receiver, str]
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
        self, ird: IrdAdapter, receiver: tuple[Receiver, str]
    ) -> None:
        receiver[0].first_answers = [503, 503]
        answer = await ird.submit(NEWBORN, newborn(), BIRTH_KEY)
        callback = await asyncio.wait_for(receiver[0].callbacks.get(), timeout=10)
        assert callback.reference == answer.reference
        assert receiver[0].calls == 3

    async def test_ird_answers_at_once_without_a_delay(self, tmp_path: Path) -> None:
        async with serving(mocks_app(tmp_path)) as client:
            ird = IrdAdapter(client, BASE_URL, "dev-ird-key")
            answer = await ird.submit(NEWBORN, newborn(), BIRTH_KEY)
            assert not answer.pending
            assert answer.follow_up is None
            status = await ird.status(NEWBORN, answer.reference)
            assert status.state == "completed"
            assert status.outputs == answer.outputs

    async def test_issue_delay_is_a_runtime_knob(self, tmp_path: Path) -> None:
        async with serving(mocks_app(tmp_path)) as client:
            ird = IrdAdapter(client, BASE_URL, "dev-ird-key")
            knob = {"error_rate": 0.0, "latency_ms": 0, "issue_delay_seconds": 0.2}
            assert (await client.put("/ird/_faults", json=knob)).json() == knob
            assert (await ird.submit(NEWBORN, newborn(), BIRTH_KEY)).pending
            await client.put("/ird/_faults", json={"issue_delay_seconds": 0})
            assert not (await ird.submit(NEWBORN, newborn(), f"{BIRTH_KEY[:-1]}x")).pending

    async def test_unknown_case_is_404_in_irds_shape(
        self, client: httpx.AsyncClient, ird: IrdAdapter
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
    def test_bad_callback_secrets_stop_the_mocks_starting(
        self, tmp_path: Path, secrets: str
    ) -> None:
        with pytest.raises(ValueError, match="MOCK_CALLBACK_SECRETS"):
            mocks_app(
                tmp_path, MOCK_CALLBACK_URL="http://127.0.0.1:9", MOCK_CALLBACK_SECRETS=secrets
            )


async def test_a_customers_ird_number_is_valid_and_stable(ird):
    number = await ird.own_ird_number("demo-citizen")
    assert valid_for_onceonly(number)
    assert re.fullmatch(r"[0-9]{9}", number)
    assert await ird.own_ird_number("demo-citizen") == number
    assert await ird.own_ird_number("citizen-2") != number


async def test_a_fresh_mock_knows_the_same_customer_numbers(tmp_path):
    numbers = []
    for name in ("one.db", "two.db"):
        app = create_app(tmp_path / name, environ={})
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(
            transport=transport, base_url=BASE_URL, headers=admin_headers()
        ) as client:
            adapter = IrdAdapter(client, BASE_URL, "dev-ird-key")
            numbers.append(await adapter.own_ird_number("urn:citizen:42"))
    assert numbers[0] == numbers[1]


async def test_an_identity_outside_the_rule_is_refused_by_name(client, ird):
    with pytest.raises(AgencyRejected, match="identity: must be") as refused:
        await ird.own_ird_number("mere tūhoe")
    assert "mere" not in str(refused.value)
    unauthorised = await client.get("/ird/gateway/v2/customers/demo-citizen/ird-number")
    assert unauthorised.status_code == 401
    assert unauthorised.json()["faultCode"] == "UNAUTHORISED"


BIRTH_FACTS = {
    "child__birth_registration_number": "2026/000001",
    "child__ird_number": "130000010",
}
DEATH_FACTS = {"deceased__death_registration_number": "2026/000777"}
SERVICES = {
    "ird-newborn": Service(
        "ird",
        "/ird/gateway/v2/newborn-registrations",
        mapped(
            ird_mapping.to_ird_newborn_registration, "child_ird_number", sample_birth, **BIRTH_FACTS
        ),
        "caseReference",
        "NB-00000001",
        ("childSurname", "Tāwhiao"),
        status=200,
    ),
    "ird-address": Service(
        "ird",
        "/ird/gateway/v2/address-changes",
        mapped(ird_mapping.to_ird_address_change, "update_ird_address", sample_move, MOVE),
        "caseReference",
        "AC-00000001",
        ("surname", "Tāwhiao"),
        status=200,
        keeps_macrons=True,
    ),
    "ird-deceased": Service(
        "ird",
        "/ird/gateway/v2/deceased-notifications",
        mapped(
            ird_mapping.to_ird_deceased_notification,
            "notify_ird",
            sample_death,
            DEATH,
            **DEATH_FACTS,
        ),
        "caseReference",
        "DC-00000001",
        ("notifierSurname", "Tāwhiao"),
        status=200,
        keeps_macrons=True,
    ),
}
WRONG_FORMATS = [
    ("ird-newborn", "childDateOfBirth", "2026-11-01", "childDateOfBirth"),
    ("ird-newborn", "parentIrdNumber", "049-091-850", "parentIrdNumber"),
    ("ird-newborn", "postalAddress", "1/21A Smith Street", "postalAddress"),
    ("ird-address", "effectiveDate", "2026-11-22", "effectiveDate"),
    ("ird-address", "irdNumber", "049-091-850", "irdNumber"),
    ("ird-address", "irdNumber", "049091851", "irdNumber"),
    ("ird-address", "residentialAddress", "3/45 Cuba Street", "residentialAddress"),
    ("ird-deceased", "dateOfDeath", "2026-11-21", "dateOfDeath"),
    ("ird-deceased", "dateOfDeath", "01/01/1900", "dateOfDeath"),
    ("ird-deceased", "deathRegistrationNumber", "2026-000777", "deathRegistrationNumber"),
    ("ird-deceased", "notifierRelationship", "SPOUSE_PARTNER", "notifierRelationship"),
    ("ird-deceased", "notifierCapacity", "executor", "notifierCapacity"),
    ("ird-deceased", "notifierPostalAddress", "PO Box 1234", "notifierPostalAddress"),
]


class TestGates(AgencyGates):
    """IRD's services through the gates every agency passes."""

    services = SERVICES
    wrong_formats = WRONG_FORMATS
