"""A real browser (Debian's Chromium, driven by Playwright) against the whole stack.

Chromium is the system one (`apt-get install chromium`), never a Playwright download; without
it, or without the `playwright` package, every browser test is skipped with the reason.
Set ONCEONLY_SCREENSHOTS_DIR (as in docs/screenshots) to keep a PNG of each page.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import Stack, running_stack

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str | None:
    """The system Chromium, where the machine has one."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("no system Chromium: apt-get install -y chromium (make test does, as root)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One stack for every browser test a test process runs: each test signs in as a citizen
    of its own, so none sees another's events, and a stack's start (seconds) is paid once."""
    if chromium_path() is None:  # skip before starting anything
        pytest.skip("no system Chromium: apt-get install -y chromium (make test does, as root)")
    yield from running_stack(tmp_path_factory.mktemp("stack"))


@pytest.fixture(scope="session")
def work_queue_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack whose council takes no API call: its steps are tasks in the staff inbox (as
    `onceonly up` runs it), for the tests of the inbox; started once, by the first of them."""
    if chromium_path() is None:
        pytest.skip("no system Chromium: apt-get install -y chromium (make test does, as root)")
    state_dir = tmp_path_factory.mktemp("work-queue-stack")
    yield from running_stack(state_dir, ONCEONLY_WORK_QUEUE_AGENCIES="council")


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("ONCEONLY_SCREENSHOTS_DIR")
    directory = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory
