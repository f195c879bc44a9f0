"""The Births, Deaths and Marriages mock: a death registration reviewed before BDM registers
(or rejects) it, its review's status, and the register of deaths it answers look-ups from by
registration number. Its formats and gates at every service are tested with the other
agencies' (test_kit_gates.py, test_kit_receipts.py).
"""

import asyncio
from pathlib import Path

import httpx
import pytest

from adapters import bdm as bdm_mapping
from adapters.base import AgencyRejected, AgencyUnavailable
from adapters.bdm import DEATH_REVIEW_DUE, BdmAdapter
from onceonly.domain.catalogue import BIRTH, DEATH
from tests.mocks.gates import AgencyGates
from tests.mocks.samples import disclose, sample_birth, sample_death
from tests.mocks.services import Service, mapped
from tests.mocks.support import (
    BASE_URL,
    DEATH_KEY,
    DEATH_REGISTRATION,
    death,
    mocks_app,
    serving,
)


@pytest.fixture
def bdm(client: httpx.AsyncClient) -> BdmAdapter:
    return BdmAdapter(client, BASE_URL, "dev-bdm-key")


class TestDeathReviews:
    """BDM reviewing a death registration before it registers (or rejects) it."""

    @pytest.fixture
    def environ(self) -> dict[str, str]:
        """BDM reviewing a death a fraction of a second after it answers."""
        return {"MOCK_BDM_DEATH_REVIEW_SECONDS": "0.3"}

    async def test_bdm_reviews_a_death_then_registers_it(self, bdm: BdmAdapter) -> None:
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

    async def test_bdm_review_can_reject(self, client: httpx.AsyncClient, bdm: BdmAdapter) -> None:
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

    async def test_bdm_registers_at_once_without_a_review(self, tmp_path: Path) -> None:
        async with serving(mocks_app(tmp_path)) as client:
            bdm = BdmAdapter(client, BASE_URL, "dev-bdm-key")
            answer = await bdm.submit(DEATH_REGISTRATION, death(), DEATH_KEY)
            assert not answer.pending
            status = await bdm.status(DEATH_REGISTRATION, answer.reference)
            assert status.state == "completed"
            assert status.outputs == answer.outputs

    async def test_bdm_unknown_review_is_404(
        self, client: httpx.AsyncClient, bdm: BdmAdapter
    ) -> None:
        response = await client.get(
            "/bdm/v1/death-registration-reviews/REV-999999", headers={"X-Api-Key": "dev-bdm-key"}
        )
        assert response.status_code == 404
        assert response.json()["errors"][0]["message"]
        with pytest.raises(AgencyRejected, match="HTTP 404"):
            await bdm.status(DEATH_REGISTRATION, "REV-999999")
        with pytest.raises(AgencyRejected, match="no status"):
            await bdm.status(BIRTH.step("register_birth").service, "2026/000001")


async def test_an_unknown_death_registration_number_is_rejected(bdm):
    with pytest.raises(AgencyRejected, match="HTTP 404") as refused:
        await bdm.death_record("2026/999999")
    assert refused.value.non_retryable
    assert "2026/999999" not in str(refused.value)


async def test_a_birth_registration_number_is_no_death(client, bdm):
    birth = disclose("register_birth", sample_birth())
    registered = await bdm.submit(BIRTH.step("register_birth").service, birth, "b")
    with pytest.raises(AgencyRejected, match="HTTP 404"):
        await bdm.death_record(registered.reference)


async def test_a_malformed_number_is_refused_before_any_call():
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError("BDM was called")

    async with httpx.AsyncClient(transport=httpx.MockTransport(never)) as client:
        adapter = BdmAdapter(client, BASE_URL, "dev-bdm-key")
        with pytest.raises(AgencyRejected, match="yyyy/nnnnnn") as refused:
            await adapter.death_record("2026-000001")
    assert "2026-000001" not in str(refused.value)


async def test_the_death_look_up_passes_the_key_format_and_fault_gates(client, bdm):
    lookup = "/bdm/v1/death-registrations"
    assert (await client.get(f"{lookup}/2026/000001")).status_code == 401
    headers = {"X-Api-Key": "dev-bdm-key"}
    malformed = await client.get(f"{lookup}/26/0000x1", headers=headers)
    assert malformed.status_code == 422
    assert {e["field"] for e in malformed.json()["errors"]} == {"year", "number"}
    assert "0000x1" not in malformed.text
    await client.put("/bdm/_faults", json={"error_rate": 1.0, "latency_ms": 0})
    with pytest.raises(AgencyUnavailable, match="HTTP 503"):
        await bdm.death_record("2026/000001")


BIRTH_FACTS = {
    "child__birth_registration_number": "2026/000001",
    "child__ird_number": "130000010",
}
DEATH_FACTS = {"deceased__death_registration_number": "2026/000777"}
SERVICES = {
    "bdm-birth": Service(
        "bdm",
        "/bdm/v1/birth-registrations",
        mapped(bdm_mapping.to_bdm_registration, "register_birth", sample_birth, **BIRTH_FACTS),
        "registrationNumber",
        r"[0-9]{4}/000001",
        ("child.surname", "Tāwhiao"),
    ),
    "bdm-death": Service(
        "bdm",
        "/bdm/v1/death-registrations",
        mapped(
            bdm_mapping.to_bdm_death_registration,
            "register_death",
            sample_death,
            DEATH,
            **DEATH_FACTS,
        ),
        "deathRegistrationNumber",
        r"[0-9]{4}/000001",
        ("deceased.surname", "Tāwhiao"),
        keeps_macrons=True,
    ),
}
WRONG_FORMATS = [
    ("bdm-birth", "usualResidence.postcode", "10110", "usualResidence.postcode"),
    ("bdm-birth", "usualResidence.line1", "Level 3, Willis Street", "usualResidence.line1"),
    ("bdm-birth", "child.sex", "female", "child.sex"),
    ("bdm-birth", "child.middleName", "Mere", "child.middleName"),
    ("bdm-death", "deceased.dateOfDeath", "21/11/2026", "deceased.dateOfDeath"),
    ("bdm-death", "deceased.dateOfDeath", "1900-01-01", "deceased.dateOfDeath"),
    ("bdm-death", "deceased.sex", "male", "deceased.sex"),
    ("bdm-death", "deceased.givenNames", "Hōhepa 2", "deceased.givenNames"),
    ("bdm-death", "deceased.middleName", "Te Rangi", "deceased.middleName"),
    ("bdm-death", "informant.relationship", "child", "informant.relationship"),
    ("bdm-death", "usualResidence.ruralDelivery", "2", "usualResidence.ruralDelivery"),
]


class TestGates(AgencyGates):
    """BDM's services through the gates every agency passes."""

    services = SERVICES
    wrong_formats = WRONG_FORMATS
