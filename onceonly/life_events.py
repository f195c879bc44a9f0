"""The life events onceonly runs: each catalogue entry bound to its data model and workflow."""

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from adapters.plugins import ADAPTERS_GROUP
from onceonly.domain.birth import BirthData, BirthStart
from onceonly.domain.catalogue import BIRTH, CATALOGUE, DEATH, MOVE, LifeEventSpec
from onceonly.domain.death import DeathData, DeathStart
from onceonly.domain.life_event import LifeEventStart, PrefilledField
from onceonly.domain.move import MoveData, MoveStart
from onceonly.domain.patches import LATEST_PATCH
from onceonly.domain.step_graph import CatalogueError, applies, check_catalogue
from onceonly.settings import Settings
from workflows.birth import BirthWorkflow
from workflows.death import DeathWorkflow
from workflows.move import MoveWorkflow


@dataclass(frozen=True)
class LifeEventKind:
    """Everything needed to start one type of life event."""

    spec: LifeEventSpec
    data_model: type[BaseModel]
    start_model: type[LifeEventStart]
    run: Callable[..., Any]

    def agencies(self, dossier: Mapping[str, Any]) -> list[str]:
        """The agencies this event may reach with this dossier, in catalogue order."""
        return list(
            dict.fromkeys(step.agency for step in self.spec.steps if applies(step, dossier))
        )

    def start(
        self,
        settings: Settings,
        citizen_key: str,
        data: BaseModel,
        prefilled: tuple[PrefilledField, ...] = (),
    ) -> LifeEventStart:
        """The workflow's input: the citizen's data, what of it came from registers, and the
        timings in force today."""
        return self.start_model.model_validate(
            {
                "citizen_key": citizen_key,
                "consent_expiry": settings.consent_expiry_for(self.spec.event_type),
                "reminders_after": settings.reminders_after_for(self.spec.event_type),
                "deadline_warning": settings.deadline_warning,
                "timezone": settings.timezone,
                "withdrawal_window": settings.withdrawal_window,
                "agency_give_up_after": settings.agency_give_up_after,
                "retry_window": settings.failed_step_retry_window,
                "prefilled": prefilled,
                "started_with_patch": LATEST_PATCH,
                "own_queue_agencies": own_queue_agencies(
                    [step.agency for step in self.spec.steps], settings.agency_rate_limits
                ),
                "data": data,
            }
        )


def own_queue_agencies(
    agencies: Iterable[str], rate_limits: Mapping[str, float]
) -> tuple[str, ...]:
    """Of `agencies`, those whose calls go on a task queue of their own: all but the ones
    whose rate limit the deployment lifts (0 in `rate_limits`). A lifted agency takes any
    rate, so its calls may share the workflows' queue; every other one keeps its own, where
    the Temporal server enforces its limit and its outage holds up only its own steps."""
    return tuple(sorted(agency for agency in set(agencies) if rate_limits.get(agency) != 0))


def kind_of(event_id: str) -> LifeEventKind | None:
    """The kind of life event an event id names (ids start with the event type)."""
    return LIFE_EVENTS.get(event_id.split("-", 1)[0])


LIFE_EVENTS: dict[str, LifeEventKind] = {
    "birth": LifeEventKind(BIRTH, BirthData, BirthStart, BirthWorkflow.run),
    "move": LifeEventKind(MOVE, MoveData, MoveStart, MoveWorkflow.run),
    "death": LifeEventKind(DEATH, DeathData, DeathStart, DeathWorkflow.run),
}


def check_life_events(adapters: Collection[str] | None = None) -> None:
    """Fail start-up clearly when the catalogue cannot run (raises CatalogueError): every
    life event needs a data model and a sound step graph, every agency an adapter."""
    if adapters is not None:
        named = dict.fromkeys(
            step.agency for event in CATALOGUE.life_events for step in event.steps
        )
        missing = [agency for agency in named if agency not in adapters]
        if missing:
            raise CatalogueError(
                f"the catalogue names agencies without an adapter: {', '.join(missing)}; "
                f"install a distribution registering one in the entry-point group "
                f"{ADAPTERS_GROUP!r}"
            )
    check_catalogue(
        CATALOGUE, {kind: spec.data_model for kind, spec in LIFE_EVENTS.items()}, adapters
    )
