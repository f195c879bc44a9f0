"""The restart drill of `make drill`, short: under `onceonly up`, the mock agencies and then the
worker are SIGKILLed while births wait on IRD's callbacks; `up` starts each again, every birth
completes and every callback is delivered. The timings are printed, not judged tightly: the
long drill measures them.
"""

from pathlib import Path

import pytest

from bench.report import checks_table, table
from bench.restarts import FIGURE_COLUMNS, SHORT, checks, drill, figures

pytestmark = pytest.mark.integration


async def test_a_killed_process_is_started_again_and_nothing_waits_long(tmp_path: Path):
    runs, log = await drill(tmp_path, SHORT)
    print(table("restart drill (short)", FIGURE_COLUMNS, figures(runs)))
    verdicts = checks(runs, log, SHORT)
    print(checks_table("restart drill (short)", verdicts))
    assert [run.killed for run in runs] == [None, "agencies", "worker"]
    assert all(check.passed for check in verdicts), checks_table("restart drill", verdicts)
    # The mocks died with callbacks pending, and delivered them after their restart.
    assert runs[1].pending_at_kill > 0
