"""tests/histories/manifest.toml says, for each folder of histories, which patches its events
took and why it is kept. Here the same is derived from the files (their patch markers and the
start input the starter wrote) and checked against it: a folder, a history or a patch the
manifest does not account for fails, naming it.

What an event took follows workflows/patches.py: a patch named in the start input (the
latest built-in one its starter had) implies every built-in one before it; a marker of the
latest built-in patch implies the others and the event's added steps' patches; any other
marker stands for its own patch.
"""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHistory

from onceonly.codec import data_converter
from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.patches import (
    AGENCY_LIFECYCLE,
    BATCHED_BOOKKEEPING,
    BUILT_IN_PATCHES,
    CONSENT_V2,
)
from onceonly.replay import load_history
from onceonly.settings import DEV_PAYLOAD_KEY
from tests.recorded import patch_ids
from tests.replay.test_replay_histories import HISTORIES
from workflows.birth import ADDED_STEPS
from workflows.patches import started_with

FOLDER = Path(__file__).parent.parent / "histories"
MANIFEST = FOLDER / "manifest.toml"
# Steps added behind a patch, by event type (workflows/<event>.py).
ADDED_STEP_PATCHES = {"birth": tuple(ADDED_STEPS.values()), "move": (), "death": ()}
# Steps added behind a patch of their own in the catalogue (never implied by another patch:
# each event that has the step records its marker), by event type.
CATALOGUE_STEP_PATCHES = {
    event.event_type: tuple(step.patch for step in event.steps if step.patch)
    for event in CATALOGUE.life_events
}


@dataclass(frozen=True)
class Pins:
    """What one history pins: its markers, what its start input names, the patches taken."""

    markers: frozenset[str]
    started_with: str
    queues_named: bool
    takes: frozenset[str]
    without: frozenset[str]


def patches_taken(event_type: str, markers: set[str], named: str | None) -> frozenset[str]:
    """The patches an event took, from its markers and the patch its start input names."""
    added = ADDED_STEP_PATCHES[event_type]
    latest = started_with(named, BATCHED_BOOKKEEPING) or BATCHED_BOOKKEEPING in markers
    implied = {CONSENT_V2, AGENCY_LIFECYCLE, BATCHED_BOOKKEEPING, *added} if latest else set()
    named_ones = {patch for patch in BUILT_IN_PATCHES if started_with(named, patch)}
    return frozenset(markers | implied | named_ones)


async def pins_of(history: WorkflowHistory) -> Pins:
    """What the history pins, read from its markers and its (decrypted) start input."""
    started = history.events[0].workflow_execution_started_event_attributes
    [start] = await data_converter(DEV_PAYLOAD_KEY).decode(started.input.payloads)
    event_type = started.workflow_type.name
    markers = set(patch_ids(history))
    named = start.get("started_with_patch")
    takes = patches_taken(event_type, markers, named)
    every = {
        *BUILT_IN_PATCHES,
        *ADDED_STEP_PATCHES[event_type],
        *CATALOGUE_STEP_PATCHES[event_type],
    }
    return Pins(
        markers=frozenset(markers),
        started_with=named or "",
        queues_named=start.get("own_queue_agencies") is not None,
        takes=takes,
        without=frozenset(every - takes),
    )


def manifest_pins(manifest: dict[str, Any]) -> dict[str, Pins]:
    """Each history the manifest lists ("folder/name") and what it says the history pins;
    a history listed twice fails."""
    listed: dict[str, Pins] = {}
    for folder, entry in manifest.items():
        for group in entry["pins"]:
            for name in group["histories"]:
                key = f"{folder}/{name}"
                assert key not in listed, f"manifest.toml lists {key} twice"
                listed[key] = Pins(
                    markers=frozenset(group["markers"]),
                    started_with=group["started_with"],
                    queues_named=group["queues_named"],
                    takes=frozenset(group["takes"]),
                    without=frozenset(group["without"]),
                )
    return listed


MANIFESTED = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
LISTED = manifest_pins(MANIFESTED)


def test_the_manifest_names_every_folder_and_says_why_each_is_kept():
    folders = {path.name for path in FOLDER.iterdir() if path.is_dir()}
    assert set(MANIFESTED) == folders
    for folder, entry in MANIFESTED.items():
        assert set(entry) == {"why", "pins"}, folder
        assert len(entry["why"]) > 80, f"{folder}: say why the folder is kept"


def test_the_manifest_lists_every_history_and_only_those():
    assert set(LISTED) == {f"{path.parent.name}/{path.stem}" for path in HISTORIES}


@pytest.mark.parametrize("path", HISTORIES, ids=lambda path: f"{path.parent.name}/{path.stem}")
async def test_a_history_pins_what_the_manifest_says(path: Path):
    key = f"{path.parent.name}/{path.stem}"
    assert await pins_of(load_history(path)) == LISTED[key], key


def test_the_rules_follow_the_patch_machinery():
    # Named in the start input: every built-in patch up to the one named, and (it being the
    # latest) the birth's added steps; no marker needed.
    assert patches_taken("birth", set(), BATCHED_BOOKKEEPING) == {
        *BUILT_IN_PATCHES,
        "birth-immunisation-register",
    }
    assert patches_taken("move", set(), BATCHED_BOOKKEEPING) == set(BUILT_IN_PATCHES)
    # A marker of an older patch stands for itself alone.
    assert patches_taken("birth", {CONSENT_V2}, None) == {CONSENT_V2}
    assert patches_taken("birth", set(), None) == set()
    # A patch this code does not know, named in a start input, is refused as the worker does.
    with pytest.raises(RuntimeError, match="does not have"):
        patches_taken("birth", set(), "a-patch-from-the-future")


def test_a_manifest_that_disagrees_is_caught():
    wrong = dict(MANIFESTED)
    group = dict(wrong["move"]["pins"][0])
    wrong["move"] = {**wrong["move"], "pins": [{**group, "takes": [CONSENT_V2]}]}
    assert manifest_pins(wrong)["move/all-granted"] != LISTED["move/all-granted"]
    twice = {**MANIFESTED, "move": {**MANIFESTED["move"], "pins": [group, group]}}
    with pytest.raises(AssertionError, match="lists move/all-granted twice"):
        manifest_pins(twice)


def test_the_readme_counts_each_folders_histories():
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([\w-]+)/` \| (\d+) \|", readme, flags=re.MULTILINE)
    counted = {folder: int(count) for folder, count in rows}
    assert counted == {folder: len(list((FOLDER / folder).glob("*.json"))) for folder in MANIFESTED}
