"""Which catalogue steps an event has: a step added behind a patch only for events that took it."""

import pytest

from onceonly.domain.catalogue import BIRTH
from onceonly.domain.progress import steps_in_force
from workflows.birth import ADDED_STEPS


def test_an_event_that_took_the_patch_has_every_step():
    asked: list[str] = []

    def patched(patch: str) -> bool:
        asked.append(patch)
        return True

    spec = steps_in_force(BIRTH, ADDED_STEPS, patched)
    assert spec == BIRTH
    assert asked == ["birth-immunisation-register"]


def test_an_event_from_before_the_patch_has_the_steps_it_started_with():
    spec = steps_in_force(BIRTH, ADDED_STEPS, lambda _patch: False)
    assert [step.id for step in spec.steps] == [
        "register_birth",
        "child_ird_number",
        "best_start",
        "health_enrolment",
    ]


def test_a_step_cannot_need_a_step_added_behind_a_patch():
    with pytest.raises(ValueError, match="best_start needs"):
        steps_in_force(BIRTH, {"child_ird_number": "later"}, lambda _patch: False)
