"""The pure rules of a life event: consent decisions, event status, field selection, and
the catalogue's own consistency."""

from datetime import date

import pytest
from pydantic import ValidationError

from onceonly.domain.birth import BirthData
from onceonly.domain.catalogue import BIRTH, LegalBasis, LifeEventSpec, StepSpec
from onceonly.domain.life_event import (
    ConsentDecision,
    ConsentDecisions,
    EventStatus,
    StepState,
    event_status,
)
from onceonly.domain.people import intake_context
from onceonly.domain.step_graph import CatalogueError, check_life_event, select_fields
from workflows.consent import DecisionNotApplicable, decide, decide_all

S = StepState


def test_grant_and_decline_apply_only_while_awaiting_consent():
    assert decide(S.AWAITING_CONSENT, "grant") is S.GRANTED
    assert decide(S.AWAITING_CONSENT, "decline") is S.DECLINED
    for state in set(S) - {S.AWAITING_CONSENT}:
        with pytest.raises(DecisionNotApplicable, match=f"is {state.value}"):
            decide(state, "grant")


def test_a_batch_of_decisions_applies_whole_or_not_at_all():
    states = {"a": S.AWAITING_CONSENT, "b": S.COMPLETED}
    batch = ConsentDecisions(
        decisions=(
            ConsentDecision(step_id="a", decision="grant"),
            ConsentDecision(step_id="b", decision="grant"),
        )
    )
    with pytest.raises(DecisionNotApplicable, match="step 'b': is completed"):
        decide_all(states, batch)
    twice = ConsentDecisions(
        decisions=(
            ConsentDecision(step_id="a", decision="grant"),
            ConsentDecision(step_id="a", decision="decline"),
        )
    )
    with pytest.raises(DecisionNotApplicable, match="decided twice"):
        decide_all(states, twice)


@pytest.mark.parametrize(
    ("states", "status"),
    [
        ([S.AWAITING_CONSENT, S.AWAITING_CONSENT], EventStatus.AWAITING_CONSENT),
        ([S.AWAITING_CONSENT, S.GRANTED], EventStatus.IN_PROGRESS),
        ([S.COMPLETED, S.SUBMITTING], EventStatus.IN_PROGRESS),
        ([S.COMPLETED, S.COMPLETED], EventStatus.COMPLETED),
        ([S.COMPLETED, S.DECLINED, S.SKIPPED], EventStatus.PARTIALLY_COMPLETED),
        ([S.COMPLETED, S.FAILED], EventStatus.PARTIALLY_COMPLETED),
        ([S.FAILED, S.SKIPPED], EventStatus.FAILED),
        ([S.DECLINED, S.EXPIRED], EventStatus.PARTIALLY_COMPLETED),
    ],
)
def test_event_status_follows_the_steps(states, status):
    assert event_status(states) is status


def test_select_fields_discloses_exactly_the_declared_paths(birth_data):
    dossier = BirthData.model_validate(birth_data).model_dump(mode="json")
    facts = {"child.birth_registration_number": "2026/000001"}
    fields = ("child.birth_registration_number", "child.date_of_birth", "address.postcode")
    assert select_fields(dossier, facts, fields) == {
        "child.birth_registration_number": "2026/000001",
        "child.date_of_birth": birth_data["child"]["date_of_birth"],
        "address.postcode": "1011",
    }


def test_an_absent_optional_part_is_disclosed_as_none(birth_data):
    dossier = BirthData.model_validate({**birth_data, "other_parent": None}).model_dump(mode="json")
    assert select_fields(dossier, {}, ("other_parent.name",)) == {"other_parent.name": None}


def test_the_birth_catalogue_is_consistent():
    check_life_event(BIRTH, BirthData)


def _event(*steps: StepSpec) -> LifeEventSpec:
    return LifeEventSpec(event_type="t", title="t", summary="t", notice_version="t", steps=steps)


def _step(step_id: str, fields=("child.name",), depends_on=(), provides=()) -> StepSpec:
    basis = LegalBasis(kind="consent", reference="consent")
    return StepSpec(
        id=step_id,
        agency="x",
        service="x",
        purpose="x",
        legal_basis=basis,
        fields=fields,
        depends_on=depends_on,
        provides=provides,
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (_event(_step("a", depends_on=("nope",))), "a: depends on unknown step 'nope'"),
        (_event(_step("a", depends_on=("b",)), _step("b", depends_on=("a",))), "depends on itself"),
        (_event(_step("a", fields=("child.shoe_size",))), "field 'child.shoe_size' is neither"),
        # A fact is usable only by steps that depend on the step issuing it.
        (
            _event(
                _step("a", provides=("child.ird_number",)), _step("b", fields=("child.ird_number",))
            ),
            "b: field 'child.ird_number'",
        ),
        (_event(_step("a"), _step("a")), "step ids must be unique"),
    ],
)
def test_a_malformed_catalogue_entry_is_refused_with_the_step_and_rule(spec, message):
    with pytest.raises(CatalogueError, match=message):
        check_life_event(spec, BirthData)


def test_a_birth_date_in_the_future_is_refused_when_today_is_known(birth_data):
    future = {**birth_data, "child": {**birth_data["child"], "date_of_birth": "2031-01-01"}}
    with pytest.raises(ValidationError, match="must not be in the future"):
        BirthData.model_validate(future, context=intake_context(date(2026, 11, 25)))
