"""What a life event's question pages are made of: one question or a small group per
page (GOV.UK "one thing per page"), in order, with the condition under which each is shown.

An input is named by the dotted path of the event's data it fills (`child.name.family_name`);
`{n}` stands for an item's place in a list (`household.{n}.name.family_name`); a path that
begins with `_` is the portal's own question (as "is the other parent named?"), never sent.
Whether an input is optional comes from the event's data model (see `journey_rules`), so the
pages are exactly as strict as the API.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, get_args

from pydantic import BaseModel

from onceonly.domain.address_words import LevelType, UnitType

Kind = Literal["text", "names", "number", "date", "email", "tel", "choice", "select", "checkbox"]
Answers = Mapping[str, str]
Shown = Callable[[Answers, date], bool]
YES_NO = ("yes", "no")
SEXES = ("female", "male", "indeterminate")


@dataclass(frozen=True)
class Ask:
    """One input: the path it fills, how it is typed, its words (message ids), and whether it
    is optional (None: as the data model says)."""

    path: str
    label: str
    kind: Kind = "text"
    hint: str | None = None
    choices: tuple[str, ...] = ()
    autocomplete: str | None = None
    required: bool | None = None
    shown: Shown | None = None


@dataclass(frozen=True)
class Question:
    """One page. `group` is the object the page fills: it is made to exist when the page is
    checked, so that each missing part is named. `item_of` makes it a page per list item."""

    slug: str
    title: str
    section: str
    asks: tuple[Ask, ...]
    hint: str | None = None
    shown: Shown | None = None
    group: str | None = None
    item_of: str | None = None
    address: bool = False


@dataclass(frozen=True)
class ListPage:
    """The "add another" page of a list (people moving, dogs): the items so far, and whether
    there is another; each item is entered on the `item` page."""

    slug: str
    path: str
    title: str
    title_more: str
    section: str
    item: str
    most: int
    item_words: Callable[[Answers, int], str]


Page = Question | ListPage


@dataclass(frozen=True)
class Journey:
    """A life event's pages, the data model that checks them, and the portal's yes/no answers
    that leave a part of the data out when answered no."""

    event_type: str
    model: type[BaseModel]
    pages: tuple[Page, ...]
    gates: Mapping[str, str]
    minutes: int
    finish: Callable[[Answers, dict[str, Any]], None] | None = None

    def page(self, slug: str) -> Page:
        """The page with this slug, or KeyError."""
        for page in self.pages:
            if page.slug == slug:
                return page
        raise KeyError(slug)


def said(path: str, value: str) -> Shown:
    """Shown when the answer at `path` is `value`."""
    return lambda answers, _today: answers.get(path) == value


def unless(path: str, value: str) -> Shown:
    """Shown unless the answer at `path` is `value`."""
    return lambda answers, _today: answers.get(path) != value


def name_asks(prefix: str, *, known_as: bool = True) -> tuple[Ask, ...]:
    """Given names, family name and (where asked) the name the person prefers."""
    given = Ask(f"{prefix}.given_names", "f.given_names", "names", hint="f.given_names.hint")
    family = Ask(f"{prefix}.family_name", "f.family_name")
    preferred = (Ask(f"{prefix}.known_as", "f.known_as"),) if known_as else ()
    return (given, family, *preferred)


def address_asks(prefix: str) -> tuple[Ask, ...]:
    """Every part of a street address (AS/NZS 4819), so a new address replaces all of the old."""
    return (
        Ask(f"{prefix}.building_name", "f.building_name"),
        Ask(f"{prefix}.unit_type", "f.unit_type", "select", choices=get_args(UnitType)),
        Ask(f"{prefix}.unit", "f.unit"),
        Ask(f"{prefix}.level_type", "f.level_type", "select", choices=get_args(LevelType)),
        Ask(f"{prefix}.level_number", "f.level_number"),
        Ask(f"{prefix}.number", "f.number"),
        Ask(f"{prefix}.number_last", "f.number_last", hint="f.number_last.hint"),
        Ask(f"{prefix}.street", "f.street", hint="f.street.hint"),
        Ask(f"{prefix}.suburb", "f.suburb"),
        Ask(f"{prefix}.rural_delivery", "f.rural_delivery", "number", hint="f.rural_delivery.hint"),
        Ask(f"{prefix}.city", "f.city"),
        Ask(f"{prefix}.postcode", "f.postcode", autocomplete="postal-code"),
    )


def address_pages(path: str, title: str, section: str) -> tuple[Question, ...]:
    """A prefilled address confirmed as a whole ("is this the address?"), or typed anew: a
    "no" clears every part, so nothing of the old address is left behind."""
    found = f"_{path.replace('.', '_')}_kept"
    return (
        Question(
            f"{path.replace('.', '-').replace('_', '-')}-found",
            "q.address_found",
            section,
            (Ask(found, "f.address_kept", "choice", choices=YES_NO, required=True),),
            shown=lambda answers, _today: f"_prefilled.{path}" in answers,
        ),
        Question(
            path.replace(".", "-").replace("_", "-"),
            title,
            section,
            address_asks(path),
            hint="q.address.hint",
            shown=unless(found, "yes"),
            group=path,
            address=True,
        ),
    )
