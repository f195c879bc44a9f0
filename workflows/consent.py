"""The consent checkpoint: the rules for applying decisions to steps' states. Pure functions.

A consent step is granted or declined; a statutory step (a law or an information-sharing
agreement) is acknowledged, not chosen ("grant" is taken as an acknowledgement there). A step
that needs other parties (both parents for a birth registration) is granted only when the
citizen and every party have granted, or a party has been recorded as unavailable; any one
decline declines it.
"""

from collections.abc import Mapping, Sequence

from onceonly.domain.life_event import ConsentDecisions, PartyConsent, StepState


class DecisionNotApplicable(ValueError):
    """A decision that cannot apply now; the message names the step and why."""


def decide(
    state: StepState, decision: str, *, statutory: bool = False, strict: bool = False
) -> StepState:
    """The state a step moves to when the citizen decides at its checkpoint.

    `strict` (the Update's validator, for new requests) holds each kind of step to its own
    answers; applying an accepted decision is lenient, so that histories recorded before
    acknowledgements existed (a decline of a statutory step) replay unchanged.
    """
    if state is not StepState.AWAITING_CONSENT:
        raise DecisionNotApplicable(f"is {state.value}, not awaiting consent")
    if strict and statutory and decision == "decline":
        raise DecisionNotApplicable("is required by law: acknowledge it; it cannot be declined")
    if strict and not statutory and decision == "acknowledge":
        raise DecisionNotApplicable("needs your consent: grant or decline it")
    return StepState.DECLINED if decision == "decline" else StepState.GRANTED


def decide_all(
    states: Mapping[str, StepState],
    decisions: ConsentDecisions,
    *,
    statutory: frozenset[str] = frozenset(),
    strict: bool = False,
) -> dict[str, StepState]:
    """The citizen's answer at every decided step; raises if any one decision cannot apply,
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
            changes[step_id] = decide(
                states[step_id], decision.decision, statutory=step_id in statutory, strict=strict
            )
        except DecisionNotApplicable as reason:
            raise DecisionNotApplicable(f"step {step_id!r}: {reason}") from None
    return changes


def with_party_answer(
    parties: Sequence[PartyConsent], role: str, decision: str
) -> tuple[PartyConsent, ...]:
    """The step's parties once `role` has answered (raises when that party cannot answer)."""
    found = [party for party in parties if party.role == role]
    if not found:
        raise DecisionNotApplicable(f"needs no answer from {role!r}")
    if not found[0].joined:
        raise DecisionNotApplicable(f"{role!r} has not accepted an invitation")
    if found[0].state != "awaiting":
        raise DecisionNotApplicable(f"{role!r} has answered already ({found[0].state})")
    answer = "declined" if decision == "decline" else "granted"
    return tuple(
        party.model_copy(update={"state": answer}) if party.role == role else party
        for party in parties
    )


def checkpoint_state(citizen: StepState | None, parties: Sequence[PartyConsent]) -> StepState:
    """A multi-party step's state from the citizen's answer (None: not yet) and the parties'."""
    if citizen is StepState.DECLINED or any(p.state == "declined" for p in parties):
        return StepState.DECLINED
    if citizen is StepState.GRANTED and all(p.state in ("granted", "unavailable") for p in parties):
        return StepState.GRANTED
    return StepState.AWAITING_CONSENT


def receipt_decision(decision: str, *, statutory: bool) -> str:
    """What a decision's receipt records: at a statutory step, an acknowledgement."""
    return "acknowledge" if statutory and decision == "grant" else decision
