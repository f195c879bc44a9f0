"""How `onceonly replay` words its verdicts, from the SDK's failures."""

import pytest

from onceonly.replay import ReplayError, ReplayReport, load_history, report_failure

# What the SDK raises on a non-deterministic replay: the core's Rust debug string.
CORE_FAILURE = (
    'Workflow activation completion failed: Failure { failure: Some(Failure { message: "'
    "[TMPRL1100] Nondeterminism error: Timer machine does not handle this event: "
    'HistoryEvent(id: 5, UpsertWorkflowSearchAttributes)", source: "", stack_trace: "", '
    "encoded_attributes: None, cause: None, failure_info: None }), force_cause: "
    "NonDeterministicError }"
)


def test_a_compatible_history_is_one_line():
    assert ReplayReport("birth/all-granted.json").line() == "birth/all-granted.json: compatible"
    assert ReplayReport("x").compatible


def test_a_non_determinism_names_the_history_and_the_event():
    report = report_failure("tests/histories/birth/expiry.json", RuntimeError(CORE_FAILURE))
    assert not report.compatible
    assert (report.event_id, report.event_type) == (5, "UpsertWorkflowSearchAttributes")
    assert report.line() == (
        "tests/histories/birth/expiry.json: NOT compatible "
        "(at event 5, UpsertWorkflowSearchAttributes): [TMPRL1100] Nondeterminism error: "
        "Timer machine does not handle this event: "
        "HistoryEvent(id: 5, UpsertWorkflowSearchAttributes)"
    )


def test_a_failure_without_a_core_message_is_reported_whole():
    report = report_failure("h", ValueError("payload encrypted with unknown key id 'k9'"))
    assert report.event_id is None
    assert report.line() == "h: NOT compatible: payload encrypted with unknown key id 'k9'"


def test_a_quoted_string_inside_the_core_message_is_kept():
    text = r'Failure { message: "activity type \"submit\" differs", source: "" }'
    assert report_failure("h", RuntimeError(text)).failure == 'activity type "submit" differs'


def test_a_missing_file_is_a_replay_error(tmp_path):
    with pytest.raises(ReplayError, match=r"missing\.json: cannot read"):
        load_history(tmp_path / "missing.json")
