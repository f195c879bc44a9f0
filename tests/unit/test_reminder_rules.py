"""Reminder rules: when an unanswered checkpoint is reminded of, where the message goes, and
the key that makes each message go once."""

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from temporalio.contrib.pydantic import pydantic_data_converter

from onceonly.domain.catalogue import BIRTH, DEATH, MOVE
from onceonly.domain.notices import (
    MAX_IDEMPOTENCY_KEY_LENGTH,
    Reminder,
    contact_of,
    reminder_key,
    reminder_times,
)
from onceonly.settings import Settings
from tests.mocks.samples import sample_birth, sample_death, sample_move

NZ = "Pacific/Auckland"
OPENED = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
DAYS = timedelta(days=1)
EVENT_ID = "death-" + "0" * 32


def times(
    *offsets: timedelta,
    due_on: date | None = None,
    expiry: timedelta = 30 * DAYS,
    warning: timedelta = 7 * DAYS,
    decided: bool = False,
    opened: datetime = OPENED,
) -> list[datetime]:
    return reminder_times(
        decided,
        opened,
        expiry=expiry,
        reminders_after=offsets,
        due_on=due_on,
        deadline_warning=warning,
        timezone=NZ,
    )


# --- reminder_times -----------------------------------------------------------------------------


def test_each_offset_after_the_checkpoint_opened():
    assert times(7 * DAYS, 21 * DAYS) == [OPENED + 7 * DAYS, OPENED + 21 * DAYS]


def test_offsets_come_out_in_time_order():
    assert times(21 * DAYS, 7 * DAYS, 14 * DAYS) == [OPENED + n * DAYS for n in (7, 14, 21)]


def test_a_deadline_warning_comes_before_midnight_new_zealand_time_on_the_due_date():
    # 20 December is daylight time in New Zealand (UTC+13): midnight there is 11:00 UTC the
    # day before, and a week earlier is 12 December 11:00 UTC.
    (warning,) = times(due_on=date(2026, 12, 20))
    assert warning == datetime(2026, 12, 13, tzinfo=ZoneInfo(NZ))
    assert warning.astimezone(UTC) == datetime(2026, 12, 12, 11, 0, tzinfo=UTC)


def test_the_deadline_warning_joins_the_offsets_in_order():
    found = times(7 * DAYS, 21 * DAYS, due_on=date(2026, 12, 20))
    assert found == [
        OPENED + 7 * DAYS,
        datetime(2026, 12, 13, tzinfo=ZoneInfo(NZ)),
        OPENED + 21 * DAYS,
    ]


def test_nothing_at_or_after_the_expiry():
    assert times(7 * DAYS, 30 * DAYS, 45 * DAYS) == [OPENED + 7 * DAYS]
    # A deadline warning exactly at the expiry, or after it, adds nothing.
    expires_at = OPENED + 30 * DAYS
    due_on = expires_at.astimezone(ZoneInfo(NZ)).date() + DAYS
    due_at = datetime.combine(due_on, datetime.min.time(), ZoneInfo(NZ))
    assert times(due_on=due_on, warning=due_at - expires_at) == []
    assert times(due_on=due_on, warning=due_at - expires_at + timedelta(seconds=1)) == [
        expires_at - timedelta(seconds=1)
    ]
    assert times(due_on=date(2027, 6, 1)) == []


def test_nothing_at_or_before_the_opening():
    assert times(timedelta(0), -DAYS, DAYS) == [OPENED + DAYS]


def test_the_same_time_twice_is_one_reminder():
    # The deadline warning lands exactly on the 7-day reminder.
    seventh_day = (OPENED + 7 * DAYS).astimezone(ZoneInfo(NZ))
    due_on = seventh_day.date() + 3 * DAYS
    midnight = datetime.combine(due_on, datetime.min.time(), ZoneInfo(NZ))
    warning = midnight - (OPENED + 7 * DAYS)
    assert times(7 * DAYS, 7 * DAYS, due_on=due_on, warning=warning) == [OPENED + 7 * DAYS]


def test_a_due_date_already_past_gives_no_deadline_reminder():
    assert times(7 * DAYS, due_on=date(2026, 11, 1)) == [OPENED + 7 * DAYS]
    # Due in three days: its warning (a week before) is already past, so nothing for it.
    assert times(due_on=date(2026, 11, 28)) == []


def test_a_decided_checkpoint_is_not_reminded_of():
    assert times(7 * DAYS, due_on=date(2026, 12, 20), decided=True) == []


def test_the_opening_must_carry_its_time_zone():
    with pytest.raises(ValueError, match="timezone-aware"):
        times(7 * DAYS, opened=OPENED.replace(tzinfo=None))


_offsets = st.lists(st.timedeltas(min_value=-10 * DAYS, max_value=90 * DAYS), max_size=6).map(tuple)


@given(
    opened=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    expiry=st.timedeltas(min_value=timedelta(seconds=1), max_value=90 * DAYS),
    offsets=_offsets,
    due_on=st.none() | st.dates(min_value=date(2024, 12, 1), max_value=date(2031, 6, 1)),
    warning=st.timedeltas(min_value=timedelta(0), max_value=30 * DAYS),
    decided=st.booleans(),
)
def test_reminder_times_are_sorted_unique_and_inside_the_checkpoint(
    opened, expiry, offsets, due_on, warning, decided
):
    found = times(
        *offsets, due_on=due_on, expiry=expiry, warning=warning, decided=decided, opened=opened
    )
    assert all(earlier < later for earlier, later in pairwise(found))
    assert all(opened < moment < opened + expiry for moment in found)
    if decided:
        assert found == []
        return
    # And nothing is lost: every offset and the deadline warning inside the checkpoint are there.
    wanted = [opened + offset for offset in offsets]
    if due_on is not None:
        wanted.append(datetime.combine(due_on, datetime.min.time(), ZoneInfo(NZ)) - warning)
    assert found == sorted({moment for moment in wanted if opened < moment < opened + expiry})


# --- reminder_key and the Reminder model ---------------------------------------------------------


def test_a_reminder_key_names_the_event_kind_steps_and_count():
    key = reminder_key("birth-1", "reminder", ("register_birth", "best_start"), 2)
    assert key == "birth-1/reminder/register_birth,best_start/2"
    assert reminder_key("birth-1", "reminder", ("register_birth", "best_start"), 3) != key
    assert reminder_key("birth-1", "expired", ("register_birth", "best_start"), 2) != key


def test_a_key_for_every_step_of_the_longest_event_fits_the_agencies_limit():
    steps = [step.id for step in DEATH.steps]
    assert len(reminder_key(EVENT_ID, "invitation", steps, 99)) <= MAX_IDEMPOTENCY_KEY_LENGTH


def test_a_key_too_long_names_the_steps_by_a_digest():
    many = [f"step_number_{n:03d}" for n in range(30)]
    key = reminder_key(EVENT_ID, "reminder", many, 1)
    assert len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH
    assert key.startswith(f"{EVENT_ID}/reminder/") and key.endswith("/1")
    assert key == reminder_key(EVENT_ID, "reminder", many, 1)
    assert key != reminder_key(EVENT_ID, "reminder", many[:-1], 1)


def _reminder(**changes: Any) -> Reminder:
    fields: dict[str, Any] = {
        "event_id": EVENT_ID,
        "event_type": "death",
        "step_ids": ("notify_ird",),
        "kind": "reminder",
        "due_on": date(2026, 12, 20),
        "channel": "email",
        "to": "aroha@example.org",
        "idempotency_key": reminder_key(EVENT_ID, "reminder", ("notify_ird",), 1),
    }
    return Reminder.model_validate(fields | changes)


def test_a_reminder_crosses_temporal_unchanged():
    reminder = _reminder()
    converter = pydantic_data_converter.payload_converter
    (decoded,) = converter.from_payloads(converter.to_payloads([reminder]), [Reminder])
    assert decoded == reminder


@pytest.mark.parametrize(
    "changes",
    [{"step_ids": ()}, {"kind": "nudge"}, {"channel": "post"}, {"surprise": 1}],
)
def test_a_reminder_refuses_what_it_does_not_know(changes):
    with pytest.raises(ValidationError):
        _reminder(**changes)


def test_settings_give_each_event_reminders_an_expiry_and_a_deadline_warning():
    settings = Settings()
    for event in ("birth", "move", "death"):
        assert settings.reminders_after_for(event) == (7 * DAYS, 21 * DAYS)
        assert settings.consent_expiry_for(event) == 30 * DAYS
    assert settings.reminders_after_for("marriage") == ()
    assert settings.deadline_warning == 7 * DAYS
    assert "notify" in settings.agency_api_keys
    shorter = Settings(consent_expiry=5 * DAYS, consent_expiry_by_event={"death": 60 * DAYS})
    assert shorter.consent_expiry_for("birth") == 5 * DAYS
    assert shorter.consent_expiry_for("death") == 60 * DAYS


# --- contact_of ---------------------------------------------------------------------------------


def _without(dossier: dict[str, Any], person: str, *fields: str) -> dict[str, Any]:
    return dossier | {person: dossier[person] | dict.fromkeys(fields)}


def test_birth_reminders_go_by_email_when_the_parent_gave_one_else_by_text():
    dossier = sample_birth().model_dump(mode="json")
    assert contact_of(BIRTH, dossier) == ("sms", "(021) 123-4567")
    with_email = dossier | {"birth_parent": dossier["birth_parent"] | {"email": "hine@example.org"}}
    assert contact_of(BIRTH, with_email) == ("email", "hine@example.org")
    assert contact_of(BIRTH, _without(dossier, "birth_parent", "phone")) is None


def test_move_reminders_prefer_email_then_the_phone():
    dossier = sample_move().model_dump(mode="json")
    assert contact_of(MOVE, dossier) == ("email", "mere@example.org")
    assert contact_of(MOVE, _without(dossier, "mover", "email")) == ("sms", "+64215550142")
    assert contact_of(MOVE, _without(dossier, "mover", "email", "phone")) is None


def test_death_reminders_prefer_email_then_the_phone():
    dossier = sample_death().model_dump(mode="json")
    assert contact_of(DEATH, dossier) == ("email", "aroha@example.org")
    assert contact_of(DEATH, _without(dossier, "notifier", "email")) == ("sms", "+64275550100")
    # The notifier's phone is required at intake; a dossier without either still has no contact.
    assert contact_of(DEATH, _without(dossier, "notifier", "email", "phone")) is None


def test_a_blank_contact_counts_as_none():
    dossier = sample_move().model_dump(mode="json")
    blank = dossier | {"mover": dossier["mover"] | {"email": " ", "phone": ""}}
    assert contact_of(MOVE, blank) is None


def test_an_event_without_contact_paths_has_no_contact():
    no_paths = MOVE.model_copy(
        update={"contact": MOVE.contact.model_copy(update={"email": None, "phone": None})}
    )
    assert contact_of(no_paths, sample_move().model_dump(mode="json")) is None
