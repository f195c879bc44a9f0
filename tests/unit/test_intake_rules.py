"""What intake accepts and refuses, as the API answers it: phone numbers (phonenumbers, E.164),
email addresses (email-validator), names by the agencies' rule, and a birth's date plausible
for a new baby. Each refusal names the field and the rule, never the value; stored dossiers
(no intake context) still decode as they were written, so recorded events replay."""

from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from onceonly.api.problems import from_validation_error
from onceonly.domain.birth import BirthData, registration_deadline_days
from onceonly.domain.catalogue import BIRTH
from onceonly.domain.contact import PHONE_RULE, e164_phone
from onceonly.domain.death import DeathData, ServiceNumber
from onceonly.domain.move import MoveData
from onceonly.domain.people import AGENCY_NAME_RULE, PersonName, intake_context
from onceonly.samples import birth_request_data, death_request_data, move_request_data

TODAY = date(2026, 12, 7)


def _refusals(model: Any, data: dict[str, Any]) -> set[tuple[str, str]]:
    with pytest.raises(ValidationError) as error:
        model.model_validate(data, context=intake_context(TODAY))
    problem = from_validation_error(error.value, ("data",)).problem
    return {(e.field, e.rule) for e in problem.errors}


def _birth(**parent: Any) -> dict[str, Any]:
    data = birth_request_data(TODAY)
    data["birth_parent"] |= parent
    return data


# --- phone numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("+64 21 123 4567", "+64211234567"),
        ("021 123 4567", "+64211234567"),
        ("(021) 123-4567", "+64211234567"),
        ("04 555 0123", "+6445550123"),
        ("0800 123 456", "+64800123456"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+1 650 253 0000", "+16502530000"),
        ("+64211234567", "+64211234567"),  # E.164 stays as it is
    ],
)
def test_phones_are_stored_in_e164(written, e164):
    assert e164_phone(written) == e164
    data = BirthData.model_validate(_birth(phone=written), context=intake_context(TODAY))
    assert data.birth_parent.phone == e164


@pytest.mark.parametrize(
    "junk",
    [
        "------",
        "()",
        "123456",
        "+64",
        "021",
        "+64 21 123 4567 ext 2",
        "021 123 4567 8901 2345",
        "not a phone",
        "+999 123 4567",
        "0000000000",
    ],
)
def test_junk_phones_are_refused_naming_the_field_and_the_rule(junk):
    assert _refusals(BirthData, _birth(phone=junk)) == {("data.birth_parent.phone", PHONE_RULE)}


def test_a_movers_and_a_notifiers_phone_are_refused_on_their_own_fields():
    move = move_request_data(TODAY)
    move["mover"]["phone"] = "------"
    assert _refusals(MoveData, move) == {("data.mover.phone", PHONE_RULE)}
    death = death_request_data(TODAY)
    death["notifier"]["phone"] = "------"
    assert _refusals(DeathData, death) == {("data.notifier.phone", PHONE_RULE)}


def test_a_stored_dossier_keeps_the_phone_as_it_was_written():
    # An event started before intake normalised phones still decodes (and so replays).
    stored = BirthData.model_validate(_birth(phone="(09) 123-4567"))
    assert stored.birth_parent.phone == "(09) 123-4567"
    with pytest.raises(ValidationError):
        BirthData.model_validate(_birth(phone="------"), context=intake_context(TODAY))


# --- email addresses -------------------------------------------------------------------------


def test_an_email_domain_is_normalised_at_intake():
    data = BirthData.model_validate(
        _birth(email="Hēni.Ngata@EXAMPLE.org".replace("ē", "e")), context=intake_context(TODAY)
    )
    assert data.birth_parent.email == "Heni.Ngata@example.org"


def test_an_internationalised_domain_is_stored_as_ascii_and_reads_back():
    # email-validator's normalised form writes the domain in Unicode ("0@a.慈善"), which the
    # stored dossier's pattern and the agencies' formats refuse: intake keeps the ASCII form.
    written = _birth(email="Heni@A.XN--30RR7Y")
    data = BirthData.model_validate(written, context=intake_context(TODAY))
    assert data.birth_parent.email == "Heni@a.xn--30rr7y"
    assert BirthData.model_validate(data.model_dump(mode="json")) == data


@pytest.mark.parametrize(
    "email",
    [
        "heni@example.test",
        "heni@localhost",
        "heni@example.invalid",
        f"heni@{'e' * 64}.org",
        "heni@@example.org",
        "heni@example..org",
        "<b>@example.org",
        "heni@-example.org",
    ],
)
def test_emails_that_mail_cannot_reach_are_refused_naming_the_field(email):
    [(field, rule)] = _refusals(BirthData, _birth(email=email))
    assert field == "data.birth_parent.email"
    assert email not in rule


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Ngāta-Synthetic",
        "O'Brien",
        "O\u2019Brien",
        "Te Rangi",
        "Ōtaki",
        "a\u0304nahera",
        "Zoë",
        "Nguyễn",
        "Σοφία",
        "Мария",
        "王秀英",
        "\u02bbAkilisi",
    ],
)
def test_names_the_agencies_hold_are_accepted(name):
    data = birth_request_data(TODAY)
    data["child"]["name"] = {"given_names": [name], "family_name": name}
    accepted = BirthData.model_validate(data, context=intake_context(TODAY))
    assert accepted.child.name.family_name == name


@pytest.mark.parametrize(
    "name",
    [
        "St. John",
        "Ngāta--Synthetic",
        "Te  Rangi",
        "-Aroha",
        "O'",
        "Aroha '",
        "Mary-'Ann",
        "प्रिया",
        "ก\u0e34\u0e48ง",
    ],  # combining marks beyond the accents: BDM's format refuses them
)
def test_a_childs_family_name_bdm_refuses_is_refused_at_intake(name):
    data = birth_request_data(TODAY)
    data["child"]["name"]["family_name"] = name
    assert _refusals(BirthData, data) == {("data.child.name.family_name", AGENCY_NAME_RULE)}


def test_names_longer_than_agencies_hold_are_refused():
    data = birth_request_data(TODAY)
    data["child"]["name"]["family_name"] = "ā" * 101
    assert _refusals(BirthData, data) == {
        ("data.child.name.family_name", "must be at most 100 characters, as agencies hold names")
    }
    data = birth_request_data(TODAY)
    data["child"]["name"]["given_names"] = ["Aroha" * 10, "Mere" * 13]  # 50 + 1 + 52
    [(field, rule)] = _refusals(BirthData, data)
    assert (field, rule.split(":")[0]) == ("data.child.name", "given_names")
    data = birth_request_data(TODAY)
    data["child"]["name"] = {"given_names": ["Aroha" * 19, "Mere"], "family_name": "Ngāta" * 20}
    [(field, rule)] = _refusals(BirthData, data)
    assert field == "data.child.name"
    assert "'FAMILY NAME, Given Names'" in rule


def test_stored_names_decode_as_they_were_written():
    assert PersonName(given_names=["St. John"], family_name="Ngāta").given_names == ["St. John"]


# --- a birth's date --------------------------------------------------------------------------


def _born(days_ago: int, **child: Any) -> dict[str, Any]:
    data = birth_request_data(TODAY)
    data["child"] |= {"date_of_birth": (TODAY - timedelta(days=days_ago)).isoformat(), **child}
    return data


def test_the_birth_deadline_is_the_catalogues():
    deadline = BIRTH.step("register_birth").deadline
    assert deadline is not None
    assert registration_deadline_days() == deadline.within_days == 62


@pytest.mark.parametrize("days_ago", [0, 7, 62])
def test_a_birth_within_bdms_deadline_is_registered_on_time(days_ago):
    data = BirthData.model_validate(_born(days_ago), context=intake_context(TODAY))
    assert data.child.late_registration is False


@pytest.mark.parametrize("days_ago", [63, 200, 365])
def test_a_birth_past_bdms_deadline_is_refused_unless_flagged_late(days_ago):
    [(field, rule)] = _refusals(BirthData, _born(days_ago))
    assert field == "data.child"
    assert rule.startswith("date_of_birth: more than 62 days ago, past BDM's deadline")
    flagged = _born(days_ago, late_registration=True)
    data = BirthData.model_validate(flagged, context=intake_context(TODAY))
    assert data.child.late_registration is True


@pytest.mark.parametrize("born", ["1900-01-01", "2025-12-06", "2000-02-29"])
def test_a_birth_more_than_a_year_ago_is_not_a_new_baby(born):
    data = birth_request_data(TODAY)
    data["child"] |= {"date_of_birth": born, "late_registration": True}
    [(field, rule)] = _refusals(BirthData, data)
    assert field == "data.child.date_of_birth"
    assert rule.startswith("must be within a year of today")


def test_a_stored_birth_decodes_whatever_its_age():
    # Workflow code decodes the dossier with no "today": an event outlives the window.
    stored = BirthData.model_validate(_born(400))
    assert stored.child.late_registration is False


@pytest.mark.parametrize(
    ("model", "data", "part", "field"),
    [
        (BirthData, birth_request_data(TODAY), "child", "place_of_birth"),
        (DeathData, death_request_data(TODAY), "deceased", "place_of_death"),
    ],
)
def test_a_place_longer_than_bdm_holds_is_refused_at_intake(model, data, part, field):
    data[part][field] = "Whangārei Hospital " * 6  # 114 characters
    assert _refusals(model, data) == {
        (f"data.{part}.{field}", "must be at most 100 characters, as BDM holds it")
    }


def test_a_dog_and_a_funeral_director_longer_than_their_agencies_hold_are_refused():
    move = move_request_data(TODAY)
    move["dogs"][0] |= {"name": "Pātiki" * 9, "breed": "Huntaway" * 8}
    assert _refusals(MoveData, move) == {
        ("data.dogs[0].name", "must be at most 50 characters, as the council holds it"),
        ("data.dogs[0].breed", "must be at most 60 characters, as the council holds it"),
    }
    death = death_request_data(TODAY)
    death["funeral_grant"]["funeral_director"] = "Synthetic Funerals " * 6
    assert _refusals(DeathData, death) == {
        ("data.funeral_grant.funeral_director", "must be at most 100 characters, as MSD holds it")
    }


@pytest.mark.parametrize("typed", ["s329143", " S329143 ", "\t\x0bs329143\r"])
def test_a_service_number_in_either_case_and_spaced_is_taken_upper_cased(typed):
    # The OpenAPI document's pattern allows a lower-case letter: so must the intake (found by
    # the fuzz test: pydantic matches the pattern before it upper-cases).
    assert TypeAdapter(ServiceNumber).validate_python(typed) == "S329143"
