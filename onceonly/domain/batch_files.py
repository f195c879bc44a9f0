"""The files of the batch exchange, as pure rules: a period's file in the agency's own format
(CSV or JSON Lines), its manifest and checksum, and the agency's acknowledgement read back.

Why a manifest beside each file: the manifest is written last, so a file without one is still
being written (the agency's side, or ours) and is left alone; and its count and SHA-256 let
either side refuse a file cut short or changed on the way, before anything in it is applied.
An acknowledgement whose manifest, count or checksum do not match is refused whole, with the
reason logged: applying part of a damaged file would decide steps on lines that may be wrong.
"""

import csv
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from onceonly.domain.batch import ItemOutcome

FileKind = Literal["csv", "jsonl"]
MANIFEST_SUFFIX = ".manifest.json"
ACK_INFIX = ".ack"
"""An acknowledgement of `justice-2026-12-07.csv` is `justice-2026-12-07.ack.csv`."""


class BatchFileRefused(ValueError):
    """An acknowledgement (or its manifest) that cannot be applied: the message says which
    file and which rule, and nothing in it is applied."""


@dataclass(frozen=True)
class BatchFormat:
    """An agency's file format: its records' columns, and how its acknowledgement reads."""

    kind: FileKind
    columns: tuple[str, ...]
    """The record's columns (CSV header, or JSON keys), in order; the first is our reference."""
    ack_result: str
    """The acknowledgement's column saying what the agency decided..."""
    accepted: str
    rejected: str
    """...by these two values."""
    ack_reference: str
    """The column with the agency's own reference for an accepted record."""
    ack_reason: str
    """The column with the agency's reason for a rejected one."""

    @property
    def reference(self) -> str:
        """The column carrying our reference (the submission's idempotency key)."""
        return self.columns[0]


class Manifest(BaseModel):
    """What a file holds, written beside it as `<file>.manifest.json` once the file is whole."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agency: str
    file: str
    format: FileKind
    records: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    created_at: AwareDatetime
    period: str | None = Field(default=None, description="A period's file: which period.")
    acknowledges: str | None = Field(
        default=None, description="An acknowledgement: the name of the file it answers."
    )


def file_name(agency: str, period: str, kind: FileKind) -> str:
    """A period's file: `justice-2026-12-07.csv`."""
    return f"{agency}-{period}.{kind}"


def ack_name(sent: str) -> str:
    """The acknowledgement's name for the file `sent`."""
    stem, dot, kind = sent.rpartition(".")
    return f"{stem}{ACK_INFIX}{dot}{kind}"


def checksum(content: bytes) -> str:
    """The SHA-256 of a file's bytes, in hex, as manifests carry it."""
    return hashlib.sha256(content).hexdigest()


def render(records: Sequence[dict[str, str]], form: BatchFormat) -> bytes:
    """The records as one file in the agency's format: the same records give the same bytes
    (so a file written again is the same file). CSV: a header, then a line per record, CRLF as
    RFC 4180 has it; JSON Lines: one object per line, keys in the format's order."""
    if form.kind == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=form.columns, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(records)
        return out.getvalue().encode()
    lines = [
        json.dumps({c: r[c] for c in form.columns}, ensure_ascii=False) + "\n" for r in records
    ]
    return "".join(lines).encode()


def parse_manifest(content: bytes, name: str) -> Manifest:
    """A manifest's JSON; BatchFileRefused naming the field and rule when it is not one."""
    try:
        return Manifest.model_validate_json(content)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'manifest'}: {e['msg']}"
            for e in error.errors()
        )
        raise BatchFileRefused(f"{name}: not a manifest ({problems})") from None


def check_against(content: bytes, manifest: Manifest, agency: str, kind: FileKind) -> None:
    """Refuse a file its manifest does not describe: another agency's, another format, or
    bytes whose SHA-256 differs (cut short or changed on the way)."""
    where = manifest.file
    if manifest.agency != agency:
        raise BatchFileRefused(f"{where}: manifest agency is {manifest.agency!r}, not {agency!r}")
    if manifest.format != kind:
        raise BatchFileRefused(f"{where}: manifest format is {manifest.format!r}, not {kind!r}")
    if checksum(content) != manifest.sha256:
        raise BatchFileRefused(f"{where}: sha256 does not match the manifest's")


def read_rows(content: bytes, kind: FileKind, where: str) -> list[dict[str, str]]:
    """A file's lines as rows of text; BatchFileRefused when it is not well-formed."""
    try:
        text = content.decode()
        if kind == "csv":
            return [dict(row) for row in csv.DictReader(io.StringIO(text, newline=""))]
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    except (UnicodeDecodeError, json.JSONDecodeError, csv.Error) as error:
        raise BatchFileRefused(f"{where}: not well-formed {kind} ({error})") from None
    if not all(isinstance(row, dict) for row in rows):
        raise BatchFileRefused(f"{where}: every line must be a JSON object")
    return [{k: "" if v is None else str(v) for k, v in row.items()} for row in rows]


def read_acknowledgement(
    content: bytes, manifest: Manifest, form: BatchFormat
) -> list[ItemOutcome]:
    """Each line of an agency's acknowledgement as an outcome, after checking it against its
    manifest (agency checked by the caller): the count, and every line's reference, result,
    and the agency's reference (accepted) or reason (rejected). One bad line refuses all."""
    where = manifest.file
    rows = read_rows(content, form.kind, where)
    if len(rows) != manifest.records:
        raise BatchFileRefused(
            f"{where}: {len(rows)} lines, but the manifest's records is {manifest.records}"
        )
    return [_outcome(row, number, form, where) for number, row in enumerate(rows, start=1)]


def _outcome(row: dict[str, str], number: int, form: BatchFormat, where: str) -> ItemOutcome:
    key = row.get(form.reference, "")
    result = row.get(form.ack_result, "")
    line = f"{where} line {number}"
    if not key:
        raise BatchFileRefused(f"{line}: {form.reference} is required")
    if result == form.accepted:
        reference = row.get(form.ack_reference, "")
        if not reference:
            raise BatchFileRefused(f"{line}: {form.ack_reference} is required when accepted")
        return ItemOutcome(idempotency_key=key, outcome="accepted", agency_reference=reference)
    if result == form.rejected:
        reason = row.get(form.ack_reason, "")
        if not reason:
            raise BatchFileRefused(f"{line}: {form.ack_reason} is required when rejected")
        return ItemOutcome(idempotency_key=key, outcome="rejected", reason=reason)
    raise BatchFileRefused(f"{line}: {form.ack_result} must be {form.accepted} or {form.rejected}")
