"""The disclosure log: one entry per idempotency key, newest first, each citizen's own only,
safe under concurrent writers; written by the submission activity only when the agency
accepted; read by the citizen at GET /v1/disclosures.
"""

import asyncio
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.submissions import AgencySubmissions
from adapters.base import AgencyPolicy, AgencyRejected, AgencyUnavailable
from onceonly.api import disclosures as route
from onceonly.api.problems import install_problem_handlers
from onceonly.auth import citizen_key, mint_token
from onceonly.disclosures import DisclosureEntry
from onceonly.domain.catalogue import BIRTH, CATALOGUE, LegalBasis
from onceonly.domain.search_attributes import CITIZEN_KEY
from onceonly.domain.submission import AgencyAnswer, AgencySubmission, idempotency_key
from onceonly.store import opened_store
from onceonly.store.sqlite import SqliteDisclosureLog
from tests.mocks.samples import disclose, sample_birth

T0 = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
STATUTE = LegalBasis(kind="statute", reference="Births, Deaths, Marriages ... Act 2021, s 11")


def entry(citizen: str = "c" * 64, step_id: str = "register_birth", **changes: Any):
    event_id = changes.pop("event_id", f"birth-{'a' * 32}")
    values: dict[str, Any] = {
        "citizen_key": citizen,
        "event_id": event_id,
        "event_type": "birth",
        "step_id": step_id,
        "agency": "bdm",
        "service": "birth-registration",
        "fields": ("child.name", "child.date_of_birth"),
        "legal_basis": STATUTE,
        "receipt_id": str(uuid.uuid4()),
        "agency_reference": "2026/000001",
        "disclosed_at": T0,
        "idempotency_key": idempotency_key(event_id, step_id),
    }
    return DisclosureEntry(**{**values, **changes})


@pytest.fixture
def log(tmp_path) -> SqliteDisclosureLog:
    return SqliteDisclosureLog(tmp_path / "state" / "disclosures.db")


# --- the log ------------------------------------------------------------------------------


async def test_a_step_recorded_again_changes_nothing(log):
    first = entry()
    assert await log.record(first) is True
    # The activity retried: a later time, and whatever else; the first entry stands.
    again = entry(receipt_id=first.receipt_id, disclosed_at=T0 + timedelta(minutes=5))
    assert await log.record(again) is False
    assert await log.record(entry(agency_reference="other")) is False
    assert await log.for_citizen(first.citizen_key, 500) == [first]


async def test_entries_come_newest_first_and_at_most_the_limit(log):
    # Written out of order; one time without microseconds, one in another zone, so that
    # the stored text must still sort as time does.
    times = {
        "register_birth": T0,
        "child_ird_number": T0 + timedelta(seconds=1, microseconds=1),
        "best_start": (T0 + timedelta(seconds=2)).astimezone(timezone(timedelta(hours=13))),
        "health_enrolment": T0 - timedelta(days=1, microseconds=500),
    }
    for step_id, at in times.items():
        await log.record(entry(step_id=step_id, disclosed_at=at))
    newest = await log.for_citizen("c" * 64, 500)
    assert [e.step_id for e in newest] == [
        "best_start",
        "child_ird_number",
        "register_birth",
        "health_enrolment",
    ]
    assert all(e.disclosed_at.tzinfo == UTC for e in newest)
    assert newest[0].disclosed_at == times["best_start"]
    assert [e.step_id for e in await log.for_citizen("c" * 64, 2)] == [
        "best_start",
        "child_ird_number",
    ]


async def test_each_citizen_reads_only_their_own_and_one_event_on_request(log):
    mine_1 = entry("mine", event_id=f"birth-{'1' * 32}")
    mine_2 = entry("mine", event_id=f"birth-{'2' * 32}", disclosed_at=T0 + timedelta(hours=1))
    theirs = entry("theirs", event_id=f"birth-{'3' * 32}")
    for each in (mine_1, mine_2, theirs):
        assert await log.record(each)
    assert await log.for_citizen("mine", 500) == [mine_2, mine_1]
    assert await log.for_citizen("theirs", 500) == [theirs]
    assert await log.for_citizen("mine", 500, event_id=mine_1.event_id) == [mine_1]
    assert await log.for_citizen("mine", 500, event_id=theirs.event_id) == []
    assert await log.for_citizen("nobody", 500) == []


async def test_reading_a_log_never_written_creates_nothing(tmp_path):
    path = tmp_path / "disclosures.db"
    assert await SqliteDisclosureLog(path).for_citizen("c", 500) == []
    assert not path.exists()


def test_two_threads_writing_the_same_and_other_steps_keep_one_entry_per_key(tmp_path):
    """Two writers (as the worker's threads, or two processes' logs on one file) race from an
    empty file: every key is kept once, and exactly one of them was told it was new."""
    path = tmp_path / "disclosures.db"
    shared = [entry(step_id=f"shared_{n}") for n in range(40)]
    own = {name: [entry(step_id=f"{name}_{n}") for n in range(40)] for name in ("a", "b")}
    start = threading.Barrier(2)

    def write(name: str) -> list[bool]:
        log = SqliteDisclosureLog(path)  # its own object: nothing shared but the file
        start.wait()

        async def all_of_them() -> list[bool]:
            return [
                await log.record(e) for pair in zip(shared, own[name], strict=True) for e in pair
            ]

        return asyncio.run(all_of_them())

    with ThreadPoolExecutor(max_workers=2) as pool:
        writers = {name: pool.submit(write, name) for name in ("a", "b")}
    new = {name: writer.result() for name, writer in writers.items()}  # raises what a writer did
    kept = asyncio.run(SqliteDisclosureLog(path).for_citizen("c" * 64, 500))
    assert sorted(e.idempotency_key for e in kept) == sorted(
        e.idempotency_key for e in [*shared, *own["a"], *own["b"]]
    )
    # Per shared key, one writer inserted it and the other changed nothing.
    shared_new = [new["a"][2 * n] + new["b"][2 * n] for n in range(len(shared))]
    assert shared_new == [1] * len(shared)
    assert all(new["a"][1::2]) and all(new["b"][1::2])


def test_an_entry_needs_an_aware_time_and_holds_it_in_utc():
    with pytest.raises(ValidationError, match="timezone"):
        entry(disclosed_at=datetime(2026, 11, 25, 9, 30))
    auckland = timezone(timedelta(hours=13))
    assert entry(disclosed_at=T0.astimezone(auckland)).disclosed_at.tzinfo == UTC


# --- the activity -------------------------------------------------------------------------

EVENT_ID = f"birth-{'e' * 32}"
REGISTRATION = "2026/000042"


class FakeIrd:
    """An agency that answers a repeated key with its first answer, as real ones do."""

    agency = "ird"
    policy = AgencyPolicy()

    def __init__(self, fails_with: Exception | None = None) -> None:
        self.fails_with = fails_with
        self.calls: list[tuple[str, dict[str, Any], str]] = []
        self.held: dict[str, AgencyAnswer] = {}

    async def submit(
        self, service: str, disclosure: dict[str, Any], idempotency_key: str
    ) -> AgencyAnswer:
        self.calls.append((service, disclosure, idempotency_key))
        if self.fails_with is not None:
            raise self.fails_with
        number = len(self.held) + 1
        return self.held.setdefault(idempotency_key, AgencyAnswer(reference=f"IRD-CASE-{number}"))


def with_ird(ird: FakeIrd, log: Any) -> AgencySubmissions:
    """The activity with the fake as its only adapter (a plain object, as adapters are)."""
    adapters: dict[str, Any] = {"ird": ird}
    return AgencySubmissions(adapters, log)


class BrokenLog:
    """A log whose writes fail (a full disk, say), until it is mended."""

    def __init__(self, log: SqliteDisclosureLog) -> None:
        self.log = log
        self.broken = True

    async def record(self, entry: DisclosureEntry) -> bool:
        if self.broken:
            raise OSError("disk full")
        return await self.log.record(entry)

    async def for_citizen(self, citizen_key: str, limit: int, event_id: str | None = None):
        return await self.log.for_citizen(citizen_key, limit, event_id)


def ird_submission(**changes: Any) -> AgencySubmission:
    step = BIRTH.step("child_ird_number")
    values: dict[str, Any] = {
        "event_id": EVENT_ID,
        "step_id": step.id,
        "agency": step.agency,
        "service": step.service,
        "idempotency_key": idempotency_key(EVENT_ID, step.id),
        "disclosure": disclose(
            step.id, sample_birth(), BIRTH, child__birth_registration_number=REGISTRATION
        ),
        "citizen_key": "k" * 64,
        "event_type": "birth",
        "receipt_id": "5f0c1c9e-7a53-4a47-9d6e-0d8d2b1f4c11",
    }
    return AgencySubmission(**{**values, **changes})


async def test_an_accepted_submission_is_logged_before_the_activity_answers(log):
    ird = FakeIrd()
    before = datetime.now(UTC)
    answer = await ActivityEnvironment().run(with_ird(ird, log).submit_to_agency, ird_submission())
    [logged] = await log.for_citizen("k" * 64, 500)
    step = BIRTH.step("child_ird_number")
    assert logged.model_dump(exclude={"disclosed_at"}) == {
        "citizen_key": "k" * 64,
        "event_id": EVENT_ID,
        "event_type": "birth",
        "step_id": step.id,
        "agency": "ird",
        "service": step.service,
        "fields": step.fields,
        "legal_basis": step.legal_basis.model_dump(),
        "receipt_id": "5f0c1c9e-7a53-4a47-9d6e-0d8d2b1f4c11",
        "agency_reference": answer.reference,
        "idempotency_key": f"{EVENT_ID}/child_ird_number",
        "viewed_by": None,  # a disclosure to the agency, not a staff view
    }
    assert before <= logged.disclosed_at <= datetime.now(UTC)
    assert REGISTRATION not in logged.model_dump_json()  # paths, never values


@pytest.mark.parametrize(
    "refusal", [AgencyRejected("ird", "childSurname: too long"), AgencyUnavailable("ird", "503")]
)
async def test_nothing_is_logged_when_the_agency_did_not_accept(log, refusal):
    with pytest.raises(type(refusal)):
        await ActivityEnvironment().run(
            with_ird(FakeIrd(refusal), log).submit_to_agency, ird_submission()
        )
    assert await log.for_citizen("k" * 64, 500) == []


async def test_a_failed_write_fails_the_activity_and_its_retry_logs_once(log):
    ird, broken = FakeIrd(), BrokenLog(log)
    submissions = with_ird(ird, broken)
    with pytest.raises(OSError, match="disk full"):
        await ActivityEnvironment().run(submissions.submit_to_agency, ird_submission())
    broken.broken = False
    answer = await ActivityEnvironment().run(submissions.submit_to_agency, ird_submission())
    again = await ActivityEnvironment().run(submissions.submit_to_agency, ird_submission())
    assert answer == again == AgencyAnswer(reference="IRD-CASE-1")
    assert len(ird.calls) == 3
    [logged] = await log.for_citizen("k" * 64, 500)
    assert logged.agency_reference == "IRD-CASE-1"


async def test_a_step_the_catalogue_does_not_have_for_the_agency_is_never_sent(log):
    ird = FakeIrd()
    submissions = with_ird(ird, log)
    for wrong in (ird_submission(step_id="best_start"), ird_submission(step_id="no_such_step")):
        with pytest.raises(ApplicationError, match="catalogue has no step") as raised:
            await ActivityEnvironment().run(submissions.submit_to_agency, wrong)
        assert raised.value.non_retryable
    assert ird.calls == []


class IndexedEvent:
    """What a Temporal client tells of a running workflow: its citizen key search attribute."""

    def __init__(self, key: str) -> None:
        self.asked: list[str] = []
        self.key = key

    def get_workflow_handle(self, workflow_id: str) -> "IndexedEvent":
        self.asked.append(workflow_id)
        return self

    async def describe(self) -> Any:
        attributes = TypedSearchAttributes([SearchAttributePair(CITIZEN_KEY, self.key)])
        return type("Description", (), {"typed_search_attributes": attributes})()


async def test_a_submission_scheduled_before_the_log_is_logged_under_its_events_citizen(log):
    old = AgencySubmission(
        **ird_submission().model_dump(exclude={"citizen_key", "event_type", "receipt_id"})
    )
    client = IndexedEvent("o" * 64)
    env = ActivityEnvironment(client=client)  # type: ignore[arg-type]
    await env.run(with_ird(FakeIrd(), log).submit_to_agency, old)
    assert client.asked == [env.info.workflow_id]
    [logged] = await log.for_citizen("o" * 64, 500)
    assert (logged.event_type, logged.receipt_id) == ("birth", None)


# --- the route ----------------------------------------------------------------------------


async def test_a_citizen_reads_their_disclosures_with_the_catalogues_words(settings, tmp_path):
    settings = settings.model_copy(update={"store_path": tmp_path / "store.db"})
    mine, theirs = citizen_key(settings, "mine"), citizen_key(settings, "theirs")
    first = entry(mine, event_id=f"birth-{'1' * 32}")
    later = entry(mine, event_id=f"birth-{'2' * 32}", disclosed_at=T0 + timedelta(days=1))
    app = FastAPI()
    app.state.settings = settings
    app.state.store = store = await AsyncExitStack().enter_async_context(opened_store(settings))
    for each in (first, later, entry(theirs, event_id=f"birth-{'3' * 32}")):
        await store.disclosures.record(each)
    install_problem_handlers(app)
    app.include_router(route.router)

    async def get(who: str | None, **params: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {mint_token(settings, who)}"} if who else {}
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            return await http.get("/v1/disclosures", params=params, headers=headers)

    shown = (await get("mine")).json()
    assert [view["event_id"] for view in shown] == [later.event_id, first.event_id]
    step = BIRTH.step("register_birth")
    assert shown[1] == {
        "event_id": first.event_id,
        "event_type": "birth",
        "step_id": "register_birth",
        "agency": "bdm",
        "agency_name": next(a.name for a in CATALOGUE.agencies if a.id == "bdm"),
        "service": "birth-registration",
        "purpose": step.purpose,
        "fields": ["child.name", "child.date_of_birth"],
        "legal_basis": STATUTE.model_dump(),
        "receipt_id": first.receipt_id,
        "agency_reference": "2026/000001",
        "disclosed_at": "2026-11-25T09:30:00Z",
        "viewed_by": None,
    }
    assert (await get("mine", event_id=first.event_id)).json() == [shown[1]]
    assert (await get("mine", event_id=f"birth-{'3' * 32}")).json() == []
    assert [view["event_id"] for view in (await get("theirs")).json()] == [f"birth-{'3' * 32}"]
    assert (await get("nobody")).json() == []
    assert (await get(None)).status_code == 401
    assert (await get("mine", event_id="x" * 101)).status_code == 422
