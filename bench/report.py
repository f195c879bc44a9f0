"""Printing a run's figures as a table and keeping them as JSON in bench/results/."""

import json
import os
import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.checks import Check

RESULTS = Path(__file__).resolve().parent / "results"


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table, columns as wide as their widest cell, numbers right-aligned."""
    cells = [[str(cell) for cell in header], *([_cell(cell) for cell in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    numeric = [all(_is_number(row[i]) for row in rows) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        parts = [
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(row, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([title, line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _cell(value: Any) -> str:
    if isinstance(value, float):
        # Three significant figures or so: enough for figures this noisy.
        decimals = 2 if abs(value) < 10 else 1 if abs(value) < 100 else 0
        return f"{value:,.{decimals}f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def checks_table(title: str, checks: Sequence[Check]) -> str:
    """A drill's checks, one line each: verdict, what was checked, the figures."""
    rows = [("ok" if check.passed else "FAILED", check.what, check.detail) for check in checks]
    return table(title, ("verdict", "checked", "figures"), rows)


def write_json(name: str, figures: dict[str, Any]) -> Path:
    """Keep a run's figures as bench/results/<name>.json, with when and where it ran."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    document = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        **figures,
    }
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    return path
