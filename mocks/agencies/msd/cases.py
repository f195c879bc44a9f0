"""What MSD says about a client's case, and its amendments to a change of circumstances.

`GET /api/clients/cases/{case_id}` answers for a change of circumstances (`CC-`) or a stop of
a dead client's payments (`SP-`): the case type, and whether the change is in force: for a
stop, `payments_stopped`, or `payments_continuing` when the `effect_not_taken` knob names
`stop-payments` ("letters to the dead": the payments went on). Corrections to a change of
circumstances are `POST .../changes-of-circumstances/{case_id}/amendments`
(mocks/kit/amendments.py).
"""

from typing import Any

from mocks.kit.agency import RouteContext
from mocks.kit.followups import in_effect, reference_route
from mocks.kit.store import NextNumber

# Each case id's prefix: MSD's case type, the catalogue service, and the status in force or not.
_CASE_TYPES = {
    "CC": ("change_of_circumstances", "change-of-circumstances", "recorded", "not_recorded"),
    "SP": ("payment_stop", "stop-payments", "payments_stopped", "payments_continuing"),
}


async def case_status(case_id: str, context: RouteContext) -> dict[str, Any] | None:
    """MSD's answer about the client's case, or None when MSD holds no such case."""
    case = await context.store.record_answered(context.agency.name, "case_id", case_id)
    if case is None:
        return None
    case_type, service, done, not_done = _CASE_TYPES[case_id[:2]]
    effective = in_effect(context, service)
    return {
        "case_id": case_id,
        "case_type": case_type,
        "status": done if effective else not_done,
        "in_force": effective,
    }


def amend_change(case_id: str, next_number: NextNumber) -> dict[str, Any]:
    """Record a correction to the change of circumstances: an amendment id of its own."""
    amendment_id = f"AM-{next_number('msd.amendment'):06d}"
    return {"amendment_id": amendment_id, "case_id": case_id, "status": "amended"}


CASE_STATUS = reference_route(
    path="/api/clients/cases/{case_id}",
    summary="Read the status of a client's case",
    pattern=r"(?:CC|SP)-[0-9]{6}",
    answer=case_status,
)
"""MSD's case status route."""
