"""Statistical disclosure control for the open statistics: what may be published about life
events so that no one can learn about a single person.

The rules follow Stats NZ's output rules for integrated data (the IDI): a count below 6 is
suppressed, and every other count is randomly rounded to base 3 ("RR3": a multiple of 3 stays
as it is; any other count goes to one of its two nearest multiples of 3, with the chances set
so that its expected value is the count itself, e.g. 17 becomes 15 one time in three and 18 two
times in three).

Two choices of ours keep released figures from being differenced back to a small cell:
- A figure is only ever published for a whole calendar month that has ended, by the month in
  which the thing counted happened. Such a cell never changes once published, and a query over
  any period is the set of its month cells: two releases of overlapping periods publish the
  same figures for the months they share, and no figure is a total over a period that another
  could be subtracted from.
- Rounding is stable: the draw for a cell comes from a keyed hash (HMAC-SHA256 under the
  service's secret) of the cell's name and its count, never from a fresh random number, so
  asking again cannot average the noise away, and without the secret nobody can recompute it.

A median (of durations) is published only for a cell of at least MEDIAN_MIN_COUNT values, so
it is the middle of a crowd, never one person's figure; a share is published only as the
quotient of two published (rounded) counts, so it tells nothing the counts do not.
"""

import hashlib
import hmac
from collections.abc import Sequence
from datetime import date
from statistics import median

ROUNDING_BASE = 3
SMALLEST_PUBLISHED_COUNT = 6
"""Counts below this are suppressed (Stats NZ's IDI rule)."""
MEDIAN_MIN_COUNT = 20
"""A median needs this many values behind it: ours, stricter than the count rule, because a
median of a handful of values is close to one person's own figure."""


def stable_draw(secret: bytes, cell: str, count: int) -> float:
    """A number in [0, 1) fixed for this cell and count, unpredictable without the secret."""
    digest = hmac.new(secret, f"{cell}\x00{count}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def random_round(count: int, draw: float) -> int:
    """RR3: `count` to a multiple of 3, rounding up with chance remainder/3 (`draw` uniform in
    [0, 1)), so that the expected result is `count`. Multiples of 3, zero included, stay."""
    if count < 0:
        raise ValueError(f"count: must not be negative, not {count}")
    below = count - count % ROUNDING_BASE
    if below == count:
        return count
    return below + ROUNDING_BASE if draw < (count - below) / ROUNDING_BASE else below


def published_count(secret: bytes, cell: str, count: int) -> int | None:
    """The figure published for a count: None (suppressed) below 6, else stably rounded."""
    if count < SMALLEST_PUBLISHED_COUNT:
        return None
    return random_round(count, stable_draw(secret, cell, count))


def published_median(values: Sequence[float]) -> float | None:
    """The median of a cell's values, or None (suppressed) when too few stand behind it."""
    if len(values) < MEDIAN_MIN_COUNT:
        return None
    return float(median(values))


def published_share(part: int | None, whole: int | None) -> float | None:
    """A share as the quotient of two published counts, or None when either is suppressed."""
    if part is None or not whole:
        return None
    return round(part / whole, 3)


def ended_months(first: date, last: date, today: date) -> list[str]:
    """The calendar months ("YYYY-MM") from `first`'s to `last`'s that ended before `today`:
    the only months whose figures may be published (a month under way still changes)."""
    months: list[str] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month) and (year, month) < (today.year, today.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
