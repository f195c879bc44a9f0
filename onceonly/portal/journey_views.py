"""What the journey's pages show, in words: each answer as people read it, the rows of "check
your answers" with their Change links, and what came from which register. Labels come from
the message table and agencies' names from the catalogue, never from field paths.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from onceonly.domain.address_model import Address, PostBox
from onceonly.portal.journey_rules import asks_of, item_count, linear_pages, without
from onceonly.portal.journeys.questions import YES_NO, Answers, Ask, Journey, ListPage, Question

Words = Callable[..., str]


@dataclass
class Row:
    """One answer on "check your answers": its label, value lines, where to change it, and
    the register it came from (when it did)."""

    label: str
    lines: list[str]
    href: str
    change: str
    source: str | None = None
    paths: list[str] = field(default_factory=list)


@dataclass
class Section:
    """A heading and its rows."""

    title: str
    rows: list[Row]


def value_words(ask: Ask, value: str, t: Words) -> str:
    """An answer as people read it: dates in words, choices by their label, boxes yes or no."""
    if ask.kind == "checkbox":
        return t("answer.yes") if value else t("answer.no")
    if not value:
        return t("answer.none")
    if ask.kind == "date":
        try:
            return f"{date.fromisoformat(value):%-d %B %Y}"
        except ValueError:
            return value
    if ask.kind in ("choice", "select"):
        return t(f"answer.{value}") if ask.choices == YES_NO else t(f"{ask.label}.{value}")
    return value


def address_lines(answers: Answers, path: str) -> list[str]:
    """An address in the answers as NZ Post writes it (its parts as given, if not yet whole)."""
    given = {k.removeprefix(f"{path}."): v for k, v in answers.items() if k.startswith(f"{path}.")}
    parts: dict[str, Any] = {
        k: int(v) if k == "rural_delivery" and v.isdigit() else v for k, v in given.items() if v
    }
    try:
        model = PostBox if "box_number" in parts or "kind" in parts else Address
        return model.model_validate(parts).lines()
    except ValueError:
        return [value for value in parts.values() if value]


def source_of(answers: Answers, path: str) -> str | None:
    """The register a part came from, while the citizen kept it as found."""
    for key, source in answers.items():
        prefix = key.removeprefix("_prefilled.")
        if key.startswith("_prefilled.") and (path == prefix or path.startswith(f"{prefix}.")):
            return source
    return None


@dataclass(frozen=True)
class _Reading:
    """What every row is read with."""

    journey: Journey
    answers: Answers
    today: date
    t: Words
    agencies: Mapping[str, str]

    def url(self, slug: str, query: str = "change=1") -> str:
        return f"/start/{self.journey.event_type}/q/{slug}?{query}"

    def agency(self, path: str) -> str | None:
        source = source_of(self.answers, path)
        return None if source is None else self.agencies.get(source, source)


def sections(
    journey: Journey, answers: Answers, today: date, t: Words, agencies: Mapping[str, str]
) -> list[Section]:
    """The rows of "check your answers", under their sections, in page order."""
    reading = _Reading(journey, answers, today, t, agencies)
    found: dict[str, Section] = {}
    for page in linear_pages(journey, answers, today):
        section = found.setdefault(page.section, Section(t(page.section), []))
        if isinstance(page, ListPage):
            section.rows += _list_rows(reading, page)
        elif page.address:
            section.rows += [_address_row(reading, page.group or "", page.slug)]
        else:
            section.rows += _question_rows(reading, page)
    return [section for section in found.values() if section.rows]


def _list_rows(reading: _Reading, page: ListPage) -> list[Row]:
    t, answers = reading.t, reading.answers
    item = reading.journey.page(page.item)
    assert isinstance(item, Question)
    count = item_count(answers, page.path)
    names = [page.item_words(answers, n) for n in range(count)] or [t("answer.none")]
    list_url = f"/start/{reading.journey.event_type}/list/{page.slug}?change=1"
    rows = [Row(t(f"row.list.{page.path}"), names, list_url, t("check.change_list"))]
    for n in range(count):
        lines = [
            f"{t(ask.label)}: {value_words(ask, answers.get(ask.path, ''), t)}"
            for ask in asks_of(item, n, answers, reading.today)
            if answers.get(ask.path) or ask.kind == "checkbox"
        ]
        href = reading.url(item.slug, f"n={n}&change=1")
        rows.append(Row(page.item_words(answers, n), lines, href, t("check.change")))
    return rows


def _address_row(reading: _Reading, path: str, slug: str) -> Row:
    lines = address_lines(reading.answers, path)
    t = reading.t
    return Row(
        t(f"row.{path}"), lines, reading.url(slug), t("check.change"), reading.agency(path), [path]
    )


def _question_rows(reading: _Reading, page: Question) -> list[Row]:
    t, answers = reading.t, reading.answers
    rows = []
    for ask in asks_of(page, None, answers, reading.today):
        if ask.path.endswith("_kept"):
            if answers.get(ask.path) == "yes":
                rows.append(_address_row(reading, ask.path[1:-5], page.slug))
            continue
        value = value_words(ask, answers.get(ask.path, ""), t)
        rows.append(
            Row(
                t(ask.label),
                [value],
                reading.url(page.slug),
                t("check.change"),
                reading.agency(ask.path),
                [ask.path],
            )
        )
    return rows


def prefilled(
    answers: Answers, filled: list[tuple[str, str]], t: Words, agencies: Mapping[str, str]
) -> list[dict[str, Any]]:
    """What each register filled in, in words: its name and, per part, a label and the value."""
    by_source: dict[str, list[dict[str, Any]]] = {}
    for path, source in filled:
        lines = _found_lines(answers, path, t)
        by_source.setdefault(source, []).append({"label": t(f"row.{path}"), "lines": lines})
    return [
        {"agency": agencies.get(source, source), "parts": parts}
        for source, parts in by_source.items()
    ]


def _found_lines(answers: Answers, path: str, t: Words) -> list[str]:
    if path.endswith("address"):
        return address_lines(answers, path)
    if path == "household":
        count = item_count(answers, path)
        people = [
            " ".join(
                answers.get(f"household.{n}.name.{part}", "").replace(",", "")
                for part in ("given_names", "family_name")
            )
            for n in range(count)
        ]
        return people or [t("answer.none")]
    if path.endswith(".name"):
        given = answers.get(f"{path}.given_names", "").replace(",", "")
        return [f"{given} {answers.get(f'{path}.family_name', '')}".strip()]
    value = answers.get(path, "")
    if path.endswith("date_of_birth") or path.endswith("date_of_death"):
        return [value_words(Ask(path, "", "date"), value, t)]
    if path.endswith(".sex"):
        return [t(f"f.sex.{value}")]
    return [value]


def cleared(answers: Answers, path: str) -> dict[str, str]:
    """The answers with a prefilled part dropped whole, and its register no longer named."""
    return {k: v for k, v in without(answers, path).items() if k != f"_prefilled.{path}"}
