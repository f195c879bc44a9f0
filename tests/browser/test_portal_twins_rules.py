"""The pure rules of the portal's twins pages: the API body for another baby (its own
details, the first event's shared parts, linked), what is shown from the first event, which
409 leads to the question, and every word the pages use exists in the message table."""

from datetime import date
from typing import Any

from onceonly.portal.client import ApiProblem
from onceonly.portal.routes_twins import (
    FIRST_BABY,
    THE_BIRTH,
    THIS_BABY,
    another_child_groups,
    asks_in,
    entered_data,
    existing_event,
    linked_data,
    on_page,
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
    entered = entered_data(
        asks_in((THIS_BABY, THE_BIRTH)),
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


def test_a_name_left_blank_is_named_part_by_part():
    entered = entered_data(asks_in((THIS_BABY,)), {"child.name.known_as": "", "child.sex": "male"})
    assert entered["child"] == {"name": {}, "sex": "male"}  # so the API names each missing part
    assert entered_data(asks_in((THIS_BABY,)), {})["child"] == {"name": {}}


def test_the_apis_errors_land_on_the_pages_inputs_and_the_rest_is_said_apart():
    asks = asks_in((THIS_BABY, THE_BIRTH))
    placed, others = on_page(
        [
            {"field": "data.child.name.given_names[0]", "rule": "must not be blank"},
            {"field": "data.multiple_birth.birth_order", "rule": "must be at most plurality"},
            {"field": "data.child.sex", "rule": "required"},
            {"field": "data.address", "rule": "must be the sibling event's"},
        ],
        asks,
    )
    assert placed == {
        "child.name.given_names": "must not be blank",
        "multiple_birth.birth_order": "must be at most plurality",
        "child.sex": "required",
    }
    assert others == [("address", "must be the sibling event's")]


def test_the_first_babys_order_is_asked_only_where_its_event_does_not_say_it():
    first = shared(birth_request_data(date(2026, 12, 7)))
    assert another_child_groups(first) == (THIS_BABY, THE_BIRTH, FIRST_BABY)
    assert another_child_groups(first | {"plurality": 2, "birth_order": 1}) == (
        THIS_BABY,
        THE_BIRTH,
    )


def test_every_word_of_the_twins_pages_exists():
    groups = (THIS_BABY, THE_BIRTH, FIRST_BABY)
    ids = {legend for legend, _asks in groups}
    for ask in asks_in(groups):
        ids |= {ask.label, *([ask.hint] if ask.hint else [])}
        ids |= {f"{ask.label}.{choice}" for choice in ask.choices}
    assert ids <= set(EN)
    assert field_words("multiple_birth.plurality") == "How many babies were born together"
