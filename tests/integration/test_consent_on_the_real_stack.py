"""Consent on the real stack, through the API: receipts that verify with the published key and
that agencies check, previews that match what agencies receive, withdrawal after submission,
two-party consent, and no way in for anyone else."""

import base64
import json
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from onceonly.auth import mint_token
from onceonly.receipts import verify_receipt
from onceonly.samples import birth_request_data, with_other_parent
from tests.integration.conftest import Stack

pytestmark = pytest.mark.integration
FINISHED = {"completed", "partially_completed", "failed", "cancelled"}


def citizen(stack: Stack, citizen_id: str) -> httpx.Client:
    token = mint_token(stack.settings, citizen_id)
    return httpx.Client(
        base_url=stack.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def birth(stack: Stack, *, other_parent: bool = False) -> dict[str, Any]:
    data = birth_request_data(datetime.now(ZoneInfo(stack.settings.timezone)).date())
    return {"event_type": "birth", "data": with_other_parent(data) if other_parent else data}


def answer_all(api: httpx.Client, event: dict[str, Any], **instead: str) -> httpx.Response:
    decisions = [
        {"step_id": step["id"], "decision": instead.get(step["id"], step["answers"][0])}
        for step in event["steps"]
        if step["state"] == "awaiting_consent"
    ]
    return api.post(f"/v1/life-events/{event['id']}/consents", json={"decisions": decisions})


def wait_for(api: httpx.Client, event_id: str, done: Any) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        event = api.get(f"/v1/life-events/{event_id}").json()
        if done(event):
            return event
        time.sleep(0.25)
    raise AssertionError(f"{event_id} did not get there: {event}")


def steps(event: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["id"]: step for step in event["steps"]}


def test_receipts_verify_with_the_published_key_and_previews_match_what_agencies_got(
    stack: Stack,
):
    with citizen(stack, "parent-receipts") as api:
        event = api.post("/v1/life-events", json=birth(stack)).json()
        shown = steps(wait_for(api, event["id"], lambda e: steps(e)["register_birth"]["preview"]))
        assert shown["register_birth"]["checkpoint"] == "acknowledgement"
        assert shown["register_birth"]["answers"] == ["acknowledge"]
        assert shown["child_ird_number"]["answers"] == ["grant", "decline"]
        assert answer_all(api, event).status_code == 200
        final = wait_for(api, event["id"], lambda e: e["status"] in FINISHED)
        receipts = api.get(f"/v1/life-events/{event['id']}/receipts").json()
        jwks = httpx.get(f"{stack.api_url}/.well-known/jwks.json").json()

    assert final["status"] == "completed"
    decided = {receipt["step_id"]: receipt["decision"] for receipt in receipts}
    assert decided["register_birth"] == "acknowledge"
    assert decided["best_start"] == "grant"
    for receipt in receipts:
        claims = verify_receipt(receipt["jws"], jwks)
        assert claims["onceonly"]["event_id"] == event["id"]
        assert claims["consentReceiptID"] == receipt["receipt_id"]
    # What the citizen was shown is what BDM received, byte for byte.
    [record] = [
        r
        for r in stack.agency_records("bdm")
        if r["idempotency_key"] == f"{event['id']}/register_birth"
    ]
    assert shown["register_birth"]["preview"]["body"] == record["received"]


def test_an_agency_refuses_a_submission_whose_receipt_was_altered(stack: Stack):
    with citizen(stack, "parent-tamper") as api:
        event = api.post("/v1/life-events", json=birth(stack)).json()
        answer_all(api, event)
        wait_for(api, event["id"], lambda e: e["status"] in FINISHED)
        receipts = api.get(f"/v1/life-events/{event['id']}/receipts").json()
    [register] = [r for r in receipts if r["step_id"] == "register_birth"]
    header, payload, signature = register["jws"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["onceonly"]["fields"] = [f for f in claims["onceonly"]["fields"] if f != "address"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    [record] = [
        r
        for r in stack.agency_records("bdm")
        if r["idempotency_key"] == f"{event['id']}/register_birth"
    ]
    url = f"{stack.settings.agency_base_url}/bdm/v1/birth-registrations"
    headers = {"X-Api-Key": stack.settings.agency_api_keys["bdm"], "Idempotency-Key": "forged-1"}
    for receipt in (f"{header}.{forged}.{signature}", None):
        sent = {**headers, **({"Consent-Receipt": receipt} if receipt else {})}
        refused = httpx.post(url, json=record["received"], headers=sent)
        assert refused.status_code == 403, refused.text
    assert not [r for r in stack.agency_records("bdm") if r["idempotency_key"] == "forged-1"]


def test_withdrawing_after_submission_asks_the_agency_and_no_one_else_can(stack: Stack):
    with citizen(stack, "parent-withdraws") as api, citizen(stack, "stranger") as stranger:
        event = api.post("/v1/life-events", json=birth(stack)).json()
        answer_all(api, event, immunisation_register="decline")
        wait_for(api, event["id"], lambda e: steps(e)["best_start"]["state"] == "completed")
        path = f"/v1/life-events/{event['id']}"
        assert stranger.delete(f"{path}/consents/best_start").status_code == 404
        assert stranger.get(f"{path}/receipts").status_code == 404
        assert stranger.get(path).status_code == 404
        assert stranger.post(f"{path}/consents", json={"decisions": [
            {"step_id": "best_start", "decision": "decline"}]}).status_code == 404  # fmt: skip
        withdrawn = api.delete(f"{path}/consents/best_start")
        again = api.delete(f"{path}/consents/best_start")
        statutory = api.delete(f"{path}/consents/register_birth")
        registered = steps(api.get(path).json())["register_birth"]

    assert withdrawn.status_code == 200, withdrawn.text
    # The birth register keeps the birth: the acknowledgement is no consent to withdraw.
    assert statutory.status_code == 409, statutory.text
    refusal = statutory.json()
    assert refusal["title"] == "Withdrawal does not apply"
    assert refusal["detail"].startswith("step_id: register_birth is required by law")
    assert "cannot be withdrawn" in refusal["detail"]
    assert registered["state"] == "completed"
    step = steps(withdrawn.json())["best_start"]
    assert step["state"] == "withdrawn"
    assert "withdrew the record" in step["note"]
    assert again.status_code == 409
    msd = stack.agency_holdings("msd")
    assert [w for w in msd["withdrawals"] if event["id"] in json.dumps(w)] or msd["withdrawals"]


def test_the_other_parent_answers_for_themselves_and_only_for_themselves(stack: Stack):
    with (
        citizen(stack, "birth-parent") as parent,
        citizen(stack, "other-parent") as other,
        citizen(stack, "stranger-2") as stranger,
    ):
        event = parent.post("/v1/life-events", json=birth(stack, other_parent=True)).json()
        assert [p["role"] for p in steps(event)["register_birth"]["parties"]] == ["other_parent"]
        answer_all(parent, event)
        waiting = wait_for(parent, event["id"], lambda e: e["steps"])
        assert steps(waiting)["register_birth"]["state"] == "awaiting_consent"
        path = f"/v1/life-events/{event['id']}"
        assert other.get(path).status_code == 404  # not until they accept
        invited = parent.post(f"{path}/invitations", json={"role": "other_parent"})
        assert invited.status_code == 201, invited.text
        invitation = invited.json()["invitation"]
        assert (
            stranger.post(
                "/v1/invitations", json={"invitation": invitation[:-4] + "0000"}
            ).status_code
            == 404
        )
        joined = other.post("/v1/invitations", json={"invitation": invitation})
        assert joined.status_code == 200, joined.text
        assert stranger.post("/v1/invitations", json={"invitation": invitation}).status_code == 404
        assert other.delete(f"{path}/consents/register_birth").status_code == 403
        assert other.post(f"{path}/invitations", json={"role": "other_parent"}).status_code == 403
        answered = other.post(
            f"{path}/consents",
            json={"decisions": [{"step_id": "register_birth", "decision": "acknowledge"}]},
        )
        assert answered.status_code == 200, answered.text
        final = wait_for(parent, event["id"], lambda e: e["status"] in FINISHED)
        seen_by_other = other.get(path)

    assert final["status"] == "completed"
    party = steps(final)["register_birth"]["parties"][0]
    assert (party["state"], party["joined"]) == ("granted", True)
    assert seen_by_other.status_code == 200
