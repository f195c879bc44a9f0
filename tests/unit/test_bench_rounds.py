"""The benchmark's rounds: how a run is split, and how its rounds add up to one system's
figures (bench/suite.py, bench/throughput.py)."""

import pytest

from bench.suite import round_sizes
from bench.throughput import Round, run_figures


@pytest.mark.parametrize(
    ("count", "per_round", "sizes"),
    [
        (200, 100, [100, 100]),
        (1000, 100, [100] * 10),
        (20, 100, [20]),
        (250, 100, [125, 125]),
        (149, 100, [149]),
        (151, 100, [76, 75]),
    ],
)
def test_a_run_is_split_into_rounds_of_about_the_size_asked(count, per_round, sizes):
    assert round_sizes(count, per_round) == sizes
    assert sum(sizes) == count


def test_rounds_add_up_over_their_own_durations_not_the_gaps_between_them():
    first = Round(
        "onceonly",
        sent={"a": 0.0, "b": 1.0},
        decided={"a": 0.5, "b": 1.5},
        closed={"a": 2.0, "b": 4.0},  # 4 s
        cpu_seconds={"worker": 0.2},
        retried=1,
    )
    # The baseline ran from 4 s to 100 s: not counted.
    second = Round(
        "onceonly",
        sent={"c": 100.0, "d": 100.0},
        decided={"c": 100.0, "d": 100.0},
        closed={"c": 101.0, "d": 102.0},  # 2 s
        cpu_seconds={"worker": 0.2, "api": 0.04},
    )
    figures = run_figures([first, second])
    assert (figures.system, figures.events, figures.seconds) == ("onceonly", 4, 6.0)
    assert figures.per_second == round(4 / 6, 2)
    assert figures.cpu_ms_per_event == {"worker": 100.0, "api": 10.0}
    assert figures.retried_calls == 1
    # Latencies over every workflow of every round: 2, 3, 1 and 2 s from the start.
    assert figures.start_to_completion_ms["max"] == 3000.0
    assert figures.sample_ids == ("a", "b", "c", "d")
