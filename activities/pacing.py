"""One retry pace per agency, for every kind of call (submit, withdraw, amend, status): the
one its adapter declares (`AgencyPolicy`). A call the agency cannot take now fails with
`AgencyUnavailable` carrying the wait its policy gives this attempt, which Temporal follows in
place of the workflow's retry policy (workflows/call_options.py).
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from temporalio import activity

from adapters.base import AgencyPolicy, AgencyUnavailable


@asynccontextmanager
async def at_agency_pace(agency: str, policy: AgencyPolicy) -> AsyncIterator[None]:
    """Run one call to `agency` within its policy's call timeout; an unanswered call, or one
    the agency could not take (`AgencyUnavailable`), is retried at the policy's pace."""
    limit = policy.call_timeout
    try:
        async with asyncio.timeout(limit.total_seconds()):
            yield
    except TimeoutError:
        late = AgencyUnavailable(agency, f"no answer within {limit}")
        raise late.paced(policy, activity.info().attempt) from None
    except AgencyUnavailable as unavailable:
        raise unavailable.paced(policy, activity.info().attempt) from None
