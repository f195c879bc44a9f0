"""`onceonly up` starts a child that died again after a pause: one second, doubling with each
death in a row, at most thirty; a child that stayed up a minute starts the count afresh."""

from onceonly.children import (
    MAX_RESTART_DELAY_SECONDS,
    STAYED_UP_SECONDS,
    deaths_in_a_row,
    restart_delay,
)


def test_the_pause_doubles_from_one_second_to_thirty():
    assert [restart_delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]
    assert restart_delay(1_000) == MAX_RESTART_DELAY_SECONDS
    assert restart_delay(0) == 1  # never below the first pause


def test_a_minute_up_starts_the_count_afresh():
    assert deaths_in_a_row(0, 0.5) == 1
    assert deaths_in_a_row(3, 5.0) == 4
    assert deaths_in_a_row(3, STAYED_UP_SECONDS - 0.1) == 4
    assert deaths_in_a_row(6, STAYED_UP_SECONDS) == 1


def test_a_child_dying_at_once_again_and_again_waits_longer_each_time():
    in_a_row, pauses = 0, []
    for stayed_up in (2.0, 3.0, 1.0, 0.5, 120.0, 1.0):
        in_a_row = deaths_in_a_row(in_a_row, stayed_up)
        pauses.append(restart_delay(in_a_row))
    assert pauses == [1, 2, 4, 8, 1, 2]
