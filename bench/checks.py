"""The rules a benchmark or drill judges a run by, as pure functions of what it collected."""

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from onceonly.domain.submission import idempotency_key


@dataclass(frozen=True)
class Check:
    """One thing a drill checked, whether it held, and the figures behind the verdict."""

    what: str
    passed: bool
    detail: str


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..100) of a non-empty sample."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(share / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99 and max of a sample of durations, in milliseconds."""
    return {
        name: round(percentile(seconds, share) * 1000, 1)
        for name, share in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100))
    }


def record_problems(
    granted: Mapping[str, Iterable[str]],
    step_agency: Mapping[str, str],
    held: Mapping[str, Iterable[str]],
) -> list[str]:
    """What is wrong with the agencies' records of a run, or nothing.

    `granted`: event id -> the steps granted; `step_agency`: step id -> its agency; `held`:
    agency -> the idempotency key of every record it holds. Each granted (event, step) must
    have exactly one record at its agency, under its own key, and the run's events none else.
    """
    counts = {agency: Counter(keys) for agency, keys in held.items()}
    problems = []
    expected: set[tuple[str, str]] = set()
    for event_id, steps in granted.items():
        for step in steps:
            agency = step_agency[step]
            key = idempotency_key(event_id, step)
            expected.add((agency, key))
            found = counts.get(agency, Counter())[key]
            if found != 1:
                problems.append(f"{key}: {found} records at {agency}, not 1")
    for agency, keys in counts.items():
        for key in keys:
            event_id = key.split("/", 1)[0]
            if event_id in granted and (agency, key) not in expected:
                problems.append(f"{key}: a record at {agency} that no granted step made")
    return problems


def ratio(ours: float, baseline: float) -> float:
    """Our figure as a multiple of the baseline's (0 when the baseline has none)."""
    return round(ours / baseline, 2) if baseline else 0.0


def answers_from_metrics(text: str) -> dict[tuple[str, str], int]:
    """(agency, status) -> count, from the mocks' `mock_agency_submissions_total` lines."""
    counts: dict[tuple[str, str], int] = {}
    for line in text.splitlines():
        if not line.startswith("mock_agency_submissions_total{"):
            continue
        labels, value = line.rsplit(" ", 1)
        pairs = dict(
            pair.split("=", 1) for pair in labels[labels.index("{") + 1 : -1].split(",") if pair
        )
        key = (pairs["agency"].strip('"'), pairs["status"].strip('"'))
        counts[key] = int(float(value))
    return counts
