"""IRD's cases that end later, and what IRD says about any of its cases.

With an issue delay (`issue_delay_seconds`, see mocks/kit/faults.py), IRD answers a newborn
registration 202 with the case reference and status `received`, and issues the IRD number
once the delay has passed: work promised in the mocks' store with the case and done when due
(mocks/kit/later.py), which then calls onceonly back (signed, see mocks/kit/callbacks.py) when a
callback target is configured, across restarts of the mocks. A status check of a case that is
due catches up on the issue itself.

`GET /gateway/v2/cases/{caseReference}` answers in IRD's format: the case type, `RECEIVED` or
`COMPLETED`, the IRD number once issued, and for the changes IRD makes (an address change, a
notification of death) whether the change is in effect.
"""

import logging
from typing import Any

from fastapi import APIRouter

from mocks.agencies.ird.numbers import issue_ird_number
from mocks.kit.agency import MockDeferral, RouteContext
from mocks.kit.callbacks import callback_target
from mocks.kit.faults import FaultSettings
from mocks.kit.followups import add_reference_route, due_at, in_effect, seconds_until
from mocks.kit.later import Decided
from mocks.kit.store import NextNumber, Record, Store

ISSUED = "ird.issued"
"""Where the store keeps the IRD numbers issued after the answer, by case reference."""
# Each case reference's prefix: its case type, and the catalogue service that opens it.
CASE_TYPES = {
    "NB": ("NEWBORN_REGISTRATION", "newborn-ird-number"),
    "AC": ("ADDRESS_CHANGE", "address-change"),
    "DC": ("DECEASED_NOTIFICATION", "deceased-notification"),
}
CASE_REFERENCE = r"(?:NB|AC|DC)-[0-9]{8}"

logger = logging.getLogger("mocks.ird")


def case_reference(prefix: str, next_number: NextNumber) -> str:
    """A new case reference: every service opens a case in IRD's one case sequence."""
    return f"{prefix}-{next_number('ird.case'):08d}"


def accept_newborn(
    registration: object, next_number: NextNumber, settings: FaultSettings
) -> dict[str, Any] | None:
    """With an issue delay, the answer that IRD received the registration; None answers now."""
    del registration  # every valid request waits the same time
    if settings.issue_delay_seconds <= 0:
        return None
    return {
        "caseReference": case_reference("NB", next_number),
        "status": "received",
        "issueDue": due_at(settings.issue_delay_seconds),
    }


async def issue_now(store: Store, case: Record) -> Record:
    """Issue the IRD number of a received newborn case (once: a second call finds the first)."""
    reference = case.answer["caseReference"]

    def issue(next_number: NextNumber) -> tuple[int, dict[str, Any]]:
        number = issue_ird_number(next_number)
        return 200, {"caseReference": reference, "irdNumber": number, "status": "issued"}

    return await store.record_once(ISSUED, reference, {"caseReference": reference}, issue)


async def issue_when_due(case: Record, context: RouteContext) -> Decided:
    """The promised work of a received case: issue its number (once), then call back."""
    issued = await issue_now(context.store, case)
    logger.info("case %s: IRD number issued", issued.answer["caseReference"])
    return Decided(issued.answer["caseReference"], "completed")


NEWBORN_DEFERRAL = MockDeferral(
    accept=accept_newborn,
    action="ird.issue-newborn-number",
    due_field="issueDue",
    decide=issue_when_due,
    calls_back=True,
)


async def case_status(reference: str, context: RouteContext) -> dict[str, Any] | None:
    """IRD's answer about the case, or None when IRD opened no such case."""
    case = await context.store.record_answered(context.agency.name, "caseReference", reference)
    if case is None:
        return None
    case_type, service = CASE_TYPES[reference[:2]]
    status: dict[str, Any] = {"caseReference": reference, "caseType": case_type}
    if case_type != "NEWBORN_REGISTRATION":
        return status | {"caseStatus": "COMPLETED", "changeInEffect": in_effect(context, service)}
    number = case.answer.get("irdNumber")
    if number is None:
        issued = await context.store.held(ISSUED, reference)
        if issued is None and seconds_until(case.answer["issueDue"]) <= 0:
            issued = await issue_now(context.store, case)
        number = None if issued is None else issued.answer["irdNumber"]
    if number is None:
        return status | {"caseStatus": "RECEIVED"}
    return status | {"caseStatus": "COMPLETED", "irdNumber": number}


def add_case_routes(router: APIRouter, context: RouteContext) -> None:
    """IRD's case status route; checks the callback settings now, so bad ones fail at start."""
    callback_target(context.agency.name, context.environ)
    add_reference_route(
        router,
        context,
        path="/gateway/v2/cases/{caseReference}",
        summary="Read the status of a case",
        pattern=CASE_REFERENCE,
        answer=case_status,
    )
