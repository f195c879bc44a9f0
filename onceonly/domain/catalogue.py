"""The public catalogue of life events: each step's agency, service, purpose, legal basis and
the exact fields it receives. Declarative data; the step runner and the API read it.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Spec(BaseModel):
    """Base of catalogue entries: immutable, and unknown keys are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Agency(Spec):
    """A public agency that receives steps."""

    id: str
    name: str


class LegalBasis(Spec):
    """Why the agency may receive the data: the citizen's consent, or a named law or agreement."""

    kind: Literal["consent", "statute", "information_sharing_agreement"]
    reference: str


class StepSpec(Spec):
    """One agency step of a life event."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    agency: str
    service: str = Field(description="The agency's service this step uses.")
    purpose: str = Field(description="What the agency will do with the fields, in plain words.")
    legal_basis: LegalBasis
    fields: tuple[str, ...] = Field(description="Dotted paths of exactly the fields disclosed.")
    depends_on: tuple[str, ...] = ()
    provides: tuple[str, ...] = Field(
        default=(), description="Facts the agency issues, which later steps may disclose."
    )


class LifeEventSpec(Spec):
    """A life event: a graph of steps, each behind its own consent checkpoint."""

    event_type: str
    title: str
    summary: str
    steps: tuple[StepSpec, ...]

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


_CONSENT = LegalBasis(kind="consent", reference="The parent's consent, given at this checkpoint")

BIRTH = LifeEventSpec(
    event_type="birth",
    title="Having a baby",
    summary=(
        "Register your baby's birth, and with your consent get their IRD number, apply for "
        "Best Start, enrol them with a doctor and a Well Child provider, and put them on the "
        "National Immunisation Register."
    ),
    steps=(
        StepSpec(
            id="register_birth",
            agency="bdm",
            service="birth-registration",
            purpose="Register the birth, which gives your baby a birth registration number.",
            legal_basis=LegalBasis(
                kind="statute",
                reference=(
                    "Births, Deaths, Marriages, and Relationships Registration Act 2021, s 11"
                ),
            ),
            fields=(
                "child.name",
                "child.date_of_birth",
                "child.sex",
                "child.place_of_birth",
                "birth_parent.name",
                "birth_parent.date_of_birth",
                "other_parent.name",
                "other_parent.date_of_birth",
                "address",
            ),
            provides=("child.birth_registration_number",),
        ),
        StepSpec(
            id="child_ird_number",
            agency="ird",
            service="newborn-ird-number",
            purpose="Give your baby an IRD number, so they can get Best Start and KiwiSaver.",
            legal_basis=_CONSENT,
            fields=(
                "child.birth_registration_number",
                "child.name",
                "child.date_of_birth",
                "birth_parent.ird_number",
                "address",
            ),
            depends_on=("register_birth",),
            provides=("child.ird_number",),
        ),
        StepSpec(
            id="best_start",
            agency="msd",
            service="best-start",
            purpose="Apply for the Best Start payment for your baby's first year.",
            legal_basis=_CONSENT,
            fields=(
                "child.name",
                "child.date_of_birth",
                "child.ird_number",
                "birth_parent.name",
                "birth_parent.ird_number",
                "birth_parent.phone",
                "address",
            ),
            depends_on=("child_ird_number",),
        ),
        StepSpec(
            id="health_enrolment",
            agency="health",
            service="nhi-gp-well-child-enrolment",
            purpose=(
                "Give your baby an NHI number and enrol them with your doctor and your "
                "Well Child Tamariki Ora provider."
            ),
            legal_basis=_CONSENT,
            fields=(
                "child.birth_registration_number",
                "child.name",
                "child.date_of_birth",
                "child.sex",
                "address",
                "health.gp_practice",
                "health.well_child_provider",
            ),
            depends_on=("register_birth",),
            provides=("child.nhi_number",),
        ),
        StepSpec(
            id="immunisation_register",
            agency="health",
            service="national-immunisation-register",
            purpose=(
                "Record your baby on the National Immunisation Register, so that you get "
                "reminders when your baby's vaccinations are due."
            ),
            legal_basis=_CONSENT,
            fields=(
                "child.nhi_number",
                "child.name",
                "child.date_of_birth",
                "birth_parent.phone",
            ),
            depends_on=("health_enrolment",),
        ),
    ),
)

CATALOGUE = Catalogue(
    agencies=(
        Agency(id="bdm", name="Births, Deaths and Marriages (Te Tari Taiwhenua DIA)"),
        Agency(id="ird", name="Inland Revenue (Te Tari Taake)"),
        Agency(id="msd", name="Ministry of Social Development (Te Manatū Whakahiato Ora)"),
        Agency(id="health", name="Health New Zealand (Te Whatu Ora)"),
    ),
    life_events=(BIRTH,),
)
