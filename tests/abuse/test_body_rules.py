"""The rules a JSON body must keep before any parser sees it: UTF-8, and nesting no deeper
than MAX_JSON_DEPTH, counted in one pass that skips strings.
"""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onceonly.api.limits import MAX_JSON_DEPTH, json_body_rule, json_nests_deeper_than


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_nesting_up_to_the_limit_passes_and_one_more_does_not():
    assert not json_nests_deeper_than(_nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)
    assert json_nests_deeper_than(_nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)
    assert json_nests_deeper_than(b'{"a": {"b": [{"c": 1}]}}', 3)
    assert not json_nests_deeper_than(b'{"a": {"b": [{"c": 1}]}}', 4)


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "[[[[[[[[{{{{{{"}',
        b'{"name": "quote \\" then [[[[[["}',
        b'{"name": "backslash \\\\", "b": "[[[[[["}',
        b'["\\\\\\"[[[[[["]',
    ],
)
def test_brackets_inside_strings_do_not_count(body):
    assert json.loads(body)  # each is real JSON
    assert not json_nests_deeper_than(body, 2)


@given(
    st.recursive(st.none() | st.text(), lambda inner: st.lists(inner, max_size=3), max_leaves=12)
)
def test_the_count_agrees_with_the_parsed_depth(value):
    def depth(v) -> int:
        return 1 + max(map(depth, v), default=0) if isinstance(v, list) else 0

    body = json.dumps(value).encode()
    assert not json_nests_deeper_than(body, depth(value))
    assert depth(value) == 0 or json_nests_deeper_than(body, depth(value) - 1)


def test_a_body_must_be_utf8():
    assert json_body_rule('{"name": "Ngāti"}'.encode()) is None
    assert json_body_rule('{"name": "Ngāti"}'.encode("utf-16")) == "must be JSON encoded as UTF-8"
    assert json_body_rule(b'{"name": "\xff"}') == "must be JSON encoded as UTF-8"
    assert json_body_rule(_nested(100)) == (
        f"must not nest arrays and objects more than {MAX_JSON_DEPTH} deep"
    )
