"""The public catalogue of life events: each step's agency, service, purpose, legal basis,
the exact fields it receives and its statutory deadline. The entries are data
(`catalogue.toml`); these models read and check them. The step runner and the API read them.
"""

import tomllib
from collections.abc import Iterable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CATALOGUE_FILE = Path(__file__).with_name("catalogue.toml")
"""The catalogue as data: agencies, life events and their steps."""
FRAGMENTS_GROUP = "onceonly.catalogue"
"""The entry-point group of plugins' catalogue fragments: each loads a path (or a package
resource) of a TOML file with the plugin's `[[agencies]]` and `[[steps.<event type>]]`."""


class Spec(BaseModel):
    """Base of catalogue entries: immutable, and unknown keys are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Agency(Spec):
    """A public agency that receives steps."""

    id: str
    name: str
    maori_name: str | None = None
    """The agency's official name in te reo Māori, where it has one (shown in the portal's te
    reo Māori pages)."""


class LegalBasis(Spec):
    """Why the agency may receive the data: the citizen's consent, or a named law or agreement."""

    kind: Literal["consent", "statute", "information_sharing_agreement"]
    reference: str


class Condition(Spec):
    """When a step applies: the value at `path` is present (not null, empty or false), or
    absent when `present` is false. A step that does not apply is shown as such and skipped."""

    path: str
    present: bool = True


class Deadline(Spec):
    """A statutory deadline: the step is due `within_days` after the date at `from_field`."""

    within_days: int = Field(gt=0)
    from_field: str
    rule: str = Field(description="The rule in plain words, as the citizen is told it.")


class Party(Spec):
    """Someone besides the citizen whose own consent a step needs (the other parent, say)."""

    role: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="As in `other_parent`.")
    person: str = Field(description="The path of the party's details in the event's data.")
    unavailable_reasons: tuple[Literal["deceased", "unsafe", "unknown"], ...] = Field(
        default=(),
        description="Why the step may go ahead without this party, recorded by the citizen.",
    )


SensitiveCategory = Literal["health", "genetic", "biometric", "ethnicity", "religion", "criminal"]
"""Special categories of personal information (Kantara consent receipt `spiCat`): the kinds
whose disclosure does a person most harm, which law and agencies handle with more care."""

STEP_ID = r"^[a-z][a-z0-9_]*$"
"""What every step id looks like (it names the step in histories and receipts)."""


class StepSpec(Spec):
    """One agency step of a life event."""

    id: str = Field(pattern=STEP_ID)
    agency: str
    service: str = Field(description="The agency's service this step uses.")
    purpose: str = Field(description="What the agency will do with the fields, in plain words.")
    legal_basis: LegalBasis
    fields: tuple[str, ...] = Field(description="Dotted paths of exactly the fields disclosed.")
    depends_on: tuple[str, ...] = ()
    provides: tuple[str, ...] = Field(
        default=(), description="Facts the agency issues, which later steps may disclose."
    )
    applies_if: Condition | None = Field(
        default=None, description="Only some citizens need this step (those with a dog, say)."
    )
    deadline: Deadline | None = None
    parties: tuple[Party, ...] = Field(
        default=(), description="Others who must consent too, when their details are given."
    )
    kept_by_law: str | None = Field(
        default=None,
        description="Why the agency keeps the record even if consent is withdrawn after it acts.",
    )
    patch: str | None = Field(
        default=None,
        description="The `workflow.patched` id of a step added after events began (a plugin's"
        " step): events started before it go on without it.",
    )
    confirm_effect_after_days: int | None = Field(
        default=None,
        gt=0,
        description="Proof of effect: this long after the agency reports completion, ask it"
        " whether the change took effect (payments stopped, say); if not, reopen the step.",
    )
    sensitive: bool = Field(
        default=False,
        description="The step discloses sensitive personal information (a health record, say):"
        " its receipts say so (Kantara `sensitive`), with the categories in `spi_categories`.",
    )
    spi_categories: tuple[SensitiveCategory, ...] = Field(
        default=(),
        description="The sensitive categories the step discloses (Kantara `spiCat`); set when"
        " and only when `sensitive` is.",
    )

    @model_validator(mode="after")
    def _sensitive_with_categories(self) -> "StepSpec":
        # A receipt saying "sensitive" without saying what, or the reverse, informs no one.
        if self.sensitive and not self.spi_categories:
            raise ValueError(f"{self.id}: a sensitive step must name its spi_categories")
        if self.spi_categories and not self.sensitive:
            raise ValueError(f"{self.id}: spi_categories are only for a sensitive step")
        if len(set(self.spi_categories)) != len(self.spi_categories):
            raise ValueError(f"{self.id}: spi_categories must not repeat a category")
        return self


class PrefillSpec(Spec):
    """A register that may fill in part of a life event's data, with the citizen's consent."""

    source: str = Field(description="The agency whose register is looked up.")
    purpose: str
    fills: dict[str, str] = Field(
        description="Paths of the event's data, each with the register's answer field."
    )
    needs: Literal["death_registration_number"] | None = Field(
        default=None, description="What the citizen must give for the look-up."
    )


class Contact(Spec):
    """Where, in an event's data, the citizen's email and phone are (for reminders)."""

    email: str | None = None
    phone: str | None = None


class LifeEventSpec(Spec):
    """A life event: a graph of steps, each behind its own consent checkpoint."""

    event_type: str
    title: str
    summary: str
    notice_version: str = Field(
        description="The version of the notices (purposes, bases, fields) citizens are shown."
    )
    contact: Contact = Contact()
    prefill: tuple[PrefillSpec, ...] = ()
    steps: tuple[StepSpec, ...]

    def prefill_from(self, source: str) -> PrefillSpec:
        """The prefill this event takes from `source` (KeyError when it takes none)."""
        for prefill in self.prefill:
            if prefill.source == source:
                return prefill
        raise KeyError(source)

    def step(self, step_id: str) -> StepSpec:
        """The step with this id (KeyError when there is none)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


class Catalogue(Spec):
    """Every agency and life event onceonly knows."""

    agencies: tuple[Agency, ...]
    life_events: tuple[LifeEventSpec, ...]

    def event(self, event_type: str) -> LifeEventSpec:
        """The life event of this type (KeyError when there is none)."""
        for event in self.life_events:
            if event.event_type == event_type:
                return event
        raise KeyError(event_type)

    def step_for(self, agency: str, service: str) -> StepSpec:
        """The step that uses this agency's service (KeyError when none does)."""
        for event in self.life_events:
            for step in event.steps:
                if step.agency == agency and step.service == service:
                    return step
        raise KeyError(f"{agency}/{service}")

    def services(self, agency: str) -> list[str]:
        """Every service of `agency` the catalogue uses, in catalogue order."""
        return [
            step.service
            for event in self.life_events
            for step in event.steps
            if step.agency == agency
        ]


class CatalogueFragment(Spec):
    """A plugin's part of the catalogue: its agencies, and the steps it adds to life events
    onceonly has (by event type). Its steps are checked with the rest at start-up."""

    agencies: tuple[Agency, ...] = ()
    steps: dict[str, tuple[StepSpec, ...]] = {}


class FragmentError(ValueError):
    """A plugin's catalogue fragment that cannot be merged: the message names its source."""


def with_fragment(catalogue: Catalogue, fragment: CatalogueFragment, source: str) -> Catalogue:
    """The catalogue with the fragment's agencies and steps added. A step without a patch id
    gets `plugin-step-<event>-<step>`, so events already running when it came go on as
    they started (see workflows/steps.py `steps_in_force`)."""
    known = {agency.id for agency in catalogue.agencies}
    clashes = sorted(known.intersection(agency.id for agency in fragment.agencies))
    if clashes:
        raise FragmentError(f"{source}: agencies {clashes} are in the catalogue already")
    events = {event.event_type: event for event in catalogue.life_events}
    unknown = sorted(set(fragment.steps) - set(events))
    if unknown:
        raise FragmentError(f"{source}: adds steps to unknown life events {unknown}")
    for event_type, steps in fragment.steps.items():
        added = tuple(
            step
            if step.patch
            else step.model_copy(update={"patch": f"plugin-step-{event_type}-{step.id}"})
            for step in steps
        )
        event = events[event_type]
        events[event_type] = event.model_copy(update={"steps": (*event.steps, *added)})
    return catalogue.model_copy(
        update={
            "agencies": (*catalogue.agencies, *fragment.agencies),
            "life_events": tuple(events.values()),
        }
    )


def plugin_fragments() -> list[tuple[str, str]]:
    """Every installed plugin's catalogue fragment as (its source, its TOML text)."""
    found = []
    for entry_point in entry_points(group=FRAGMENTS_GROUP):
        dist = entry_point.dist
        source = f"{FRAGMENTS_GROUP} entry point {entry_point.name!r}" + (
            f" of {dist.name}" if dist is not None else ""
        )
        resource: Any = entry_point.load()
        found.append((source, resource.read_text(encoding="utf-8")))
    return found


def load_catalogue(
    path: Path = CATALOGUE_FILE, fragments: Iterable[tuple[str, str]] | None = None
) -> Catalogue:
    """The catalogue in `path` with the plugins' fragments (`fragments`: (source, TOML text);
    the installed plugins' when None) merged in, as checked models (pydantic errors name the
    bad entry, FragmentError the fragment)."""
    with path.open("rb") as file:
        catalogue = Catalogue.model_validate(tomllib.load(file))
    for source, text in plugin_fragments() if fragments is None else fragments:
        try:
            fragment = CatalogueFragment.model_validate(tomllib.loads(text))
        except (tomllib.TOMLDecodeError, ValueError) as error:
            raise FragmentError(f"{source}: {error}") from error
        catalogue = with_fragment(catalogue, fragment, source)
    return catalogue


CATALOGUE = load_catalogue()
BIRTH = CATALOGUE.event("birth")
MOVE = CATALOGUE.event("move")
DEATH = CATALOGUE.event("death")
