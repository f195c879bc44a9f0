"""The notice preview as workflows see it: exactly what a step would send its agency, in the
agency's own format, shown to the citizen at the step's checkpoint before they decide.

Workflow code imports this module, never `activities.previews`, so the workflow sandbox holds
no adapter; the worker registers the implementation. The workflow runs it locally, for every
checkpoint at once, when the event starts: building a preview reads nothing and sends nothing.

A fact an earlier step issues (the child's IRD number, before IRD has issued it) is not known
at the checkpoint yet. The disclosure carries a placeholder naming the agency that issues it
(`placeholder_facts`), which the preview shows where the fact will go and lists as pending.
"""

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from temporalio import activity

from onceonly.domain.catalogue import CATALOGUE, LifeEventSpec, StepSpec
from onceonly.domain.step_graph import ancestors

# The activity type name in every history: renaming it would break replay.
PREVIEW_DISCLOSURE = "preview_disclosure"
PREVIEW_DISCLOSURES = "preview_disclosures"
# Said at a checkpoint whose preview could not be built: the citizen still decides.
PREVIEW_UNAVAILABLE = "the preview is not available"

# Plain words for the citizen, and recognisable again: no real fact reads like this.
_PLACEHOLDER = "(issued by {agency} when its step completes)"
_IS_PLACEHOLDER = re.compile(r"\(issued by .+ when its step completes\)")


class PreviewRequest(BaseModel):
    """One step's disclosure to preview, with placeholders for facts not issued yet."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str
    step_id: str
    agency: str
    service: str
    disclosure: dict[str, Any]


class Preview(BaseModel):
    """What the agency would receive, as the citizen is shown it at the checkpoint.

    Three shapes: a `body` (pending facts, if any, appear in it as their placeholders); no
    body and no problem, when the agency's format checks a fact that is still `pending` (the
    real fact is checked when the step is sent); or no body and a `problem`, when the agency
    would refuse the disclosure as it stands.
    """

    model_config = ConfigDict(frozen=True)

    step_id: str
    body: dict[str, Any] | None = Field(
        description="The request the adapter would send, in the agency's format; None when it "
        "cannot be built until pending facts are issued, or at all (see `problem`)."
    )
    pending: tuple[str, ...] = Field(
        default=(), description="Fields (dotted paths) issued by earlier steps not yet done."
    )
    problem: str | None = Field(
        default=None,
        description="Why the agency would refuse this disclosure: field names and rules only.",
    )
    disclosed: dict[str, Any] = Field(
        default_factory=dict,
        description="The same disclosure by the catalogue's field paths (child.name, address), "
        "for people to read: each field the step sends and the citizen's value of it; a fact "
        "still to be issued holds its placeholder. Empty in previews made before it existed.",
    )


def placeholder(agency_name: str) -> str:
    """The text standing in for a fact `agency_name` has not issued yet."""
    return _PLACEHOLDER.format(agency=agency_name)


def is_placeholder(value: Any) -> bool:
    """Whether a disclosed value is a placeholder rather than a fact."""
    return isinstance(value, str) and _IS_PLACEHOLDER.fullmatch(value) is not None


def pending_fields(disclosure: Mapping[str, Any]) -> tuple[str, ...]:
    """The fields of a disclosure that hold placeholders, in path order."""
    return tuple(sorted(field for field, value in disclosure.items() if is_placeholder(value)))


def placeholder_facts(spec: LifeEventSpec, step: StepSpec) -> dict[str, str]:
    """For each fact `step` discloses that a step it needs issues, the placeholder naming the
    issuing agency. The workflow overlays these only on facts not issued yet: a fact the
    citizen already gave (a death registration number from prefill) is no placeholder.
    """
    names = {agency.id: agency.name for agency in CATALOGUE.agencies}
    facts: dict[str, str] = {}
    for needed in sorted(ancestors(spec, step)):
        issuer = spec.step(needed)
        for fact in issuer.provides:
            if fact in step.fields:
                facts[fact] = placeholder(names.get(issuer.agency, issuer.agency))
    return facts


class AgencyPreviews:
    """The activity's contract, for `workflow.execute_local_activity_method`; the worker runs
    `activities.previews.AgencyPreviews`, which implements it.
    """

    @activity.defn(name=PREVIEW_DISCLOSURE)
    async def preview_disclosure(self, request: PreviewRequest) -> Preview:
        """What the step would send its agency, built without sending anything."""
        raise NotImplementedError("run by activities.previews.AgencyPreviews")

    @activity.defn(name=PREVIEW_DISCLOSURES)
    async def preview_disclosures(self, requests: list[PreviewRequest]) -> list[Preview]:
        """Every step's preview of one event, in the requests' order."""
        raise NotImplementedError("run by activities.previews.AgencyPreviews")
