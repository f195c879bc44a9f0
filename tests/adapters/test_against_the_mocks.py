"""The adapters end to end against the mock agencies: an accepted submission answers with
the agency's reference, a refusal is AgencyRejected naming the agency's field, an agency that
is down is AgencyUnavailable, and an unknown service is refused.
"""

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from adapters import acc, electoral, nzta, passports
from adapters.base import (
    AgencyAdapter,
    AgencyAnswer,
    AgencyRejected,
    AgencyUnavailable,
)
from mocks.kit.formats import nz_today
from onceonly.domain.catalogue import DEATH, MOVE
from tests.adapters.support import BASE_URL, FACTS, death_facts, every_path, records
from tests.mocks.samples import disclose, sample_death, sample_move

ADAPTERS: dict[str, type[Any]] = {
    "nzta": nzta.NztaAdapter,
    "electoral": electoral.ElectoralAdapter,
    "acc": acc.AccAdapter,
    "passports": passports.PassportsAdapter,
}


# Each service: its step, the dossier, the reference it issues first, and a canonically valid
# change the agency refuses by its own rules, with the field and rule its refusal names.
END_TO_END: dict[str, tuple[str, Callable[[], BaseModel], str, tuple[str, Any], str]] = {
    "update_driver_licence": (
        "nzta",
        sample_move,
        "DL-000001",
        ("mover.name", {"given_names": ["Mere"], "family_name": "St. Clair-Synthetic"}),
        "surname: must be letters",
    ),
    "cancel_driver_licence": (
        "nzta",
        sample_death,
        "DL-000001",
        ("deceased.date_of_death", "2999-01-01"),
        "dateOfDeath: must not be after today",
    ),
    "update_electoral_roll": (
        "electoral",
        sample_move,
        "EL00000001",
        ("mover.name", {"given_names": ["Mere."], "family_name": "Tūhoe"}),
        "elector.given_names: must be letters",
    ),
    "remove_from_electoral_roll": (
        "electoral",
        sample_death,
        "EL00000001",
        ("deceased.date_of_death", "1900-01-01"),
        "date_of_death: must not be before date_of_birth",
    ),
    "update_acc_address": (
        "acc",
        sample_move,
        "ACC-0000001",
        ("mover.phone", "(12) 345"),
        "phone: must be 6 to 15 digits",
    ),
    "cancel_passport": (
        "passports",
        sample_death,
        "PC-000001",
        ("deceased.passport_number", "LA1234567"),
        "passportNumber: must be one or two capital letters and six digits",
    ),
}


def _step_disclosure(step_id: str) -> tuple[str, dict[str, Any]]:
    """The step's service and the sample dossier's disclosure to it."""
    _, sample, *_ = END_TO_END[step_id]
    event = MOVE if sample is sample_move else DEATH
    return event.step(step_id).service, disclose(step_id, sample(), event, **FACTS)


def _adapter(client: httpx.AsyncClient, agency: str) -> AgencyAdapter:
    adapter: AgencyAdapter = ADAPTERS[agency](client, BASE_URL, f"dev-{agency}-key")
    return adapter


DEATH_STEPS = [
    ("council", "deceased-ratepayer", "notify_council", "deceased.dateOfDeath"),
    ("veterans", "deceased-veteran", "notify_veterans_affairs", "death.date_of_death"),
    ("kaingaora", "tenancy-end-deceased", "end_tenancy", "Tenant.DateOfDeath"),
]


@pytest.mark.parametrize("step_id", END_TO_END)
async def test_an_accepted_submission_answers_with_the_agencys_reference(client, step_id):
    agency, _, reference, _, _ = END_TO_END[step_id]
    service, disclosure = _step_disclosure(step_id)
    adapter = _adapter(client, agency)
    answered = await adapter.submit(service, disclosure, f"event-1/{step_id}")
    assert answered == AgencyAnswer(reference=reference)
    assert await adapter.submit(service, disclosure, f"event-1/{step_id}") == answered
    (record,) = await records(client, agency)
    assert record["idempotency_key"] == f"event-1/{step_id}"


@pytest.mark.parametrize("step_id", END_TO_END)
async def test_a_refusal_is_agency_rejected_naming_the_agencys_field(client, step_id):
    agency, _, _, (field, value), message = END_TO_END[step_id]
    service, disclosure = _step_disclosure(step_id)
    with pytest.raises(AgencyRejected, match="HTTP 422") as refused:
        await _adapter(client, agency).submit(service, disclosure | {field: value}, "k")
    assert message in str(refused.value)
    for sent in every_path({"v": value}).values():
        if isinstance(sent, str):
            assert sent not in str(refused.value)
    assert refused.value.non_retryable
    assert await records(client, agency) == []


@pytest.mark.parametrize("step_id", END_TO_END)
async def test_an_agency_that_is_down_is_unavailable(client, step_id):
    agency = END_TO_END[step_id][0]
    service, disclosure = _step_disclosure(step_id)
    await client.put(f"/{agency}/_faults", json={"error_rate": 1.0})
    with pytest.raises(AgencyUnavailable, match="503") as unavailable:
        await _adapter(client, agency).submit(service, disclosure, "k")
    assert not unavailable.value.non_retryable
    assert await records(client, agency) == []


@pytest.mark.parametrize("agency", ADAPTERS)
async def test_an_unknown_service_is_refused(client, agency):
    with pytest.raises(AgencyRejected, match="no service"):
        await _adapter(client, agency).submit("passport-renewal", {}, "k")


async def test_the_death_adapters_submit_to_their_agencies(client, adapters):
    data = sample_death()
    case = await adapters["veterans"].submit(
        "deceased-veteran",
        disclose("notify_veterans_affairs", data, DEATH, **death_facts()),
        "e/va",
    )
    assert case.reference == f"VA-{nz_today().year}-000001"
    notice = await adapters["kaingaora"].submit(
        "tenancy-end-deceased", disclose("end_tenancy", data, DEATH), "e/ko"
    )
    assert notice.reference == "KO-TE-000001"
    (tenancy,) = await records(client, "kaingaora")
    assert tenancy["status"] == 202
    assert tenancy["received"]["Tenant"]["Name"] == "SYNTHETIC, Hōhepa Te Rangi"


@pytest.mark.parametrize(("agency", "service", "step_id", "field"), DEATH_STEPS)
async def test_an_agencys_422_is_a_rejection_naming_its_field(
    client, adapters, agency, service, step_id, field
):
    # Canonically well formed, but in the future: each agency refuses it by its own rule.
    disclosure = disclose(step_id, sample_death(), DEATH, **death_facts())
    disclosure["deceased.date_of_death"] = "2999-01-01"
    with pytest.raises(AgencyRejected, match=rf"HTTP 422: .*{field}") as refused:
        await adapters[agency].submit(service, disclosure, "k")
    assert refused.value.non_retryable
    assert "2999" not in str(refused.value)
    assert await records(client, agency) == []


@pytest.mark.parametrize(("agency", "service", "step_id", "field"), DEATH_STEPS)
async def test_a_death_agency_that_is_down_is_unavailable(
    client, adapters, agency, service, step_id, field
):
    await client.put(f"/{agency}/_faults", json={"error_rate": 1.0})
    disclosure = disclose(step_id, sample_death(), DEATH, **death_facts())
    with pytest.raises(AgencyUnavailable, match="HTTP 503") as unavailable:
        await adapters[agency].submit(service, disclosure, "k")
    assert not unavailable.value.non_retryable


@pytest.mark.parametrize("agency", ["council", "veterans", "kaingaora"])
async def test_an_unknown_service_is_refused_by_a_death_agency(adapters, agency):
    with pytest.raises(AgencyRejected, match="no service"):
        await adapters[agency].submit("passport-renewal", {}, "k")
