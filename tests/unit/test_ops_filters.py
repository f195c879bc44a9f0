"""`ops list` filters as Temporal visibility queries."""

from datetime import UTC, datetime, timedelta

import pytest

from onceonly.ops import ListFilters, OpsError, visibility_query

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def test_only_onceonly_events_are_listed_without_filters():
    assert visibility_query(ListFilters(), NOW) == "OnceonlyEventType IS NOT NULL"


def test_each_filter_narrows_the_query():
    query = visibility_query(
        ListFilters(
            status="in_progress",
            event_type="death",
            agency="msd",
            stuck_for=timedelta(hours=2),
            failed=True,
            attention=True,
        ),
        NOW,
    )
    assert query.split(" AND ") == [
        "OnceonlyEventType IS NOT NULL",
        "OnceonlyEventType = 'death'",
        "OnceonlyStatus = 'in_progress'",
        "OnceonlyAgencies = 'msd'",
        "OnceonlyFailedSteps IS NOT NULL",
        # Late outcomes at an agency, and changes that did not take effect.
        "OnceonlyNeedsAttention = true",
        "OnceonlyUpdatedAt < '2026-11-25T07:30:00Z'",
        "ExecutionStatus = 'Running'",
    ]


def test_a_filter_value_cannot_break_out_of_its_quotes():
    with pytest.raises(OpsError, match="quotes"):
        visibility_query(ListFilters(agency="msd' OR 1=1 --"), NOW)
