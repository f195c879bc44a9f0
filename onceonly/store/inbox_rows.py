"""How an inbox task is kept as a row, in either dialect: its disclosure sealed, every other
column as it is (ids, kinds, times and the staff's words: no citizen's data)."""

import json
from datetime import datetime
from typing import Any

from onceonly.domain.inbox import InboxTask
from onceonly.store.sealing import Sealer

COLUMNS = (
    "task_id, kind, agency, service, event_id, event_type, step_id, citizen_key,"
    " sealed_disclosure, legal_basis_kind, legal_basis_reference, receipt, receipt_id,"
    " agency_reference, opened_at, due_at, state, outcome_reference, reason, closed_by,"
    " closed_at, reminded_at"
)
"""The task's columns in the order `task_row` gives and `row_task` takes them."""
TIMES = ("opened_at", "due_at", "closed_at", "reminded_at")


def task_row(task: InboxTask, sealer: Sealer) -> dict[str, Any]:
    """The task as a row of COLUMNS, by column name, its disclosure sealed to its id."""
    row = task.model_dump(exclude={"disclosure"})
    plain = json.dumps(task.disclosure, sort_keys=True).encode()
    row["sealed_disclosure"] = sealer.seal(plain, task.task_id)
    return {column: row[column] for column in COLUMNS.split(", ")}


def row_task(row: dict[str, Any], sealer: Sealer) -> InboxTask:
    """The task a row holds (times as text in SQLite, aware datetimes in PostgreSQL)."""
    values = dict(row)
    sealed = values.pop("sealed_disclosure")
    values["disclosure"] = json.loads(sealer.open(sealed, values["task_id"]))
    for column in TIMES:
        value = values[column]
        if isinstance(value, str):
            values[column] = datetime.fromisoformat(value)
    return InboxTask.model_validate(values)
