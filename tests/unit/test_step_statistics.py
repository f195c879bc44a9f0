"""The open statistics' step figures: per service, the shares of consent decisions as
quotients of published counts; per agency, the median time to an outcome only of 20 or more;
a row for every service and agency whatever happened, so a row's presence tells nothing."""

import statistics as reference
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from onceonly.domain.disclosure_control import published_count, published_share
from onceonly.statistics import agency_figures, catalogue_services, service_figures
from onceonly.usage import UsageEntry, usage_key

SECRET = b"step statistics test secret"
AUCKLAND = ZoneInfo("Pacific/Auckland")
T0 = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)
MONTHS = ["2026-11"]
BEST_START = ("msd", "best-start")


def decision(n: int, choice: str, at: datetime = T0, service=BEST_START) -> UsageEntry:
    event_id = f"birth-{n}"
    return UsageEntry(
        key=usage_key(event_id, "best_start", f"consent/{choice}-{n}"),
        event_id=event_id,
        event_type="birth",
        step_id="best_start",
        agency=service[0],
        service=service[1],
        kind="consent",
        detail=choice,
        at=at,
    )


def test_a_services_shares_are_quotients_of_its_published_counts():
    entries = [
        *(decision(n, "grant") for n in range(10)),
        *(decision(n, "decline") for n in range(10, 17)),
        *(decision(n, "withdraw") for n in range(17, 19)),
        decision(19, "expire"),
        # No choice: an acknowledgement of a statutory step, a correction's receipt.
        *(decision(n, "acknowledge") for n in range(20, 40)),
        decision(40, "correct"),
        # Another month (October in Auckland): not November's.
        decision(41, "grant", at=datetime(2026, 10, 31, 10, tzinfo=UTC)),
    ]
    [row] = service_figures(SECRET, entries, MONTHS, AUCKLAND, [BEST_START])
    cell = "msd/best-start/2026-11"
    decided = published_count(SECRET, f"{cell}/decisions", 20)
    assert row.decisions == decided and decided in {18, 21}
    for share, choice, count in [
        (row.consented, "grant", 10),
        (row.declined, "decline", 7),
        (row.withdrawn, "withdraw", 2),
    ]:
        assert share == published_share(published_count(SECRET, f"{cell}/{choice}", count), decided)
    assert row.withdrawn is None  # 2 withdrawals: below 6, so no share either
    assert row.consented in {round(9 / decided, 3), round(12 / decided, 3)}


def test_every_service_and_month_has_a_row_and_small_cells_are_null():
    services = catalogue_services()
    assert BEST_START in services and len(services) == len(set(services))
    entries = [decision(n, "grant") for n in range(5)]
    rows = service_figures(SECRET, entries, ["2026-10", "2026-11"], AUCKLAND, services)
    assert len(rows) == 2 * len(services)
    assert all(row.decisions is None and row.consented is None for row in rows)


def outcome(n: int, agency: str, took: timedelta) -> list[UsageEntry]:
    event_id, step_id = f"move-{n}", "update_ird_address"
    common = {
        "event_id": event_id,
        "event_type": "move",
        "step_id": step_id,
        "agency": agency,
        "service": "address-change",
    }
    return [
        UsageEntry(key=usage_key(event_id, step_id, "request/1"), kind="request", at=T0, **common),
        UsageEntry(
            key=usage_key(event_id, step_id, "request/2"),
            kind="request",
            attempt=2,
            at=T0 + timedelta(seconds=1),
            **common,
        ),
        UsageEntry(
            key=usage_key(event_id, step_id, "outcome"), kind="completed", at=T0 + took, **common
        ),
    ]


def test_an_agencys_median_time_to_outcome_needs_20_outcomes_and_counts_from_the_first_request():
    took = [timedelta(hours=n, minutes=7 * n) for n in range(20)]
    twenty = [entry for n, span in enumerate(took) for entry in outcome(n, "ird", span)]
    nineteen = [entry for n, span in enumerate(took[:19]) for entry in outcome(n, "nzta", span)]
    rows = agency_figures(SECRET, twenty + nineteen, MONTHS, AUCKLAND, ["ird", "nzta", "acc"])
    by_agency = {row.agency: row for row in rows}
    expected = reference.median(span.total_seconds() / 3600 for span in took)
    assert by_agency["ird"].median_hours_to_outcome == round(expected, 2)
    assert by_agency["ird"].outcomes == published_count(SECRET, "ird/2026-11/outcomes", 20)
    assert by_agency["nzta"].median_hours_to_outcome is None
    assert by_agency["nzta"].outcomes in {18, 21}
    assert by_agency["acc"].outcomes is None and by_agency["acc"].median_hours_to_outcome is None
