"""How the batch exchange's items are kept as rows, in either dialect: the record (the line
of the agency's file, personal data) sealed to the item's id, every other column as it is
(ids, states, times, the agency's reference and reason: no citizen's data)."""

import json
from datetime import datetime
from typing import Any

from onceonly.domain.batch import BatchFile, BatchItem
from onceonly.store.sealing import Sealer

ITEM_COLUMNS = (
    "item_id, agency, service, idempotency_key, sealed_record, queued_at, state, file_name,"
    " agency_reference, reason, decided_at"
)
"""The item's columns in the order `item_row` gives and `row_item` takes them."""
ITEM_TIMES = ("queued_at", "decided_at")
FILE_COLUMNS = "name, agency, period, sha256, records, created_at"


def item_row(item: BatchItem, sealer: Sealer) -> dict[str, Any]:
    """The item as a row of ITEM_COLUMNS, by column name, its record sealed to its id."""
    row = item.model_dump(exclude={"record"})
    plain = json.dumps(item.record, sort_keys=True, ensure_ascii=False).encode()
    row["sealed_record"] = sealer.seal(plain, item.item_id)
    return {column: row[column] for column in ITEM_COLUMNS.split(", ")}


def row_item(row: dict[str, Any], sealer: Sealer) -> BatchItem:
    """The item a row holds (times as text in SQLite, aware datetimes in PostgreSQL)."""
    values = dict(row)
    sealed = values.pop("sealed_record")
    # Keys come back sorted: a file's column order is the agency format's, never the row's.
    values["record"] = json.loads(sealer.open(sealed, values["item_id"]))
    for column in ITEM_TIMES:
        if isinstance(values[column], str):
            values[column] = datetime.fromisoformat(values[column])
    return BatchItem.model_validate(values)


def row_file(row: tuple[Any, ...]) -> BatchFile:
    """The file a row of FILE_COLUMNS holds."""
    values = dict(zip(FILE_COLUMNS.split(", "), row, strict=True))
    if isinstance(values["created_at"], str):
        values["created_at"] = datetime.fromisoformat(values["created_at"])
    return BatchFile.model_validate(values)
