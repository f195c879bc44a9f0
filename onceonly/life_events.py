"""The life events onceonly runs: each catalogue entry bound to its data model and workflow."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from onceonly.domain.birth import BirthData, BirthStart
from onceonly.domain.catalogue import CATALOGUE, LifeEventSpec
from onceonly.domain.life_event import LifeEventStart
from onceonly.domain.step_graph import check_life_event
from onceonly.settings import Settings
from workflows.birth import BirthWorkflow


@dataclass(frozen=True)
class LifeEventKind:
    """Everything needed to start one type of life event."""

    spec: LifeEventSpec
    data_model: type[BaseModel]
    start_model: type[LifeEventStart]
    run: Callable[..., Any]

    @property
    def agencies(self) -> list[str]:
        """The agencies this event may reach, in catalogue order."""
        return list(dict.fromkeys(step.agency for step in self.spec.steps))

    def start(self, settings: Settings, citizen_key: str, data: BaseModel) -> LifeEventStart:
        """The workflow's input: the citizen's data and the timings in force today."""
        return self.start_model.model_validate(
            {
                "citizen_key": citizen_key,
                "consent_expiry": settings.consent_expiry,
                "agency_give_up_after": settings.agency_give_up_after,
                "retry_window": settings.failed_step_retry_window,
                "data": data,
            }
        )


def kind_of(event_id: str) -> LifeEventKind | None:
    """The kind of life event an event id names (ids start with the event type)."""
    return LIFE_EVENTS.get(event_id.split("-", 1)[0])


LIFE_EVENTS: dict[str, LifeEventKind] = {
    "birth": LifeEventKind(CATALOGUE.event("birth"), BirthData, BirthStart, BirthWorkflow.run),
}


def check_life_events() -> None:
    """Fail start-up clearly when a catalogue entry cannot run (raises CatalogueError)."""
    for kind in LIFE_EVENTS.values():
        check_life_event(kind.spec, kind.data_model)
