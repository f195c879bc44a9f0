"""The consent checkpoint: the rules for applying a citizen's decisions to steps' states."""

from collections.abc import Mapping

from onceonly.domain.life_event import ConsentDecisions, StepState


class DecisionNotApplicable(ValueError):
    """A decision that cannot apply now; the message names the step and why."""


def decide(state: StepState, decision: str) -> StepState:
    """The state a step moves to when the citizen decides at its checkpoint."""
    if state is not StepState.AWAITING_CONSENT:
        raise DecisionNotApplicable(f"is {state.value}, not awaiting consent")
    return StepState.GRANTED if decision == "grant" else StepState.DECLINED


def decide_all(
    states: Mapping[str, StepState], decisions: ConsentDecisions
) -> dict[str, StepState]:
    """The new state of every decided step; raises if any one decision cannot apply,
    so that a batch applies whole or not at all.
    """
    changes: dict[str, StepState] = {}
    for decision in decisions.decisions:
        step_id = decision.step_id
        if step_id not in states:
            raise DecisionNotApplicable(f"step {step_id!r}: no such step in this life event")
        if step_id in changes:
            raise DecisionNotApplicable(f"step {step_id!r}: decided twice in one request")
        try:
            changes[step_id] = decide(states[step_id], decision.decision)
        except DecisionNotApplicable as reason:
            raise DecisionNotApplicable(f"step {step_id!r}: {reason}") from None
    return changes
