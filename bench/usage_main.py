"""`python -m bench usage-drill`: the usage drill's tables (every report figure beside the
mocks' and the drill's, the checks, the timings against their baselines) and its figures kept
in bench/results/usage_drill.json."""

import asyncio
import dataclasses
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import usage_run
from bench.report import checks_table, table, write_json
from bench.usage_checks import FIGURE_COLUMNS

TIMING_COLUMNS = ("call", "ms", "baseline", "baseline ms", "ratio")


def timings(measured: dict[str, Any]) -> list[list[Any]]:
    """The usage drill's timings as rows of TIMING_COLUMNS."""
    report, route, stats = (measured[k] for k in ("report", "operator_route", "statistics"))
    return [
        [
            "onceonly ops report --json",
            report["cli_seconds"] * 1000,
            "the same CLI's --help",
            report["cli_help_seconds"] * 1000,
            report["cli_ratio"],
        ],
        [
            "the report's read and aggregation",
            report["report_ms"],
            f"count(*) over its {report['ledger_rows']:,} rows",
            report["count_ms"],
            report["report_ratio"],
        ],
        [
            "GET /v1/operator/usage",
            route["route_ms"],
            "GET /healthz",
            route["healthz_ms"],
            route["route_ratio"],
        ],
        [
            "GET /v1/statistics",
            stats["statistics_ms"],
            "one visibility listing of the events",
            stats["visibility_listing_ms"],
            stats["statistics_listing_ratio"],
        ],
        [
            "GET /v1/statistics",
            stats["statistics_ms"],
            "one visibility count",
            stats["visibility_count_ms"],
            stats["statistics_ratio"],
        ],
    ]


def main(state_dir: Path, events: int, seed: int, no_api: Sequence[str], store: str) -> int:
    """The usage drill (bench/usage_run.py) on a stack of its own in `state_dir`: its tables
    printed, its figures kept; 1 on any disagreement (the stack's logs then kept)."""
    print(f"usage drill: {events} life events on {store} ...", flush=True)
    outcome = asyncio.run(
        usage_run.run_usage_drill(state_dir, events, seed, no_api, store == "postgresql")
    )
    rows = [figure.row() for figure in outcome.figures]
    print(
        table(
            "\nthe usage report: ours (CLI), the route's, the mocks', the drill's",
            FIGURE_COLUMNS,
            rows,
        )
    )
    print(checks_table("\nusage drill", outcome.checks))
    m = outcome.measured
    print(f"\n{sum(m['events'].values())} events settled in {m['wall_seconds']}s")
    print(
        table("timings (ms), each against a baseline of the same run", TIMING_COLUMNS, timings(m))
    )
    path = write_json(
        "usage_drill",
        {
            "size": {"events": events, "seed": seed, "decline_at": list(no_api), "store": store},
            **{k: v for k, v in outcome.measured.items() if k != "published"},
            "checks": [dataclasses.asdict(check) for check in outcome.checks],
            "figures": [dataclasses.asdict(f) | {"agrees": f.agrees} for f in outcome.figures],
            "published": outcome.measured.get("published"),
        },
    )
    print(f"\nfigures kept in {path}")
    if not outcome.passed:
        print(f"FAILED; the stack's logs are in {state_dir}")
        return 1
    shutil.rmtree(state_dir, ignore_errors=True)
    return 0
