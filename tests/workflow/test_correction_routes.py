"""The correction routes, through the citizen API on the time-skipping server: 202 with the
correction's progress, the list, 422 naming the field and rule for a path or value the data
does not take, and 404 for another citizen's event, as for every event route."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio import activity
from temporalio.testing import WorkflowEnvironment

from activities.corrections import AgencyAmendments
from onceonly.api.app import create_app
from onceonly.auth import mint_token
from onceonly.domain.corrections import FieldCorrection
from onceonly.domain.submission import SUBMIT_TO_AGENCY, AgencyAnswer, AgencySubmission
from onceonly.ops import OpsError, correct_fields
from onceonly.ops_cli import _render_correction
from onceonly.samples import move_request_data
from onceonly.settings import Settings
from onceonly.store.sqlite import SqliteDisclosureLog
from onceonly.testing import workflow_worker
from workflows.move import MoveWorkflow

CITIZEN = "citizen-mere"
PHONE = {"path": "mover.phone", "value": "021 555 0177"}


@activity.defn(name=SUBMIT_TO_AGENCY)
async def every_agency_accepts(submission: AgencySubmission) -> AgencyAnswer:
    """Stands in for the agencies: the routes are the subject here, not the amendments."""
    return AgencyAnswer(reference=f"REF-{submission.step_id}")


@dataclass
class Api:
    http: httpx.AsyncClient
    settings: Settings

    def as_(self, citizen: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.settings, citizen)}"}

    async def start_move(self) -> str:
        body = {"event_type": "move", "data": move_request_data(date.today())}
        started = await self.http.post("/v1/life-events", json=body, headers=self.as_(CITIZEN))
        assert started.status_code == 201, started.text
        return str(started.json()["id"])

    async def correct(self, event_id: str, *fixes: dict[str, Any], citizen: str = CITIZEN):
        body = {"corrections": list(fixes), "reason": "typo"}
        return await self.http.post(
            f"/v1/life-events/{event_id}/corrections", json=body, headers=self.as_(citizen)
        )


@pytest.fixture
async def api(
    time_skipping_env: WorkflowEnvironment, settings: Settings, tmp_path: Path
) -> AsyncIterator[Api]:
    amendments = AgencyAmendments({}, SqliteDisclosureLog(tmp_path / "disclosures.db"))
    app = create_app(settings, time_skipping_env.client)
    async with (
        workflow_worker(
            time_skipping_env,
            workflows=[MoveWorkflow],
            activities=[every_agency_accepts, amendments.find_correction_recipients],
            task_queue=settings.task_queue,
        ),
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://api.test") as http,
    ):
        yield Api(http, settings)


async def test_a_correction_is_accepted_with_its_progress_and_listed(api):
    event_id = await api.start_move()
    answer = await api.correct(event_id, PHONE)
    assert answer.status_code == 202, answer.text
    correction = answer.json()
    assert correction["paths"] == ["mover.phone"]
    assert correction["number"] == 1
    assert correction["by"] == "citizen"
    assert PHONE["value"] not in answer.text  # the progress names fields, never values

    listed = await api.http.get(f"/v1/life-events/{event_id}/corrections", headers=api.as_(CITIZEN))
    assert listed.status_code == 200
    [only] = listed.json()
    assert only["correction_id"] == correction["correction_id"]
    # Nothing was sent yet (no consent given): the steps holding the phone will send it right.
    assert {a["step_id"]: a["state"] for a in only["agencies"]} == {
        "update_msd_address": "not_sent_yet",
        "council_dog_registration": "not_sent_yet",
        "update_acc_address": "not_sent_yet",
    }


@pytest.mark.parametrize(
    ("fix", "field", "rule"),
    [
        ({"path": "mover.shoe_size", "value": 9}, "mover.shoe_size", "is not a field of this"),
        ({"path": "new_address.postcode", "value": "x"}, "new_address.postcode", ""),
        ({"path": "new_address..unit", "value": "1"}, "corrections[0].path", "String should"),
    ],
)
async def test_a_bad_path_or_value_is_a_422_naming_the_field_and_rule(api, fix, field, rule):
    event_id = await api.start_move()
    answer = await api.correct(event_id, fix)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    error = problem["errors"][0]  # the first rule broken (the problem's detail)
    assert error["field"] == field
    assert error["rule"].startswith(rule)
    assert problem["detail"] == f"{field}: {error['rule']}"
    listed = await api.http.get(f"/v1/life-events/{event_id}/corrections", headers=api.as_(CITIZEN))
    assert listed.json() == []


async def test_another_citizens_event_is_not_found(api):
    event_id = await api.start_move()
    answer = await api.correct(event_id, PHONE, citizen="citizen-someone-else")
    assert answer.status_code == 404
    listed = await api.http.get(
        f"/v1/life-events/{event_id}/corrections", headers=api.as_("citizen-someone-else")
    )
    assert listed.status_code == 404


async def test_an_operator_corrects_through_ops_and_a_refusal_is_an_ops_error(
    api, time_skipping_env
):
    event_id = await api.start_move()
    fix = FieldCorrection(path="mover.email", value="mere.t@example.org")
    correction = await correct_fields(time_skipping_env.client, event_id, [fix], "typo")
    assert (correction.by, correction.paths) == ("operator", ("mover.email",))
    assert "correction 1" in _render_correction(correction)
    unknown = FieldCorrection(path="mover.shoe_size", value=9)
    with pytest.raises(OpsError, match=r"mover\.shoe_size: is not a field of this event.s data"):
        await correct_fields(time_skipping_env.client, event_id, [unknown], "typo")
