"""Status checks and corrections at the mock agencies, through the adapters.

Proof of effect: MSD (a dead client's payments stopped), IRD (an address change) and NZTA
(an address change, a cancelled licence) say whether a completed request took effect, and
the `effect_not_taken` knob makes them say it did not ("letters to the dead"). Correct once:
IRD, MSD, NZTA and the Electoral Commission take the corrected request for a record they
hold, each its own way, behind the submission's gates (idempotency key, schema, receipt).
"""

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from adapters.base import AgencyRejected, AmendingAdapter, AmendmentNotOffered, StatusAdapter
from adapters.bdm import BdmAdapter
from adapters.electoral import ElectoralAdapter
from adapters.http import CONSENT_RECEIPT
from adapters.ird import IrdAdapter
from adapters.msd import MsdAdapter
from adapters.nzta import NztaAdapter
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from onceonly.domain.amendments import AMENDMENT_NOT_OFFERED
from onceonly.domain.catalogue import DEATH, MOVE
from tests.mocks.receipts import JWKS, receipt
from tests.mocks.samples import disclose, sample_death, sample_move

BASE_URL = "http://agencies.test"
ADAPTERS: dict[str, Callable[[httpx.AsyncClient, str, str], Any]] = {
    "ird": IrdAdapter,
    "msd": MsdAdapter,
    "nzta": NztaAdapter,
    "electoral": ElectoralAdapter,
    "bdm": BdmAdapter,
}
DEATH_REGISTRATION = "2026/000042"
# Steps whose agency reports whether the change took effect.
EFFECT_STEPS = ("stop_msd_payments", "update_ird_address", "update_driver_licence")
EFFECT_STEPS_MORE = ("cancel_driver_licence", "notify_ird", "update_msd_address")
# The steps whose records the agency takes corrections to, and where `_records` holds them.
AMENDABLE = ("update_ird_address", "update_msd_address", "update_driver_licence")
AMENDABLE_ALL = (*AMENDABLE, "update_electoral_roll")


def step_of(step_id: str) -> Any:
    return next(e.step(step_id) for e in (MOVE, DEATH) if step_id in {s.id for s in e.steps})


def disclosure(step_id: str) -> dict[str, Any]:
    if step_id in {s.id for s in MOVE.steps}:
        return disclose(step_id, sample_move(), MOVE)
    return disclose(
        step_id, sample_death(), DEATH, deceased__death_registration_number=DEATH_REGISTRATION
    )


def corrected(step_id: str) -> dict[str, Any]:
    """The step's disclosure with the mover's surname corrected."""
    fields = disclosure(step_id)
    return fields | {"mover.name": fields["mover.name"] | {"family_name": "Corrected"}}


def app_for(tmp_path: Path, **environ: str) -> FastAPI:
    return create_app(tmp_path / "agencies.db", environ=environ)


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app_for(tmp_path))
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, headers=admin_headers()
    ) as client:
        yield client


def adapter(client: httpx.AsyncClient, agency: str) -> Any:
    return ADAPTERS[agency](client, BASE_URL, f"dev-{agency}-key")


async def submitted(client: httpx.AsyncClient, step_id: str, key: str = "submit-1") -> str:
    step = step_of(step_id)
    answer = await adapter(client, step.agency).submit(step.service, disclosure(step_id), key)
    assert not answer.pending
    return str(answer.reference)


@pytest.mark.parametrize("step_id", EFFECT_STEPS + EFFECT_STEPS_MORE)
async def test_completed_request_is_in_effect(client: httpx.AsyncClient, step_id: str) -> None:
    step = step_of(step_id)
    reference = await submitted(client, step_id)
    status = await adapter(client, step.agency).status(step.service, reference)
    assert (status.reference, status.state, status.effect) == (reference, "completed", "in_effect")


@pytest.mark.parametrize("step_id", EFFECT_STEPS)
async def test_effect_not_taken_knob(client: httpx.AsyncClient, step_id: str) -> None:
    step = step_of(step_id)
    reference = await submitted(client, step_id)
    knob = {"effect_not_taken": [step.service]}
    shown = (await client.put(f"/{step.agency}/_faults", json=knob)).json()
    assert shown["effect_not_taken"] == [step.service]
    status = await adapter(client, step.agency).status(step.service, reference)
    assert (status.state, status.effect) == ("completed", "not_in_effect")
    # Only the service named: another of the agency's services still takes effect.
    await client.put(f"/{step.agency}/_faults", json={"effect_not_taken": ["another-service"]})
    status = await adapter(client, step.agency).status(step.service, reference)
    assert status.effect == "in_effect"


async def test_msd_payments_continuing_from_the_environment(tmp_path: Path) -> None:
    app = app_for(tmp_path, MOCK_MSD_EFFECT_NOT_TAKEN='["stop-payments"]')
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url=BASE_URL, headers=admin_headers()
    ) as client:
        reference = await submitted(client, "stop_msd_payments")
        response = await client.get(
            f"/msd/api/clients/cases/{reference}", headers={"X-MSD-Client-Key": "dev-msd-key"}
        )
        assert response.json() == {
            "case_id": reference,
            "case_type": "payment_stop",
            "status": "payments_continuing",
            "in_force": False,
        }


def test_bad_effect_knob_in_the_environment_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="MOCK_MSD_EFFECT_NOT_TAKEN"):
        app_for(tmp_path, MOCK_MSD_EFFECT_NOT_TAKEN="stop-payments")


async def test_status_of_another_services_reference_is_refused(
    client: httpx.AsyncClient,
) -> None:
    reference = await submitted(client, "update_msd_address")
    stop = step_of("stop_msd_payments")
    with pytest.raises(AgencyRejected, match="not one of"):
        await adapter(client, "msd").status(stop.service, reference)
    with pytest.raises(AgencyRejected, match="HTTP 404"):
        await adapter(client, "nzta").status(step_of("update_driver_licence").service, "DL-999999")


@pytest.mark.parametrize("step_id", AMENDABLE_ALL)
async def test_amend_happy_path_and_idempotent_repeat(
    client: httpx.AsyncClient, step_id: str
) -> None:
    step = step_of(step_id)
    agency = adapter(client, step.agency)
    reference = await submitted(client, step_id)
    answer = await agency.amend(step.service, reference, corrected(step_id), "amend-1")
    assert answer.reference and answer.reference != reference
    assert await agency.amend(step.service, reference, corrected(step_id), "amend-1") == answer
    held = (await client.get(f"/{step.agency}/_records")).json()
    (amendment,) = held["amendments"]
    # The corrected record in full, as the same mapping makes it, under the reference.
    assert "Corrected" in json.dumps(amendment["received"])
    assert "Corrected" not in json.dumps(held["records"][0]["received"])
    # The same key with another body is a conflict, not a second amendment.
    with pytest.raises(AgencyRejected, match="HTTP 409"):
        await agency.amend(step.service, reference, disclosure(step_id), "amend-1")


@pytest.mark.parametrize("step_id", AMENDABLE_ALL)
async def test_amend_unknown_reference_is_404(client: httpx.AsyncClient, step_id: str) -> None:
    step = step_of(step_id)
    reference = await submitted(client, step_id)
    unknown = reference[:-1] + ("9" if reference[-1] != "9" else "8")
    with pytest.raises(AgencyRejected, match="HTTP 404"):
        await adapter(client, step.agency).amend(step.service, unknown, corrected(step_id), "k")
    assert (await client.get(f"/{step.agency}/_records")).json()["amendments"] == []


async def test_amend_of_another_services_record_is_404(client: httpx.AsyncClient) -> None:
    # NZTA's two services share one transaction sequence: a cancellation is no address change.
    cancelled = await submitted(client, "cancel_driver_licence")
    move = step_of("update_driver_licence")
    with pytest.raises(AgencyRejected, match="HTTP 404"):
        await adapter(client, "nzta").amend(
            move.service, cancelled, corrected("update_driver_licence"), "k"
        )


@pytest.mark.parametrize(
    ("path", "headers", "status", "fault"),
    [
        ("/ird/gateway/v2/address-changes/{reference}", {}, 400, "BAD_REQUEST"),
        ("/ird/gateway/v2/address-changes/{reference}", {"Idempotency-Key": "k"}, 422, None),
    ],
    ids=["no-key", "wrong-format"],
)
async def test_amend_gates(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], status: int, fault: str | None
) -> None:
    reference = await submitted(client, "update_ird_address")
    body = await adapter(client, "ird").preview(
        step_of("update_ird_address").service, corrected("update_ird_address")
    )
    body["effectiveDate"] = "2026-11-25"  # ISO: IRD writes dd/mm/yyyy
    response = await client.put(
        path.format(reference=reference),
        json=body,
        headers={"Authorization": "Bearer dev-ird-key", **headers},
    )
    assert response.status_code == status
    if fault:
        assert response.json()["faultCode"] == fault
    else:
        assert response.json()["faultString"] == "effectiveDate: must be a date written dd/mm/yyyy"


async def test_amend_needs_a_receipt_covering_it(tmp_path: Path) -> None:
    app = app_for(tmp_path, MOCK_RECEIPT_JWKS=JWKS)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url=BASE_URL, headers=admin_headers()
    ) as client:
        step = step_of("update_msd_address")
        msd = adapter(client, "msd")
        token = CONSENT_RECEIPT.set(receipt(step.id))
        try:
            reference = await submitted(client, step.id)
        finally:
            CONSENT_RECEIPT.reset(token)
        with pytest.raises(AgencyRejected, match=r"HTTP 403.*Consent-Receipt"):
            await msd.amend(step.service, reference, corrected(step.id), "amend-1")
        # The submission's grant does not allow a correction: the correction's receipt does.
        token = CONSENT_RECEIPT.set(receipt(step.id))
        try:
            with pytest.raises(AgencyRejected, match=r"HTTP 403.*must record one of: correct"):
                await msd.amend(step.service, reference, corrected(step.id), "amend-1")
        finally:
            CONSENT_RECEIPT.reset(token)
        token = CONSENT_RECEIPT.set(receipt(step.id, decision="correct", fields=["mover.name"]))
        try:
            with pytest.raises(AgencyRejected, match=r"HTTP 403.*does not cover"):
                await msd.amend(step.service, reference, corrected(step.id), "amend-1")
        finally:
            CONSENT_RECEIPT.reset(token)
        token = CONSENT_RECEIPT.set(receipt(step.id, decision="correct"))
        try:
            assert (
                await msd.amend(step.service, reference, corrected(step.id), "amend-1")
            ).reference
        finally:
            CONSENT_RECEIPT.reset(token)


async def test_capabilities(client: httpx.AsyncClient) -> None:
    for agency in ("ird", "msd", "nzta", "electoral"):
        assert isinstance(adapter(client, agency), AmendingAdapter), agency
    for agency in ("ird", "msd", "nzta", "bdm"):
        assert isinstance(adapter(client, agency), StatusAdapter), agency
    # BDM's registers are corrected by a formal process, not online.
    assert not isinstance(adapter(client, "bdm"), AmendingAdapter)
    with pytest.raises(AmendmentNotOffered, match="no correction online") as refused:
        await adapter(client, "msd").amend(
            step_of("stop_msd_payments").service, "SP-000001", disclosure("stop_msd_payments"), "k"
        )
    assert refused.value.type == AMENDMENT_NOT_OFFERED
    assert refused.value.non_retryable
