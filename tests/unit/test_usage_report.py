"""The usage report's rules: percentiles as the standard library (and PostgreSQL, see
tests/store/test_usage_ledger.py) compute them, months in the service's zone, each step's
facts into one row's figures, and the ledger entries the activities make."""

import statistics
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from activities import usage
from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.receipts import ReceiptRequest
from onceonly.domain.submission import AgencyAnswer, AgencyStatus, AgencySubmission, StatusCheck
from onceonly.usage import UsageEntry, usage_key
from onceonly.usage_report import (
    COLUMNS,
    Months,
    UsageReport,
    month_of,
    percentile,
    period_rule,
    report_records,
    service_months,
)

AUCKLAND = ZoneInfo("Pacific/Auckland")
T0 = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


@given(st.lists(st.floats(0, 1e7, allow_nan=False), min_size=2, max_size=60))
def test_percentiles_are_the_standard_librarys_inclusive_quantiles(values):
    reference = statistics.quantiles(values, n=100, method="inclusive")
    for hundredth in range(1, 100):
        assert percentile(values, hundredth / 100) == pytest.approx(
            reference[hundredth - 1], rel=1e-9, abs=1e-6
        )


def test_a_percentile_of_nothing_is_none_and_a_share_outside_0_to_1_is_refused():
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.95) == 7.0
    with pytest.raises(ValueError, match="share: must be from 0 to 1"):
        percentile([1.0], 95)


def test_months_are_the_zones_and_a_period_is_at_most_a_year_forward():
    assert month_of(datetime(2026, 10, 31, 12, tzinfo=UTC), AUCKLAND) == "2026-11"
    assert month_of(datetime(2026, 10, 31, 10, tzinfo=UTC), AUCKLAND) == "2026-10"
    assert period_rule(date(2026, 1, 1), date(2026, 12, 31)) is None
    assert period_rule(date(2026, 2, 1), date(2026, 1, 31)) == "must not be before from"
    assert (
        period_rule(date(2026, 1, 1), date(2027, 1, 2)) == "must be less than 366 days after from"
    )


def fact(kind: str, at: datetime, step_id: str = "child_ird_number", **more) -> UsageEntry:
    event_id = more.pop("event_id", "birth-1")
    return UsageEntry(
        key=usage_key(event_id, step_id, more.pop("fact", kind)),
        event_id=event_id,
        event_type="birth",
        step_id=step_id,
        agency=more.pop("agency", "ird"),
        service=more.pop("service", "child-ird-number"),
        kind=kind,
        at=at,
        **more,
    )


def test_a_steps_facts_count_in_the_months_they_happened_measured_from_its_first_request():
    slow = [
        fact("request", T0 - timedelta(days=12), fact="request/1"),  # October: not counted
        fact("request", T0 - timedelta(days=12, seconds=-60), fact="request/2", attempt=2),
        fact("accepted", T0 - timedelta(days=12, seconds=-90), due_seconds=5 * 86_400.0),
        fact("completed", T0, fact="outcome"),  # after the 5 days promised: overdue
    ]
    fast = [
        fact("request", T0, event_id="birth-2", fact="request/1"),
        fact("accepted", T0 + timedelta(seconds=2), event_id="birth-2"),
        fact("completed", T0 + timedelta(seconds=2), event_id="birth-2", fact="outcome"),
        fact("amendment_manual", T0 + timedelta(days=1), event_id="birth-2", fact="c-1"),
    ]
    refused = [
        fact("request", T0, event_id="birth-3", fact="request/1"),
        fact("rejected", T0 + timedelta(seconds=1), event_id="birth-3", detail="AgencyRejected"),
    ]
    declined = [fact("consent", T0, "best_start", agency="msd", service="best-start")]
    rows = service_months([*slow, *fast, *refused, *declined], *NOVEMBER, AUCKLAND, T0)
    [msd, ird] = sorted(rows, key=lambda row: row.agency, reverse=True)
    assert ird.model_dump() == {
        "agency": "ird",
        "service": "child-ird-number",
        "month": "2026-11",
        "life_events": 3,
        "requests": 2,
        "retries": 0,
        "accepted": 1,
        "rejections": 1,
        "completions": 2,
        "manual_tasks": 1,
        "overdue_outcomes": 1,
        "corrections": 1,
        "withdrawals": 0,
        "acceptance_p50_seconds": 2.0,
        "acceptance_p95_seconds": 2.0,
        "outcome_p50_seconds": pytest.approx((12 * 86_400 + 2) / 2),
        "outcome_p95_seconds": pytest.approx(2 + (12 * 86_400 - 2) * 0.95),
    }
    # A decision at a checkpoint makes a row, but not a life event at the agency.
    assert (msd.agency, msd.life_events, msd.requests) == ("msd", 0, 0)
    # The same facts over October: the retry and the acceptance are October's.
    [october] = service_months(slow, date(2026, 10, 1), date(2026, 10, 31), AUCKLAND, T0)
    assert (october.month, october.requests, october.retries, october.accepted) == (
        "2026-10",
        1,
        1,
        1,
    )
    assert october.acceptance_p50_seconds == 90.0 and october.overdue_outcomes == 0


def test_an_outcome_still_awaited_is_overdue_only_once_its_promise_ran_out():
    story = [
        fact("request", T0, fact="request/1"),
        fact("accepted", T0, due_seconds=3_600.0),
    ]
    [early] = service_months(story, *NOVEMBER, AUCKLAND, T0 + timedelta(minutes=59))
    [late] = service_months(story, *NOVEMBER, AUCKLAND, T0 + timedelta(minutes=61))
    assert (early.overdue_outcomes, late.overdue_outcomes) == (0, 1)


def test_the_reports_records_have_a_header_and_empty_cells_for_missing_figures():
    [row] = service_months([fact("request", T0, fact="request/1")], *NOVEMBER, AUCKLAND, T0)
    report = UsageReport(
        since=NOVEMBER[0], until=NOVEMBER[1], agency=None, timezone="Pacific/Auckland", rows=[row]
    )
    header, cells = report_records(report)
    assert tuple(header) == COLUMNS and cells[:5] == [
        "ird",
        "child-ird-number",
        "2026-11",
        "1",
        "1",
    ]
    assert cells[COLUMNS.index("outcome_p95_seconds")] == ""


SUBMISSION = AgencySubmission(
    event_id="birth-9",
    step_id="child_ird_number",
    agency="ird",
    service="child-ird-number",
    idempotency_key="birth-9/child_ird_number",
    disclosure={"child.name": "Aroha"},
)


def test_the_activities_entries_carry_ids_codes_and_times_never_values():
    pending = AgencyAnswer(reference="R", pending=True, outcome_due=timedelta(days=5))
    [accepted] = usage.answered(SUBMISSION, pending, 2, T0)
    assert (accepted.kind, accepted.attempt, accepted.due_seconds) == ("accepted", 2, 432_000.0)
    assert accepted.event_type == "birth"  # from the event id, for older submissions
    done = usage.answered(SUBMISSION, AgencyAnswer(reference="R"), 1, T0)
    assert [e.kind for e in done] == ["accepted", "completed"] and done[0].due_seconds is None
    assert "Aroha" not in str([e.model_dump() for e in done])
    check = StatusCheck(
        event_id="birth-9", step_id="child_ird_number", agency="ird", service="s", reference="R"
    )
    assert usage.outcome(check, AgencyStatus(reference="R", state="pending"), 1, T0) == []
    [failed] = usage.outcome(check, AgencyStatus(reference="R", state="rejected"), 1, T0)
    assert failed.kind == "failed" and failed.key == done[1].key  # one outcome per step
    [first, again] = [usage.request_sent(SUBMISSION, "3", n, T0)[0] for n in (1, 2)]
    [operators_retry] = usage.request_sent(SUBMISSION, "7", 1, T0)
    assert len({first.key, again.key, operators_retry.key}) == 3
    step = CATALOGUE.event("birth").step("best_start")
    decision = ReceiptRequest(
        event_type="birth",
        event_id="birth-9",
        step_id="best_start",
        principal_key="p" * 32,
        decision="decline",
        decided_at=T0,
        receipt_id="r-1",
    )
    entry = usage.consent_decision(decision, step)
    assert (entry.agency, entry.service, entry.detail) == (step.agency, step.service, "decline")
    assert "p" * 32 not in entry.model_dump_json()


@given(
    st.datetimes(
        min_value=datetime(2025, 1, 1),
        max_value=datetime(2027, 12, 31),
        timezones=st.just(UTC),
    ),
    st.integers(0, 400),
    st.floats(0, 1),
)
def test_months_by_bisection_are_the_months_each_moment_falls_in(start, days, where):
    end = start + timedelta(days=days, seconds=1)
    moment = start + (end - start) * where
    moment = min(moment, end - timedelta(microseconds=1))
    assert Months(start, end, AUCKLAND).of(moment) == month_of(moment, AUCKLAND)
