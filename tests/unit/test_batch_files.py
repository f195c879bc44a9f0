"""The batch exchange's pure rules: periods and their labels, item ids, a file in the agency's
format (CSV as RFC 4180 and Python's csv read it back, JSON Lines as json reads it), manifests,
and an acknowledgement read back or refused whole, naming the line, the column and the rule;
and Collections' record, field by field."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from adapters.justice import JUSTICE_FORMAT, justice_date, to_justice_address_update
from onceonly.domain.batch import (
    batch_item_id,
    period_label,
    period_start,
    row_of,
    step_of_key,
)
from onceonly.domain.batch_files import (
    BatchFileRefused,
    BatchFormat,
    Manifest,
    ack_name,
    check_against,
    checksum,
    file_name,
    parse_manifest,
    read_acknowledgement,
    render,
)
from onceonly.domain.catalogue import MOVE
from tests.mocks.samples import disclose, sample_move

DAY = timedelta(days=1)
JSONL = BatchFormat(
    kind="jsonl",
    columns=("ref", "name"),
    ack_result="status",
    accepted="ok",
    rejected="refused",
    ack_reference="agencyRef",
    ack_reason="why",
)
BAD_MANIFEST = (
    b'{"agency": "justice", "file": "f", "format": "csv", "records": 1,'
    b' "sha256": "nothex", "created_at": "2026-12-07T00:00:00Z"}'
)
ACK_COLUMNS = ("SUBMISSION_REF", "RESULT", "COLLECTIONS_REF", "REASON")


def ack_csv(*lines: tuple[str, str, str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([ACK_COLUMNS, *lines])
    return out.getvalue().encode()


def manifest_of(content: bytes, records: int, **changes: object) -> Manifest:
    values = {
        "agency": "justice",
        "file": "justice-2026-12-07.ack.csv",
        "format": "csv",
        "records": records,
        "sha256": checksum(content),
        "created_at": datetime(2026, 12, 8, tzinfo=UTC),
        "acknowledges": "justice-2026-12-07.csv",
    }
    return Manifest.model_validate({**values, **changes})


def test_periods_are_whole_multiples_from_the_epoch_and_labelled_without_colons():
    moment = datetime(2026, 12, 7, 13, 4, 5, tzinfo=UTC)
    assert period_start(moment, DAY) == datetime(2026, 12, 7, tzinfo=UTC)
    assert period_label(period_start(moment, DAY), DAY) == "2026-12-07"
    five = timedelta(seconds=5)
    assert period_start(moment, five) == datetime(2026, 12, 7, 13, 4, 5, tzinfo=UTC)
    assert period_label(period_start(moment, five), five) == "2026-12-07T130405Z"
    with pytest.raises(ValueError, match="period must be positive"):
        period_start(moment, timedelta(0))


def test_an_item_id_names_no_one_and_a_key_gives_its_event_and_step():
    key = "move-0123/update_fines_address"
    assert batch_item_id(key) == batch_item_id(key)
    assert batch_item_id(key).startswith("B-") and len(batch_item_id(key)) == 14
    assert step_of_key(key) == ("move-0123", "update_fines_address")
    with pytest.raises(ValueError, match="is not <event_id>/<step_id>"):
        step_of_key("no-slash")


def test_a_csv_file_is_rfc_4180_and_the_same_records_give_the_same_bytes():
    records = [
        {"SUBMISSION_REF": "move-1/s", "SURNAME": 'O"Brien, Jr', "GIVEN_NAMES": "Ānahera"},
        {"SUBMISSION_REF": "move-2/s", "SURNAME": "Smith", "GIVEN_NAMES": ""},
    ]
    form = BatchFormat("csv", ("SUBMISSION_REF", "SURNAME", "GIVEN_NAMES"), "R", "A", "X", "C", "W")
    content = render(records, form)
    assert content == render(records, form)
    assert content.startswith(b"SUBMISSION_REF,SURNAME,GIVEN_NAMES\r\n")
    assert list(csv.DictReader(io.StringIO(content.decode(), newline=""))) == records
    assert file_name("justice", "2026-12-07", "csv") == "justice-2026-12-07.csv"
    assert ack_name("justice-2026-12-07.csv") == "justice-2026-12-07.ack.csv"


def test_a_json_lines_file_holds_one_object_per_record_in_the_formats_order():
    content = render([{"name": "Mere", "ref": "move-1/s"}], JSONL)
    assert content == b'{"ref": "move-1/s", "name": "Mere"}\n'
    assert [json.loads(line) for line in content.splitlines()] == [
        {"ref": "move-1/s", "name": "Mere"}
    ]


def test_an_acknowledgement_reads_as_each_lines_outcome():
    content = ack_csv(
        ("move-1/s", "ACCEPTED", "CR-000001", ""), ("move-2/s", "REJECTED", "", "no match")
    )
    outcomes = read_acknowledgement(content, manifest_of(content, 2), JUSTICE_FORMAT)
    assert [(o.idempotency_key, o.outcome, o.agency_reference, o.reason) for o in outcomes] == [
        ("move-1/s", "accepted", "CR-000001", None),
        ("move-2/s", "rejected", None, "no match"),
    ]
    jsonl = b'{"ref": "move-1/s", "status": "ok", "agencyRef": "A1"}\n'
    [outcome] = read_acknowledgement(jsonl, manifest_of(jsonl, 1, format="jsonl"), JSONL)
    assert (outcome.outcome, outcome.agency_reference) == ("accepted", "A1")


@pytest.mark.parametrize(
    ("line", "count", "rule"),
    [
        (("move-1/s", "ACCEPTED", "", ""), 1, "line 1: COLLECTIONS_REF is required when accepted"),
        (("move-1/s", "REJECTED", "", ""), 1, "line 1: REASON is required when rejected"),
        (("move-1/s", "MAYBE", "", ""), 1, "line 1: RESULT must be ACCEPTED or REJECTED"),
        (("", "ACCEPTED", "CR-1", ""), 1, "line 1: SUBMISSION_REF is required"),
        (("move-1/s", "ACCEPTED", "CR-1", ""), 2, "1 lines, but the manifest's records is 2"),
    ],
)
def test_a_bad_line_or_count_refuses_the_whole_acknowledgement(line, count, rule):
    content = ack_csv(line)
    with pytest.raises(BatchFileRefused, match=rule):
        read_acknowledgement(content, manifest_of(content, count), JUSTICE_FORMAT)


def test_a_file_its_manifest_does_not_describe_is_refused():
    content = ack_csv(("move-1/s", "ACCEPTED", "CR-1", ""))
    check_against(content, manifest_of(content, 1), "justice", "csv")
    with pytest.raises(BatchFileRefused, match="sha256 does not match the manifest's"):
        check_against(content + b"x", manifest_of(content, 1), "justice", "csv")
    with pytest.raises(BatchFileRefused, match="manifest agency is 'ird', not 'justice'"):
        check_against(content, manifest_of(content, 1, agency="ird"), "justice", "csv")
    with pytest.raises(BatchFileRefused, match="manifest format is 'jsonl', not 'csv'"):
        check_against(content, manifest_of(content, 1, format="jsonl"), "justice", "csv")
    with pytest.raises(BatchFileRefused, match=r"x.manifest.json: not a manifest \(sha256: "):
        parse_manifest(BAD_MANIFEST, "x.manifest.json")
    with pytest.raises(BatchFileRefused, match="not well-formed jsonl"):
        read_acknowledgement(b"{not json\n", manifest_of(b"{not json\n", 1), JSONL)


def test_collections_record_is_the_movers_name_birth_date_and_new_address_in_its_columns():
    disclosure = disclose("update_fines_address", sample_move(), MOVE)
    assert to_justice_address_update(disclosure) == {
        "SURNAME": "Tūhoe-Synthetic",
        "GIVEN_NAMES": "Mere Ānahera",
        "DATE_OF_BIRTH": "20/05/1988",
        "ADDRESS_LINE_1": "3/45 Cuba Street",
        "SUBURB": "Te Aro",
        "RURAL_DELIVERY": "",
        "TOWN_CITY": "Wellington",
        "POSTCODE": "6011",
    }
    assert list(JUSTICE_FORMAT.columns[1:]) == list(to_justice_address_update(disclosure))
    assert justice_date("2001-01-09") == "09/01/2001"
    assert row_of({"a": None, "b": 3}) == {"a": "", "b": "3"}
