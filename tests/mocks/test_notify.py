"""The notification service mock in process (its key, schema, templates, idempotency, records
and log line), and the reminder activity end to end through the adapter against it.
"""

import json
import logging
from datetime import date
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notifications import Notifications, build_notifications
from adapters import notify
from adapters.base import AgencyRejected, AgencyUnavailable
from mocks.agencies import notify as mock_notify
from mocks.kit.logs import JsonLines
from onceonly.domain.catalogue import BIRTH, CATALOGUE, DEATH
from onceonly.domain.notices import Reminder, reminder_key
from onceonly.settings import Settings
from tests.mocks.samples import sample_birth, sample_death
from tests.mocks.support import BASE_URL

PATH = "/notify/v1/messages"
KEY = "dev-notify-key"
EVENT_ID = "birth-" + "7" * 32
EMAIL_TEMPLATE = notify.TEMPLATE_IDS[("reminder", "email")]


def _message(**changes: Any) -> dict[str, Any]:
    """A valid request in the service's own format."""
    body: dict[str, Any] = {
        "channel": "email",
        "to": "hine@example.org",
        "template_id": EMAIL_TEMPLATE,
        "personalisation": {
            "event": "Having a baby",
            "purposes": ["Register the birth.", "Apply for Best Start."],
            "deadline": "The law sets a deadline: 2 January 2027.",
            "reference": EVENT_ID,
        },
    }
    return body | changes


def _reminder(**changes: Any) -> Reminder:
    steps = ("register_birth", "best_start")
    fields: dict[str, Any] = {
        "event_id": EVENT_ID,
        "event_type": "birth",
        "step_ids": steps,
        "kind": "reminder",
        "due_on": date(2027, 1, 2),
        "channel": "email",
        "to": "hine@example.org",
        "idempotency_key": reminder_key(EVENT_ID, "reminder", steps, 1),
    }
    return Reminder.model_validate(fields | changes)


@pytest.fixture
def notifications(client: httpx.AsyncClient) -> Notifications:
    return build_notifications(client, BASE_URL, Settings().agency_api_keys)


async def _post(
    client: httpx.AsyncClient,
    body: Any,
    *,
    auth: str | None = f"ApiKey-v1 {KEY}",
    idempotency_key: str | None = "message-1",
) -> httpx.Response:
    headers = {} if auth is None else {"Authorization": auth}
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return await client.post(PATH, json=body, headers=headers)


async def _records(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/notify/_records")
    assert response.status_code == 200
    records: list[dict[str, Any]] = response.json()["records"]
    return records


def _messages(body: dict[str, Any]) -> str:
    return " | ".join(error["message"] for error in body["errors"])


# --- the mock ----------------------------------------------------------------------------------


async def test_a_message_is_accepted_with_its_rendered_content(client):
    response = await _post(client, _message())
    assert response.status_code == 201
    answer = response.json()
    assert answer["id"] == "NTF-00000001" and answer["status"] == "accepted"
    assert answer["content"]["subject"] == "Your answer is needed: Having a baby"
    body = answer["content"]["body"]
    assert "* Register the birth.\n* Apply for Best Start.\n" in body
    assert "2 January 2027" in body and EVENT_ID in body
    assert "((" not in body
    second = await _post(client, _message(), idempotency_key="message-2")
    assert second.json()["id"] == "NTF-00000002"


async def test_a_text_message_has_no_subject(client):
    sms = _message(
        channel="sms", to="+64211234567", template_id=notify.TEMPLATE_IDS[("expired", "sms")]
    )
    response = await _post(client, sms)
    assert response.status_code == 201
    assert set(response.json()["content"]) == {"body"}


@pytest.mark.parametrize(
    "auth", [None, "ApiKey-v1 wrong-key", f"Bearer {KEY}", KEY, f"apikey-v1 {KEY}"]
)
async def test_a_missing_or_wrong_key_is_refused(client, auth):
    response = await _post(client, _message(), auth=auth)
    assert response.status_code == 401
    assert response.json()["errors"] == [
        {"error": "AuthError", "message": "a valid API key is required"}
    ]
    assert await _records(client) == []


async def test_a_message_needs_an_idempotency_key(client):
    response = await _post(client, _message(), idempotency_key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in _messages(response.json())


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"to": "not an address"}, "to", "an email address"),
        ({"channel": "sms", "to": "021 123 4567"}, "to", "6 to 15 digits"),
        ({"to": 64211234567}, "to", "valid string"),
        ({"channel": "fax"}, "channel", "'email' or 'sms'"),
        ({"template_id": "no-such-template"}, "template_id", "one of the service's templates"),
        ({"channel": "sms", "to": "0211234567"}, "template_id", "for the sms channel"),
        ({"personalisation": {"event": "x"}}, "personalisation", "a value for ((deadline))"),
        (
            {"personalisation": {**_message()["personalisation"], "purposes": 3}},
            "personalisation",
            "must give ((purposes)) as text of up to 1000 characters, or a list of 1 to 20",
        ),
        ({"cc": "someone@example.org"}, "cc", "Extra inputs are not permitted"),
    ],
)
async def test_a_message_outside_the_format_is_refused_naming_the_field(
    client, changes, field, rule
):
    response = await _post(client, _message(**changes))
    assert response.status_code == 422
    body = response.json()
    assert body["status_code"] == 422
    assert {error["error"] for error in body["errors"]} == {"ValidationError"}
    message = _messages(body)
    assert message.startswith(f"{field} ") or f" | {field} " in message
    assert rule in message
    assert await _records(client) == []


@pytest.mark.parametrize("value", ["x", 3, ["x"] * 50])
async def test_an_unknown_placeholder_is_refused_without_echoing_its_name(client, value):
    personalisation = _message()["personalisation"] | {"nhi_ZZZ0016": value}
    response = await _post(client, _message(personalisation=personalisation))
    assert response.status_code == 422
    message = _messages(response.json())
    assert message == "personalisation must give only the template's placeholders"


async def test_a_text_message_longer_than_six_fragments_is_refused(client):
    long = _message()["personalisation"] | {"purposes": ["x" * 490, "y" * 490]}
    sms_template = notify.TEMPLATE_IDS[("reminder", "sms")]
    sms = _message(channel="sms", to="0211234567", template_id=sms_template)
    response = await _post(client, sms | {"personalisation": long})
    assert response.status_code == 422
    assert "longer than 918 characters" in _messages(response.json())
    # The same values by email are fine: an email has no such limit.
    assert (await _post(client, _message(personalisation=long))).status_code == 201


def test_values_are_put_in_once_and_never_expanded_again():
    rendered = mock_notify.render("((a)) and ((b))", {"a": "((b))", "b": ["one", "two"]})
    assert rendered == "((b)) and * one\n* two"


async def test_a_repeat_returns_the_first_answer_and_makes_one_record(client):
    first = await _post(client, _message())
    again = await _post(client, _message())
    assert again.status_code == 201 and again.json() == first.json()
    conflict = await _post(client, _message(to="other@example.org"))
    assert conflict.status_code == 409
    assert conflict.json()["errors"][0]["error"] == "ConflictError"
    (record,) = await _records(client)
    assert record["idempotency_key"] == "message-1"
    assert record["received"] == _message()
    # The content the citizen got is kept with the record.
    assert record["answer"] == first.json()
    assert "Apply for Best Start." in record["answer"]["content"]["body"]


async def test_the_content_is_logged_once_as_a_json_line_without_the_address(client, caplog):
    caplog.set_level(logging.INFO, logger="mocks.notify")
    first = await _post(client, _message())
    await _post(client, _message())
    (record,) = [r for r in caplog.records if r.name == "mocks.notify"]
    line = json.loads(JsonLines().format(record))
    assert line["logger"] == "mocks.notify" and line["event"] == "notify.message"
    assert line["message_id"] == first.json()["id"]
    assert line["channel"] == "email" and line["template_id"] == EMAIL_TEMPLATE
    assert line["body"] == first.json()["content"]["body"]
    assert line["subject"] == first.json()["content"]["subject"]
    assert "hine@example.org" not in json.dumps(line)


async def test_an_outage_records_nothing(client):
    assert (await client.put("/notify/_faults", json={"error_rate": 1.0})).status_code == 200
    response = await _post(client, _message())
    assert response.status_code == 503
    assert response.json()["errors"][0]["error"] == "ServiceUnavailableError"
    assert await _records(client) == []


# --- the adapter's mapping ---------------------------------------------------------------------


def test_dates_are_written_in_words_and_phones_dialled():
    assert notify.written_date(date(2027, 1, 2)) == "2 January 2027"
    assert notify.deadline_sentence(None) == "The law sets no deadline for these."
    assert notify.dialled("(021) 123-4567") == "0211234567"
    assert notify.dialled("+64 21 123 4567") == "+64211234567"


def test_a_text_message_names_the_purposes_that_fit_then_how_many_more():
    purposes = [step.purpose for step in DEATH.steps]
    fitted = notify.sms_purposes(purposes)
    assert fitted[-1] == f"and {len(purposes) - len(fitted) + 1} more (see onceonly)"
    assert fitted[:-1] == purposes[: len(fitted) - 1]
    assert notify.sms_purposes(purposes[:2]) == purposes[:2]


_reminders: st.SearchStrategy[dict[str, Any]] = st.sampled_from(CATALOGUE.life_events).flatmap(
    lambda event: st.builds(
        dict,
        event_type=st.just(event.event_type),
        step_ids=st.lists(
            st.sampled_from([step.id for step in event.steps]), min_size=1, unique=True
        ).map(tuple),
        kind=st.sampled_from(["reminder", "expired", "invitation"]),
        due_on=st.none() | st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
        channel=st.sampled_from(["email", "sms"]),
    )
)


@given(_reminders)
def test_the_service_accepts_every_reminder_the_adapter_maps(fields):
    to = "hine@example.org" if fields["channel"] == "email" else "(021) 123-4567"
    reminder = _reminder(**fields, to=to)
    body = notify.to_notify_message(reminder)
    # Over the wire, as the mock receives it: JSON text into its strict schema.
    message = mock_notify.MessageRequest.model_validate_json(json.dumps(body, ensure_ascii=False))
    assert message.personalisation["reference"] == reminder.event_id


@pytest.mark.parametrize("event", CATALOGUE.life_events, ids=lambda event: event.event_type)
@pytest.mark.parametrize("kind", ["reminder", "expired", "invitation"])
def test_a_text_message_about_every_step_of_an_event_still_fits(event, kind):
    steps = tuple(step.id for step in event.steps)
    reminder = _reminder(
        event_type=event.event_type, step_ids=steps, kind=kind, channel="sms", to="0211234567"
    )
    body = json.dumps(notify.to_notify_message(reminder), ensure_ascii=False)
    message = mock_notify.MessageRequest.model_validate_json(body)
    template = mock_notify.TEMPLATES[message.template_id]
    rendered = mock_notify.render(template.body, message.personalisation)
    assert len(rendered) <= mock_notify.MAX_SMS_LENGTH


# --- the activity, end to end ------------------------------------------------------------------


def _personal_values(data: Any) -> list[str]:
    """Every text value in a dossier, except the addresses reminders are sent to."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for part in value.values():
                walk(part)
        elif isinstance(value, list):
            for part in value:
                walk(part)
        elif isinstance(value, str) and len(value) > 3:
            found.append(value)

    walk(data)
    return found


async def test_the_activity_sends_a_reminder_once_naming_purposes_due_date_and_how_to_answer(
    client, notifications
):
    reminder = _reminder()
    environment = ActivityEnvironment()
    message_id = await environment.run(notifications.send_reminder, reminder)
    again = await environment.run(notifications.send_reminder, reminder)
    assert again == message_id == "NTF-00000001"
    (record,) = await _records(client)
    assert (
        record["idempotency_key"] == "birth-" + "7" * 32 + "/reminder/register_birth,best_start/1"
    )
    assert record["received"]["to"] == "hine@example.org"
    content = record["answer"]["content"]
    assert content["subject"] == "Your answer is needed: Having a baby"
    for step_id in reminder.step_ids:
        assert f"* {BIRTH.step(step_id).purpose}\n" in content["body"]
    assert "The law sets a deadline: 2 January 2027." in content["body"]
    assert f"open reference {EVENT_ID} to answer each one" in content["body"]
    # No personal data from the dossier, and not even the address, is in the message.
    text = json.dumps(content, ensure_ascii=False)
    dossier = sample_birth().model_dump(mode="json")
    assert [value for value in _personal_values(dossier) if value in text] == []
    assert "hine@example.org" not in text


async def test_a_text_message_goes_to_the_dialled_phone(client, notifications):
    notifier_phone = sample_death().notifier.phone
    steps = tuple(step.id for step in DEATH.steps)
    reminder = _reminder(
        event_id="death-" + "1" * 32,
        event_type="death",
        step_ids=steps,
        kind="expired",
        due_on=None,
        channel="sms",
        to=notifier_phone,
        idempotency_key=reminder_key("death-" + "1" * 32, "expired", steps, 1),
    )
    await ActivityEnvironment().run(notifications.send_reminder, reminder)
    (record,) = await _records(client)
    assert record["received"]["to"] == notify.dialled(notifier_phone)
    body = record["answer"]["content"]["body"]
    assert body.startswith("onceonly: These requests in “When someone dies”")
    assert "The law sets no deadline for these." in body
    assert len(body) <= mock_notify.MAX_SMS_LENGTH


async def test_a_refused_message_is_not_retried(client, notifications):
    with pytest.raises(AgencyRejected, match="to must be an email address") as refused:
        await ActivityEnvironment().run(
            notifications.send_reminder, _reminder(to="not an email address")
        )
    assert refused.value.non_retryable
    assert "not an email address" not in str(refused.value)
    assert await _records(client) == []


async def test_an_outage_is_retried(client, notifications):
    await client.put("/notify/_faults", json={"error_rate": 1.0})
    with pytest.raises(AgencyUnavailable) as unavailable:
        await ActivityEnvironment().run(notifications.send_reminder, _reminder())
    assert not unavailable.value.non_retryable


async def test_a_reminder_about_a_step_the_catalogue_lacks_is_not_retried(notifications):
    with pytest.raises(ApplicationError, match="unknown") as unknown:
        await ActivityEnvironment().run(
            notifications.send_reminder, _reminder(step_ids=("no_such_step",))
        )
    assert unknown.value.non_retryable


def test_the_activity_needs_the_services_key(client):
    with pytest.raises(ValueError, match="notify"):
        build_notifications(client, BASE_URL, {"bdm": "dev-bdm-key"})
