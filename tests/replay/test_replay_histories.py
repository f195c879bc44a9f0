"""Every committed history replays against the current workflow code, with the project's
data converter, through the function `onceonly replay` uses: a non-deterministic change fails
here, naming the history; and `onceonly replay` itself says so, with its exit code.

The histories are recorded by `onceonly dev record-histories` from a real dev server; their
payloads are encrypted with the development key and hold only synthetic data.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from temporalio import workflow

from onceonly.codec import data_converter
from onceonly.domain.birth import BirthStart
from onceonly.domain.death import DeathStart
from onceonly.domain.life_event import LifeEventProgress, LifeEventStart
from onceonly.domain.move import MoveStart
from onceonly.domain.patches import BATCHED_BOOKKEEPING
from onceonly.recording import PATHS, history_file
from onceonly.recording_death import DEATH_PATHS
from onceonly.recording_move import MOVE_PATHS
from onceonly.replay import load_history, replay
from onceonly.settings import DEV_PAYLOAD_KEY
from tests.recorded import patch_ids, submission_queues
from tests.replay.drifted_birth import DriftedBirthWorkflow
from workflows.birth import ADDED_STEPS, BirthWorkflow
from workflows.death import DeathWorkflow
from workflows.move import MoveWorkflow

HISTORY_FOLDER = Path(__file__).parent.parent / "histories"
HISTORIES = sorted(HISTORY_FOLDER.glob("*/*.json"))
BIRTH_HISTORIES = [path for path in HISTORIES if path.parent.name.startswith("birth")]
BIRTH_PATHS = {
    "all-granted",
    "decline-skips-dependant",
    "expiry",
    "failed-step-retried-by-operator",
    "cancelled",
}
REPO = Path(__file__).parent.parent.parent
IMMUNISATION_PATCH = ADDED_STEPS["immunisation_register"]


def test_there_are_histories_to_replay():
    # Before and after receipts, reminders, parties and withdrawal (the CONSENT_V2 patch).
    for folder in ("birth", "birth-consent"):
        assert {path.stem for path in HISTORIES if path.parent.name == folder} >= BIRTH_PATHS
    # Every path the recorder plays has its committed history; the moves as they start today
    # and the death have no other (`move/` keeps the moves from before Collections' step).
    for path in PATHS:
        assert history_file(HISTORY_FOLDER, path) in HISTORIES, f"{path.folder}/{path.name}"
    for folder, paths in (("move", MOVE_PATHS), ("move-fines", MOVE_PATHS), ("death", DEATH_PATHS)):
        recorded = {path.stem for path in HISTORIES if path.parent.name == folder}
        assert recorded == {path.name for path in paths}


@pytest.mark.parametrize("path", HISTORIES, ids=lambda path: f"{path.parent.name}/{path.stem}")
async def test_history_replays_deterministically(path: Path):
    [report] = await replay({path.name: load_history(path)}, data_converter(DEV_PAYLOAD_KEY))
    assert report.compatible, report.line()


async def test_a_non_deterministic_change_is_caught_naming_the_history():
    path = HISTORIES[0]
    [report] = await replay(
        {str(path): load_history(path)},
        data_converter(DEV_PAYLOAD_KEY),
        workflows=[DriftedBirthWorkflow],
    )
    assert not report.compatible
    assert report.line().startswith(f"{path}: NOT compatible")
    assert "Nondeterminism" in report.line()
    # The drift is a timer where the history's first command after the start is an upsert.
    assert report.event_id is not None and report.event_type == "UpsertWorkflowSearchAttributes"


def onceonly_replay(*args: str, workflows: str = "") -> subprocess.CompletedProcess[str]:
    """`onceonly replay ARGS` in a process of its own, optionally against other workflows
    (a Python expression evaluated after `from tests.replay import drifted_birth`)."""
    swap = f"replay.WORKFLOWS = {workflows}; " if workflows else ""
    code = (
        "import sys; from onceonly import replay; from onceonly.cli import main; "
        f"from tests.replay import drifted_birth; {swap}sys.exit(main(sys.argv[1:]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code, "replay", *args],
        cwd=REPO,
        env={"PATH": "", "ONCEONLY_PAYLOAD_KEYS": DEV_PAYLOAD_KEY},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_cli_reports_a_committed_history_compatible():
    path = HISTORIES[0]
    replayed = onceonly_replay(str(path))
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout.splitlines() == [f"{path}: compatible"]


def test_the_cli_fails_the_gate_naming_each_incompatible_history():
    first, second = HISTORIES[:2]
    replayed = onceonly_replay(
        str(first), str(second), workflows="[drifted_birth.DriftedBirthWorkflow]"
    )
    assert replayed.returncode == 1, replayed.stderr
    lines = replayed.stdout.splitlines()
    assert [line.split(": NOT compatible")[0] for line in lines] == [str(first), str(second)]
    assert all("Nondeterminism error" in line for line in lines)


def test_the_cli_says_when_a_history_cannot_be_read(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("not json", encoding="utf-8")
    replayed = onceonly_replay(str(broken), str(tmp_path / "missing.json"))
    assert replayed.returncode == 2
    assert f"{broken}: not a workflow history in JSON" in replayed.stderr


SEEN_STEPS: list[tuple[str, ...]] = []
NAMED_PATCHES: list[str | None] = []
OWN_QUEUE_AGENCIES: list[tuple[str, ...] | None] = []
# Recorded since starters name their latest patch in the start input.
NAMED_PATCH_FOLDERS = {"birth-named-patch", "birth-own-queues"}
# Recorded since starters name the agencies whose calls have queues of their own.
OWN_QUEUE_FOLDERS = {"birth-own-queues", "move", "move-fines", "death"}
# The agencies an all-granted event of each folder sends to, but Health.
OWN_QUEUES_ALL_GRANTED = {
    "birth-own-queues": {"bdm", "ird", "msd"},
    "move": {"nzta", "electoral", "msd", "council", "acc"},
    "move-fines": {"nzta", "electoral", "msd", "council", "acc", "justice"},
    "death": {"bdm", "ird", "msd", "nzta", "passports", "electoral", "veterans", "council",
              "kaingaora"},
}  # fmt: skip


@workflow.defn(name="birth", sandboxed=False)
class ObservedBirthWorkflow(BirthWorkflow):
    """The birth as it is, noting the steps each replayed event has (outside the sandbox, so
    the note reaches the test)."""

    @workflow.init
    def __init__(self, start: BirthStart) -> None:
        super().__init__(start)
        SEEN_STEPS.append(tuple(step.step_id for step in self.progress().steps))
        NAMED_PATCHES.append(start.started_with_patch)
        OWN_QUEUE_AGENCIES.append(start.own_queue_agencies)

    @workflow.run
    async def run(self, start: BirthStart) -> LifeEventProgress:
        """Run the birth's steps, as the real workflow does."""
        return await self.run_steps()


def _observe_start(start: LifeEventStart) -> None:
    NAMED_PATCHES.append(start.started_with_patch)
    OWN_QUEUE_AGENCIES.append(start.own_queue_agencies)


@workflow.defn(name="move", sandboxed=False)
class ObservedMoveWorkflow(MoveWorkflow):
    """The move as it is, noting what each replayed event's start input names."""

    @workflow.init
    def __init__(self, start: MoveStart) -> None:
        super().__init__(start)
        _observe_start(start)

    @workflow.run
    async def run(self, start: MoveStart) -> LifeEventProgress:
        """Run the move's steps, as the real workflow does."""
        return await self.run_steps()


@workflow.defn(name="death", sandboxed=False)
class ObservedDeathWorkflow(DeathWorkflow):
    """The death as it is, noting what each replayed event's start input names."""

    @workflow.init
    def __init__(self, start: DeathStart) -> None:
        super().__init__(start)
        _observe_start(start)

    @workflow.run
    async def run(self, start: DeathStart) -> LifeEventProgress:
        """Run the death's steps, as the real workflow does."""
        return await self.run_steps()


OBSERVED = [ObservedBirthWorkflow, ObservedMoveWorkflow, ObservedDeathWorkflow]


@pytest.mark.parametrize(
    "path", BIRTH_HISTORIES, ids=lambda path: f"{path.parent.name}/{path.stem}"
)
async def test_an_event_has_the_immunisation_step_only_if_it_took_the_patch(path: Path):
    history = load_history(path)
    SEEN_STEPS.clear()
    NAMED_PATCHES.clear()
    [report] = await replay(
        {path.name: history}, data_converter(DEV_PAYLOAD_KEY), workflows=[ObservedBirthWorkflow]
    )
    assert report.compatible, report.line()
    # The latest patch implies the built-in ones before it: a new event records it alone, or
    # (birth-named-patch/) its start input names it and it records no marker at all.
    marked = bool({IMMUNISATION_PATCH, BATCHED_BOOKKEEPING} & set(patch_ids(history)))
    named = NAMED_PATCHES[0] is not None
    assert named == (path.parent.name in NAMED_PATCH_FOLDERS)
    assert not (marked and named)
    patched = marked or named
    # The events recorded before the patch go on without the step: not in their progress.
    # (Every event in birth-consent/ and later was recorded after it.)
    assert patched == (path.parent.name != "birth" or path.stem not in BIRTH_PATHS)
    assert SEEN_STEPS
    for steps in SEEN_STEPS:
        assert ("immunisation_register" in steps) == patched


@pytest.mark.parametrize("path", HISTORIES, ids=lambda path: f"{path.parent.name}/{path.stem}")
async def test_an_agencys_calls_went_where_the_events_start_input_said(path: Path):
    history = load_history(path)
    OWN_QUEUE_AGENCIES.clear()
    [report] = await replay(
        {path.name: history}, data_converter(DEV_PAYLOAD_KEY), workflows=OBSERVED
    )
    assert report.compatible, report.line()
    [own_queue_agencies] = OWN_QUEUE_AGENCIES
    # Starters name them since birth-own-queues/; before, every agency had its own queue.
    assert (own_queue_agencies is not None) == (path.parent.name in OWN_QUEUE_FOLDERS)
    if own_queue_agencies is None:
        return
    # The recording lifts Health's rate limit: every other agency has a queue of its own.
    assert "health" not in own_queue_agencies
    if path.parent.name == "birth-own-queues":
        assert set(own_queue_agencies) & {"bdm", "ird", "msd"} == {"bdm", "ird", "msd"}
    queues = submission_queues(history)
    own = {queue.rsplit(".agency.", 1)[1] for queue in queues if ".agency." in queue}
    assert own <= set(own_queue_agencies)
    if path.stem == "all-granted":  # Health, its limit lifted, on the workflow's own queue
        workflow_queue = history.events[0].workflow_execution_started_event_attributes.task_queue
        assert queues == {workflow_queue.name, *(f"{workflow_queue.name}.agency.{a}" for a in own)}
        assert own == OWN_QUEUES_ALL_GRANTED[path.parent.name]
