"""The catalogue as data: it loads, it is checked as a whole, and its rules (conditions,
deadlines) are pure functions of the dossier."""

import re
from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel

from onceonly.domain.birth import BirthData
from onceonly.domain.catalogue import (
    CATALOGUE,
    CATALOGUE_FILE,
    DEATH,
    MOVE,
    Catalogue,
    load_catalogue,
)
from onceonly.domain.death import DeathData
from onceonly.domain.move import MoveData
from onceonly.domain.step_graph import CatalogueError, applies, check_catalogue, due_on
from onceonly.life_events import LIFE_EVENTS, check_life_events
from tests.mocks.samples import sample_death, sample_move

MODELS: dict[str, type[BaseModel]] = {"birth": BirthData, "move": MoveData, "death": DeathData}


def test_the_catalogue_reaches_fourteen_agencies_across_three_events():
    assert [event.event_type for event in CATALOGUE.life_events] == ["birth", "move", "death"]
    used = {step.agency for event in CATALOGUE.life_events for step in event.steps}
    prefill_sources = {p.source for event in CATALOGUE.life_events for p in event.prefill}
    # Twelve with an API (or a register), Collections by a daily file and the Māori Land
    # Court through its staff's inbox.
    assert len(used | prefill_sources) == 14
    assert {"justice", "maori_land_court"} <= used
    assert used | prefill_sources == {agency.id for agency in CATALOGUE.agencies}


def test_the_shipped_catalogue_passes_every_check():
    check_catalogue(CATALOGUE, MODELS)
    check_life_events()
    assert set(LIFE_EVENTS) == set(MODELS)


def _with(text: str, old: str, new: str, tmp_path: Path) -> Catalogue:
    assert old in text
    path = tmp_path / "catalogue.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_catalogue(path)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('agency = "nzta"', 'agency = "waka"', "update_driver_licence: unknown agency 'waka'"),
        (
            'service = "address-change"',
            'service = "newborn-ird-number"',
            "service 'newborn-ird-number' serves two steps",
        ),
        (
            'applies_if = { path = "dogs" }',
            'applies_if = { path = "cats" }',
            "condition or deadline names unknown 'cats'",
        ),
        (
            'from_field = "move_date"',
            'from_field = "moved_on"',
            "condition or deadline names unknown 'moved_on'",
        ),
        (
            'fills = { "mover.ird_number" = "ird_number" }',
            'fills = { "mover.tax_number" = "ird_number" }',
            "prefill fills unknown ['mover.tax_number']",
        ),
        (
            'depends_on = ["register_death"]\napplies_if = { path = "deceased.ird_number" }',
            'depends_on = ["register_dead"]\napplies_if = { path = "deceased.ird_number" }',
            "notify_ird: depends on unknown step 'register_dead'",
        ),
    ],
)
def test_a_broken_catalogue_fails_start_up_naming_the_step_and_rule(tmp_path, old, new, message):
    broken = _with(CATALOGUE_FILE.read_text(encoding="utf-8"), old, new, tmp_path)
    with pytest.raises(CatalogueError) as error:
        check_catalogue(broken, MODELS)
    assert message in str(error.value)


def test_every_agency_needs_an_adapter():
    every = {agency.id for agency in CATALOGUE.agencies}
    check_catalogue(CATALOGUE, MODELS, adapters=every)
    with pytest.raises(CatalogueError, match="no adapter for agency 'kaingaora'"):
        check_catalogue(CATALOGUE, MODELS, adapters=every - {"kaingaora"})


def test_an_unknown_key_in_the_catalogue_file_is_an_error(tmp_path):
    text = CATALOGUE_FILE.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="purpos"):
        _with(text, 'purpose = "Register the death', 'purpos = "Register the death', tmp_path)


def test_every_health_step_and_only_those_declare_sensitive_health_data():
    flagged = {
        step.id: step.spi_categories
        for event in CATALOGUE.life_events
        for step in event.steps
        if step.sensitive
    }
    health = {s.id for e in CATALOGUE.life_events for s in e.steps if s.agency == "health"}
    assert flagged == dict.fromkeys(health, ("health",))
    assert len(health) == 4
    published = Catalogue.model_validate(CATALOGUE.model_dump(mode="json"))
    assert published.event("birth").step("immunisation_register").spi_categories == ("health",)


_IMMUNISATION_SENSITIVITY = 'sensitive = true\nspi_categories = ["health"]\n'


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("sensitive = true\n", "health_enrolment: a sensitive step must name its spi_categories"),
        (
            'spi_categories = ["health"]\n',
            "health_enrolment: spi_categories are only for a sensitive step",
        ),
        (
            'sensitive = true\nspi_categories = ["health", "health"]\n',
            "health_enrolment: spi_categories must not repeat a category",
        ),
        ('sensitive = true\nspi_categories = ["medical"]\n', "spi_categories.0"),
    ],
)
def test_a_sensitivity_declaration_is_checked_at_load(tmp_path, new, message):
    text = CATALOGUE_FILE.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)):
        _with(text, _IMMUNISATION_SENSITIVITY, new, tmp_path)


def test_conditions_follow_the_dossier():
    move = sample_move().model_dump(mode="json")
    assert applies(MOVE.step("council_dog_registration"), move)
    assert not applies(MOVE.step("council_dog_registration"), {**move, "dogs": []})
    assert applies(MOVE.step("council_rates"), move)  # no condition: always applies
    death = sample_death().model_dump(mode="json")
    register = DEATH.step("register_death")
    assert applies(register, death)
    registered = {
        **death,
        "deceased": {**death["deceased"], "death_registration_number": "2026/000001"},
    }
    assert not applies(register, registered)
    not_a_tenant = {**death, "deceased": {**death["deceased"], "kainga_ora_tenant": False}}
    assert not applies(DEATH.step("end_tenancy"), not_a_tenant)


def test_statutory_deadlines_run_from_the_dossiers_date():
    move = sample_move().model_dump(mode="json")
    moved = date.fromisoformat(move["move_date"])
    assert (due_on(MOVE.step("update_electoral_roll"), move) - moved).days == 60  # type: ignore[operator]
    assert (due_on(MOVE.step("council_dog_registration"), move) - moved).days == 14  # type: ignore[operator]
    assert due_on(MOVE.step("council_rates"), move) is None
