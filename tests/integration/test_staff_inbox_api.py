"""The agencies' staff inbox API on the real stack (Temporal dev server, worker, mock agencies,
API, the embedded store): staff see only their own agency's tasks, the list holds no one's
data, each view of a task is written to the citizen's disclosure log (and shown on the
citizen's page), what staff write is checked, a task closes once, and closing a submission's
task wakes the step waiting on it. Two APIs closing one task at once:
tests/store/test_inbox_across_apis.py.
"""

import asyncio
import html
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from onceonly.api.inbox_views import REASON_RULE, REFERENCE_RULE
from onceonly.auth import citizen_key, mint_token
from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.inbox import InboxTask, TaskKind, inbox_task_id
from onceonly.domain.receipts import RECEIPT_ISSUER
from onceonly.portal.pages import SESSION_COOKIE
from onceonly.portal.text import field_words
from onceonly.receipts import sign_receipt
from onceonly.samples import birth_request_data
from onceonly.settings import Settings
from onceonly.store import opened_store
from onceonly.usage import UsageRecord
from tests.integration.conftest import (
    Stack,
    citizen,
    running_stack,
    start_and_grant,
    step_of,
    strings_in,
    today,
    wait_for,
)
from tests.integration.history import OUTCOME_READY, updates_accepted

pytestmark = pytest.mark.integration
CITIZEN = "inbox-citizen"
SECRET_NAME = "Aroha Te Whatu-Ngāti"  # in a task's disclosure only: never in a list or log
RATES = CATALOGUE.event("move").step("council_rates")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The stack with IRD slow to issue a newborn's number: its step waits for an outcome."""
    slow = {"MOCK_IRD_ISSUE_DELAY_SECONDS": "600"}
    yield from running_stack(tmp_path_factory.mktemp("staff-inbox"), **slow)


def staff(stack: Stack, name: str = "jane.smith", agency: str = "council") -> httpx.Client:
    """The API as a member of the agency's staff sees it."""
    token = mint_token(stack.settings, name, "agency", agency=agency)
    return httpx.Client(
        base_url=stack.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def task(settings: Settings, kind: TaskKind = "submission", **changes: Any) -> InboxTask:
    """A task of the move's council rates step for CITIZEN, of an event of its own."""
    event_id = changes.pop("event_id", f"move-{uuid.uuid4().hex}")
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "task_id": inbox_task_id(event_id, RATES.id, kind),
        "kind": kind,
        "agency": RATES.agency,
        "service": RATES.service,
        "event_id": event_id,
        "event_type": "move",
        "step_id": RATES.id,
        "citizen_key": citizen_key(settings, CITIZEN),
        "disclosure": {
            "move_date": "2026-12-01",
            "mover.name": {"given_names": SECRET_NAME, "family_name": "Smith"},
            "mover.email": "aroha@example.nz",
        },
        "legal_basis_kind": RATES.legal_basis.kind,
        "legal_basis_reference": RATES.legal_basis.reference,
        "opened_at": now,
        "due_at": now + timedelta(days=5),
    }
    return InboxTask(**{**values, **changes})


def opened(settings: Settings, *tasks: InboxTask) -> None:
    """The tasks put in the inbox as the worker's adapter would."""

    async def open_all() -> None:
        async with opened_store(settings) as store:
            for each in tasks:
                assert await store.inbox.open(each)

    asyncio.run(open_all())


def usage_of(settings: Settings, event_id: str) -> list[UsageRecord]:
    async def read() -> list[UsageRecord]:
        async with opened_store(settings) as store:
            since = datetime.now(UTC) - timedelta(hours=1)
            entries = await store.usage.of_steps_active_between(since, since + timedelta(hours=2))
        return [entry for entry in entries if entry.event_id == event_id]

    return asyncio.run(read())


def receipt(settings: Settings, receipt_id: str, key: Ed25519PrivateKey | None = None) -> str:
    """A consent receipt signed with the deployment's key (or with another)."""
    claims = {"iss": RECEIPT_ISSUER, "iat": 1_796_000_000, "consentReceiptID": receipt_id}
    if key is None:
        return sign_receipt(settings, claims)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return sign_receipt(settings.model_copy(update={"receipt_signing_key": pem}), claims)


def test_staff_list_only_their_agencys_tasks_and_no_ones_data(stack: Stack):
    ours, theirs = task(stack.settings), task(stack.settings, agency="ird")
    opened(stack.settings, ours, theirs)
    with staff(stack) as council, staff(stack, "hemi", "ird") as ird:
        listed = council.get("/v1/agency/tasks")
        assert listed.status_code == 200, listed.text
        assert listed.json()["agency"] == "council"
        [summary] = [t for t in listed.json()["tasks"] if t["task_id"] == ours.task_id]
        assert summary == {
            "task_id": ours.task_id,
            "kind": "submission",
            "service": RATES.service,
            "step_id": RATES.id,
            "event_type": "move",
            "opened_at": ours.opened_at.isoformat().replace("+00:00", "Z"),
            "due_at": ours.due_at.isoformat().replace("+00:00", "Z"),
            "overdue": False,
            "state": "open",
        }
        assert theirs.task_id not in listed.text
        assert not {SECRET_NAME, "aroha@example.nz", "Smith"} & set(strings_in(listed.json()))
        assert theirs.task_id in ird.get("/v1/agency/tasks", params={"state": "all"}).text
        assert ours.task_id not in council.get("/v1/agency/tasks?state=completed").text
        bad = council.get("/v1/agency/tasks", params={"state": "closed"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.state"


def test_only_staff_of_the_tasks_agency_reach_it(stack: Stack):
    ours = task(stack.settings)
    opened(stack.settings, ours)
    path = f"/v1/agency/tasks/{ours.task_id}"
    with citizen(stack, CITIZEN) as owner:
        refused = owner.get(path)
        assert refused.status_code == 403, refused.text
        assert refused.json()["detail"] == "Authorization: this route is for agency staff's tokens"
        assert owner.get("/v1/agency/tasks").status_code == 403
    operator = mint_token(stack.settings, "ops", "operator")
    assert httpx.get(f"{stack.api_url}{path}", headers={"Authorization": f"Bearer {operator}"}
                     ).status_code == 403  # fmt: skip
    assert httpx.get(f"{stack.api_url}{path}").status_code == 401
    with staff(stack, "hemi", "ird") as other:
        for answer in (
            other.get(path),
            other.post(f"{path}/complete", json={"reference": "IRD-1"}),
            other.post(f"{path}/reject", json={"reason": "Not ours"}),
            other.get("/v1/agency/tasks/T-000000000000"),
        ):
            assert answer.status_code == 404, answer.text
            assert answer.json()["detail"] == "task_id: no such task at your agency"
    with staff(stack) as council:
        assert council.get(path).json()["state"] == "open"  # nothing changed


def test_each_view_shows_labelled_fields_and_the_checked_receipt_and_is_logged(stack: Stack):
    receipt_id = str(uuid.uuid4())
    signed = task(
        stack.settings, receipt=receipt(stack.settings, receipt_id), receipt_id=receipt_id
    )
    forged_receipt = receipt(stack.settings, receipt_id, Ed25519PrivateKey.generate())
    forged = task(stack.settings, receipt=forged_receipt, receipt_id=receipt_id)
    other = task(stack.settings, receipt=receipt(stack.settings, "another-id"), receipt_id="r-1")
    statutory = task(stack.settings, legal_basis_kind="statute")
    opened(stack.settings, signed, forged, other, statutory)
    with staff(stack) as council:
        shown = council.get(f"/v1/agency/tasks/{signed.task_id}")
        assert shown.status_code == 200, shown.text
        view = shown.json()
        assert view["fields"] == [
            {"path": path, "label": field_words(path), "value": signed.disclosure[path]}
            for path in RATES.fields
            if path in signed.disclosure
        ]  # the step's order: name, email, move date
        assert view["receipt"] == signed.receipt
        assert view["receipt_verification"] == {
            "verified": True,
            "receipt_id": receipt_id,
            "problem": None,
        }
        council_name = next(a.name for a in CATALOGUE.agencies if a.id == "council")
        assert (view["agency_name"], view["legal_basis"]) == (
            council_name,
            RATES.legal_basis.model_dump(),
        )
        assert view["agency"] == "council" and view["event_id"] == signed.event_id
        council.get(f"/v1/agency/tasks/{signed.task_id}")  # a second look: a second entry
        checks = {
            t.task_id: council.get(f"/v1/agency/tasks/{t.task_id}").json()["receipt_verification"]
            for t in (forged, other, statutory)
        }
    assert checks[forged.task_id]["verified"] is False
    assert checks[forged.task_id]["problem"].startswith("unknown kid")
    assert checks[other.task_id] == {
        "verified": False,
        "receipt_id": "another-id",
        "problem": "another receipt: its consentReceiptID is not the one the task names",
    }
    assert checks[statutory.task_id]["problem"] == (
        "no consent receipt: the step's legal basis is statute"
    )
    with citizen(stack, CITIZEN) as owner:
        log = owner.get("/v1/disclosures", params={"event_id": signed.event_id}).json()
    assert len(log) == 2
    for entry in log:
        assert entry["viewed_by"] == "jane.smith"
        assert (entry["agency"], entry["step_id"]) == ("council", RATES.id)
        assert entry["fields"] == ["mover.name", "mover.email", "move_date"]
        assert entry["receipt_id"] == receipt_id
    assert SECRET_NAME not in str(log)


@pytest.mark.parametrize(
    ("action", "body", "field", "rule"),
    [
        ("complete", {"reference": ""}, "reference", REFERENCE_RULE),
        ("complete", {"reference": "R" * 65}, "reference", REFERENCE_RULE),
        ("complete", {"reference": "RATES 2026"}, "reference", REFERENCE_RULE),
        ("complete", {"reference": "<b>1</b>"}, "reference", REFERENCE_RULE),
        ("complete", {"reference": "Rātā-1"}, "reference", REFERENCE_RULE),
        ("complete", {}, "reference", "is required"),
        ("complete", {"reference": "R-1", "note": "x"}, "note", "is not a field of this form"),
        ("reject", {"reason": ""}, "reason", REASON_RULE),
        ("reject", {"reason": "   "}, "reason", REASON_RULE),
        ("reject", {"reason": "x" * 501}, "reason", REASON_RULE),
        ("reject", {"reason": "Two\nlines"}, "reason", REASON_RULE),
        ("reject", {"reason": "bell\x07"}, "reason", REASON_RULE),
        ("reject", {"reference": "R-1"}, "reason", "is required"),
    ],
)
def test_what_staff_write_is_checked_naming_the_field_and_rule(stack, action, body, field, rule):
    ours = task(stack.settings)
    opened(stack.settings, ours)
    with staff(stack) as council:
        refused = council.post(f"/v1/agency/tasks/{ours.task_id}/{action}", json=body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0] == {"field": field, "rule": rule}
        assert refused.json()["detail"] == f"{field}: {rule}"
        assert council.get(f"/v1/agency/tasks/{ours.task_id}").json()["state"] == "open"


def test_a_task_closes_once_and_the_close_stands_when_its_event_cannot_be_woken(stack: Stack):
    # Neither event exists in Temporal: the store's close is the truth all the same.
    submission, correction = task(stack.settings), task(stack.settings, "correction")
    opened(stack.settings, submission, correction)
    with staff(stack) as council:
        done = council.post(
            f"/v1/agency/tasks/{submission.task_id}/complete", json={"reference": "RATES/2026-17.a"}
        )
        assert done.status_code == 200, done.text
        assert {
            k: done.json()[k] for k in ("state", "outcome_reference", "closed_by", "woken")
        } == {
            "state": "completed",
            "outcome_reference": "RATES/2026-17.a",
            "closed_by": "jane.smith",
            "woken": False,
        }
        assert SECRET_NAME not in done.text
        for again in (
            council.post(
                f"/v1/agency/tasks/{submission.task_id}/complete", json={"reference": "X"}
            ),
            council.post(f"/v1/agency/tasks/{submission.task_id}/reject", json={"reason": "No"}),
        ):
            assert again.status_code == 409, again.text
            assert again.json()["detail"] == "task_id: this task is closed already"
        rejected = council.post(
            f"/v1/agency/tasks/{correction.task_id}/reject", json={"reason": "No such ratepayer"}
        )
        assert rejected.status_code == 200, rejected.text
        assert (rejected.json()["state"], rejected.json()["reason"]) == (
            "rejected",
            "No such ratepayer",
        )
        closed = council.get("/v1/agency/tasks", params={"state": "completed"}).json()["tasks"]
        assert submission.task_id in [t["task_id"] for t in closed]
    [outcome] = usage_of(stack.settings, submission.event_id)
    assert (outcome.kind, outcome.detail, outcome.key) == (
        "completed",
        "inbox",
        f"{submission.event_id}/{RATES.id}/outcome",
    )  # the step's outcome, under the key its own outcome check writes
    [closed_task] = usage_of(stack.settings, correction.event_id)
    assert (closed_task.kind, closed_task.detail) == ("task_closed", "correction/rejected")


def test_completing_a_submissions_task_wakes_the_step_waiting_on_it(stack: Stack):
    with citizen(stack, CITIZEN) as parent:
        body = {"event_type": "birth", "data": birth_request_data(today(stack))}
        event_id = start_and_grant(parent, body)
        event = wait_for(
            parent, event_id, lambda e: step_of(e, "child_ird_number")["state"] == "submitted"
        )
    step = step_of(event, "child_ird_number")
    # The step waits on IRD under the reference IRD gave it; a work-queue agency's step waits
    # under its task's id in just this way (the task id is the reference).
    waiting = task(
        stack.settings,
        event_id=event_id,
        event_type="birth",
        task_id=step["reference"],
        agency="ird",
        step_id="child_ird_number",
        service=CATALOGUE.event("birth").step("child_ird_number").service,
    )
    opened(stack.settings, waiting)
    before = updates_accepted(stack, event_id).count(OUTCOME_READY)
    with staff(stack, "hemi", "ird") as ird:
        labels = [
            f["label"] for f in ird.get(f"/v1/agency/tasks/{waiting.task_id}").json()["fields"]
        ]
        done = ird.post(f"/v1/agency/tasks/{waiting.task_id}/complete", json={"reference": "IRD-9"})
    assert done.status_code == 200, done.text
    assert done.json()["woken"] is True
    assert updates_accepted(stack, event_id).count(OUTCOME_READY) == before + 1
    # The citizen's disclosure page says who looked, in words.
    session = {SESSION_COOKIE: mint_token(stack.settings, CITIZEN)}
    page = httpx.get(f"{stack.api_url}/events/{event_id}/disclosures", cookies=session)
    assert page.status_code == 200
    ird_name = next(a.name for a in CATALOGUE.agencies if a.id == "ird")
    sentence = re.escape(f"Viewed by hemi at {ird_name} on ") + (
        r"\d{1,2} \w+ \d{4} at \d{1,2}:\d{2}[ap]m: " + re.escape(", ".join(labels))
    )
    assert re.search(sentence, html.unescape(page.text)), page.text
