"""Consent receipts at the mock agencies: with `MOCK_RECEIPT_JWKS` set, every agency takes a
submission only with a receipt signed by a published key, for itself and the service, that
records a grant or an acknowledgement and covers every field the body is made from. The
adapters send the receipt (`adapters.http.CONSENT_RECEIPT`), the submission activity sets it,
and each mock's coverage table matches what its adapter sends and what the catalogue's step
declares.
"""

import base64
import json
import typing
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from jwt.algorithms import OKPAlgorithm
from pydantic import BaseModel
from temporalio.testing import ActivityEnvironment

from activities.submissions import AgencySubmissions
from adapters import (
    acc,
    bdm,
    council,
    electoral,
    health,
    ird,
    kaingaora,
    msd,
    nzta,
    passports,
    veterans,
)
from adapters.base import AgencyAdapter, AgencyAnswer, AgencyRejected
from adapters.http import CONSENT_RECEIPT, post_json
from adapters.registry import build_adapters
from mocks.agencies import AGENCIES
from mocks.agencies.council import properties as council_properties
from mocks.agencies.health import nhi_number_for
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from mocks.kit.agency import Coverage, MockAgency, Problem
from mocks.kit.formats import nz_today
from mocks.kit.receipts import receipt_keys, uncovered_fields
from onceonly.domain.catalogue import BIRTH, CATALOGUE, MOVE, LifeEventSpec, StepSpec
from onceonly.domain.multiple_birth import MultipleBirth
from onceonly.domain.receipts import ReceiptRequest, receipt_claims
from onceonly.domain.submission import AgencySubmission, idempotency_key
from onceonly.receipts import public_jwks, receipt_issuer, sign_receipt
from onceonly.settings import Settings
from onceonly.store.sqlite import SqliteDisclosureLog
from tests.adapters.built_in import BUILT_IN
from tests.mocks.receipts import JWKS, KEY, KID, STEPS, claims, jwk, receipt, sign
from tests.mocks.samples import disclose, sample_birth, sample_death, sample_move

BASE_URL = "http://agencies.test"
# Each agency that checks receipts, with its coverage tables by service path.
RECEIPT_COVERAGE = {
    agency.name: agency.receipt_coverage for agency in AGENCIES if agency.receipt_coverage
}
KEYS = {adapter.agency: f"dev-{adapter.agency}-key" for adapter in BUILT_IN}
# Facts earlier steps issued, for the steps that disclose them (valid in each agency's rules).
FACTS = {
    "child__birth_registration_number": "2026/000001",
    "child__ird_number": "130000010",
    "child__nhi_number": nhi_number_for(0),
    "deceased__death_registration_number": "2026/000042",
}
# Each catalogue step's adapter mapping: what the agency receives.
MAPPINGS: dict[str, typing.Callable[..., dict[str, Any]]] = {
    "register_birth": bdm.to_bdm_registration,
    "child_ird_number": ird.to_ird_newborn_registration,
    "best_start": msd.to_msd_best_start,
    "health_enrolment": health.to_health_enrolment,
    "immunisation_register": health.to_immunisation_registration,
    "update_driver_licence": nzta.to_nzta_address_change,
    "update_electoral_roll": electoral.to_electoral_enrolment_update,
    "update_ird_address": ird.to_ird_address_change,
    "update_msd_address": msd.to_msd_change_of_circumstances,
    "update_health_address": health.to_nhi_address_update,
    "council_rates": council.to_rates_notice,
    "council_dog_registration": council.to_dog_registration_transfer,
    "update_acc_address": acc.to_acc_address_update,
    "register_death": bdm.to_bdm_death_registration,
    "notify_ird": ird.to_ird_deceased_notification,
    "stop_msd_payments": msd.to_msd_stop_payments,
    "funeral_grant": msd.to_msd_funeral_grant,
    "cancel_driver_licence": nzta.to_nzta_cancellation,
    "cancel_passport": passports.to_passport_cancellation,
    "remove_from_electoral_roll": electoral.to_electoral_deceased_removal,
    "notify_health": health.to_nhi_deceased,
    "notify_veterans_affairs": veterans.to_deceased_veteran,
    "notify_council": council.to_deceased_ratepayer,
    "end_tenancy": kaingaora.to_tenancy_end_notice,
}
# At least one service of every agency, for the refusals.
REPRESENTATIVE = (
    "register_birth",
    "child_ird_number",
    "funeral_grant",
    "immunisation_register",
    "update_driver_licence",
    "update_electoral_roll",
    "update_acc_address",
    "cancel_passport",
    "council_dog_registration",
    "notify_veterans_affairs",
    "end_tenancy",
)


def sample(event: LifeEventSpec) -> BaseModel:
    """The event's sample dossier, its fullest: the birth a twin's (so every field BDM takes
    is sent), the move recent, as the council takes only those."""
    if event is BIRTH:
        return sample_birth(multiple_birth=MultipleBirth(plurality=2, birth_order=1))
    if event is MOVE:
        return sample_move().model_copy(update={"move_date": nz_today()})
    return sample_death()


def disclosure(step_id: str) -> dict[str, Any]:
    """The step's disclosure of its event's sample, with the facts earlier steps issued."""
    event, _ = STEPS[step_id]
    return disclose(step_id, sample(event), event, **FACTS)


def body(step_id: str) -> dict[str, Any]:
    """What the adapter sends the agency for the sample, the council's property id included."""
    mapping = MAPPINGS[step_id]
    if STEPS[step_id][1].agency != "council":
        return mapping(disclosure(step_id))
    sent = mapping(disclosure(step_id), "XXX-00000000")
    query = council_properties.PropertyQuery.model_validate(sent["property"])
    found = council_properties.property_for(query)
    assert found is not None
    return sent | {"propertyId": found["propertyId"]}


def mock_agency(name: str) -> MockAgency[Any]:
    return next(agency for agency in AGENCIES if agency.name == name)


def coverage(step: StepSpec) -> tuple[str, Coverage]:
    """The mock service (its path) and coverage table for the step's agency service."""
    found = [(p, c) for p, c in RECEIPT_COVERAGE[step.agency].items() if c.service == step.service]
    assert len(found) == 1, step.service
    return found[0]


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(tmp_path / "agencies.db", environ={"MOCK_RECEIPT_JWKS": JWKS})


@pytest.fixture
def answers() -> list[httpx.Response]:
    """Every response the agencies gave, read, latest last."""
    return []


@pytest.fixture
async def client(app: FastAPI, answers: list[httpx.Response]) -> AsyncIterator[httpx.AsyncClient]:
    async def keep(response: httpx.Response) -> None:
        await response.aread()
        answers.append(response)

    transport = httpx.ASGITransport(app)
    hooks = {"response": [keep]}
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, headers=admin_headers(), event_hooks=hooks
    ) as c:
        yield c


@pytest.fixture
def adapters(client: httpx.AsyncClient) -> dict[str, AgencyAdapter]:
    return build_adapters(client, BASE_URL, KEYS)


async def submit(
    adapters: dict[str, AgencyAdapter], step_id: str, consent_receipt: str | None
) -> AgencyAnswer:
    """The adapter's submission of the step's sample, carrying `consent_receipt` (if any)."""
    event, step = STEPS[step_id]
    token = CONSENT_RECEIPT.set(consent_receipt)
    try:
        key = idempotency_key(f"{event.event_type}-{'e' * 32}", step_id)
        return await adapters[step.agency].submit(step.service, disclosure(step_id), key)
    finally:
        CONSENT_RECEIPT.reset(token)


async def records(client: httpx.AsyncClient, agency: str) -> list[Any]:
    response = await client.get(f"/{agency}/_records")
    listed: list[Any] = response.json()["records"]
    return listed


def personal_values(value: Any) -> list[str]:
    """The disclosure's values that are personal data: names, numbers, dates, addresses."""
    if isinstance(value, dict):
        return [found for item in value.values() for found in personal_values(item)]
    if isinstance(value, list):
        return [found for item in value for found in personal_values(item)]
    text = str(value)
    is_data = any(c.isdigit() or c.isupper() or not c.isascii() for c in text)
    return [text] if len(text) >= 5 and is_data else []


async def refusal(
    client: httpx.AsyncClient,
    answers: list[httpx.Response],
    adapters: dict[str, AgencyAdapter],
    step_id: str,
    consent_receipt: str | None,
) -> str:
    """Submit, expect the agency's 403 in its own error shape, holding no receipt and no
    value and recording nothing; the error's text."""
    agency = STEPS[step_id][1].agency
    with pytest.raises(AgencyRejected, match="HTTP 403"):
        await submit(adapters, step_id, consent_receipt)
    answer = answers[-1]
    assert answer.status_code == 403
    refused = answer.json()
    shape = mock_agency(agency).error_body(403, [Problem("Consent-Receipt", "a rule")])
    assert set(refused) == set(shape)
    text = json.dumps(refused, ensure_ascii=False)
    assert "Consent-Receipt" in text
    assert not consent_receipt or consent_receipt not in text
    assert not [value for value in personal_values(disclosure(step_id)) if value in text]
    assert await records(client, agency) == []
    return text


# --- receipts that let a submission through -------------------------------------------------


@pytest.mark.parametrize("step_id", MAPPINGS)
async def test_a_receipt_covering_the_step_lets_the_adapters_submission_through(
    client, adapters, step_id
):
    answer = await submit(adapters, step_id, receipt(step_id))
    assert answer.reference
    assert len(await records(client, STEPS[step_id][1].agency)) == 1


@pytest.mark.parametrize("decision", ["grant", "acknowledge"])
async def test_a_grant_and_an_acknowledgement_both_allow_a_submission(adapters, decision):
    assert await submit(adapters, "register_birth", receipt("register_birth", decision=decision))


async def test_a_repeat_is_checked_again_and_answered_with_the_first_answer(
    client, answers, adapters
):
    first = await submit(adapters, "child_ird_number", receipt("child_ird_number"))
    again = await submit(adapters, "child_ird_number", receipt("child_ird_number"))
    assert again == first
    assert len(await records(client, "ird")) == 1
    with pytest.raises(AgencyRejected, match="HTTP 403"):
        await submit(adapters, "child_ird_number", None)
    assert answers[-1].status_code == 403


async def test_a_receipt_onceonly_signs_passes_every_agency_that_takes_one(tmp_path):
    settings = Settings()
    environ = {"MOCK_RECEIPT_JWKS": json.dumps(public_jwks(settings))}
    app = create_app(tmp_path / "agencies.db", environ=environ)
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, headers=admin_headers()
    ) as client:
        adapters = build_adapters(client, BASE_URL, KEYS)
        for agency in RECEIPT_COVERAGE:
            event, step = next(STEPS[s] for s in MAPPINGS if STEPS[s][1].agency == agency)
            decision = "grant" if step.legal_basis.kind == "consent" else "acknowledge"
            request = ReceiptRequest(
                event_type=event.event_type,
                event_id=f"{event.event_type}-{'e' * 32}",
                step_id=step.id,
                principal_key="c" * 64,
                decision=decision,
                decided_at=datetime.now(UTC),
                receipt_id="0b7e6f0e-3c1d-4b8e-9a55-1e2d3c4b5a69",
            )
            controller = next(a for a in CATALOGUE.agencies if a.id == agency)
            claims = receipt_claims(event, step, controller, request, receipt_issuer(settings))
            signed = sign_receipt(settings, claims)
            assert (await submit(adapters, step.id, signed)).reference


async def test_without_the_jwks_the_gate_is_off(tmp_path):
    app = create_app(tmp_path / "agencies.db", environ={})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url=BASE_URL, headers=admin_headers()
    ) as client:
        adapters = build_adapters(client, BASE_URL, KEYS)
        assert (await submit(adapters, "child_ird_number", None)).reference


@pytest.mark.parametrize(
    "jwks",
    [
        "not json",
        json.dumps({"keys": []}),
        json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"}]}),
        json.dumps({"keys": [{k: v for k, v in jwk(KEY.public_key(), KID).items() if k != "kid"}]}),
    ],
)
def test_the_mocks_refuse_to_start_on_a_jwks_they_cannot_use(tmp_path, jwks):
    with pytest.raises(ValueError, match="MOCK_RECEIPT_JWKS"):
        create_app(tmp_path / "agencies.db", environ={"MOCK_RECEIPT_JWKS": jwks})


def test_a_private_key_in_the_jwks_is_refused():
    private = json.loads(OKPAlgorithm.to_jwk(KEY, as_dict=False))
    with pytest.raises(ValueError, match="public keys"):
        receipt_keys(json.dumps({"keys": [{**private, "kid": KID}]}))


# --- receipts that do not ------------------------------------------------------------------


@pytest.mark.parametrize("step_id", REPRESENTATIVE)
async def test_a_submission_without_a_receipt_is_refused(client, answers, adapters, step_id):
    text = await refusal(client, answers, adapters, step_id, None)
    assert "header is required" in text


@pytest.mark.parametrize("step_id", REPRESENTATIVE)
async def test_a_receipt_whose_claims_were_altered_is_refused(client, answers, adapters, step_id):
    header, _, signature = receipt(step_id).split(".")
    altered = claims(step_id)
    altered["onceonly"]["fields"] = altered["onceonly"]["fields"][1:]
    payload = base64.urlsafe_b64encode(json.dumps(altered).encode()).rstrip(b"=").decode()
    text = await refusal(client, answers, adapters, step_id, f"{header}.{payload}.{signature}")
    assert "verifies" in text


@pytest.mark.parametrize("step_id", REPRESENTATIVE)
async def test_a_receipt_for_another_agency_is_refused(client, answers, adapters, step_id):
    other = "ird" if STEPS[step_id][1].agency != "ird" else "msd"
    text = await refusal(client, answers, adapters, step_id, receipt(step_id, agency=other))
    assert "another agency" in text


@pytest.mark.parametrize("step_id", REPRESENTATIVE)
async def test_a_receipt_for_another_service_is_refused(client, answers, adapters, step_id):
    agency = STEPS[step_id][1].agency
    others = [s for s in CATALOGUE.services(agency) if s != STEPS[step_id][1].service]
    other = others[0] if others else "another-service"
    text = await refusal(client, answers, adapters, step_id, receipt(step_id, service=other))
    assert "another service" in text


@pytest.mark.parametrize("step_id", REPRESENTATIVE)
async def test_a_receipt_of_a_decline_is_refused(client, answers, adapters, step_id):
    text = await refusal(client, answers, adapters, step_id, receipt(step_id, decision="decline"))
    assert "must record one of: acknowledge, grant" in text


@pytest.mark.parametrize("decision", ["withdraw", "expire", "GRANT", ""])
async def test_a_receipt_of_no_grant_or_acknowledgement_is_refused(
    client, answers, adapters, decision
):
    consent_receipt = receipt("best_start", decision=decision)
    text = await refusal(client, answers, adapters, "best_start", consent_receipt)
    assert "must record one of: acknowledge, grant" in text


# The canonical field each receipt leaves out, and the agency fields the refusal must name.
LEFT_OUT = {
    "register_birth": ("other_parent.name", {"otherParent.givenNames", "otherParent.surname"}),
    "child_ird_number": ("address", {"postalAddress"}),
    "funeral_grant": ("funeral_grant", {"funeral"}),
    "immunisation_register": ("birth_parent.phone", {"contact"}),
    "update_driver_licence": ("mover.driver_licence", {"licenceNumber", "licenceVersion"}),
    "update_electoral_roll": ("previous_address", {"previous_address"}),
    "update_acc_address": ("mover.email", {"email"}),
    "cancel_passport": ("deceased.death_registration_number", {"deathRegistrationNumber"}),
    "council_dog_registration": ("new_address", {"property", "propertyId"}),
    "notify_veterans_affairs": ("notifier.postal_address", {"next_of_kin.postal_address_lines"}),
    "end_tenancy": ("deceased.last_address", {"TenancyAddress"}),
    "stop_msd_payments": (
        "deceased.name",
        {"client.first_name", "client.middle_names", "client.last_name"},
    ),
    "update_health_address": ("gp_practice", {"generalPractitioner"}),
    "notify_ird": ("notifier.authority", {"notifierCapacity"}),
}


@pytest.mark.parametrize("step_id", LEFT_OUT)
async def test_a_receipt_that_leaves_out_a_field_the_body_sends_is_refused_naming_it(
    client, answers, adapters, step_id
):
    left_out, named = LEFT_OUT[step_id]
    fields = [field for field in STEPS[step_id][1].fields if field != left_out]
    text = await refusal(client, answers, adapters, step_id, receipt(step_id, fields=fields))
    assert set(coverage_named(text)) == named


def coverage_named(text: str) -> list[str]:
    """The agency fields a refusal says the receipt does not cover."""
    marker = "the receipt does not cover "
    parts = text.split(marker)[1:]
    return sorted({part.split('"')[0].split(";")[0].strip() for part in parts})


@pytest.mark.parametrize("step_id", REPRESENTATIVE)
async def test_a_receipt_signed_by_another_key_is_refused(client, answers, adapters, step_id):
    # Under the published key's id: only the signature can tell.
    forged = sign(claims(step_id), key=Ed25519PrivateKey.generate())
    assert "verifies" in await refusal(client, answers, adapters, step_id, forged)
    unknown = sign(claims(step_id), kid="not-published")
    assert "verifies" in await refusal(client, answers, adapters, step_id, unknown)


@pytest.mark.parametrize("step_id", REPRESENTATIVE)
async def test_a_receipt_with_alg_none_or_hmac_is_refused(client, answers, adapters, step_id):
    unsigned = jwt.encode(claims(step_id), "", algorithm="none", headers={"kid": KID})
    assert "verifies" in await refusal(client, answers, adapters, step_id, unsigned)
    public = KEY.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    hmac = jwt.encode(claims(step_id), public, algorithm="HS256", headers={"kid": KID})
    assert "verifies" in await refusal(client, answers, adapters, step_id, hmac)


@pytest.mark.parametrize("token", ["not-a-jws", "a.b.c", "...", "eyJhbGciOiJFZERTQSJ9.e30."])
async def test_a_receipt_that_is_no_jws_is_refused(client, answers, adapters, token):
    assert "verifies" in await refusal(client, answers, adapters, "child_ird_number", token)


async def test_a_signed_receipt_without_our_claims_is_refused(client, answers, adapters):
    bare = claims("child_ird_number")
    del bare["onceonly"]
    text = await refusal(client, answers, adapters, "child_ird_number", sign(bare))
    assert "must hold onceonly's" in text


# --- the adapters send it ------------------------------------------------------------------


async def test_post_json_sends_the_receipt_only_while_the_context_holds_one():
    sent: list[httpx.Headers] = []

    def agency(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers)
        return httpx.Response(200, json={})

    async with httpx.AsyncClient(transport=httpx.MockTransport(agency)) as client:

        async def post() -> None:
            await post_json(
                client,
                "ird",
                "http://ird.test/x",
                {},
                headers={},
                idempotency_key="k",
                error_message=lambda body: None,
            )

        await post()
        token = CONSENT_RECEIPT.set("header.payload.signature")
        try:
            await post()
        finally:
            CONSENT_RECEIPT.reset(token)
        await post()
    assert [h.get("Consent-Receipt") for h in sent] == [None, "header.payload.signature", None]


async def test_the_submission_activity_sends_the_submissions_receipt(tmp_path, answers, adapters):
    step = BIRTH.step("child_ird_number")
    event_id = f"birth-{'e' * 32}"

    def submission(consent_receipt: str | None) -> AgencySubmission:
        return AgencySubmission(
            event_id=event_id,
            step_id=step.id,
            agency=step.agency,
            service=step.service,
            idempotency_key=idempotency_key(event_id, step.id),
            disclosure=disclosure(step.id),
            citizen_key="c" * 64,
            event_type="birth",
            receipt=consent_receipt,
        )

    activity = AgencySubmissions(adapters, SqliteDisclosureLog(tmp_path / "log.db"))
    environment = ActivityEnvironment()
    with pytest.raises(AgencyRejected, match="HTTP 403"):
        await environment.run(activity.submit_to_agency, submission(None))
    signed = receipt(step.id)
    answer = await environment.run(activity.submit_to_agency, submission(signed))
    assert answer.reference
    assert answers[-1].request.headers["Consent-Receipt"] == signed
    assert CONSENT_RECEIPT.get() is None


# --- the coverage tables --------------------------------------------------------------------


def model_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every field path of an agency's request model, by the agency's names, nested too."""
    paths = set()
    for name, field in model.model_fields.items():
        path = f"{prefix}{field.alias or name}"
        paths.add(path)
        for nested in models_in(field.annotation):
            paths |= model_paths(nested, f"{path}.")
    return paths


def models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in models_in(arg)]


def test_every_catalogue_step_has_a_mapping_and_every_mock_service_a_table():
    assert set(MAPPINGS) == set(STEPS)
    for agency, tables in RECEIPT_COVERAGE.items():
        assert set(tables) == {service.path for service in mock_agency(agency).services}
        assert sorted(c.service for c in tables.values()) == sorted(CATALOGUE.services(agency))
    assert {step.agency for _, step in STEPS.values()} == set(RECEIPT_COVERAGE)


@pytest.mark.parametrize("step_id", MAPPINGS)
def test_a_services_table_covers_exactly_what_its_adapter_sends(step_id):
    _, step = STEPS[step_id]
    path, table = coverage(step)
    service = next(s for s in mock_agency(step.agency).services if s.path == path)
    # Every entry is a field of the agency's request, made from fields the step declares.
    assert set(table.sources) <= model_paths(service.request_model)
    for field in table.sources:
        assert set(table.sources_of(field) or ()) <= set(step.fields), field
    # Every field the adapter sends is covered by an entry, and every entry is sent.
    sent = body(step_id)
    assert uncovered_fields(sent, table, frozenset(step.fields)) == []
    unsent = [field for field in table.sources if not is_sent(sent, field)]
    assert unsent == [], unsent


def is_sent(sent: dict[str, Any], path: str) -> bool:
    """Whether the body holds the field at the dotted path (a null is not sent)."""
    value: Any = sent
    for part in path.split("."):
        if not isinstance(value, dict) or value.get(part) is None:
            return False
        value = value[part]
    return True
