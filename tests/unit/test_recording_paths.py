"""The paths `onceonly dev record-histories` plays (onceonly/recording_*.py) are well formed:
one history file each, and an end state for every step of their event, so that the recorder's
check of how an event ended cannot pass by leaving a step out."""

from pathlib import Path

from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.life_event import EventStatus, StepState
from onceonly.recording import PATHS, history_file


def test_each_path_has_a_file_of_its_own():
    files = [history_file(Path("out"), path) for path in PATHS]
    assert len(set(files)) == len(files)
    assert Path("out/move-fines/all-granted.json") in files


def test_each_path_says_how_every_step_of_its_event_ends():
    for path in PATHS:
        event_type = path.folder.split("-")[0]
        steps = {step.id for step in CATALOGUE.event(event_type).steps}
        assert set(path.states) == steps, f"{path.folder}/{path.name}"
        assert all(isinstance(state, StepState) for state in path.states.values())
        assert EventStatus(path.status), f"{path.folder}/{path.name}"


def test_a_path_left_waiting_ends_with_its_steps_done():
    # Only an event that waits weeks (proof of effect) is recorded open; its steps are done.
    waiting = [path for path in PATHS if not path.closes]
    assert {path.folder for path in waiting} == {"move-fines", "death"}
    for path in waiting:
        assert set(path.states.values()) == {StepState.COMPLETED}
