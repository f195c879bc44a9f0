"""What NZTA says about a transaction on the driver licence register, and corrections to one.

`GET /api/v1/transactions/{transactionId}` answers the transaction's outcome and whether the
register shows it (`registerUpdated`; false when the `effect_not_taken` knob names the
service). A correction to an address change is `POST /api/v1/transactions/{transactionId}/
corrections` with the corrected address change in full (mocks/kit/amendments.py): a new
transaction of its own that names the one it corrects.
"""

from typing import Any

from mocks.kit.agency import RouteContext
from mocks.kit.followups import in_effect, reference_route
from mocks.kit.store import NextNumber

TRANSACTION_ID = r"DL-[0-9]{6}"
# Each outcome's catalogue service.
_SERVICES = {
    "ADDRESS_UPDATED": "driver-licence-address",
    "LICENCE_CANCELLED": "licence-cancellation-deceased",
}


def new_transaction_id(next_number: NextNumber) -> str:
    """A new id in the register's one transaction sequence."""
    return f"DL-{next_number('nzta.transaction'):06d}"


async def transaction_status(transaction_id: str, context: RouteContext) -> dict[str, Any] | None:
    """NZTA's answer about the transaction, or None when the register has no such one."""
    found = await context.store.record_answered(
        context.agency.name, "transactionId", transaction_id
    )
    if found is None:
        return None
    outcome = found.answer["outcome"]
    return {
        "transactionId": transaction_id,
        "outcome": outcome,
        "registerUpdated": in_effect(context, _SERVICES[outcome]),
    }


def correct_address(transaction_id: str, next_number: NextNumber) -> dict[str, Any]:
    """The correcting transaction, naming the one it corrects."""
    return {
        "transactionId": new_transaction_id(next_number),
        "corrects": transaction_id,
        "outcome": "ADDRESS_CORRECTED",
    }


TRANSACTION_STATUS = reference_route(
    path="/api/v1/transactions/{transactionId}",
    summary="Read a register transaction",
    pattern=TRANSACTION_ID,
    answer=transaction_status,
)
"""NZTA's transaction status route."""
