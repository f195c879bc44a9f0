"""One inbox task closed at the same instant through two API replicas sharing one PostgreSQL
store (as a cluster runs them), on a real Temporal dev server: one answers 200 with the closed
task, the other 409, and both then read the same outcome."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from onceonly.auth import mint_token
from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.inbox import InboxTask, inbox_task_id
from onceonly.store import opened_store

ROUNDS = 4  # one race proves little
RATES = CATALOGUE.event("move").step("council_rates")


def task() -> InboxTask:
    """An open task of the council's rates step, of an event of its own (not in Temporal:
    waking it fails, and the close stands all the same)."""
    event_id = f"move-{uuid.uuid4().hex}"
    now = datetime.now(UTC)
    return InboxTask(
        task_id=inbox_task_id(event_id, RATES.id, "submission"),
        kind="submission",
        agency=RATES.agency,
        service=RATES.service,
        event_id=event_id,
        event_type="move",
        step_id=RATES.id,
        citizen_key="c" * 32,
        disclosure={"move_date": "2026-12-01"},
        legal_basis_kind=RATES.legal_basis.kind,
        legal_basis_reference=RATES.legal_basis.reference,
        opened_at=now,
        due_at=now + timedelta(days=5),
    )


async def test_of_two_apis_closing_one_task_at_once_one_answers_200_and_the_other_409(replicas):
    settings, (first, second) = replicas
    token = mint_token(settings, "jane", "agency", agency="council")
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(ROUNDS):
        ours = task()
        async with opened_store(settings) as store:
            await store.inbox.open(ours)
        path = f"/v1/agency/tasks/{ours.task_id}"
        answers = await asyncio.gather(
            first.post(f"{path}/complete", json={"reference": "R-1"}, headers=headers),
            second.post(f"{path}/reject", json={"reason": "Not ours"}, headers=headers),
        )
        assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
        [won] = [a.json() for a in answers if a.status_code == 200]
        [lost] = [a.json() for a in answers if a.status_code == 409]
        assert lost["detail"] == "task_id: this task is closed already"
        assert won["woken"] is False  # no such event in Temporal: the close stands
        seen = await second.get(path, headers=headers)
        assert (seen.json()["state"], seen.json()["closed_by"]) == (won["state"], "jane")
