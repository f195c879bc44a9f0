"""The portal's pure rules, no browser needed: forms to the API's data and back, the API's
problems placed on inputs, where sign-in may lead, and the words it shows."""

from datetime import date

import pytest

from onceonly.portal.form_specs import BIRTH_FORM, DEATH_FORM
from onceonly.portal.forms import errors_by_input, form_paths, to_data, to_values
from onceonly.portal.pages import safe_next, when
from onceonly.portal.text import EN, field_words, state_words, text
from onceonly.samples import birth_request_data, death_request_data


def test_a_birth_goes_from_the_api_to_the_form_and_back_unchanged():
    data = birth_request_data(date(2026, 11, 25))
    assert to_data(BIRTH_FORM, to_values(BIRTH_FORM, data)) == data


def test_every_part_of_an_address_has_an_input_and_comes_back_unchanged():
    data = birth_request_data(date(2026, 11, 25))
    data["address"] = {
        "unit_type": "Suite", "unit": "4", "level_type": "Level", "level_number": "2",
        "building_name": "Vero Centre", "number": "48", "number_last": "50",
        "street": "Shortland Street", "suburb": "Auckland Central", "rural_delivery": 2,
        "city": "Auckland", "postcode": "1010",
    }  # fmt: skip
    assert to_data(BIRTH_FORM, to_values(BIRTH_FORM, data)) == data


def test_a_death_goes_from_the_api_to_the_form_and_back_but_for_the_default_po_box_kind():
    data = death_request_data(date(2026, 11, 25))
    back = to_data(DEATH_FORM, to_values(DEATH_FORM, data))
    assert data["notifier"]["postal_address"].pop("kind") == "PO Box"
    assert back == data


def test_ticked_boxes_are_yes_and_unticked_ones_no_unless_their_group_is_left_out():
    values = {"deceased.kainga_ora_tenant": "on", "funeral_grant.paid_by_notifier": ""}
    data = to_data(DEATH_FORM, values)
    assert data["deceased"]["kainga_ora_tenant"] is True
    assert "funeral_grant" not in data
    values["funeral_grant.funeral_director"] = "Northland Funeral Services"
    assert to_data(DEATH_FORM, values)["funeral_grant"] == {
        "funeral_director": "Northland Funeral Services",
        "paid_by_notifier": False,
    }


def test_blanks_are_left_out_names_split_and_numbers_typed():
    values = {path: "" for path in form_paths(BIRTH_FORM)}
    values |= {
        "child.name.given_names": " Aroha,Mere , Te Rangi,, ",
        "address.rural_delivery": "2",
        "address.postcode": "0112",
        "other_parent.name.family_name": "",
    }
    data = to_data(BIRTH_FORM, values)
    assert data == {
        "child": {"name": {"given_names": ["Aroha", "Mere", "Te Rangi"]}},
        "address": {"rural_delivery": 2, "postcode": "0112"},
    }


def test_the_other_parent_is_sent_once_any_of_their_details_is_given():
    data = to_data(BIRTH_FORM, {"other_parent.name.family_name": "Synthetic"})
    assert data["other_parent"] == {"name": {"family_name": "Synthetic"}}


def test_a_number_that_is_not_one_goes_as_typed_for_the_api_to_name_the_rule():
    assert to_data(BIRTH_FORM, {"address.rural_delivery": "RD2"})["address"] == {
        "rural_delivery": "RD2"
    }


def test_the_apis_problems_land_on_the_inputs_they_name():
    errors = [
        {"field": "data.child.name.given_names[0]", "rule": "must not be blank"},
        {"field": "data.address", "rule": "field required"},
        {"field": "prefill_id", "rule": "must be a prefill of yours"},
    ]
    by_input, summary = errors_by_input(BIRTH_FORM, errors)
    assert by_input == {
        "child.name.given_names": "must not be blank",
        "address.unit_type": "field required",
    }
    assert [error.target for error in summary] == [
        "child.name.given_names",
        "address.unit_type",
        None,
    ]


@pytest.mark.parametrize(
    ("asked", "goes"),
    [
        ("/events/birth-1", "/events/birth-1"),
        ("/invitations/accept?code=a.b.c", "/invitations/accept?code=a.b.c"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        (None, "/"),
    ],
)
def test_sign_in_only_leads_to_a_page_of_this_site(asked, goes):
    assert safe_next(asked) == goes


def test_times_read_as_people_read_them_in_the_services_timezone():
    assert when("2026-11-25T03:04:00+00:00", "Pacific/Auckland") == "25 November 2026, 4:04 pm"
    assert when("2027-01-20", "Pacific/Auckland") == "20 January 2027"
    assert when(None, "Pacific/Auckland") == ""


def test_words_fall_back_to_english_and_unknown_ids_fail_loudly():
    assert text("progress.status", lang="mi", status="Done") == "Status: Done"
    with pytest.raises(KeyError):
        text("no.such.message")
    assert state_words("completed") == "Done"
    assert state_words("confirmed_by_agency") == "Confirmed by agency"
    assert field_words("deceased.shoe_size") == "Deceased: shoe size"  # no words written yet


@pytest.mark.parametrize("form", [BIRTH_FORM, DEATH_FORM])
def test_every_form_word_exists(form):
    ids = {fs.legend for fs in form} | {fs.hint for fs in form if fs.hint}
    for fs in form:
        for field in fs.fields:
            ids |= {field.label, *([field.hint] if field.hint else [])}
            ids |= {f"{field.label}.{choice}" for choice in field.choices}
    assert ids <= set(EN)
