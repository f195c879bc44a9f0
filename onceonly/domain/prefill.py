"""Prefill: what government already holds, looked up with the citizen's consent when they
start a life event, so that they confirm instead of retyping.

The registers' answers in canonical shapes; the draft the catalogue's `prefill` entries make
of them; and, once the citizen has sent their data, which prefilled parts they kept.
"""

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field
from temporalio import activity

from onceonly.domain.address_model import Address
from onceonly.domain.catalogue import LifeEventSpec
from onceonly.domain.life_event import PrefilledField
from onceonly.domain.people import Canonical, PastDate, PersonName, RegistrationNumber


class Resident(Canonical):
    """Someone the address register records at the citizen's address."""

    name: PersonName
    date_of_birth: PastDate
    relationship: Literal["partner", "child", "parent", "sibling", "flatmate", "other"]


class Residence(Canonical):
    """The address register's answer: where the citizen lives, and who lives with them."""

    address: Address
    household: tuple[Resident, ...] = Field(default=(), max_length=12)


class DeathRecord(Canonical):
    """BDM's registered death, as its register answers a look-up by registration number."""

    registration_number: RegistrationNumber
    name: PersonName
    date_of_birth: PastDate
    date_of_death: PastDate
    sex: Literal["female", "male", "indeterminate"]
    place_of_death: str


class RegisterLookup(Canonical):
    """One look-up in one register, on behalf of one citizen (the activity's input)."""

    source: str
    identity: str = Field(description="The citizen's identity as registers know it.")
    death_registration_number: RegistrationNumber | None = None


# The activity type name in every prefill history: renaming it would break replay.
LOOK_UP_REGISTER = "look_up_register"


class RegisterLookups:
    """The look-up activity's contract, for `workflow.execute_activity_method`; the worker runs
    `activities.prefill.RegisterLookups`, which implements it."""

    @activity.defn(name=LOOK_UP_REGISTER)
    async def look_up_register(self, lookup: RegisterLookup) -> dict[str, Any]:
        """Ask one register what it holds, answered as the canonical model's JSON."""
        raise NotImplementedError("run by activities.prefill.RegisterLookups")


class PrefillRequest(Canonical):
    """The registers a citizen agreed to have looked up for a life event they are starting."""

    citizen_key: str
    event_type: str
    identity: str
    sources: tuple[str, ...] = Field(min_length=1)
    death_registration_number: RegistrationNumber | None = None

    def lookup(self, source: str) -> RegisterLookup:
        """The look-up of one of the agreed registers."""
        return RegisterLookup(
            source=source,
            identity=self.identity,
            death_registration_number=self.death_registration_number,
        )


class PrefilledPath(Canonical):
    """A part of the draft that a register filled in."""

    path: str
    source: str


class Prefill(Canonical):
    """A draft of a life event's data from registers, for the citizen to confirm or change."""

    citizen_key: str
    event_type: str
    data: dict[str, Any] = Field(description="The draft: only the parts registers filled in.")
    filled: tuple[PrefilledPath, ...] = ()
    unavailable: tuple[str, ...] = Field(
        default=(), description="Registers that could not answer now; the citizen types instead."
    )


def draft_from(spec: LifeEventSpec, answers: Mapping[str, Mapping[str, Any]]) -> Prefill:
    """The draft the registers' answers make for this life event (citizen key left blank)."""
    data: dict[str, Any] = {}
    filled = []
    for prefill in spec.prefill:
        answer = answers.get(prefill.source)
        if answer is None:
            continue
        for path, answer_field in prefill.fills.items():
            if answer.get(answer_field) in (None, [], ()):
                continue
            _put(data, path, answer[answer_field])
            filled.append(PrefilledPath(path=path, source=prefill.source))
    return Prefill(citizen_key="", event_type=spec.event_type, data=data, filled=tuple(filled))


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


def provenance(prefill: Prefill, dossier: Mapping[str, Any]) -> tuple[PrefilledField, ...]:
    """For each prefilled part, whether the citizen's data kept it: a part is kept when every
    value the register gave is in the data unchanged (the citizen may add to it)."""
    return tuple(
        PrefilledField(
            path=part.path,
            source=part.source,
            confirmed=_kept(_get(prefill.data, part.path), _get(dossier, part.path)),
        )
        for part in prefill.filled
    )


def _get(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _kept(given: Any, kept: Any) -> bool:
    if isinstance(given, Mapping):
        return isinstance(kept, Mapping) and all(_kept(v, kept.get(k)) for k, v in given.items())
    if isinstance(given, list | tuple):
        return (
            isinstance(kept, list | tuple)
            and len(given) == len(kept)
            and all(_kept(g, k) for g, k in zip(given, kept, strict=True))
        )
    return bool(given == kept)
