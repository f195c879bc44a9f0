"""The pure rules of the portal's twins pages: the API body for another baby (its own
details, the first event's shared parts, linked), what is shown from the first event, which
409 leads to the question, and every word the pages use exists in the message table."""

from datetime import date
from typing import Any

from onceonly.portal.client import ApiProblem
from onceonly.portal.forms import to_data
from onceonly.portal.routes_twins import (
    ANOTHER_CHILD_FORM,
    SIBLING_ORDER,
    another_child_form,
    existing_event,
    linked_data,
    shared_summary,
)
from onceonly.portal.text import EN, field_words
from onceonly.samples import birth_request_data, with_other_parent

FIRST = f"birth-{'a' * 32}"


def shared(data: dict[str, Any]) -> dict[str, Any]:
    """The API's shared-birth-data answer for `data`."""
    parts = ("birth_parent", "other_parent", "address", "health")
    return {
        "event_id": FIRST,
        "date_of_birth": data["child"]["date_of_birth"],
        "plurality": None,
        "birth_order": None,
        "data": {part: data[part] for part in parts if part in data},
    }


def test_another_baby_is_its_own_details_and_the_first_events_shared_parts_linked():
    first = birth_request_data(date(2026, 12, 7))
    entered = to_data(
        ANOTHER_CHILD_FORM,
        {
            "child.name.given_names": "Mere, Ana",
            "child.name.family_name": "Ngāta-Synthetic",
            "child.sex": "female",
            "child.place_of_birth": "Auckland City Hospital",
            "multiple_birth.plurality": "2",
            "multiple_birth.birth_order": "2",
        },
    )
    data = linked_data(entered, shared(first), FIRST)
    assert data["child"] == {
        "name": {"given_names": ["Mere", "Ana"], "family_name": "Ngāta-Synthetic"},
        "sex": "female",
        "place_of_birth": "Auckland City Hospital",
        "date_of_birth": first["child"]["date_of_birth"],
    }
    assert data["multiple_birth"] == {"plurality": 2, "birth_order": 2, "sibling_event_id": FIRST}
    for part in ("birth_parent", "address", "health"):
        assert data[part] == first[part]
    assert "other_parent" not in data


def test_what_the_first_event_gives_is_shown_in_words():
    rows = dict(shared_summary(shared(with_other_parent(birth_request_data(date(2026, 12, 7))))))
    assert rows["twins.another.birth_parent"] == "Hēni Ngāta-Synthetic"
    assert rows["twins.another.other_parent"] == "Tama Rawiri Synthetic"
    assert rows["twins.another.address"] == "1/21A Smith Street, Ponsonby, Auckland 1011"
    assert rows["twins.another.gp_practice"] == "Ponsonby Family Doctors"
    alone = dict(shared_summary(shared(birth_request_data(date(2026, 12, 7)))))
    assert "twins.another.other_parent" not in alone


def test_only_a_duplicate_births_409_leads_to_the_question():
    assert existing_event(ApiProblem(409, {"title": "x", "existing_event_id": FIRST})) == FIRST
    assert existing_event(ApiProblem(409, {"title": "Decision does not apply"})) is None
    hostile = ApiProblem(409, {"existing_event_id": "//evil.example/"})
    assert existing_event(hostile) is None  # never put in a link or a redirect
    assert existing_event(ApiProblem(409, {"existing_event_id": f"move-{'a' * 32}"})) is None


def test_the_first_babys_order_is_asked_only_where_its_event_does_not_say_it():
    first = shared(birth_request_data(date(2026, 12, 7)))
    assert another_child_form(first) == (*ANOTHER_CHILD_FORM, SIBLING_ORDER)
    assert another_child_form(first | {"plurality": 2, "birth_order": 1}) == ANOTHER_CHILD_FORM


def test_every_word_of_the_twins_pages_exists():
    ids = {fs.legend for fs in (*ANOTHER_CHILD_FORM, SIBLING_ORDER)}
    for fs in (*ANOTHER_CHILD_FORM, SIBLING_ORDER):
        for field in fs.fields:
            ids |= {field.label, *([field.hint] if field.hint else [])}
            ids |= {f"{field.label}.{choice}" for choice in field.choices}
    assert ids <= set(EN)
    assert field_words("multiple_birth.plurality") == "How many babies were born together"
