"""The question pages' pure rules, no browser needed: answers to the API's data and back, every
blank page naming exactly the inputs the data model requires (never an optional one), dates
from three inputs, errors placed on the inputs they concern, lists, a prefilled address
replaced whole, and every word the pages use present in the message table."""

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from onceonly.domain.birth import registration_deadline_days
from onceonly.domain.catalogue import CATALOGUE
from onceonly.portal.journey_rules import (
    asks_of,
    check,
    flatten,
    item_count,
    linear_pages,
    next_slug,
    place,
    read_date,
    read_page,
    remove_item,
    required,
    to_data,
)
from onceonly.portal.journey_views import address_lines, sections
from onceonly.portal.journeys import BIRTH, DEATH, JOURNEYS, MOVE
from onceonly.portal.journeys.questions import Journey, ListPage, Question
from onceonly.portal.routes_journey import with_prefill, with_values
from onceonly.portal.text import EN, FIELD_WORDS, text
from onceonly.portal.text_forms import plain_rule
from onceonly.samples import birth_request_data, death_request_data, move_request_data

TODAY = date(2026, 11, 25)
RURAL = {
    "number": "722",
    "street": "Church Street",
    "suburb": "Kaiwaka",
    "rural_delivery": 2,
    "city": "Kaiwaka",
    "postcode": "0573",
}


def example_answers(event_type: str) -> dict[str, str]:
    data = {"birth": birth_request_data, "move": move_request_data, "death": death_request_data}[
        event_type
    ](TODAY)
    answers = flatten(data)
    answers |= {
        gate: "yes" if part in data else "no" for part, gate in JOURNEYS[event_type].gates.items()
    }
    if event_type == "death":
        answers["_postal_kind"] = answers.pop("notifier.postal_address.kind")
    return answers


@pytest.mark.parametrize(
    ("journey", "make"),
    [(BIRTH, birth_request_data), (MOVE, move_request_data), (DEATH, death_request_data)],
)
def test_an_events_data_goes_to_answers_and_back_unchanged_and_passes_the_model(journey, make):
    answers = example_answers(journey.event_type)
    assert to_data(journey, answers) == make(TODAY)
    assert check(journey, answers, TODAY) == []


def test_every_part_of_an_address_has_an_input_and_comes_back_unchanged():
    address = {
        "unit_type": "Suite",
        "unit": "4",
        "level_type": "Level",
        "level_number": "2",
        "building_name": "Vero Centre",
        "number": "48",
        "number_last": "50",
        "street": "Shortland Street",
        "suburb": "Auckland Central",
        "rural_delivery": 2,
        "city": "Auckland",
        "postcode": "1010",
    }
    page = BIRTH.page("address")
    assert isinstance(page, Question)
    assert {ask.path for ask in page.asks} == {f"address.{part}" for part in address}
    answers = example_answers("birth") | flatten({"address": address})
    assert to_data(BIRTH, answers)["address"] == address


def _pages(journey: Journey) -> Iterator[Question]:
    for page in journey.pages:
        if isinstance(page, Question):
            yield page


def question(journey: Journey, slug: str) -> Question:
    page = journey.page(slug)
    assert isinstance(page, Question)
    return page


@pytest.mark.parametrize("journey", [BIRTH, MOVE, DEATH], ids=lambda j: j.event_type)
def test_a_blank_page_names_every_required_input_and_never_an_optional_one(journey):
    # Every gate open and every kind of postal address asked, so every page is reached.
    answers = {"_other_parent": "yes", "_funeral_grant": "yes"}
    for kind in ("street", "PO Box"):
        shown = {**answers, "_postal_kind": kind}
        for page in _pages(journey):
            n = 0 if page.item_of else None
            asks = asks_of(page, n, shown, TODAY)
            if (page.shown is not None and not page.shown(shown, TODAY)) or not asks:
                continue
            if asks[0].path.startswith("_"):
                continue  # the portal's own yes/no, checked by read_page
            group = page.group.replace("{n}", "0") if page.group else None
            parents = [
                a.path.rsplit(".", 1)[0] for a in asks if "." in a.path and required(journey, a)
            ]
            errors = place(
                check(journey, shown, TODAY, [*([group] if group else []), *parents]),
                [a.path for a in asks],
                group,
            )
            # A part only a rule of the whole requires is named by read_page (the PO Box's number).
            wanted = {a.path for a in asks if required(journey, a) and a.required is None}
            assert set(errors) == wanted, page.slug
            assert all(rule == "is required" for rule in errors.values()), page.slug


def test_optional_inputs_are_those_the_model_leaves_optional():
    contact = BIRTH.page("your-contact")
    assert isinstance(contact, Question)
    assert [required(BIRTH, ask) for ask in contact.asks] == [False, False, False]
    address = {
        ask.path: required(BIRTH, ask)
        for ask in asks_of(question(BIRTH, "address"), None, {}, TODAY)
    }
    assert [path for path, needed in address.items() if needed] == [
        "address.number",
        "address.street",
        "address.city",
        "address.postcode",
    ]


@pytest.mark.parametrize(
    ("parts", "read"),
    [
        (("", "", ""), ("", None)),
        (("7", "3", "2026"), ("2026-03-07", None)),
        (("31", "2", "2026"), ("", "rule.real_date")),
        (("7", "", "2026"), ("", "rule.date_parts")),
        (("7", "3", "26"), ("", "rule.real_date")),
        (("seven", "3", "2026"), ("", "rule.real_date")),
    ],
)
def test_a_date_is_read_from_day_month_and_year(parts, read):
    assert read_date(*parts) == read


def test_a_rule_naming_a_part_lands_on_that_part_and_a_wrong_date_on_its_input():
    answers = example_answers("birth") | {"address.unit_type": "Flat", "address.unit": ""}
    del answers["address.unit"]
    paths = [ask.path for ask in asks_of(question(BIRTH, "address"), None, answers, TODAY)]
    assert place(check(BIRTH, answers, TODAY), paths, "address") == {
        "address.unit": "required with unit_type (the Flat of 'Flat 2' needs its 2)"
    }
    died = example_answers("death") | {"deceased.date_of_death": "1930-01-01"}
    errors = place(
        check(DEATH, died, TODAY), ["deceased.date_of_birth", "deceased.date_of_death"], "deceased"
    )
    assert errors == {"deceased.date_of_death": "must not be before date_of_birth"}
    assert plain_rule(errors["deceased.date_of_death"]) == "must not be before the date of birth"


def test_a_birth_past_the_deadline_asks_whether_it_is_registered_late():
    late = (TODAY - timedelta(days=registration_deadline_days() + 1)).isoformat()
    answers = example_answers("birth") | {"child.date_of_birth": late}
    shown = [page.slug for page in linear_pages(BIRTH, answers, TODAY)]
    assert "late-registration" in shown
    errors = place(check(BIRTH, answers, TODAY, ["child"]), ["child.late_registration"], "child")
    assert "tick the box to register it late" in plain_rule(errors["child.late_registration"])
    answers["child.late_registration"] = "on"
    assert check(BIRTH, answers, TODAY) == []


def test_answering_no_leaves_a_part_out_and_skips_its_pages():
    answers = example_answers("birth") | {
        "_other_parent": "yes",
        "other_parent.name.family_name": "X",
    }
    assert next_slug(BIRTH, answers, TODAY, "other-parent") == "other-parent-name"
    answers = with_values(BIRTH, answers, {"_other_parent": "no"})
    assert "other_parent.name.family_name" not in answers
    assert next_slug(BIRTH, answers, TODAY, "other-parent") == "address"
    assert "other_parent" not in to_data(BIRTH, answers)


def test_a_prefilled_address_not_kept_is_dropped_whole_leaving_no_rd_or_suburb_behind():
    draft = {
        "data": {"address": RURAL, "birth_parent": {"ird_number": "049091850"}},
        "filled": [
            {"path": "address", "source": "addresses"},
            {"path": "birth_parent.ird_number", "source": "ird"},
        ],
    }
    answers = with_prefill(example_answers("birth"), draft)
    assert address_lines(answers, "address") == [
        "722 Church Street",
        "Kaiwaka",
        "RD 2",
        "Kaiwaka 0573",
    ]
    assert "address.unit" not in answers  # the sample's unit is gone with the address it was in
    assert "address-found" in [p.slug for p in linear_pages(BIRTH, answers, TODAY)]
    answers = with_values(BIRTH, answers, {"_address_kept": "no"})
    assert next_slug(BIRTH, answers, TODAY, "address-found") == "address"
    assert not [key for key in answers if key.startswith("address.")]
    assert "_prefilled.address" not in answers
    new = {
        "address.number": "45",
        "address.street": "Cuba Street",
        "address.city": "Wellington",
        "address.postcode": "6011",
    }
    answers = with_values(BIRTH, answers, new)
    assert to_data(BIRTH, answers)["address"] == {
        "number": "45",
        "street": "Cuba Street",
        "city": "Wellington",
        "postcode": "6011",
    }
    # The IRD number kept names its register; changed, it no longer does.
    assert answers["_prefilled.birth_parent.ird_number"] == "ird"
    answers = with_values(BIRTH, answers, {"birth_parent.ird_number": "136-410-132"})
    assert "_prefilled.birth_parent.ird_number" not in answers


def test_list_items_are_counted_removed_and_renumbered():
    answers = example_answers("move")
    assert item_count(answers, "household") == 2
    fewer = remove_item(answers, "household", 0)
    assert item_count(fewer, "household") == 1
    assert fewer["household.0.name.given_names"] == "Kiri"
    assert to_data(MOVE, fewer)["household"] == [move_request_data(TODAY)["household"][1]]


def test_check_your_answers_reads_in_words_with_no_field_paths():
    for event_type, journey in JOURNEYS.items():
        agencies = {"addresses": "National address register"}
        found = sections(journey, example_answers(event_type), TODAY, text, agencies)
        rows = [row for section in found for row in section.rows]
        assert rows, event_type
        for row in rows:
            assert "." not in row.label and "_" not in row.label, row.label
            assert row.href.startswith(f"/start/{event_type}/")


def test_every_word_the_pages_use_is_in_the_message_table():
    ids = set()
    for journey in JOURNEYS.values():
        ids |= {f"start.needs.{journey.event_type}"}
        for page in journey.pages:
            ids |= {page.title, page.section}
            if isinstance(page, ListPage):
                ids |= {page.title_more, f"row.list.{page.path}"}
                continue
            ids |= {page.hint} if page.hint else set()
            ids |= {f"row.{page.group}"} if page.address else set()
            for ask in page.asks:
                ids |= {ask.label, *([ask.hint] if ask.hint else [])}
                if ask.choices != ("yes", "no"):
                    ids |= {f"{ask.label}.{choice}" for choice in ask.choices}
    assert ids - set(EN) == set()


def test_the_portals_own_questions_and_a_po_box_number_are_asked_for_when_blank():
    other = asks_of(question(BIRTH, "other-parent"), None, {}, TODAY)
    assert read_page(BIRTH, other, {})[1] == {"_other_parent": "rule.choose"}
    box = asks_of(question(DEATH, "your-box"), None, {"_postal_kind": "PO Box"}, TODAY)
    _values, errors = read_page(DEATH, box, {"notifier.postal_address.city": "Whangārei"})
    assert errors == {"notifier.postal_address.box_number": "rule.required"}
    counter = asks_of(
        question(DEATH, "your-box"), None, {"_postal_kind": "Counter Delivery"}, TODAY
    )
    assert "notifier.postal_address.box_number" not in [ask.path for ask in counter]
    answers = example_answers("death") | {"_postal_kind": "Counter Delivery"}
    del answers["notifier.postal_address.box_number"]
    assert to_data(DEATH, answers)["notifier"]["postal_address"]["kind"] == "Counter Delivery"
    assert check(DEATH, answers, TODAY) == []


def test_every_field_a_step_receives_has_words_rather_than_its_path():
    fields = {
        field for event in CATALOGUE.life_events for step in event.steps for field in step.fields
    }
    assert {field for field in fields if field not in FIELD_WORDS} == set()
