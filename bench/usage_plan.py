"""What the usage drill (`python -m bench usage-drill`) does, decided before it starts: which
life events (births, moves and deaths in a fixed mix), each checkpoint's decision (most grant,
some decline), which completed steps are withdrawn afterwards; and what that plan must make
each agency's services do, worked out from the catalogue's step graph alone (pure functions:
the drill's own account, set beside the report's and the mocks').
"""

import random
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from onceonly.domain.catalogue import CATALOGUE, LifeEventSpec, StepSpec
from onceonly.domain.step_graph import applies
from onceonly.samples import birth_request_data, death_request_data, move_request_data

MIX = {"birth": 0.5, "move": 0.3, "death": 0.2}
"""Each life event's share of the drill's events."""
DECLINE_SHARE = 0.08
"""A consent step's chance of being declined: enough that each busy service has declines."""
WITHDRAW_SHARE = 0.03
"""An event's chance of withdrawing one completed step's consent afterwards."""
CORRECT_SHARE = 0.03
"""A birth's chance (when nothing was withdrawn) of correcting the child's name afterwards."""
SPECS = {event.event_type: event for event in CATALOGUE.life_events}
NOT_APPLICABLE = "not_applicable"
"""The plan's word for a step the drill's sample data does not call for (the Māori Land
Court's, for a person who held no Māori land): nothing is asked or sent."""
_SAMPLE_DATA = {
    "birth": birth_request_data(date(2026, 1, 1)),
    "move": move_request_data(date(2026, 1, 1)),
    "death": death_request_data(date(2026, 1, 1)),
}
APPLIES = {
    (kind, step.id): applies(step, _SAMPLE_DATA[kind])
    for kind, spec in SPECS.items()
    for step in spec.steps
}
"""Whether each step applies to the drill's sample data (the same data every event sends)."""
SERVICE_OF = {
    (step.agency, step.id): step.service for event in CATALOGUE.life_events for step in event.steps
}
"""(agency, step id) -> the service, as an agency's record names the step in its key."""

Service = tuple[str, str]
"""(agency, service)."""


def consented(step: StepSpec) -> bool:
    """Whether the step rests on the citizen's consent (else the law: it is acknowledged)."""
    return step.legal_basis.kind == "consent"


@dataclass(frozen=True)
class PlannedEvent:
    """One life event of the drill: its type, the decision at each of its steps, and the
    step (if any) whose consent is withdrawn once the event has ended."""

    index: int
    event_type: str
    decisions: tuple[tuple[str, str], ...]
    """(step id, grant | decline | acknowledge), for every step, in the catalogue's order."""
    withdraw: str | None = None
    correct: bool = False
    """Whether the child's given names are corrected once the event has ended (births)."""

    @property
    def spec(self) -> LifeEventSpec:
        """The life event's catalogue entry."""
        return SPECS[self.event_type]

    def decision(self, step_id: str) -> str:
        """The decision planned at `step_id`."""
        return dict(self.decisions)[step_id]


def left_out(no_api: Collection[str]) -> dict[str, str]:
    """Life events the drill cannot run, with why: a step the law requires at an agency with
    no API would wait for a person (the consent of a step that needs one can be declined)."""
    reasons = {}
    for event in CATALOGUE.life_events:
        stuck = [s.id for s in event.steps if s.agency in no_api and not consented(s)]
        if event.event_type in MIX and stuck:
            reasons[event.event_type] = f"{', '.join(stuck)} is required by law at an agency"
            reasons[event.event_type] += " with no API"
    return reasons


def submitted_steps(spec: LifeEventSpec, decisions: Mapping[str, str]) -> list[str]:
    """The steps that reach their agency: granted or acknowledged, and every step they need
    reached its agency too (a declined step's dependants are skipped). Every submission
    completes in the drill (no agency rejects), so these are also the completed steps."""
    reached: dict[str, bool] = {}

    def reaches(step: StepSpec) -> bool:
        if step.id not in reached:
            needed = all(reaches(spec.step(other)) for other in step.depends_on)
            reached[step.id] = decisions[step.id] in ("grant", "acknowledge") and needed
        return reached[step.id]

    return [step.id for step in spec.steps if reaches(step)]


def plan_events(count: int, seed: int, no_api: Collection[str] = ()) -> list[PlannedEvent]:
    """`count` events drawn from `seed`: the same plan for the same arguments. Every consent
    step at an agency of `no_api` is declined; event types `left_out` are not drawn."""
    draw = random.Random(seed)
    skipped = left_out(no_api)
    kinds = [kind for kind in MIX if kind not in skipped]
    if not kinds:
        raise ValueError("no_api: leaves no life event the drill can run")
    weights = [MIX[kind] for kind in kinds]
    planned = []
    for index in range(count):
        spec = SPECS[draw.choices(kinds, weights)[0]]
        decisions = {
            step.id: _decision(draw, step, no_api)
            if APPLIES[spec.event_type, step.id]
            else NOT_APPLICABLE
            for step in spec.steps
        }
        withdraw = None
        if draw.random() < WITHDRAW_SHARE:
            done = set(submitted_steps(spec, decisions))
            choices = [s.id for s in spec.steps if s.id in done and consented(s)]
            withdraw = draw.choice(choices) if choices else None
        correct = spec.event_type == "birth" and not withdraw and draw.random() < CORRECT_SHARE
        event = PlannedEvent(index, spec.event_type, tuple(decisions.items()), withdraw, correct)
        planned.append(event)
    return planned


def _decision(draw: random.Random, step: StepSpec, no_api: Collection[str]) -> str:
    if not consented(step):
        return "acknowledge"
    if step.agency in no_api or draw.random() < DECLINE_SHARE:
        return "decline"
    return "grant"


def final_status(event: PlannedEvent) -> str:
    """The status the event must end in: completed when every step reached its agency and
    none was withdrawn, else partially completed (what did run, ran)."""
    decisions = dict(event.decisions)
    applicable = [s for s in event.spec.steps if decisions[s.id] != NOT_APPLICABLE]
    every = len(submitted_steps(event.spec, decisions)) == len(applicable)
    return "completed" if every and event.withdraw is None else "partially_completed"


def expected_usage(plan: Iterable[PlannedEvent]) -> dict[Service, Counter[str]]:
    """Per (agency, service), what the plan makes happen there: `requests` (steps sent),
    `completions`, `life_events` (one step per service in an event), `withdrawals`, and the
    consent decisions (`grant`, `decline`, `withdraw`) the statistics count."""
    usage: dict[Service, Counter[str]] = {}
    for event in plan:
        decisions = dict(event.decisions)
        sent = set(submitted_steps(event.spec, decisions))
        for step in event.spec.steps:
            tally = usage.setdefault((step.agency, step.service), Counter())
            if step.id in sent:
                tally.update(("requests", "completions", "life_events"))
            if consented(step) and decisions[step.id] != NOT_APPLICABLE:
                tally[decisions[step.id]] += 1
            if step.id == event.withdraw:
                tally.update(("withdrawals", "withdraw"))
    return usage
