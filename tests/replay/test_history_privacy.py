"""No committed history holds personal data in plaintext: every payload that carries the
event's data is encrypted by the codec, and nothing left readable (workflow ids, task queues,
search attributes, markers, failure texts) holds a value of the synthetic people the recording
plays, or the recorder's citizen ids.

Read from the files themselves, for every folder under tests/histories/, so a history added
by hand (`onceonly ops history --out`) is checked too.
"""

import base64
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from onceonly.samples import (
    birth_request_data,
    death_request_data,
    move_request_data,
    with_other_parent,
)
from tests.replay.test_replay_histories import HISTORIES

ENCRYPTED = "binary/encrypted"
# Payloads Temporal must read without the codec: search attributes (what operators filter
# on, pseudonymous by design) and the details of markers (patch ids, local activity records).
PLAIN_PAYLOADS = ("searchAttributes", "details")
# Every citizen the recorder plays is named so (onceonly/recording_*.py).
RECORDER_CITIZENS = "recorded-"
# Shorter values (a unit number, a postcode) also occur in ids and timestamps by chance.
MIN_LENGTH = 4
MIN_DIGITS = 8
# The data's vocabulary (a relationship, a sex, a kind of address) is no one's data, and
# shows in step ids (`child_ird_number`).
CODE = r"[a-z_]+"
CODES = frozenset({"PO Box"})


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, str):
        yield value


def _samples(today: date) -> set[str]:
    birth = birth_request_data(today)
    events = (with_other_parent(birth), move_request_data(today), death_request_data(today))
    return {leaf for data in events for leaf in _leaves(data)}


def personal_values() -> set[str]:
    """The synthetic people's values that do not depend on the day of the recording, as given
    and with only their digits (an IRD number or a phone as an agency writes it)."""
    values = {
        value
        for value in _samples(date(2026, 1, 1)) & _samples(date(2027, 6, 30))
        if not re.fullmatch(CODE, value) and value not in CODES
    }
    digits = {re.sub(r"\D", "", value) for value in values}
    return {value for value in values if len(value) >= MIN_LENGTH and not value.isdigit()} | {
        value for value in values | digits if value.isdigit() and len(value) >= MIN_DIGITS
    }


PERSONAL = personal_values()


def readable_texts(history: Any, under: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """Every text of a history a reader sees without the codec, with where it is; fails on a
    payload that is neither encrypted nor one Temporal must read."""
    if isinstance(history, dict):
        if isinstance(history.get("metadata"), dict) and "encoding" in history["metadata"]:
            encoding = base64.b64decode(history["metadata"]["encoding"]).decode()
            where = "/".join(under)
            if encoding == ENCRYPTED:
                return
            assert any(part in PLAIN_PAYLOADS for part in under), f"{encoding} payload at {where}"
            text = base64.b64decode(history.get("data", "")).decode()
            # JSON may escape what it holds (a macron as \u0101): read its values too.
            yield where, text
            for value in _leaves(json.loads(text) if text else None):
                yield where, value
            return
        for key, item in history.items():
            yield from readable_texts(item, (*under, key))
    elif isinstance(history, list):
        for item in history:
            yield from readable_texts(item, under)
    elif isinstance(history, str):
        yield "/".join(under), history


def test_the_check_knows_the_sample_people():
    assert {"Ngāta-Synthetic", "049-091-850", "049091850", "ZZZ0016", "Huntaway"} <= PERSONAL
    assert {"heni@example.org", "Cuba Street", "Whangārei Hospital", "LA123456"} <= PERSONAL
    assert "1011" not in PERSONAL  # a postcode: too short to tell from an id
    assert "child" not in PERSONAL  # a relationship


def test_the_check_finds_a_value_left_in_plaintext():
    history = {"events": [{"input": {"payloads": [_plain_payload({"name": "Ngāta-Synthetic"})]}}]}
    with pytest.raises(AssertionError, match="json/plain payload at events/input/payloads"):
        list(readable_texts(history))
    attributes = {"searchAttributes": {"indexedFields": {"X": _plain_payload("Cuba Street")}}}
    assert [text for _, text in readable_texts(attributes)] == ['"Cuba Street"', "Cuba Street"]
    escaped = {"searchAttributes": {"indexedFields": {"X": _plain_payload("Ngāta-Synthetic")}}}
    assert "Ngāta-Synthetic" in [text for _, text in readable_texts(escaped)]


def _plain_payload(value: object) -> dict[str, Any]:
    encode = base64.b64encode
    return {
        "metadata": {"encoding": encode(b"json/plain").decode()},
        "data": encode(json.dumps(value).encode()).decode(),
    }


@pytest.mark.parametrize("path", HISTORIES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_a_history_holds_no_personal_data_in_plaintext(path: Path):
    history = json.loads(path.read_text(encoding="utf-8"))
    for where, text in readable_texts(history):
        found = [value for value in PERSONAL if value in text]
        assert not found, f"{path}: {where} holds {found}"
        assert RECORDER_CITIZENS not in text, f"{path}: {where} names a citizen id"
