"""Correct once, the pure rules: which paths a correction may name, which agencies hold a
corrected field (a parent or child path counts), and a clear error naming the path and the
rule for a correction the event's data does not take."""

import argparse
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from onceonly.disclosures import DisclosureEntry
from onceonly.domain.amendments import CorrectionRecipient, correction_idempotency_key
from onceonly.domain.birth import BirthData
from onceonly.domain.catalogue import MOVE, LegalBasis
from onceonly.domain.corrections import (
    CorrectionError,
    CorrectionRequest,
    FieldCorrection,
    apply_corrections,
    recipients,
    related,
    touches,
)
from onceonly.domain.move import MoveData
from onceonly.domain.people import intake_context
from onceonly.domain.receipts import termination
from onceonly.ops import parse_assignment
from onceonly.samples import birth_request_data, move_request_data
from workflows.corrections import receipt_note

TODAY = date.today()
EVENT = f"move-{'a' * 32}"
T0 = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def move() -> dict[str, Any]:
    # As the API stores it: validated at intake (phone numbers in E.164).
    data = MoveData.model_validate(move_request_data(TODAY), context=intake_context(TODAY))
    return data.model_dump(mode="json")


def fix(path: str, value: Any) -> tuple[FieldCorrection]:
    return (FieldCorrection(path=path, value=value),)


def logged(step_id: str, fields: tuple[str, ...], key: str | None = None, minutes: int = 0):
    step = MOVE.step(step_id)
    return DisclosureEntry(
        citizen_key="c" * 64,
        event_id=EVENT,
        event_type="move",
        step_id=step_id,
        agency=step.agency,
        service=step.service,
        fields=fields,
        legal_basis=LegalBasis(kind="consent", reference="the mover's consent"),
        receipt_id=None,
        agency_reference=f"REF-{step_id}-{minutes}",
        disclosed_at=T0 + timedelta(minutes=minutes),
        idempotency_key=key or f"{EVENT}/{step_id}",
    )


@pytest.mark.parametrize(
    ("path", "other", "expected"),
    [
        ("child.name", "child.name", True),
        ("child.name.given_names", "child.name", True),  # a step that got the whole name
        ("child.name", "child.name.given_names", True),  # and the other way round
        ("child.names", "child.name", False),  # a prefix of the text is not a parent
        ("child.name", "child", True),
        ("child.date_of_birth", "child.name", False),
        ("new_address.unit", "previous_address.unit", False),
    ],
)
def test_paths_are_related_when_equal_or_one_holds_the_other(path, other, expected):
    assert related(path, other) is expected
    assert related(other, path) is expected


def test_a_step_is_touched_by_any_corrected_path_its_fields_hold():
    fields = MOVE.step("update_acc_address").fields
    assert touches(fields, ["new_address.unit"])
    assert touches(fields, ["mover.name.family_name"])
    assert not touches(fields, ["move_date", "previous_address"])


def test_recipients_are_exactly_the_steps_whose_log_entries_hold_a_corrected_field():
    entries = [
        logged("update_msd_address", MOVE.step("update_msd_address").fields, minutes=3),
        logged("update_ird_address", MOVE.step("update_ird_address").fields, minutes=2),
        logged("update_acc_address", MOVE.step("update_acc_address").fields, minutes=1),
    ]  # newest first, as the log answers
    found = recipients(entries, ["mover.phone"])
    assert [r.step_id for r in found] == ["update_acc_address", "update_msd_address"]
    assert found[0] == CorrectionRecipient(
        step_id="update_acc_address",
        agency="acc",
        service=MOVE.step("update_acc_address").service,
        reference="REF-update_acc_address-1",
    )
    assert recipients(entries, ["previous_address"]) == ()


def test_an_amendment_in_the_log_is_no_record_of_its_own_and_the_first_reference_wins():
    fields = MOVE.step("update_msd_address").fields
    amended = correction_idempotency_key(EVENT, "update_msd_address", 1)
    entries = [
        logged("update_msd_address", fields, key=amended, minutes=9),
        logged("update_msd_address", fields, minutes=1),
    ]
    [recipient] = recipients(entries, ["new_address.unit"])
    assert recipient.reference == "REF-update_msd_address-1"
    assert recipients(entries[:1], ["new_address.unit"]) == ()


def test_a_staff_view_in_the_log_is_no_record_of_its_own():
    # A view written before the step's own entry (as staff may view a submission's task before
    # its agency's reference exists) would otherwise win as the oldest.
    fields = MOVE.step("update_msd_address").fields
    view = logged("update_msd_address", fields, key="view/T-1/u", minutes=0)
    viewed = view.model_copy(update={"viewed_by": "jane.smith"})
    entries = [logged("update_msd_address", fields, minutes=1), viewed]
    [recipient] = recipients(entries, ["new_address.unit"])
    assert recipient.reference == "REF-update_msd_address-1"
    assert recipients([viewed], ["new_address.unit"]) == ()


def test_a_correction_changes_exactly_the_named_field_in_its_canonical_form():
    before = move()
    after = apply_corrections(before, fix("new_address.unit", "3B"), MoveData, today=TODAY)
    assert after["new_address"]["unit"] == "3B"
    assert {k: v for k, v in after.items() if k != "new_address"} == {
        k: v for k, v in before.items() if k != "new_address"
    }
    assert before["new_address"]["unit"] == "3"  # the input is not changed


def test_a_nested_name_can_be_corrected_part_by_part_or_whole():
    data = BirthData.model_validate(birth_request_data(TODAY)).model_dump(mode="json")
    corrected = apply_corrections(
        data, fix("child.name.given_names", ["Aroha", "Meri"]), BirthData, today=TODAY
    )
    assert corrected["child"]["name"]["given_names"] == ["Aroha", "Meri"]
    whole = {"given_names": ["Aroha"], "family_name": "Ngata-Synthetic"}
    corrected = apply_corrections(data, fix("child.name", whole), BirthData, today=TODAY)
    assert corrected["child"]["name"]["family_name"] == "Ngata-Synthetic"


@pytest.mark.parametrize(
    ("path", "value", "field", "rule"),
    [
        ("new_address.flat", "3", "new_address.flat", "is not a field of this event's data"),
        ("nickname", "Mere", "nickname", "is not a field of this event's data"),
        ("household.name", "x", "household.name", "is inside the list 'household'"),
        ("new_address.postcode", "not a postcode", "new_address.postcode", ""),
        ("mover.date_of_birth", "not a date", "mover.date_of_birth", ""),
        ("move_date", (TODAY + timedelta(days=800)).isoformat(), "move_date", "must be within"),
    ],
)
def test_a_correction_the_data_does_not_take_names_the_path_and_the_rule(path, value, field, rule):
    with pytest.raises(CorrectionError) as raised:
        apply_corrections(move(), fix(path, value), MoveData, today=TODAY)
    assert raised.value.field == field
    assert raised.value.rule.startswith(rule)
    assert raised.value.rule
    assert str(value) not in raised.value.rule  # the value is never quoted back


def test_a_fact_an_agency_issued_is_not_the_citizens_to_correct():
    data = BirthData.model_validate(birth_request_data(TODAY)).model_dump(mode="json")
    with pytest.raises(CorrectionError) as raised:
        apply_corrections(
            data,
            fix("child.birth_registration_number", "2026/1"),
            BirthData,
            issued={"child.birth_registration_number"},
        )
    assert raised.value.rule == "is issued by an agency, not given by you"


def test_a_rule_that_needs_today_binds_the_corrected_field():
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    with pytest.raises(CorrectionError) as raised:
        apply_corrections(move(), fix("mover.date_of_birth", tomorrow), MoveData, today=TODAY)
    assert raised.value.field == "mover.date_of_birth"


def test_an_untouched_field_that_was_recent_enough_at_intake_does_not_block_a_correction():
    data = move_request_data(TODAY)
    old = MoveData.model_validate(data).model_dump(mode="json")
    # Years later, a rule on today's distance may fail for the move date; the unit still fixes.
    later = TODAY + timedelta(days=3650)
    after = apply_corrections(old, fix("new_address.unit", "4"), MoveData, today=later)
    assert after["new_address"]["unit"] == "4"


def test_a_key_made_up_inside_a_value_is_not_echoed():
    address = {**move()["new_address"], "<b>x</b>": "1"}
    with pytest.raises(CorrectionError) as raised:
        apply_corrections(move(), fix("new_address", address), MoveData, today=TODAY)
    assert "<b>" not in raised.value.field
    assert raised.value.field == "new_address.(unknown field)"


def test_a_request_names_each_field_once_and_a_few_at_most():
    with pytest.raises(ValidationError, match="overlaps another corrected path"):
        CorrectionRequest(
            corrections=(*fix("child.name", {}), *fix("child.name.given_names", [])),
            reason="typo",
        )
    with pytest.raises(ValidationError):
        CorrectionRequest(corrections=(), reason="typo")
    with pytest.raises(ValidationError):
        CorrectionRequest(corrections=fix("a.b", 1) * 21, reason="typo")
    with pytest.raises(ValidationError):
        FieldCorrection(path="Address..unit", value="1")
    with pytest.raises(ValidationError):
        CorrectionRequest(corrections=fix("a", 1), reason="")


def test_the_receipt_names_the_corrected_fields_and_the_requester_never_values():
    assert receipt_note(("mover.phone",), "citizen") == "Corrected at your request: mover.phone."
    assert receipt_note(("a", "b.c"), "operator") == "Corrected at an operator's request: a, b.c."
    consent_step = MOVE.step("update_ird_address")
    assert termination(consent_step, "correct").startswith("unchanged by this correction")


@pytest.mark.parametrize(
    ("text", "path", "value"),
    [
        ("address.unit=3B", "address.unit", "3B"),
        ("address.unit=", "address.unit", ""),
        ('mover.name.given_names:=["Mere"]', "mover.name.given_names", ["Mere"]),
        ("address.unit:=null", "address.unit", None),
        ("note=a=b", "note", "a=b"),  # only the first = splits
    ],
)
def test_an_operator_sets_a_text_or_json_value(text, path, value):
    assert parse_assignment(text) == FieldCorrection(path=path, value=value)


@pytest.mark.parametrize("text", ["address.unit", "Address.unit=3", "address.unit:={bad", "=3"])
def test_an_operator_assignment_that_cannot_be_read_says_so_without_echoing(text):
    with pytest.raises(argparse.ArgumentTypeError) as raised:
        parse_assignment(text)
    # Plain words about the form; neither the path nor the value is quoted back.
    assert str(raised.value) in {
        "must be path=text or path:=json",
        "the path must be a dotted field name and a := value JSON",
    }
