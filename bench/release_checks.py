"""The usage drill's judgement of the open statistics (`GET /v1/statistics`), as pure
functions: the release's rules (suppression below 6, random rounding to base 3, shares of
published counts, medians of 20 values), and each published figure against the true count of
the drill's own events."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bench.checks import Check
from onceonly.domain.disclosure_control import (
    MEDIAN_MIN_COUNT,
    ROUNDING_BASE,
    SMALLEST_PUBLISHED_COUNT,
    published_count,
    published_share,
)

RANDOM_ROUNDING_REACH = ROUNDING_BASE - 1
"""How far random rounding to base 3 can move a count: to one of its two nearest multiples."""
SHARE_DECIMALS_SLACK = 0.0005
"""A share is published to three decimals: its product with a count is off by this much."""
CHOICES = ("grant", "decline", "withdraw")
SHARE_OF = {"grant": "consented", "decline": "declined", "withdraw": "withdrawn"}


@dataclass
class StatisticsTruth:
    """The true counts behind the statistics, from the drill's own events, by month."""

    started: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(event type, month) -> events started."""
    completed: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(event type, month) -> events that ended completed."""
    decisions: dict[tuple[str, str, str], Counter[str]] = field(default_factory=dict)
    """(agency, service, month) -> consent decisions by choice."""
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(agency, month) -> steps the agency decided."""


@dataclass(frozen=True)
class Cell:
    """One published count beside its true count."""

    name: str
    published: int | None
    true: int


def published_cells(published: Mapping[str, Any], truth: StatisticsTruth) -> list[Cell]:
    """Every count the statistics published, named as the release names its cells."""
    cells = []
    for row in published["figures"]:
        kind, month = row["event_type"], row["month"]
        name = f"{kind}/{month}"
        cells.append(Cell(f"{name}/started", row["started"], truth.started[kind, month]))
        cells.append(Cell(f"{name}/completed", row["completed"], truth.completed[kind, month]))
    for row in published["services"]:
        service = (row["agency"], row["service"], row["month"])
        true = sum(truth.decisions.get(service, Counter())[c] for c in (*CHOICES, "expire"))
        cells.append(Cell("/".join(service) + "/decisions", row["decisions"], true))
    for row in published["agencies"]:
        agency, month = row["agency"], row["month"]
        true = truth.outcomes[agency, month]
        cells.append(Cell(f"{agency}/{month}/outcomes", row["outcomes"], true))
    return cells


def statistics_checks(
    published: Mapping[str, Any],
    truth: StatisticsTruth,
    longest_seconds: float,
    secret: bytes | None = None,
) -> list[Check]:
    """The release's rules, and its figures against the truth: the run's months released, no
    count below 6, every count
    a multiple of 3 within 2 of its true count, suppressed exactly where the true count is
    below 6, shares consistent with the counts, medians only of 20 values and no longer than
    the run (`longest_seconds`). With the stack's `secret`, each count and share must be the
    very one the release rules make of the true count."""
    cells = published_cells(published, truth)
    shown = [c for c in cells if c.published is not None]
    below = [c.name for c in shown if c.published is not None and c.published < 6]
    off_grid = [c.name for c in shown if c.published is not None and c.published % 3]
    wrong_gap = [
        c.name for c in cells if (c.published is None) != (c.true < SMALLEST_PUBLISHED_COUNT)
    ]
    far = [c.name for c in shown if abs((c.published or 0) - c.true) > RANDOM_ROUNDING_REACH]
    run_months = sorted({month for _, month in truth.started})
    released = sorted({row["month"] for row in published["figures"]})
    checks = [
        Check(
            "the run's months are released (as if ended)",
            bool(run_months) and set(run_months) <= set(released),
            f"run in {', '.join(run_months)}; released {', '.join(released) or 'none'}",
        ),
        Check("no published count below 6", not below, _found(len(shown), below)),
        Check(
            "every published count on the base-3 grid", not off_grid, _found(len(shown), off_grid)
        ),
        Check(
            "suppressed exactly where the true count is below 6",
            not wrong_gap,
            f"{len(cells) - len(shown)} of {len(cells)} suppressed" + _example(wrong_gap),
        ),
        Check(
            "each count within 2 of the drill's true count",
            not far,
            _found(len(shown), far) + f"; {sum(c.true for c in cells)} counted in all",
        ),
        _shares_check(published, truth, secret),
        _medians_check(published, truth, longest_seconds),
    ]
    if secret is not None:
        unlike = [c.name for c in cells if c.published != published_count(secret, c.name, c.true)]
        checks.append(
            Check(
                "each count is the true count as the release rounds it (the stack's secret)",
                not unlike,
                _found(len(cells), unlike),
            )
        )
    return checks


def _shares_check(
    published: Mapping[str, Any], truth: StatisticsTruth, secret: bytes | None
) -> Check:
    problems, shown = [], 0
    for row in published["services"]:
        key = (row["agency"], row["service"], row["month"])
        counts = truth.decisions.get(key, Counter())
        decided = row["decisions"]
        for choice in CHOICES:
            share, name = row[SHARE_OF[choice]], "/".join(key) + f"/{choice}"
            hidden = counts[choice] < SMALLEST_PUBLISHED_COUNT or not decided
            if (share is None) != hidden:
                problems.append(f"{name}: share {share} for a true count of {counts[choice]}")
                continue
            if share is None:
                continue
            shown += 1
            slack = RANDOM_ROUNDING_REACH + SHARE_DECIMALS_SLACK * decided
            if abs(share * decided - counts[choice]) > slack:
                problems.append(f"{name}: {share} of {decided} is not {counts[choice]}")
            if secret is not None:
                exact = published_share(published_count(secret, name, counts[choice]), decided)
                if share != exact:
                    problems.append(f"{name}: {share}, not {exact}")
    return Check(
        "shares: quotients of published counts, null where a count is suppressed",
        not problems,
        f"{shown} shares published" + _example(problems),
    )


def _medians_check(
    published: Mapping[str, Any], truth: StatisticsTruth, longest_seconds: float
) -> Check:
    problems, shown = [], 0
    medians = [
        (
            f"{row['event_type']}/{row['month']}",
            row["median_days_to_completion"],
            truth.completed[row["event_type"], row["month"]],
            86_400.0,
        )
        for row in published["figures"]
    ] + [
        (
            f"{row['agency']}/{row['month']}",
            row["median_hours_to_outcome"],
            truth.outcomes[row["agency"], row["month"]],
            3_600.0,
        )
        for row in published["agencies"]
    ]
    for name, value, behind, unit in medians:
        if (value is None) != (behind < MEDIAN_MIN_COUNT):
            problems.append(f"{name}: median {value} of {behind} values")
        elif value is not None:
            shown += 1
            # Rounded to 0.1 day or 0.01 hour: a run of minutes may show 0.
            if not 0 <= value * unit <= longest_seconds + unit / 100:
                problems.append(f"{name}: median {value} outside the run")
    return Check(
        f"medians only of {MEDIAN_MIN_COUNT} values or more, within the run's time",
        not problems,
        f"{shown} medians published" + _example(problems),
    )


def _found(total: int, wrong: list[str]) -> str:
    return f"{total - len(wrong)}/{total} as expected" + _example(wrong)


def _example(wrong: list[str]) -> str:
    return f"; e.g. {wrong[0]}" if wrong else ""
