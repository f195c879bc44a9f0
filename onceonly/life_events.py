"""The life events onceonly runs: each catalogue entry bound to its data model and workflow."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from onceonly.domain.birth import BirthData, BirthStart
from onceonly.domain.catalogue import CATALOGUE, LifeEventSpec
from onceonly.domain.life_event import LifeEventStart
from onceonly.domain.step_graph import check_life_event
from workflows.birth import BirthWorkflow


@dataclass(frozen=True)
class LifeEventKind:
    """Everything needed to start one type of life event."""

    spec: LifeEventSpec
    data_model: type[BaseModel]
    run: Callable[..., Any]
    make_start: Callable[[str, timedelta, Any], LifeEventStart]

    @property
    def agencies(self) -> list[str]:
        """The agencies this event may reach, in catalogue order."""
        return list(dict.fromkeys(step.agency for step in self.spec.steps))


def _birth_start(citizen_key: str, consent_expiry: timedelta, data: BirthData) -> BirthStart:
    return BirthStart(citizen_key=citizen_key, consent_expiry=consent_expiry, data=data)


LIFE_EVENTS: dict[str, LifeEventKind] = {
    "birth": LifeEventKind(CATALOGUE.event("birth"), BirthData, BirthWorkflow.run, _birth_start),
}


def check_life_events() -> None:
    """Fail start-up clearly when a catalogue entry cannot run (raises CatalogueError)."""
    for kind in LIFE_EVENTS.values():
        check_life_event(kind.spec, kind.data_model)
