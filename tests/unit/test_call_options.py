"""The one table of activity options: every agency call retries by one policy (the agency's
own pace comes from its adapter, tests/unit/test_agency_pace.py), and the calls that change
an agency's record give up when the event says, the others never or on their own limit."""

from datetime import timedelta

from onceonly.domain.life_event import LifeEventStart
from workflows import call_options
from workflows.call_options import AGENCY_RETRY_POLICY, CallOptions

START = LifeEventStart(
    citizen_key="c" * 32,
    consent_expiry=timedelta(days=30),
    agency_give_up_after=timedelta(hours=3),
)
AGENCY_CALLS = {
    "submit": call_options.SUBMIT,
    "withdraw": call_options.WITHDRAW,
    "amend": call_options.AMEND,
    "status": call_options.STATUS,
    "await outcome": call_options.AWAIT_OUTCOME,
}


def test_every_agency_call_retries_by_the_one_agency_policy():
    for kind, options in AGENCY_CALLS.items():
        assert options.retry_policy is AGENCY_RETRY_POLICY, kind
    assert AGENCY_RETRY_POLICY.maximum_attempts == 0  # for as long as it takes


def test_the_calls_that_change_a_record_give_up_when_the_event_says():
    for options in (call_options.SUBMIT, call_options.WITHDRAW, call_options.AMEND):
        assert options.schedule_to_close(START) == timedelta(hours=3)
    # A status question and a wait go on: the request they ask about still stands.
    assert call_options.STATUS.schedule_to_close(START) is None
    assert call_options.AWAIT_OUTCOME.schedule_to_close(START) is None
    assert call_options.AWAIT_OUTCOME.heartbeat == timedelta(minutes=1)
    assert call_options.REMINDER.schedule_to_close(START) == timedelta(hours=12)


def test_an_own_limit_is_used_only_where_the_event_does_not_set_one():
    own = CallOptions(timedelta(seconds=5), give_up_after=timedelta(minutes=2))
    assert own.schedule_to_close(START) == timedelta(minutes=2)
    both = CallOptions(
        timedelta(seconds=5), give_up_after=timedelta(minutes=2), until_agency_gives_up=True
    )
    assert both.schedule_to_close(START) == timedelta(hours=3)
