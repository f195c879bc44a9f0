"""Correct once on the time-skipping server, with the real mock agencies on loopback: a move
goes to every agency, then a field is corrected, and exactly the agencies that hold it are
sent an amendment (or marked for a manual correction), each with a receipt, and the
amendments are in the disclosure log."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.batch_exchange import BatchExchange, batch_formats, waker
from activities.corrections import AgencyAmendments
from activities.status import AgencyStatusChecks
from activities.submissions import AgencySubmissions
from adapters.base import AgencyAdapter, AmendingAdapter, Disclosure
from adapters.http import CONSENT_RECEIPT
from adapters.registry import build_adapters
from mocks.agencies import justice as justice_mock
from mocks.kit.admin import admin_headers
from mocks.kit.batch import BatchDesk, listed
from mocks.kit.store import Store as MockStore
from onceonly.domain.amendments import correction_idempotency_key
from onceonly.domain.catalogue import MOVE
from onceonly.domain.corrections import (
    INVALID_CORRECTION,
    CorrectionOrder,
    CorrectionProgress,
    CorrectionRequest,
    FieldCorrection,
)
from onceonly.domain.life_event import ConsentDecision, ConsentDecisions, EventStatus, StepState
from onceonly.domain.move import MoveData, MoveStart
from onceonly.domain.submission import AmendmentAnswer
from onceonly.samples import move_request_data
from onceonly.settings import Settings
from onceonly.store import opened_store
from onceonly.store.sqlite import SqliteDisclosureLog
from onceonly.testing import workflow_worker
from workflows.corrections import MANUAL_NOTE
from workflows.move import MoveWorkflow as Move

TASK_QUEUE = "corrections-test"
CITIZEN = "m" * 32
NEW_PHONE = "021 555 0177"
# A corrected phone is stored as intake stores phones: in E.164.
NEW_PHONE_STORED = "+64215550177"
# The move's steps that send `mover.phone`, and so must be amended when it is corrected.
PHONE_HOLDERS = {"update_msd_address", "council_dog_registration", "update_acc_address"}
# Agency calls are real HTTP to the mocks: this bounds a broken run, not a normal one.
SETTLE_SECONDS = 30
# Collections' file period here: short, as `settled` sends each period's file itself.
BATCH_PERIOD = timedelta(seconds=1)


class RecordingAmender:
    """A real agency adapter that takes amendments too, recording what each one sent."""

    def __init__(self, adapter: AgencyAdapter) -> None:
        self._adapter = adapter
        self.agency = adapter.agency
        self.policy = adapter.policy
        self.submitted: list[dict[str, Any]] = []
        self.amended: list[dict[str, Any]] = []

    async def submit(self, service: str, disclosure: Disclosure, idempotency_key: str) -> Any:
        self.submitted.append(dict(disclosure))
        return await self._adapter.submit(service, disclosure, idempotency_key)

    async def preview(self, service: str, disclosure: Disclosure) -> dict[str, Any]:
        return await self._adapter.preview(service, disclosure)

    async def amend(
        self, service: str, reference: str, disclosure: Disclosure, idempotency_key: str
    ) -> AmendmentAnswer:
        self.amended.append(
            {
                "service": service,
                "reference": reference,
                "disclosure": dict(disclosure),
                "key": idempotency_key,
                "receipt": CONSENT_RECEIPT.get(),
            }
        )
        return AmendmentAnswer(reference=f"AMD-{self.agency}-{len(self.amended)}")


@dataclass
class Stack:
    env: WorkflowEnvironment
    agencies_url: str
    adapters: dict[str, AgencyAdapter]
    log: SqliteDisclosureLog
    exchange: BatchExchange
    """Collections' daily file, run by `settled` (no schedule in this stack)."""
    collections: BatchDesk
    """The Collections mock's desk, on the same directory."""

    def worker(self) -> Any:
        submissions = AgencySubmissions(self.adapters, self.log)
        amendments = AgencyAmendments(self.adapters, self.log)
        statuses = AgencyStatusChecks(self.adapters)
        return workflow_worker(
            self.env,
            workflows=[Move],
            activities=[
                submissions.submit_to_agency,
                submissions.withdraw_from_agency,
                amendments.find_correction_recipients,
                amendments.amend_at_agency,
                statuses.check_agency_status,
            ],
            task_queue=TASK_QUEUE,
        )

    async def exchange_files(self) -> None:
        """One round of Collections' file: ours sent, taken and acknowledged, then applied."""
        await self.exchange.export("justice", datetime.now(UTC) + BATCH_PERIOD)
        await self.collections.scan()
        await self.exchange.acknowledge("justice", waker(self.env.client))

    async def records(self, agency: str) -> Mapping[str, Any]:
        if agency == self.collections.agency.name:  # a desk of its own, taking no amendments
            held = await self.collections.store.records(agency)
            return {"records": [listed(record) for record in held], "amendments": []}
        async with httpx.AsyncClient(base_url=self.agencies_url) as http:
            response = await http.get(f"/{agency}/_records", headers=admin_headers())
        response.raise_for_status()
        return response.json()


@pytest.fixture
async def stack(
    time_skipping_env: WorkflowEnvironment, mock_agencies: str, tmp_path: Path
) -> AsyncIterator[Stack]:
    settings = Settings(store_path=tmp_path / "store.db")
    async with httpx.AsyncClient(timeout=10) as http, opened_store(settings) as store:
        adapters = build_adapters(
            http, mock_agencies, settings.agency_api_keys, batch_queue=store.batch
        )
        log = SqliteDisclosureLog(tmp_path / "disclosures.db")
        batch_dir = tmp_path / "batch"
        exchange = BatchExchange(batch_formats(adapters), store.batch, batch_dir, BATCH_PERIOD)
        desk = BatchDesk(justice_mock.AGENCY, MockStore(tmp_path / "collections.db"), batch_dir)
        yield Stack(time_skipping_env, mock_agencies, adapters, log, exchange, desk)


async def start_move(stack: Stack) -> WorkflowHandle[Any, Any]:
    data = MoveData.model_validate(move_request_data(date.today()))
    start = MoveStart(citizen_key=CITIZEN, consent_expiry=timedelta(days=30), data=data)
    return await stack.env.client.start_workflow(
        Move.run, start, id=f"move-{uuid.uuid4().hex}", task_queue=TASK_QUEUE
    )


async def grant_all(handle: WorkflowHandle[Any, Any]) -> None:
    progress = await handle.query(Move.progress)
    decisions = tuple(
        ConsentDecision(step_id=step.step_id, decision="grant")
        for step in progress.steps
        if step.state is StepState.AWAITING_CONSENT
    )
    await handle.execute_update(Move.decide_consent, ConsentDecisions(decisions=decisions))


async def settled(stack: Stack, handle: WorkflowHandle[Any, Any]) -> dict[str, str | None]:
    """Wait until every step has ended (Collections' by its file); the references by step."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while (progress := await handle.query(Move.progress)).status is EventStatus.IN_PROGRESS:
        assert time.monotonic() < deadline, "the agencies did not answer"
        await stack.exchange_files()
        await asyncio.sleep(0.1)
    assert progress.status is EventStatus.COMPLETED, progress
    return {step.step_id: step.reference for step in progress.steps}


def order(*corrections: tuple[str, Any], by: str = "citizen") -> CorrectionOrder:
    fixes = tuple(FieldCorrection(path=path, value=value) for path, value in corrections)
    return CorrectionOrder(request=CorrectionRequest(corrections=fixes, reason="typo"), by=by)


def by_step(correction: CorrectionProgress) -> dict[str, Any]:
    return {agency.step_id: agency for agency in correction.agencies}


async def test_a_correction_reaches_exactly_the_agencies_that_hold_the_field(stack):
    async with stack.worker():
        handle = await start_move(stack)
        await grant_all(handle)
        await settled(stack, handle)
        correction = await handle.execute_update(
            Move.correct_fields, order(("mover.phone", NEW_PHONE))
        )
        receipts = await handle.query(Move.receipts)

    assert correction.state == "done"
    assert correction.paths == ("mover.phone",)
    agencies = by_step(correction)
    assert set(agencies) == PHONE_HOLDERS
    amending = {s for s in PHONE_HOLDERS if isinstance(stack.adapters[MOVE.step(s).agency],
                                                         AmendingAdapter)}  # fmt: skip
    for step_id, agency in agencies.items():
        assert agency.state == ("sent" if step_id in amending else "manual"), agency
        if step_id not in amending:
            assert agency.note == MANUAL_NOTE
    # At the agencies and in the log: an amendment under the correction's key where one was
    # sent, and nothing anywhere else.
    sent = {correction_idempotency_key(handle.id, s, 1): MOVE.step(s).agency for s in amending}
    for agency in {step.agency for step in MOVE.steps}:
        records = await stack.records(agency)
        keys = {record["idempotency_key"] for record in records.get("amendments", [])}
        assert keys == {key for key, holder in sent.items() if holder == agency}, agency
    entries = await stack.log.for_citizen(CITIZEN, 100, event_id=handle.id)
    assert {e.idempotency_key for e in entries if "/correction-" in e.idempotency_key} == set(sent)
    corrected = [r for r in receipts if r.decision == "correct"]
    assert {r.step_id for r in corrected} == PHONE_HOLDERS
    for receipt in corrected:
        claims = jwt.decode(receipt.jws, options={"verify_signature": False})
        assert claims["onceonly"]["note"] == "Corrected at your request: mover.phone."
        assert NEW_PHONE not in receipt.jws
        assert NEW_PHONE_STORED not in receipt.jws
        assert agencies[receipt.step_id].receipt_id == receipt.receipt_id


async def test_each_holder_is_sent_its_own_fields_corrected_under_the_correction_receipt(stack):
    msd, acc = (RecordingAmender(stack.adapters[a]) for a in ("msd", "acc"))
    stack.adapters.update(msd=msd, acc=acc)  # council keeps its adapter, without amendments
    async with stack.worker():
        handle = await start_move(stack)
        await grant_all(handle)
        references = await settled(stack, handle)
        first = await handle.execute_update(
            Move.correct_fields, order(("mover.phone", NEW_PHONE), by="operator")
        )
        second = await handle.execute_update(Move.correct_fields, order(("new_address.unit", "3B")))
        listed = await handle.query(Move.corrections)
        receipts = {r.receipt_id: r for r in await handle.query(Move.receipts)}

    assert listed == (first, second)
    assert (first.number, second.number, first.by) == (1, 2, "operator")
    assert {s: a.state for s, a in by_step(first).items()} == {
        "update_msd_address": "sent", "update_acc_address": "sent",
        "council_dog_registration": "manual",
    }  # fmt: skip
    # Every step sent the new address, so every one is amended (or marked) the second time.
    amending = {s.id for s in MOVE.steps if isinstance(stack.adapters[s.agency], AmendingAdapter)}
    assert {s: a.state for s, a in by_step(second).items()} == {
        step.id: "sent" if step.id in amending else "manual" for step in MOVE.steps
    }
    for recorder, step_id in ((msd, "update_msd_address"), (acc, "update_acc_address")):
        step = MOVE.step(step_id)
        one, two = recorder.amended
        assert one["reference"] == two["reference"] == references[step_id]
        assert tuple(one["disclosure"]) == step.fields  # the step's fields, nothing more
        assert one["disclosure"]["mover.phone"] == NEW_PHONE_STORED
        assert one["disclosure"]["new_address"] == recorder.submitted[0]["new_address"]
        assert two["disclosure"]["new_address"]["unit"] == "3B"
        assert two["disclosure"]["mover.phone"] == NEW_PHONE_STORED  # the first one stands
        assert [one["key"], two["key"]] == [
            correction_idempotency_key(handle.id, step_id, n) for n in (1, 2)
        ]
        receipt = receipts[by_step(first)[step_id].receipt_id]
        assert one["receipt"] == receipt.jws
        claims = jwt.decode(receipt.jws, options={"verify_signature": False})
        assert claims["onceonly"]["decision"] == "correct"
        assert claims["onceonly"]["note"] == "Corrected at an operator's request: mover.phone."
        assert by_step(first)[step_id].reference == f"AMD-{step.agency}-1"
    entries = await stack.log.for_citizen(CITIZEN, 100, event_id=handle.id)
    amended = {e.idempotency_key: e for e in entries if "/correction-" in e.idempotency_key}
    assert set(amended) == {
        correction_idempotency_key(handle.id, step_id, number)
        for number, holders in ((1, PHONE_HOLDERS), (2, {s.id for s in MOVE.steps}))
        for step_id in holders & amending
    }
    entry = amended[correction_idempotency_key(handle.id, "update_msd_address", 1)]
    assert entry.fields == MOVE.step("update_msd_address").fields
    assert entry.receipt_id == by_step(first)["update_msd_address"].receipt_id
    assert entry.agency_reference == "AMD-msd-1"


async def test_a_correction_before_anything_is_sent_is_sent_by_the_steps_themselves(stack):
    msd = RecordingAmender(stack.adapters["msd"])
    stack.adapters["msd"] = msd
    async with stack.worker():
        handle = await start_move(stack)
        correction = await handle.execute_update(
            Move.correct_fields, order(("mover.phone", NEW_PHONE))
        )
        await grant_all(handle)
        await settled(stack, handle)

    assert {s: a.state for s, a in by_step(correction).items()} == dict.fromkeys(
        PHONE_HOLDERS, "not_sent_yet"
    )
    assert [sent["mover.phone"] for sent in msd.submitted] == [NEW_PHONE_STORED]
    assert msd.amended == []
    for agency in ("msd", "acc", "council"):
        assert not (await stack.records(agency)).get("amendments")


@pytest.mark.parametrize(
    ("correction", "field"),
    [
        (("mover.favourite_colour", "blue"), "mover.favourite_colour"),
        (("new_address.postcode", "not a postcode"), "new_address.postcode"),
        (("household.name", "Kiri"), "household.name"),
    ],
)
async def test_a_correction_the_data_does_not_take_is_refused_and_changes_nothing(
    stack, correction, field
):
    async with stack.worker():
        handle = await start_move(stack)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(Move.correct_fields, order(correction))
        listed = await handle.query(Move.corrections)

    cause = refused.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == INVALID_CORRECTION
    assert cause.details[0] == field
    assert cause.message.startswith(f"{field}: ")
    assert str(correction[1]) not in cause.message
    assert listed == ()
