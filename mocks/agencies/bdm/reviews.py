"""BDM's review of a death registration before it registers the death.

With a review time (`death_review_seconds`, see mocks/kit/faults.py), BDM answers a death
registration 202 with a review reference and status `under_review`, and no registration
number. The decision is work promised in the mocks' store with the review and taken when due
(mocks/kit/later.py), or at the first look after that, whichever comes first, and kept:
`registered` with the death registration number, or `rejected` with the reason when the
`review_rejects` knob is on. BDM calls no one back:
`GET /v1/death-registration-reviews/{reviewReference}` answers `under_review` until then.
"""

from typing import Any

from mocks.kit.agency import MockDeferral, RouteContext
from mocks.kit.faults import FaultSettings
from mocks.kit.followups import due_at, reference_route, seconds_until
from mocks.kit.formats import nz_today
from mocks.kit.later import Decided
from mocks.kit.store import NextNumber, Record, Store

REVIEWS = "bdm.reviews"
"""Where the store keeps BDM's decisions, by review reference."""
REVIEW_REFERENCE = r"REV-[0-9]{6}"
REJECTION = "the registration is referred to the coroner: a medical certificate is required"


def death_registration_number(next_number: NextNumber) -> str:
    """A number of this year in the register of deaths' own sequence."""
    return f"{nz_today().year}/{next_number('bdm.death_registration'):06d}"


def accept_for_review(
    registration: object, next_number: NextNumber, settings: FaultSettings
) -> dict[str, Any] | None:
    """With a review time, the answer that the registration is under review; None registers
    the death now."""
    del registration  # every valid registration is reviewed the same way
    if settings.death_review_seconds <= 0:
        return None
    return {
        "reviewReference": f"REV-{next_number('bdm.review'):06d}",
        "status": "under_review",
        "decisionDue": due_at(settings.death_review_seconds),
    }


async def decide(store: Store, review: Record, rejects: bool) -> Record:
    """The review's decision: taken once, then kept whatever the knob says later."""
    reference = review.answer["reviewReference"]

    def decision(next_number: NextNumber) -> tuple[int, dict[str, Any]]:
        if rejects:
            return 200, {"reviewReference": reference, "status": "rejected", "reason": REJECTION}
        number = death_registration_number(next_number)
        return 200, {
            "reviewReference": reference,
            "status": "registered",
            "deathRegistrationNumber": number,
        }

    return await store.record_once(REVIEWS, reference, {"reviewReference": reference}, decision)


async def decide_when_due(review: Record, context: RouteContext) -> Decided:
    """The promised work of a review: decide it, with the knobs as they are now."""
    decided = await decide(context.store, review, context.knobs.settings.review_rejects)
    rejected = decided.answer["status"] == "rejected"
    return Decided(review.answer["reviewReference"], "rejected" if rejected else "completed")


REVIEW_DEFERRAL = MockDeferral(
    accept=accept_for_review,
    action="bdm.review-death",
    due_field="decisionDue",
    decide=decide_when_due,
)


async def review_status(reference: str, context: RouteContext) -> dict[str, Any] | None:
    """BDM's answer about the review, or None when BDM opened no such review."""
    store = context.store
    review = await store.record_answered(context.agency.name, "reviewReference", reference)
    if review is None:
        return None
    decided = await store.held(REVIEWS, reference)
    if decided is None and seconds_until(review.answer["decisionDue"]) <= 0:
        decided = await decide(store, review, context.knobs.settings.review_rejects)
    if decided is None:
        return {"reviewReference": reference, "status": "under_review"}
    return decided.answer


async def reviewed_registration(store: Store, agency: str, number: str) -> Record | None:
    """The death registration a review registered under `number`, as BDM received it."""
    decided = await store.record_answered(REVIEWS, "deathRegistrationNumber", number)
    if decided is None:
        return None
    return await store.record_answered(agency, "reviewReference", decided.answer["reviewReference"])


REVIEW_STATUS = reference_route(
    path="/v1/death-registration-reviews/{reviewReference}",
    summary="Read where the review of a death registration stands",
    pattern=REVIEW_REFERENCE,
    answer=review_status,
)
"""BDM's review status route."""
