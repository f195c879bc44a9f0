"""How the step runner schedules each kind of activity: the one table of their timeouts and
retries. Changing a timeout or a retry policy here changes no command (old histories replay);
changing an activity's name, its task queue or the calls made would.

An agency's own pace of retries is its adapter's (`AgencyPolicy`): every agency call's
activity raises `AgencyUnavailable` paced by it (activities/pacing.py), which Temporal follows
in place of the policy below. The policy paces only failures that carry no pace of their own
(a worker lost mid-call, an attempt past its start-to-close limit).
"""

from dataclasses import dataclass
from datetime import timedelta

from temporalio.common import RetryPolicy

from onceonly.domain.life_event import LifeEventStart


@dataclass(frozen=True)
class CallOptions:
    """One kind of activity's options."""

    start_to_close: timedelta
    retry_policy: RetryPolicy | None = None
    heartbeat: timedelta | None = None
    give_up_after: timedelta | None = None
    """When to stop retrying; None: never, unless `until_agency_gives_up`."""
    until_agency_gives_up: bool = False
    """Stop retrying after the event's `agency_give_up_after`: the step then ends `failed`."""

    def schedule_to_close(self, start: LifeEventStart) -> timedelta | None:
        """The limit on all attempts together, for an event started with `start`."""
        return start.agency_give_up_after if self.until_agency_gives_up else self.give_up_after


# Transient agency failures retry for as long as it takes, up to the event's give-up time: an
# agency outage must delay a step, never lose it. Rejections are non-retryable.
AGENCY_RETRY_POLICY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
)
# Agencies' own calls are quick; a slow answer is retried rather than waited on.
AGENCY_CALL_TIMEOUT = timedelta(seconds=30)

# -- Agency calls, each on the agency's task queue --------------------------------------------
SUBMIT = CallOptions(AGENCY_CALL_TIMEOUT, AGENCY_RETRY_POLICY, until_agency_gives_up=True)
WITHDRAW = CallOptions(AGENCY_CALL_TIMEOUT, AGENCY_RETRY_POLICY, until_agency_gives_up=True)
AMEND = CallOptions(AGENCY_CALL_TIMEOUT, AGENCY_RETRY_POLICY, until_agency_gives_up=True)
# A status question is asked again until answered: the request it asks about still stands.
STATUS = CallOptions(AGENCY_CALL_TIMEOUT, AGENCY_RETRY_POLICY)
# A wait for a slow agency's outcome, on the queue of waits: one attempt may run a day before
# Temporal starts a fresh one (which goes on from the last heartbeat's count), since the
# outcome itself may take weeks. It heartbeats every 10 s (activities.status): missing several
# means its worker is gone.
AWAIT_OUTCOME = CallOptions(timedelta(days=1), AGENCY_RETRY_POLICY, heartbeat=timedelta(minutes=1))

# -- The runner's own work ----------------------------------------------------------------------
# A reminder to the citizen: worth sending within the half-day, not after.
REMINDER = CallOptions(AGENCY_CALL_TIMEOUT, AGENCY_RETRY_POLICY, give_up_after=timedelta(hours=12))
# Signing is a local computation on the worker: quick, or something is wrong.
RECEIPT = CallOptions(timedelta(seconds=10), RetryPolicy(maximum_interval=timedelta(seconds=30)))
RECEIPTS_TOGETHER = CallOptions(timedelta(seconds=10))  # a local activity
# A preview is the adapter's mapping, run locally; shown as unavailable if it fails twice.
PREVIEW = CallOptions(timedelta(seconds=10), RetryPolicy(maximum_attempts=2))
# Reading the disclosure log is one indexed query on the worker's machine.
CORRECTION_RECIPIENTS = CallOptions(
    timedelta(seconds=30), RetryPolicy(maximum_interval=timedelta(seconds=30))
)
# -- The agencies' staff inboxes (the shared store, on the worker's machine) ------------------
# Opening a task or reading it is one write or read of the store: retried until the store is
# back, since the task is how the agency learns of the request.
INBOX_TASK = CallOptions(timedelta(seconds=30), RetryPolicy(maximum_interval=timedelta(minutes=1)))
