"""Twins and more: a multiple birth is one birth event per child, each named, linked to the
others, so BDM registers each child with the plurality and birth order; and the rule that
tells a second birth told by mistake from another child of the same birth.

The identity rule. Two births are the same birth when one citizen tells them, the child's
date of birth is the same and so is the birth parent (normalised names and date of birth).
The child's own names and sex are left out on purpose: the commonest duplicate is a parent
starting again to put right a misspelt name, which must still be caught, and a twin has a
name of its own, so a second child of a multiple birth is caught too, and the citizen is
asked which it is (the request says "another child" by linking the first event; a linked
child is then told apart from its siblings by its birth order). Names are
compared as people type them: case, macrons and other accents, spacing, hyphens and
apostrophes aside ("Mārama Te-Aho" is "marama te aho").

Pure: no clock or I/O; the API keeps only a keyed hash of the identity (`birth_fingerprint`).
"""

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from onceonly.domain.people import Canonical

MAX_PLURALITY = 9
"""The most children of one birth BDM records (its plurality field is one digit)."""
EVENT_ID_PATTERN = r"^birth-[0-9a-f]{32}$"
"""A birth event's id: the only kind of event a birth may be linked to."""
SHARED_PARTS = ("birth_parent", "other_parent", "address", "health")
"""What the children of one birth share: asked once, given again from the first child's event."""
# Bumped if the rule changes: fingerprints of the old rule then match nothing new.
_RULE_VERSION = "birth-identity/v1"
_NOT_LETTERS = re.compile(r"[\W\d_]+")


class MultipleBirth(Canonical):
    """This child is one of a multiple birth (twins, triplets, ...): how many children were
    born, which of them this one is, and the event of a brother or sister told already."""

    plurality: int = Field(
        ge=2, le=MAX_PLURALITY, description="How many children were born: 2 for twins."
    )
    birth_order: int = Field(
        ge=1,
        le=MAX_PLURALITY,
        description="Which of them this child is: 1 for the first born; at most plurality.",
    )
    sibling_event_id: str | None = Field(
        default=None,
        pattern=EVENT_ID_PATTERN,
        description="The birth event of a brother or sister of this birth, started already "
        "by you: the parents, the address and the health choices must then be that event's "
        "(GET /v1/life-events/{id}/shared-birth-data), the child's date of birth the same, "
        "and the plurality the same as its (if it has one) with another birth order. Linked, "
        "this birth is not refused as a duplicate of that one.",
    )

    sibling_birth_order: int | None = Field(
        default=None,
        ge=1,
        le=MAX_PLURALITY,
        description="The birth order of the sibling event's child, when that event does not "
        "say it yet (it was started as a single birth): it is then corrected to say so "
        "(plurality, its birth order, linked back), so BDM registers both children as one "
        "multiple birth. For twins it may be left out: the other order is taken.",
    )

    @field_validator("birth_order")
    @classmethod
    def _within_plurality(cls, birth_order: int, info: ValidationInfo) -> int:
        plurality = info.data.get("plurality")
        if plurality is not None and birth_order > plurality:
            raise ValueError("must be at most plurality (the number of children born)")
        return birth_order

    @field_validator("sibling_birth_order")
    @classmethod
    def _of_a_linked_sibling(cls, order: int | None, info: ValidationInfo) -> int | None:
        if order is None:
            return order
        if info.data.get("sibling_event_id") is None:
            raise ValueError("must be left out unless sibling_event_id is given")
        plurality = info.data.get("plurality")
        if plurality is not None and order > plurality:
            raise ValueError("must be at most plurality (the number of children born)")
        if order == info.data.get("birth_order"):
            raise ValueError("must differ from birth_order (two babies, two places)")
        return order


def normalised_name(given_names: list[str], family_name: str) -> str:
    """A name as the identity rule compares it: accents and case folded, every run of
    spaces, hyphens, apostrophes or other non-letters one space."""

    def folded(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text)
        letters = "".join(char for char in decomposed if not unicodedata.combining(char))
        return _NOT_LETTERS.sub(" ", letters.casefold()).strip()

    return f"{folded(' '.join(given_names))}|{folded(family_name)}"


def birth_identity(dossier: Mapping[str, Any]) -> str:
    """The identity of a birth (canonical JSON dossier): the child's date of birth and the
    birth parent's normalised name and date of birth; for a child linked to a sibling event,
    its birth order too (so the same twin told twice is caught, and its sibling is not).
    Personal data: never kept as it is."""
    child, parent = dossier["child"], dossier["birth_parent"]
    name = normalised_name(parent["name"]["given_names"], parent["name"]["family_name"])
    parts = [child["date_of_birth"], parent["date_of_birth"], name]
    multiple = dossier.get("multiple_birth") or {}
    if multiple.get("sibling_event_id") is not None:
        parts.append(f"birth order {multiple['birth_order']}")
    return "\x1f".join(parts)


def birth_fingerprint(secret: str, citizen_key: str, dossier: Mapping[str, Any]) -> str:
    """The keyed hash (HMAC-SHA256 with the citizen-key secret) of one citizen's birth: what
    the store keeps to find a duplicate across API replicas. Without the secret it cannot be
    tested against a guessed name and date; another citizen's same birth hashes apart."""
    message = "\x1e".join((_RULE_VERSION, citizen_key, birth_identity(dossier)))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def shared_part_refusals(
    dossier: Mapping[str, Any], sibling: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """The parts a linked birth (canonical JSON dossier) must share with its sibling event's
    and does not, each as (field, rule): the parents' details are asked once."""
    return [
        (
            f"data.{part}",
            "must be the sibling event's, as GET /v1/life-events/{id}/shared-birth-data "
            "gives it (the children of one birth share it)",
        )
        for part in SHARED_PARTS
        if dossier.get(part) != sibling.get(part)
    ]


def sibling_refusals(
    dossier: Mapping[str, Any], sibling: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """Why a linked birth (canonical JSON dossier) cannot be a child of the same birth as its
    sibling event's: each refusal as (field, rule); none when it can."""
    refusals = []
    if dossier["child"]["date_of_birth"] != sibling["child"]["date_of_birth"]:
        refusals.append(
            (
                "data.child.date_of_birth",
                "must be the sibling event's child's date of birth (one birth, one date)",
            )
        )
    mine, theirs = dossier["multiple_birth"], sibling.get("multiple_birth")
    if theirs is None and sibling_order(mine) is None:
        refusals.append(
            (
                "data.multiple_birth.sibling_birth_order",
                "is required: the sibling event does not say which of the babies it is",
            )
        )
    if theirs is not None:
        told = mine.get("sibling_birth_order")
        if told is not None and told != theirs["birth_order"]:
            refusals.append(
                (
                    "data.multiple_birth.sibling_birth_order",
                    "must be the sibling event's birth order",
                )
            )
        if mine["plurality"] != theirs["plurality"]:
            refusals.append(
                ("data.multiple_birth.plurality", "must be the sibling event's plurality")
            )
        if mine["birth_order"] == theirs["birth_order"]:
            refusals.append(
                (
                    "data.multiple_birth.birth_order",
                    "must differ from the sibling event's birth order",
                )
            )
    return refusals


def sibling_order(multiple: Mapping[str, Any]) -> int | None:
    """The sibling's birth order a linked child's block gives: as told, or for twins the
    other one; None when it cannot be known."""
    told = multiple.get("sibling_birth_order")
    if told is not None:
        return int(told)
    if multiple["plurality"] == 2:
        return 3 - int(multiple["birth_order"])
    return None


def sibling_link(
    dossier: Mapping[str, Any], sibling: Mapping[str, Any], event_id: str
) -> dict[str, Any] | None:
    """The multiple-birth block that links a sibling event started as a single birth back to
    this linked child's event (`event_id`); None when the sibling says it already."""
    mine = dossier.get("multiple_birth") or {}
    if mine.get("sibling_event_id") is None or sibling.get("multiple_birth") is not None:
        return None
    order = sibling_order(mine)
    if order is None:
        return None
    return {"plurality": mine["plurality"], "birth_order": order, "sibling_event_id": event_id}
