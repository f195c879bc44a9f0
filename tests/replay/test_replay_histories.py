"""Every committed history replays against the current workflow code, with the project's
data converter: a non-deterministic change fails here, naming the history.

The histories were recorded from the real dev server with `onceonly ops history ID --out FILE`;
their payloads are encrypted with the development key and hold only synthetic data.
"""

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from onceonly.codec import data_converter
from onceonly.settings import DEV_PAYLOAD_KEY
from onceonly.temporal import WORKFLOWS

HISTORIES = sorted(Path(__file__).parent.parent.joinpath("histories").glob("*/*.json"))


def test_there_are_histories_to_replay():
    assert {path.parent.name for path in HISTORIES} >= {"birth"}


@pytest.mark.parametrize("path", HISTORIES, ids=lambda path: f"{path.parent.name}/{path.stem}")
async def test_history_replays_deterministically(path: Path):
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    replayer = Replayer(workflows=WORKFLOWS, data_converter=data_converter(DEV_PAYLOAD_KEY))
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"
