"""The consent receipts an event issues: one for every decision, expiry, withdrawal and
correction, signed on the worker and kept in the event's state."""

from temporalio import workflow

from onceonly.domain.receipts import ReceiptRequest, ReceiptSigning
from workflows import call_options
from workflows.event_state import EventState


def receipt_request(
    state: EventState, step_id: str, decision: str, principal_key: str, note: str | None = None
) -> ReceiptRequest:
    """What the receipt of `decision` at `step_id`, taken now by `principal_key`, records."""
    return ReceiptRequest(
        event_type=state.spec.event_type,
        event_id=state.event_id,
        step_id=step_id,
        principal_key=principal_key,
        decision=decision,
        decided_at=workflow.now(),
        receipt_id=str(workflow.uuid4()),
        note=note,
    )


async def issue_receipts(
    state: EventState, answers: list[tuple[str, str]], principal_key: str
) -> None:
    """The receipts of decisions taken together: signed in one local activity (signing is
    quick work on the worker), one history event for the whole batch."""
    requests = [receipt_request(state, step_id, said, principal_key) for step_id, said in answers]
    options = call_options.RECEIPTS_TOGETHER
    signed = await workflow.execute_local_activity_method(
        ReceiptSigning.sign_receipts,
        requests,
        start_to_close_timeout=options.start_to_close,
        summary=f"receipts of {len(requests)} decisions",
    )
    state.receipts.extend(signed)


async def issue_receipt(
    state: EventState, step_id: str, decision: str, principal_key: str, note: str | None = None
) -> None:
    """One decision's receipt, signed by an activity."""
    request = receipt_request(state, step_id, decision, principal_key, note)
    options = call_options.RECEIPT
    receipt = await workflow.execute_activity_method(
        ReceiptSigning.sign_receipt,
        request,
        start_to_close_timeout=options.start_to_close,
        retry_policy=options.retry_policy,
        summary=f"receipt {decision} {step_id}",
    )
    state.receipts.append(receipt)
