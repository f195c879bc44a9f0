"""`python -m bench bench` (make bench) and `python -m bench drill` (make drill); the usage
report alone (`usage-report`) and the usage drill (`usage-drill`, bench/usage_main.py).

Each starts a stack of its own on free loopback ports and a temporary state dir, prints its
tables and keeps its figures in bench/results/.
"""

import argparse
import asyncio
import dataclasses
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from temporalio.client import Client

from bench import restarts, usage_main, usage_report, usage_run
from bench.checks import Check
from bench.drill_run import DRILL_ENV, LONG
from bench.drills import DRILLS
from bench.report import checks_table, table, write_json
from bench.stack import PieceStack
from bench.suite import run_benchmarks
from bench.usage_drill import postgresql_installed


def _stack_dir(kind: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"onceonly-{kind}-"))


async def _drills(names: Sequence[str], events: int | None) -> int:
    size = LONG if events is None else dataclasses.replace(LONG, events=events)
    state_dir = _stack_dir("drill")
    results: dict[str, list[Check]] = {}
    figures: dict[str, object] = {"size": dataclasses.asdict(size)}
    piece_drills = [name for name in names if name in DRILLS]
    if piece_drills:
        stack = PieceStack.on_free_ports(state_dir, DRILL_ENV)
        try:
            await stack.start()
            client = await Client.connect(stack.settings.temporal_address)
            for name in piece_drills:
                print(f"\ndrill {name}: {size.events} births ...", flush=True)
                results[name] = await DRILLS[name](stack, client, size)
                print(checks_table(f"drill {name}", results[name]), flush=True)
        finally:
            await stack.stop()
    if RESTARTS in names:
        results[RESTARTS] = await _restart_drill(state_dir / RESTARTS, events, figures)
    failed = [name for name, checks in results.items() if not all(c.passed for c in checks)]
    figures["drills"] = {n: [dataclasses.asdict(c) for c in cs] for n, cs in results.items()}
    path = write_json("drills", figures)
    print(f"\nfigures kept in {path}")
    if failed:
        print(f"FAILED: {', '.join(failed)}; the stack's logs are in {state_dir}")
        return 1
    shutil.rmtree(state_dir, ignore_errors=True)
    return 0


RESTARTS = "restarts"


async def _restart_drill(
    state_dir: Path, births: int | None, figures: dict[str, object]
) -> list[Check]:
    """The restart drill under `onceonly up` (bench/restarts.py), on a stack of its own."""
    size = restarts.LONG if births is None else dataclasses.replace(restarts.LONG, births=births)
    killed = ", ".join(size.killed)
    print(f"\ndrill {RESTARTS}: {size.births} births per run, killing {killed} ...", flush=True)
    runs, log = await restarts.drill(state_dir, size)
    rows = restarts.figures(runs)
    print(table(f"drill {RESTARTS}", restarts.FIGURE_COLUMNS, rows), flush=True)
    checks = restarts.checks(runs, log, size)
    print(checks_table(f"drill {RESTARTS}", checks), flush=True)
    figures[RESTARTS] = {
        "size": dataclasses.asdict(size),
        "columns": restarts.FIGURE_COLUMNS,
        "runs": rows,
    }
    return checks


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the benchmarks or the drills."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    bench = commands.add_parser("bench", help="throughput, latency, idle scale, history size")
    bench.add_argument(
        "--events", type=int, nargs="+", default=[200, 1000], help="births per throughput run"
    )
    bench.add_argument(
        "--idle-events", type=int, default=10_000, help="births left waiting (0: skip)"
    )
    bench.add_argument("--reads", type=int, default=500, help="status reads in the idle run")
    bench.add_argument(
        "--profile", action="store_true", help="sample the Python processes with py-spy"
    )
    drill = commands.add_parser(
        "drill", help="fault drills: agencies, workers, server, API; restarts under onceonly up"
    )
    drill.add_argument(
        "--events",
        type=int,
        help=f"births per drill (default {LONG.events}; per run of the restart drill,"
        f" {restarts.LONG.births})",
    )
    usage = commands.add_parser(
        "usage-report", help="the usage report's time over 10,000 events on PostgreSQL"
    )
    usage.add_argument("--events", type=int, default=usage_report.EVENTS)
    drill_usage = commands.add_parser(
        "usage-drill",
        help="1,000 life events, then the usage report and the statistics checked against the"
        " mocks' records",
    )
    drill_usage.add_argument("--events", type=int, default=usage_run.EVENTS)
    drill_usage.add_argument("--seed", type=int, default=usage_run.SEED)
    drill_usage.add_argument(
        "--decline-at",
        nargs="*",
        default=[],
        metavar="AGENCY",
        help="agencies with no API (a staff inbox, a batch file): their steps' consent is"
        " declined, and events with a step the law requires there are not run",
    )
    drill_usage.add_argument(
        "--store",
        choices=("postgresql", "sqlite"),
        default="postgresql" if postgresql_installed() else "sqlite",
        help="the shared store (default: PostgreSQL where its server is installed)",
    )
    every = [*DRILLS, RESTARTS]
    drill.add_argument("--only", nargs="+", choices=every, default=every, help="drills to run")
    args = parser.parse_args(argv)
    if args.command == "bench":
        state_dir = _stack_dir("bench")
        sizes = (args.events, args.idle_events, args.reads)
        asyncio.run(run_benchmarks(state_dir, *sizes, profile=args.profile))
        # Kept when the run failed (the exception above), for its logs.
        shutil.rmtree(state_dir, ignore_errors=True)
        return 0
    if args.command == "usage-drill":
        state_dir = _stack_dir("usage-drill")
        return usage_main.main(state_dir, args.events, args.seed, args.decline_at, args.store)
    if args.command == "usage-report":
        return usage_report.main(args.events)
    return asyncio.run(_drills(args.only, args.events))


if __name__ == "__main__":
    sys.exit(main())
