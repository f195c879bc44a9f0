"""The notice preview: for every step of every life event, the body its adapter would send,
built by the submission's own mapping; facts not issued yet shown as placeholders and listed
as pending; refusals answered, not raised; and nothing ever sent to an agency.
"""

import json
from collections.abc import AsyncIterator, Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import BaseModel
from structlog.testing import capture_logs
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.previews import AgencyPreviews
from adapters import (
    acc,
    bdm,
    council,
    electoral,
    health,
    ird,
    justice,
    kaingaora,
    msd,
    nzta,
    passports,
    veterans,
)
from adapters.base import AgencyAdapter, AgencyAnswer, AgencyPolicy, AgencyRejected, Disclosure
from adapters.council import PROPERTY_ID_WHEN_SENT
from adapters.registry import build_adapters
from onceonly.domain.catalogue import BIRTH, DEATH, MOVE, LifeEventSpec, StepSpec
from onceonly.domain.identifiers import is_valid_ird_number
from onceonly.domain.preview import (
    PREVIEW_UNAVAILABLE,
    Preview,
    PreviewRequest,
    is_placeholder,
    placeholder,
    placeholder_facts,
)
from onceonly.settings import Settings
from onceonly.store import opened_store
from tests.adapters.built_in import (
    BATCH_FILE_AGENCIES,
    BUILT_IN,
    BUILT_IN_WORK_QUEUES,
    EVERY_BUILT_IN,
)
from tests.mocks.samples import disclose, sample_birth, sample_death, sample_move

BASE_URL = "http://agencies.test"
KEYS = {plugin.agency: f"dev-{plugin.agency}-key" for plugin in BUILT_IN}
# Facts earlier steps issue, as the step runner adds them once those steps complete.
FACTS = {
    "child__birth_registration_number": "2026/000123",
    "child__ird_number": "130000010",
    "child__nhi_number": "ZAA00AC",
    "deceased__death_registration_number": "2026/000042",
}
SAMPLES: dict[str, Callable[[], BaseModel]] = {
    "birth": sample_birth,
    "move": sample_move,
    "death": sample_death,
}
# Each step's mapping, named here rather than read from the adapters' tables, so that a
# preview built by any other function fails.
MAPPINGS: dict[str, Callable[[Disclosure], dict[str, Any]]] = {
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
    "council_rates": partial(council.to_rates_notice, property_id=PROPERTY_ID_WHEN_SENT),
    "council_dog_registration": partial(
        council.to_dog_registration_transfer, property_id=PROPERTY_ID_WHEN_SENT
    ),
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
    "notify_council": partial(council.to_deceased_ratepayer, property_id=PROPERTY_ID_WHEN_SENT),
    "end_tenancy": kaingaora.to_tenancy_end_notice,
    "update_fines_address": justice.to_justice_address_update,
}
# Every step of an agency with an API (a work queue's preview is its task: test_work_queue.py).
STEPS = [
    (event, step)
    for event in (BIRTH, MOVE, DEATH)
    for step in event.steps
    if step.agency not in BUILT_IN_WORK_QUEUES
]
STEP_IDS = [step.id for _, step in STEPS]
# Sent by calls: the steps of every agency but those that take a file.
POSTED = [(event, step) for event, step in STEPS if step.agency not in BATCH_FILE_AGENCIES]
# The steps that disclose a fact an earlier step issues, and the facts they wait for.
WAITING = {
    "child_ird_number": ("child.birth_registration_number",),
    "best_start": ("child.ird_number",),
    "health_enrolment": ("child.birth_registration_number",),
    "immunisation_register": ("child.nhi_number",),
    **{
        step_id: ("deceased.death_registration_number",)
        for step_id in (
            "notify_ird",
            "stop_msd_payments",
            "funeral_grant",
            "cancel_driver_licence",
            "cancel_passport",
            "remove_from_electoral_roll",
            "notify_veterans_affairs",
        )
    },
}


class Sent(Exception):
    """Raised by the capturing transport once it has the body `submit` posted."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__("posted")
        self.body = body


def sample_disclosure(event: LifeEventSpec, step: StepSpec) -> dict[str, Any]:
    return disclose(step.id, SAMPLES[event.event_type](), event, **FACTS)


def pending_disclosure(event: LifeEventSpec, step: StepSpec) -> dict[str, Any]:
    return sample_disclosure(event, step) | placeholder_facts(event, step)


@pytest.fixture
def sent() -> Iterator[list[httpx.Request]]:
    """Every request the adapters make; a preview must make none."""
    requests: list[httpx.Request] = []
    yield requests
    assert requests == [], "a preview called an agency"


@pytest.fixture
async def adapters(sent: list[httpx.Request]) -> AsyncIterator[dict[str, AgencyAdapter]]:
    def refuse(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        pytest.fail(f"a preview sent {request.method} {request.url.path}")

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as client:
        yield build_adapters(client, BASE_URL, KEYS)


def test_every_step_has_its_mapping_named_here():
    assert set(MAPPINGS) == set(STEP_IDS)


@pytest.mark.parametrize(("event", "step"), STEPS, ids=STEP_IDS)
async def test_preview_is_the_submissions_mapping(event, step, adapters):
    disclosure = sample_disclosure(event, step)
    preview = await adapters[step.agency].preview(step.service, disclosure)
    assert preview == MAPPINGS[step.id](disclosure)


@pytest.mark.parametrize(("event", "step"), POSTED, ids=[step.id for _, step in POSTED])
async def test_preview_is_the_body_submit_posts(event, step):
    def capture(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":  # the council's property look-up, made only by submit
            return httpx.Response(200, json={"propertyId": "AKL-00000001", "valuationNumber": "1"})
        raise Sent(json.loads(request.content))

    async with httpx.AsyncClient(transport=httpx.MockTransport(capture)) as client:
        adapter = build_adapters(client, BASE_URL, KEYS)[step.agency]
        disclosure = sample_disclosure(event, step)
        with pytest.raises(Sent) as posted:
            await adapter.submit(step.service, disclosure, "event/step")
        preview = await adapter.preview(step.service, disclosure)
    if step.agency == "council":
        assert preview["propertyId"] == PROPERTY_ID_WHEN_SENT
        preview |= {"propertyId": posted.value.body["propertyId"]}
    assert preview == posted.value.body


async def test_preview_is_the_record_submit_queues_for_a_batch_file(
    settings: Settings, tmp_path: Path
):
    step = MOVE.step("update_fines_address")
    store_settings = settings.model_copy(update={"store_path": tmp_path / "store.db"})
    async with httpx.AsyncClient() as client, opened_store(store_settings) as store:
        adapter = build_adapters(client, BASE_URL, KEYS, batch_queue=store.batch)[step.agency]
        disclosure = sample_disclosure(MOVE, step)
        answer = await adapter.submit(step.service, disclosure, "event/step")
        preview = await adapter.preview(step.service, disclosure)
        queued = await store.batch.get(answer.reference)
    assert queued is not None
    assert queued.record == {"SUBMISSION_REF": "event/step", **preview}


@pytest.mark.parametrize("plugin", EVERY_BUILT_IN, ids=[p.agency for p in EVERY_BUILT_IN])
async def test_preview_of_a_service_the_agency_lacks_is_refused(plugin, adapters):
    with pytest.raises(AgencyRejected, match="no service"):
        await adapters[plugin.agency].preview("no-such-service", {})


def test_placeholder_facts_name_the_issuing_agency():
    assert placeholder_facts(BIRTH, BIRTH.step("best_start")) == {
        "child.ird_number": "(issued by Inland Revenue (Te Tari Taake) when its step completes)"
    }
    assert placeholder_facts(DEATH, DEATH.step("notify_ird")) == {
        "deceased.death_registration_number": placeholder(
            "Births, Deaths and Marriages (Te Tari Taiwhenua DIA)"
        )
    }
    found = {step.id: tuple(placeholder_facts(event, step)) for event, step in STEPS}
    assert {step_id: facts for step_id, facts in found.items() if facts} == WAITING


def test_placeholder_facts_come_only_from_steps_a_step_needs():
    step = {"agency": "ird", "purpose": "p", "legal_basis": {"kind": "consent", "reference": "r"}}
    spec = LifeEventSpec.model_validate(
        {
            "event_type": "test",
            "title": "t",
            "summary": "s",
            "notice_version": "1",
            "steps": [
                step | {"id": "issues", "service": "a", "fields": ["x"], "provides": ["x.fact"]},
                step | {"id": "between", "service": "b", "fields": ["x"], "depends_on": ["issues"]},
                step
                | {"id": "after", "service": "c", "fields": ["x.fact"], "depends_on": ["between"]},
                step | {"id": "unrelated", "service": "d", "fields": ["x.fact"]},
            ],
        }
    )
    assert placeholder_facts(spec, spec.step("after")) == {
        "x.fact": placeholder("Inland Revenue (Te Tari Taake)")
    }
    assert placeholder_facts(spec, spec.step("unrelated")) == {}


def test_placeholders_are_told_from_facts():
    for facts in (placeholder_facts(event, step) for event, step in STEPS):
        assert all(is_placeholder(value) for value in facts.values())
    assert not any(is_placeholder(value) for value in (*FACTS.values(), None, 130000010))


def request_for(event: LifeEventSpec, step: StepSpec, disclosure: dict[str, Any]) -> PreviewRequest:
    return PreviewRequest(
        event_id="evt-1",
        step_id=step.id,
        agency=step.agency,
        service=step.service,
        disclosure=disclosure,
    )


@pytest.mark.parametrize(("event", "step"), STEPS, ids=STEP_IDS)
async def test_the_activity_lists_facts_not_issued_yet_as_pending(event, step, adapters):
    disclosure = pending_disclosure(event, step)
    request = request_for(event, step, disclosure)
    preview = await ActivityEnvironment().run(AgencyPreviews(adapters).preview_disclosure, request)
    assert preview.pending == WAITING.get(step.id, ())
    assert preview.body == MAPPINGS[step.id](disclosure)
    shown = json.dumps(preview.body, ensure_ascii=False)
    assert all(placeholder_facts(event, step)[fact] in shown for fact in preview.pending)
    assert Preview.model_validate(preview.model_dump(mode="json")) == preview


class PreviewOnlyAgency:
    """An agency adapter for previews: a preview never submits."""

    policy = AgencyPolicy()

    async def submit(
        self, service: str, disclosure: Disclosure, idempotency_key: str
    ) -> AgencyAnswer:
        raise AssertionError("a preview never submits")


class CheckDigitAgency(PreviewOnlyAgency):
    """An agency whose mapping checks an IRD number's check digit, as a mapping may."""

    agency = "msd"

    async def preview(self, service: str, disclosure: Disclosure) -> dict[str, Any]:
        if not is_valid_ird_number(disclosure["child.ird_number"]):
            raise AgencyRejected(self.agency, "child.ird_number fails its check digit")
        return {"child": {"irdNumber": disclosure["child.ird_number"]}}


async def test_a_placeholder_a_mapping_refuses_is_pending_not_a_failure():
    step = BIRTH.step("best_start")
    previews = AgencyPreviews({"msd": CheckDigitAgency()})
    waiting = request_for(BIRTH, step, pending_disclosure(BIRTH, step))
    preview = await ActivityEnvironment().run(previews.preview_disclosure, waiting)
    assert preview == Preview(
        step_id=step.id, body=None, pending=("child.ird_number",), disclosed=waiting.disclosure
    )
    issued = request_for(BIRTH, step, sample_disclosure(BIRTH, step))
    preview = await ActivityEnvironment().run(previews.preview_disclosure, issued)
    assert preview.body == {"child": {"irdNumber": "130000010"}}
    assert preview.pending == ()
    # The citizen reads the same disclosure by the catalogue's fields, in words, at the checkpoint.
    assert preview.disclosed == issued.disclosure


async def test_a_disclosure_the_agency_would_refuse_is_a_problem_without_its_value(adapters):
    step = BIRTH.step("health_enrolment")
    disclosure = sample_disclosure(BIRTH, step) | {"child.sex": "Unspecified-Synthetic"}
    request = request_for(BIRTH, step, disclosure)
    preview = await ActivityEnvironment().run(AgencyPreviews(adapters).preview_disclosure, request)
    assert preview.body is None
    assert preview.pending == ()
    assert preview.problem is not None
    assert "child.sex" in preview.problem
    assert "Unspecified-Synthetic" not in preview.problem


async def test_an_agency_without_an_adapter_fails_for_good(adapters):
    request = request_for(BIRTH, BIRTH.step("register_birth"), {}).model_copy(
        update={"agency": "nowhere"}
    )
    with pytest.raises(ApplicationError) as failed:
        await ActivityEnvironment().run(AgencyPreviews(adapters).preview_disclosure, request)
    assert failed.value.non_retryable


async def test_the_activity_logs_ids_and_field_names_only(adapters):
    step = BIRTH.step("best_start")
    disclosure = pending_disclosure(BIRTH, step)
    with capture_logs() as logs:
        await ActivityEnvironment().run(
            AgencyPreviews(adapters).preview_disclosure, request_for(BIRTH, step, disclosure)
        )
    assert logs
    assert logs[0]["step"] == "best_start"
    assert logs[0]["agency"] == "msd"
    assert logs[0]["pending"] == ["child.ird_number"]
    written = json.dumps(logs, ensure_ascii=False, default=str)
    for value in ("Aroha", "Ngāta", "049091850", "2026-11-01", "Ponsonby", "Inland Revenue"):
        assert value not in written


class BrokenMappingAgency(PreviewOnlyAgency):
    """An agency whose mapping breaks on the data, quoting it, as a bug might."""

    agency = "health"

    async def preview(self, service: str, disclosure: Disclosure) -> dict[str, Any]:
        raise ValueError(f"cannot map {disclosure}")


async def test_every_step_is_previewed_at_once_and_one_that_breaks_says_so_alone(adapters):
    previews = AgencyPreviews({**adapters, "health": BrokenMappingAgency()})
    requests = [
        request_for(BIRTH, step, sample_disclosure(BIRTH, step))
        for step in (BIRTH.step("register_birth"), BIRTH.step("health_enrolment"))
    ]
    with capture_logs() as logs:
        shown = await ActivityEnvironment().run(previews.preview_disclosures, requests)
    assert [preview.step_id for preview in shown] == ["register_birth", "health_enrolment"]
    assert shown[0].body == MAPPINGS["register_birth"](requests[0].disclosure)
    assert shown[1] == Preview(step_id="health_enrolment", body=None, problem=PREVIEW_UNAVAILABLE)
    # The failure is logged by its type: its message quotes the citizen's data.
    [failed] = [entry for entry in logs if entry["event"] == "agency.preview_failed"]
    assert failed["error"] == "ValueError"
    assert "Synthetic" not in json.dumps(logs, ensure_ascii=False, default=str)
