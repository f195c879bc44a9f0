"""The usage drill of `python -m bench usage-drill`, short: 60 births, moves and deaths through
a stack of its own (its store in PostgreSQL where the server is installed; Kāinga Ora's steps
and Collections' declined, as for agencies with no API; the agencies' staff closing
the tasks corrections and withdrawals open), then the usage report (CLI and operator route) and
the open statistics, every figure checked against the mocks' records and the drill's own plan
(bench/usage_checks.py)."""

from pathlib import Path

import pytest

from bench.report import checks_table, table
from bench.usage_checks import FIGURE_COLUMNS
from bench.usage_drill import postgresql_installed
from bench.usage_plan import plan_events
from bench.usage_run import run_usage_drill

pytestmark = pytest.mark.integration
EVENTS = 60
NO_API = ("kaingaora", "justice")
"""Kāinga Ora as an agency with no API would be run, and Collections (a daily file, its own
real-stack test): every step there declined."""
SEED = 6
"""A plan with four withdrawals and two corrections among the 60 (asserted below)."""


async def test_the_report_and_the_statistics_agree_with_the_mocks_and_the_drill(tmp_path: Path):
    plan = plan_events(EVENTS, SEED, NO_API)
    assert sum(e.correct for e in plan) >= 2 and sum(bool(e.withdraw) for e in plan) >= 2
    outcome = await run_usage_drill(tmp_path, EVENTS, SEED, NO_API, postgresql_installed())
    wrong = [figure.row() for figure in outcome.figures if not figure.agrees]
    assert outcome.figures and not wrong, table("disagreeing", FIGURE_COLUMNS, wrong)
    assert all(check.passed for check in outcome.checks), checks_table("", outcome.checks)
    sent = {(f.agency, f.service): f.ours for f in outcome.figures if f.figure == "requests"}
    assert sent["kaingaora", "tenancy-end-deceased"] == 0 and sum(sent.values()) > EVENTS, sent
    corrections = sum(f.ours for f in outcome.figures if f.figure == "corrections")
    assert corrections >= 2, "each correction reaches the agencies holding the child's name"
    # The run is big enough for both sides of the release rules to be seen.
    published = outcome.measured["published"]
    counts = [row[n] for row in published["figures"] for n in ("started", "completed")]
    counts += [row["decisions"] for row in published["services"]]
    counts += [row["outcomes"] for row in published["agencies"]]
    assert None in counts and any(n is not None for n in counts), counts
