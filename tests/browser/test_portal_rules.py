"""The portal's pure rules, no browser needed: where sign-in may lead, and the words it shows
(the question pages' rules are test_journey_rules)."""

import pytest

from onceonly.portal.pages import safe_next, when
from onceonly.portal.text import field_words, state_words, text


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
    # A message te reo Māori has no words for yet (`onceonly dev translations` lists it).
    assert text("checkpoint.decided", lang="mi", state="Done") == (
        "You have answered this step: Done."
    )
    with pytest.raises(KeyError):
        text("no.such.message")
    assert state_words("completed") == "Done"
    assert state_words("confirmed_by_agency") == "Confirmed by agency"
    assert field_words("deceased.date_of_death") == "Their date of death"
    assert field_words("pets.date_of_birth") == "Pets: date of birth"  # no words yet: readable
    assert field_words("deceased.shoe_size") == "Deceased: shoe size"  # no words written yet
