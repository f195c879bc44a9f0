"""The open statistics' disclosure control, checked against Stats NZ's own description of
random rounding to base 3 (a count of 17 becomes 15 with probability 1/3 and 18 with
probability 2/3, so its expected value is 17) and the IDI rule that counts below 6 are
suppressed."""

from datetime import date
from statistics import fmean

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onceonly.domain.disclosure_control import (
    ended_months,
    published_count,
    published_median,
    published_share,
    random_round,
    stable_draw,
)
from onceonly.statistics import MonthFigures, figures_of_month

SECRET = b"statistics-test-secret"


def test_stats_nz_example_17_goes_to_15_a_third_of_the_time_and_to_18_otherwise():
    rounded = [published_count(SECRET, f"cell-{n}", 17) for n in range(30_000)]
    assert set(rounded) == {15, 18}
    assert rounded.count(15) / len(rounded) == pytest.approx(1 / 3, abs=0.015)


@pytest.mark.parametrize("count", [6, 7, 8, 10, 11, 25, 100, 101])
def test_the_expected_value_of_a_rounded_count_is_the_count(count):
    rounded = [published_count(SECRET, f"cell-{n}", count) for n in range(20_000)]
    assert fmean(r for r in rounded if r is not None) == pytest.approx(count, abs=0.05)


@given(st.integers(min_value=0, max_value=10**6), st.floats(min_value=0, max_value=0.999999))
def test_rounding_lands_on_one_of_the_two_nearest_multiples_of_3(count, draw):
    rounded = random_round(count, draw)
    assert rounded % 3 == 0 and abs(rounded - count) < 3
    if count % 3 == 0:
        assert rounded == count


@given(st.integers(min_value=0, max_value=10**6), st.text(max_size=40))
def test_no_published_count_is_below_6_or_off_the_grid(count, cell):
    figure = published_count(SECRET, cell, count)
    if count < 6:
        assert figure is None
    else:
        assert figure is not None and figure >= 6 and figure % 3 == 0


def test_a_negative_count_is_refused_by_name():
    with pytest.raises(ValueError, match="count: must not be negative"):
        random_round(-1, 0.5)


def test_the_rounding_is_stable_for_a_cell_and_unpredictable_without_the_secret():
    cells = [f"birth/started/2026-{m:02d}" for m in range(1, 13)] * 3
    first = [published_count(SECRET, cell, 100) for cell in cells]
    assert first == [published_count(SECRET, cell, 100) for cell in cells]
    others = [published_count(b"another secret", cell, 100) for cell in cells]
    assert first != others
    assert 0 <= stable_draw(SECRET, "x", 1) < 1


def test_medians_need_20_values_and_shares_come_from_published_counts():
    assert published_median([3.0] * 19) is None
    assert published_median([float(n) for n in range(1, 21)]) == 10.5
    assert published_share(None, 30) is None
    assert published_share(9, 0) is None
    assert published_share(9, 27) == 0.333


def test_only_months_that_have_ended_are_published():
    assert ended_months(date(2026, 10, 15), date(2027, 2, 1), date(2026, 12, 7)) == [
        "2026-10",
        "2026-11",
    ]
    assert ended_months(date(2026, 11, 30), date(2027, 1, 31), date(2027, 2, 1)) == [
        "2026-11",
        "2026-12",
        "2027-01",
    ]
    assert ended_months(date(2026, 12, 1), date(2026, 12, 31), date(2026, 12, 7)) == []


def test_two_releases_of_overlapping_periods_cannot_be_differenced_to_a_small_cell():
    # April holds 2 births: suppressed. A release of January-March and one of January-April
    # publish the same figures for the months they share, and no total over months, so the
    # only thing the second adds about April is April's own (suppressed) cell.
    raw = {"2026-01": 40, "2026-02": 37, "2026-03": 41, "2026-04": 2}

    def release(months: list[str]) -> dict[str, MonthFigures]:
        return {m: figures_of_month(SECRET, "birth", m, raw[m], [1.0] * raw[m]) for m in months}

    first = release(["2026-01", "2026-02", "2026-03"])
    second = release(["2026-01", "2026-02", "2026-03", "2026-04"])
    assert all(second[month] == figures for month, figures in first.items())
    assert set(second) - set(first) == {"2026-04"}
    april = second["2026-04"]
    assert april.started is None and april.completed is None
    assert april.median_days_to_completion is None
    assert set(MonthFigures.model_fields) == {
        "event_type",
        "month",
        "started",
        "completed",
        "median_days_to_completion",
    }  # one month's figures only: no field sums months that a later release could extend
