"""Which of the workflow's patches an event takes (their ids: onceonly/domain/patches.py).

A starter names the latest patch it knows in the event's start input, so a new event takes
every patch without recording a marker; an event started before that replays as it ran.
"""

from collections.abc import Callable, Collection

from temporalio import workflow

from onceonly.domain.patches import BUILT_IN_PATCHES


class PatchUnknown(RuntimeError):
    """The event was started by code with a built-in patch this worker lacks. Not a workflow
    failure: the workflow task fails, and is retried until a worker with that code runs it."""


def started_with(named: str | None, patch: str) -> bool:
    """Whether the code that started an event had `patch` built in, from the latest built-in
    patch it named in the event's start input (None: it named none, so only a marker tells).

    Naming it there costs no history event; a `workflow.patched` marker costs two (the SDK
    upserts a search attribute with each). It is as deterministic: the input never changes.
    """
    if named is None:
        return False
    if named not in BUILT_IN_PATCHES:
        # Running it here would take a path that replay by the starter's own code would not.
        raise PatchUnknown(f"started with patch {named!r}, which this worker does not have")
    return BUILT_IN_PATCHES.index(named) >= BUILT_IN_PATCHES.index(patch)


def patches_taken(latest: bool, built_in: Collection[str]) -> Callable[[str], bool]:
    """Whether the event took a patch: `built_in` patches (ours, older than the latest) are
    implied when it took the latest, because the code that started it had them all; so a new
    event records one patch marker (and the upsert the SDK adds to each) instead of one per
    patch. Events from before the latest ask for each in turn, as they always did. A plugin's
    step patch is never implied: the plugin may have come later."""

    def taken(patch_id: str) -> bool:
        return (latest and patch_id in built_in) or workflow.patched(patch_id)

    return taken
