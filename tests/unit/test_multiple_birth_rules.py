"""The identity rule that tells a birth told twice, and the intake rules of a multiple birth
(twins are two events, linked): plurality and birth order agree, a linked child is of the
same birth as its sibling event's. Every refusal names its field and rule."""

import copy
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from onceonly.api.problems import field_errors
from onceonly.domain.birth import BirthData
from onceonly.domain.multiple_birth import (
    birth_fingerprint,
    birth_identity,
    normalised_name,
    shared_part_refusals,
    sibling_link,
    sibling_refusals,
)
from onceonly.domain.people import intake_context
from onceonly.samples import birth_request_data

SECRET = "test-citizen-key-secret"
CITIZEN = "c" * 32
SIBLING = f"birth-{'a' * 32}"


def canonical(data: dict[str, Any]) -> dict[str, Any]:
    """The data as the API keeps it (validated at intake, canonical JSON)."""
    valid = BirthData.model_validate(data, context=intake_context(date.today()))
    return valid.model_dump(mode="json")


def refusals(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as refused:
        BirthData.model_validate(data, context=intake_context(date.today()))
    return [(e.field, e.rule) for e in field_errors(refused.value.errors(), ("data",))]


def twin(birth: dict[str, Any], **multiple: Any) -> dict[str, Any]:
    second = copy.deepcopy(birth)
    second["child"]["name"] = {"given_names": ["Mere"], "family_name": "Ngāta-Synthetic"}
    second["multiple_birth"] = {"plurality": 2, "birth_order": 2, **multiple}
    return second


@pytest.fixture
def birth() -> dict[str, Any]:
    return birth_request_data(date.today())


def test_names_compare_as_people_type_them():
    assert normalised_name(["Hēni", "Te  Rangi"], "Ngāta-Synthetic") == normalised_name(
        ["heni", "te rangi"], "NGATA SYNTHETIC"
    )
    assert normalised_name(["Mārama"], "O\u2019Brien") == normalised_name(["MARAMA"], "o'brien")
    assert normalised_name(["Mārama"], "Te Aho") != normalised_name(["Marama"], "Te Ahu")
    # Given and family names stay apart: moving a word from one to the other is another name.
    assert normalised_name(["Te", "Rangi"], "Smith") != normalised_name(["Te"], "Rangi Smith")


def test_the_same_birth_respelt_is_the_same_birth(birth):
    respelt = copy.deepcopy(birth)
    respelt["child"]["name"] = {"given_names": ["Arohanui"], "family_name": "Ngata"}
    respelt["child"]["sex"] = "indeterminate"
    respelt["birth_parent"]["name"] = {"given_names": ["HENI"], "family_name": "ngata synthetic"}
    respelt["address"]["street"] = "Jervois Road"
    first, again = canonical(birth), canonical(respelt)
    assert birth_fingerprint(SECRET, CITIZEN, first) == birth_fingerprint(SECRET, CITIZEN, again)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("child", "date_of_birth"), "2026-12-01"),
        (("birth_parent", "date_of_birth"), "1994-03-15"),
        (("birth_parent", "name"), {"given_names": ["Hēni"], "family_name": "Parata"}),
    ],
)
def test_another_day_or_another_birth_parent_is_another_birth(birth, path, value):
    other = copy.deepcopy(birth)
    other[path[0]][path[1]] = value
    first = birth_fingerprint(SECRET, CITIZEN, canonical(birth))
    assert first != birth_fingerprint(SECRET, CITIZEN, canonical(other))


def test_the_fingerprint_is_keyed_per_citizen_and_secret_and_holds_no_name(birth):
    dossier = canonical(birth)
    mine = birth_fingerprint(SECRET, CITIZEN, dossier)
    assert mine != birth_fingerprint(SECRET, "d" * 32, dossier)
    assert mine != birth_fingerprint("another-secret", CITIZEN, dossier)
    assert len(mine) == 64 and int(mine, 16) >= 0
    assert "heni" in birth_identity(dossier) and "heni" not in mine


def test_a_linked_twin_is_told_apart_by_its_birth_order(birth):
    first = birth_fingerprint(SECRET, CITIZEN, canonical(birth))
    second = canonical(twin(birth, sibling_event_id=SIBLING))
    third = canonical(twin(birth, sibling_event_id=SIBLING, plurality=3, birth_order=3))
    prints = {first, *(birth_fingerprint(SECRET, CITIZEN, d) for d in (second, third))}
    assert len(prints) == 3
    # Unlinked, a child with a multiple-birth block is the birth itself: caught as a repeat.
    unlinked = canonical(twin(birth))
    assert birth_fingerprint(SECRET, CITIZEN, unlinked) == first


@pytest.mark.parametrize(
    ("multiple", "field", "rule"),
    [
        ({"plurality": 1, "birth_order": 1}, "data.multiple_birth.plurality", "greater than or"),
        ({"plurality": 10, "birth_order": 1}, "data.multiple_birth.plurality", "less than or"),
        ({"plurality": 2, "birth_order": 3}, "data.multiple_birth.birth_order", "at most plural"),
        ({"plurality": 2, "birth_order": 0}, "data.multiple_birth.birth_order", "greater than"),
        ({"plurality": 2}, "data.multiple_birth.birth_order", "is required"),
        ({"birth_order": 1}, "data.multiple_birth.plurality", "is required"),
        (
            {"plurality": 2, "birth_order": 1, "sibling_event_id": "move-" + "a" * 32},
            "data.multiple_birth.sibling_event_id",
            "should match pattern",
        ),
        (
            {"plurality": 3, "birth_order": 1, "sibling_birth_order": 2},
            "data.multiple_birth.sibling_birth_order",
            "unless sibling_event_id is given",
        ),
        (
            {
                "plurality": 3,
                "birth_order": 2,
                "sibling_event_id": SIBLING,
                "sibling_birth_order": 2,
            },
            "data.multiple_birth.sibling_birth_order",
            "must differ from birth_order",
        ),
        (
            {
                "plurality": 3,
                "birth_order": 2,
                "sibling_event_id": SIBLING,
                "sibling_birth_order": 4,
            },
            "data.multiple_birth.sibling_birth_order",
            "at most plurality",
        ),
        (
            {"plurality": 2, "birth_order": 1, "twins": True},
            "data.multiple_birth.twins",
            "is not a field of this form",
        ),
    ],
)
def test_plurality_and_birth_order_must_agree(birth, multiple, field, rule):
    [(refused_field, refused_rule)] = refusals({**birth, "multiple_birth": multiple})
    assert refused_field == field
    assert rule.casefold() in refused_rule.casefold()


def test_a_linked_twin_of_the_same_birth_passes(birth):
    first = canonical({**birth, "multiple_birth": {"plurality": 2, "birth_order": 1}})
    second = canonical(twin(birth, sibling_event_id=SIBLING))
    assert shared_part_refusals(second, first) == []
    assert sibling_refusals(second, first) == []
    # The sibling told as a single birth (the twin came as a surprise to the form): no block.
    assert sibling_refusals(second, canonical(birth)) == []


def test_a_linked_twin_must_be_of_the_same_birth(birth):
    first = canonical({**birth, "multiple_birth": {"plurality": 3, "birth_order": 2}})
    other = twin(birth, sibling_event_id=SIBLING)
    other["child"]["date_of_birth"] = "2026-12-01"
    assert [field for field, _ in sibling_refusals(canonical(other), first)] == [
        "data.child.date_of_birth",
        "data.multiple_birth.plurality",
        "data.multiple_birth.birth_order",
    ]
    rules = dict(sibling_refusals(canonical(other), first))
    assert rules["data.multiple_birth.birth_order"] == (
        "must differ from the sibling event's birth order"
    )


def test_a_linked_twin_shares_the_parents_address_and_health_choices(birth):
    first = canonical(birth)
    moved = twin(birth, sibling_event_id=SIBLING)
    moved["address"]["street"] = "Jervois Road"
    moved["other_parent"] = {
        "name": {"given_names": ["Tama"], "family_name": "Synthetic"},
        "date_of_birth": "1992-08-02",
    }
    refused = shared_part_refusals(canonical(moved), first)
    assert [field for field, _ in refused] == ["data.other_parent", "data.address"]
    assert all("must be the sibling event's" in rule for _, rule in refused)


def test_a_sibling_started_as_a_single_birth_is_linked_back_with_its_order(birth):
    first = canonical(birth)
    twin_two = canonical(twin(birth, sibling_event_id=SIBLING))
    new_id = f"birth-{'b' * 32}"
    # Twins: the other order is the sibling's.
    assert sibling_link(twin_two, first, new_id) == {
        "plurality": 2,
        "birth_order": 1,
        "sibling_event_id": new_id,
    }
    # Triplets: the sibling's order must be told, and is then used.
    triplet = canonical(twin(birth, sibling_event_id=SIBLING, plurality=3, birth_order=3))
    assert sibling_refusals(triplet, first) == [
        (
            "data.multiple_birth.sibling_birth_order",
            "is required: the sibling event does not say which of the babies it is",
        )
    ]
    told = canonical(
        twin(birth, sibling_event_id=SIBLING, plurality=3, birth_order=3, sibling_birth_order=2)
    )
    assert sibling_refusals(told, first) == []
    assert sibling_link(told, first, new_id) == {
        "plurality": 3,
        "birth_order": 2,
        "sibling_event_id": new_id,
    }
    # A sibling that says it already is not changed; what is told of it must agree.
    said = canonical({**birth, "multiple_birth": {"plurality": 3, "birth_order": 1}})
    assert sibling_link(told, said, new_id) is None
    assert sibling_refusals(told, said) == [
        ("data.multiple_birth.sibling_birth_order", "must be the sibling event's birth order")
    ]
    assert sibling_link(first, first, new_id) is None  # not linked at all
