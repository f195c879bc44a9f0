"""Where a Python process's time goes during a run: py-spy samples it (`--profile`), and the
samples are put into a few named buckets, idle waiting left out. Only the thread holding the
GIL is sampled (`--gil`): a thread waiting for it is not using the CPU, and the worker's
workflow threads wait for it often.

py-spy is not a dependency of the project: `.venv/bin/pip install py-spy` first.
"""

import asyncio
import contextlib
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path

from bench.stack import PieceStack

SAMPLES_PER_SECOND = 100
# First match wins, so the more specific buckets come first: a pydantic conversion inside an
# activation counts as payload work, an httpx call inside an activity as HTTP.
BUCKETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "new workflow instance (in a sandbox, the workflow modules re-imported)",
        ("_create_workflow_instance",),
    ),
    ("payloads: serialization context looked up", ("_get_current_dc",)),
    ("payloads: AES-GCM codec", ("onceonly/codec.py",)),
    ("payloads: pydantic JSON conversion", ("temporalio/contrib/pydantic", "temporalio/converter")),
    ("workflow activations (workflow code, SDK state machine)", ("_RunningWorkflow.activate",)),
    ("logging (structlog JSON lines)", ("structlog/", "logging/__init__", "/logs.py")),
    ("HTTP client (httpx, httpcore)", ("httpx/", "httpcore/")),
    ("agency adapters and the activity", ("adapters/", "activities/")),
    ("SQLite (mock agencies' records)", ("sqlite3", "mocks/kit/store.py")),
    ("Temporal client calls (start, update, query)", ("temporalio/client",)),
    ("SDK bridge (calls into the Rust core)", ("temporalio/bridge/",)),
    ("HTTP server (uvicorn, starlette, FastAPI)", ("uvicorn/", "starlette/", "fastapi/")),
)
# A sample whose innermost frame is one of these is a thread waiting for work, not working.
# (py-spy names a method with its class, as in "EpollSelector.select (selectors.py:468)".)
IDLE_LEAVES = (
    "select (selectors.py",
    "_worker (concurrent/futures/thread.py",
    "wait (threading.py",
)


def _idle(leaf: str) -> bool:
    function = leaf.rpartition(" (")[0].rpartition(".")[2]
    return f"{function} ({leaf.rpartition(' (')[2]}".startswith(IDLE_LEAVES)


def py_spy() -> str | None:
    """The py-spy binary beside this Python or on PATH, if installed."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def buckets(collapsed: Iterable[str]) -> dict[str, float]:
    """Share (%) of busy samples per bucket, from py-spy's raw (collapsed stack) lines."""
    counts: Counter[str] = Counter()
    for line in collapsed:
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack or _idle(stack.rpartition(";")[2]):
            continue
        bucket = next((name for name, keys in BUCKETS if any(k in stack for k in keys)), "other")
        counts[bucket] += int(count)
    busy = counts.total()
    return {name: round(100 * n / busy, 1) for name, n in counts.most_common()} if busy else {}


def _sampler(binary: str, pid: int, output: Path) -> subprocess.Popen[bytes]:
    output.parent.mkdir(parents=True, exist_ok=True)
    argv = [binary, "record", "--pid", str(pid), "--rate", str(SAMPLES_PER_SECOND)]
    argv += ["--format", "raw", "--output", str(output), "--nonblocking", "--gil"]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@contextlib.asynccontextmanager
async def profiling(stack: PieceStack, names: Sequence[str], out: Path) -> AsyncIterator[None]:
    """Sample the named pieces for the block; their stacks land in `out`/profile-NAME.txt."""
    binary = py_spy()
    if names and binary is None:
        print("--profile: py-spy is not installed (.venv/bin/pip install py-spy); not profiling")
    if not names or binary is None:
        yield
        return
    samplers = [_sampler(binary, stack[name].pid, out / f"profile-{name}.txt") for name in names]
    try:
        yield
    finally:
        # py-spy writes its output when interrupted, as after a Ctrl-C.
        for sampler in samplers:
            sampler.send_signal(signal.SIGINT)
        for sampler in samplers:
            await asyncio.to_thread(sampler.wait)


def profile_rows(out: Path, names: Sequence[str]) -> list[list[object]]:
    """Each profiled piece's buckets as table rows: piece, bucket, share of its busy time."""
    rows: list[list[object]] = []
    for name in names:
        path = out / f"profile-{name}.txt"
        if path.exists():
            shares = buckets(path.read_text().splitlines())
            rows += [[name, bucket, share] for bucket, share in shares.items()]
    return rows
