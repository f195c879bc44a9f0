"""Two parties on the real stack, through the API: the invitation sent by email or text
through the notification mock (its link, its disclosure on record, a failed send that still
gives the code, addresses the contact rules refuse), the joined party's list of events, an
invitation opened again, what a party may read and do, and cancelling an event."""

from typing import Any

import httpx
import pytest

from onceonly.domain.contact import EMAIL_RULE, PHONE_RULE
from onceonly.receipts import verify_receipt
from onceonly.samples import birth_request_data, with_other_parent
from tests.integration.conftest import (
    FINISHED,
    Stack,
    agency_faults,
    citizen,
    today,
    wait_for,
)

pytestmark = pytest.mark.integration


def started_with_other_parent(stack: Stack, parent: httpx.Client) -> dict[str, Any]:
    """A birth naming the other parent, the birth parent's checkpoints all answered."""
    data = with_other_parent(birth_request_data(today(stack)))
    event = parent.post("/v1/life-events", json={"event_type": "birth", "data": data}).json()
    decisions = [{"step_id": s["id"], "decision": s["answers"][0]} for s in event["steps"]]
    answered = parent.post(f"/v1/life-events/{event['id']}/consents", json={"decisions": decisions})
    assert answered.status_code == 200, answered.text
    return dict(answered.json())


def invitations_sent(stack: Stack, event_id: str) -> list[dict[str, Any]]:
    """The notification mock's records of the invitations for the event."""
    return [
        record
        for record in stack.agency_records("notify")
        if record["idempotency_key"].startswith(f"{event_id}/invitation/")
    ]


def problem_fields(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return [(error["field"], error["rule"]) for error in response.json()["errors"]]


def test_an_invitation_goes_by_email_or_text_with_its_link_and_its_disclosure_on_record(
    stack: Stack,
):
    with citizen(stack, "inviting-parent") as parent:
        event = started_with_other_parent(stack, parent)
        path = f"/v1/life-events/{event['id']}/invitations"
        by_email = parent.post(
            path, json={"role": "other_parent", "channel": "email", "to": "tama@example.nz"}
        )
        by_text = parent.post(
            path, json={"role": "other_parent", "channel": "sms", "to": "021 123 4567"}
        )
        log = parent.get("/v1/disclosures", params={"event_id": event["id"]}).json()

    assert by_email.status_code == 201, by_email.text
    invitation = by_email.json()
    assert invitation["delivery"]["status"] == "sent"
    accept = f"{stack.settings.public_base_url}/invitations/accept"
    assert invitation["link"] == f"{accept}?code={invitation['invitation']}"
    sent = invitations_sent(stack, event["id"])
    assert [record["received"]["to"] for record in sent] == ["tama@example.nz", "+64211234567"]
    assert [record["received"]["channel"] for record in sent] == ["email", "sms"]
    for record in sent:
        assert record["received"]["personalisation"]["reference"] == invitation["link"]
        assert invitation["link"] in record["answer"]["content"]["body"]
    assert by_text.json()["invitation"] == invitation["invitation"]  # the one open invitation
    on_record = [entry for entry in log if entry["agency"] == "notify"]
    assert sorted(entry["fields"][0] for entry in on_record) == [
        "other_parent.email",
        "other_parent.phone",
    ]
    assert {entry["agency_reference"] for entry in on_record} == {
        record["answer"]["id"] for record in sent
    }
    assert all("invitation" in entry["purpose"] for entry in on_record)
    assert {entry["step_id"] for entry in on_record} == {"invite_other_parent"}


def test_an_address_the_contact_rules_refuse_is_named_and_nothing_is_sent(stack: Stack):
    with citizen(stack, "mistyping-parent") as parent:
        event = started_with_other_parent(stack, parent)
        path = f"/v1/life-events/{event['id']}/invitations"
        refusals = [
            parent.post(path, json={"role": "other_parent", **body})
            for body in (
                {"channel": "email", "to": "tama at example.nz"},
                {"channel": "sms", "to": "12"},
                {"channel": "sms", "to": "021 123 4567 ext 5"},
                {"channel": "email"},
                {"to": "tama@example.nz"},
            )
        ]
    assert [problem_fields(refused) for refused in refusals] == [
        [("to", EMAIL_RULE)],
        [("to", PHONE_RULE)],
        [("to", PHONE_RULE)],
        [("to", "must be an email address to send the invitation to")],
        [("channel", "must be email or sms with to")],
    ]
    assert invitations_sent(stack, event["id"]) == []


def test_a_failed_send_says_why_and_the_code_still_works(stack: Stack):
    with citizen(stack, "unlucky-parent") as parent, citizen(stack, "unlucky-other") as other:
        event = started_with_other_parent(stack, parent)
        path = f"/v1/life-events/{event['id']}/invitations"
        with agency_faults(stack, "notify", error_rate=1.0):
            invited = parent.post(
                path, json={"role": "other_parent", "channel": "email", "to": "tama@example.nz"}
            )
        log = parent.get("/v1/disclosures", params={"event_id": event["id"]}).json()
        joined = other.post("/v1/invitations", json={"invitation": invited.json()["invitation"]})
    assert invited.status_code == 201, invited.text
    delivery = invited.json()["delivery"]
    assert (delivery["status"], delivery["message_id"]) == ("failed", None)
    assert "notify" in delivery["problem"]
    assert [entry for entry in log if entry["agency"] == "notify"] == []  # nothing went
    assert joined.status_code == 200, joined.text


def test_the_joined_party_finds_the_event_reopens_the_link_and_sees_only_their_own(stack: Stack):
    with (
        citizen(stack, "listing-parent") as parent,
        citizen(stack, "listing-other") as other,
        citizen(stack, "listing-stranger") as stranger,
    ):
        event = started_with_other_parent(stack, parent)
        event_id = event["id"]
        path = f"/v1/life-events/{event_id}"
        assert event_id not in [e["id"] for e in other.get("/v1/life-events").json()]
        code = parent.post(f"{path}/invitations", json={"role": "other_parent"}).json()
        joined = other.post("/v1/invitations", json={"invitation": code["invitation"]})
        again = other.post("/v1/invitations", json={"invitation": code["invitation"]})
        by_stranger = stranger.post("/v1/invitations", json={"invitation": code["invitation"]})
        by_parent = parent.post("/v1/invitations", json={"invitation": code["invitation"]})
        listed_by_other = other.get("/v1/life-events").json()
        listed_by_parent = parent.get("/v1/life-events").json()
        receipts_before = other.get(f"{path}/receipts").json()
        answered = other.post(
            f"{path}/consents",
            json={"decisions": [{"step_id": "register_birth", "decision": "acknowledge"}]},
        )
        assert answered.status_code == 200, answered.text
        final = wait_for(parent, event_id, lambda e: e["status"] in FINISHED)
        receipts_of_other = other.get(f"{path}/receipts").json()
        receipts_of_parent = parent.get(f"{path}/receipts").json()
        others_receipt = other.get(f"{path}/receipts/{receipts_of_parent[0]['receipt_id']}")
        disclosed_to_other = other.get("/v1/disclosures", params={"event_id": event_id}).json()
        disclosed_to_parent = parent.get("/v1/disclosures", params={"event_id": event_id}).json()
        cancel_by_other = other.post(f"{path}/cancellation")
        jwks = parent.get("/.well-known/jwks.json").json()

    assert joined.status_code == 200, joined.text
    assert (joined.json()["id"], joined.json()["party_role"]) == (event_id, "other_parent")
    assert (again.status_code, again.json()["id"]) == (200, event_id)
    assert (by_stranger.status_code, by_parent.status_code) == (404, 404)
    assert [(e["id"], e["party_role"]) for e in listed_by_other if e["id"] == event_id] == [
        (event_id, "other_parent")
    ]
    assert [e["party_role"] for e in listed_by_parent if e["id"] == event_id] == [None]
    assert receipts_before == []  # the birth parent's receipts are theirs
    assert final["status"] == "completed"
    assert [r["step_id"] for r in receipts_of_other] == ["register_birth"]
    other_key = verify_receipt(receipts_of_other[0]["jws"], jwks)["piiPrincipalId"]
    principals = [verify_receipt(r["jws"], jwks)["piiPrincipalId"] for r in receipts_of_parent]
    assert principals.count(other_key) == 1  # the starter sees every receipt of the event
    assert principals[0] != other_key
    assert others_receipt.status_code == 404
    assert len(receipts_of_parent) == len(event["steps"]) + 1
    assert {d["step_id"] for d in disclosed_to_other} == {"register_birth"}
    assert {d["step_id"] for d in disclosed_to_parent} == {s["id"] for s in final["steps"]}
    assert cancel_by_other.status_code == 403


def test_the_citizen_cancels_an_event_once_and_no_one_else_can(stack: Stack):
    with citizen(stack, "cancelling-parent") as parent, citizen(stack, "cancel-stranger") as other:
        data = birth_request_data(today(stack))
        event = parent.post("/v1/life-events", json={"event_type": "birth", "data": data}).json()
        path = f"/v1/life-events/{event['id']}/cancellation"
        by_stranger = other.post(path)
        too_long = parent.post(path, json={"reason": "x" * 201})
        cancelled = parent.post(path, json={"reason": "started by mistake"})
        ended = wait_for(parent, event["id"], lambda e: e["status"] in FINISHED)
        again = parent.post(path)
        decided = parent.post(
            f"/v1/life-events/{event['id']}/consents",
            json={"decisions": [{"step_id": "register_birth", "decision": "acknowledge"}]},
        )
    assert by_stranger.status_code == 404
    assert problem_fields(too_long)[0][0] == "reason"
    assert cancelled.status_code == 202, cancelled.text
    assert ended["status"] == "cancelled"
    assert again.status_code == 409 and "cancelled already" in again.json()["detail"]
    assert decided.status_code == 409
    assert all(event["id"] not in str(record) for record in stack.agency_records("bdm"))
