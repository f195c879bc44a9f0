"""The activity that makes a decision's consent receipt and signs it with the service's key."""

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import usage
from onceonly import receipts
from onceonly.domain import catalogue as catalogue_module
from onceonly.domain import receipts as contract
from onceonly.domain.catalogue import Catalogue
from onceonly.domain.receipts import ReceiptRequest, SignedReceipt, receipt_claims
from onceonly.settings import Settings
from onceonly.usage import UsageLedger

log = structlog.get_logger(__name__)


class ReceiptSigner(contract.ReceiptSigning):
    """The receipt signing activity, holding the worker's settings (and so its key); every
    decision it signs goes to the usage ledger too, when given one."""

    def __init__(
        self,
        settings: Settings,
        catalogue: Catalogue | None = None,
        usage_ledger: UsageLedger | None = None,
    ) -> None:
        # Loading the key now makes a bad key fail the worker's start, not every decision.
        receipts.signing_key(settings)
        self._settings = settings
        self._issuer = receipts.receipt_issuer(settings)
        # The catalogue in force when the worker starts, unless given one.
        self._catalogue = catalogue or catalogue_module.CATALOGUE
        self._usage = usage_ledger

    @activity.defn(name=contract.SIGN_RECEIPT)
    async def sign_receipt(self, request: ReceiptRequest) -> SignedReceipt:
        """Build the receipt's claims from the catalogue and sign them.

        A request naming an event, step or agency the catalogue does not have can never
        succeed, so it fails without retries. Logs carry ids only, never the claims.
        """
        signed = self._signed(request)
        await self._note([request])
        log.info(
            "receipt.signed",
            event_id=request.event_id,
            step_id=request.step_id,
            receipt_id=request.receipt_id,
            decision=request.decision,
        )
        return signed

    @activity.defn(name=contract.SIGN_RECEIPTS)
    async def sign_receipts(self, requests: list[ReceiptRequest]) -> list[SignedReceipt]:
        """The receipts of decisions taken together, each as `sign_receipt` makes it: one
        local activity for a whole batch instead of an activity per decision, and one log
        line."""
        signed = [self._signed(request) for request in requests]
        await self._note(requests)
        log.info(
            "receipts.signed",
            event_id=requests[0].event_id if requests else None,
            step_ids=[request.step_id for request in requests],
            receipt_ids=[request.receipt_id for request in requests],
            decisions=[request.decision for request in requests],
        )
        return signed

    async def _note(self, requests: list[ReceiptRequest]) -> None:
        if self._usage is None:
            return
        # Signed already, so the catalogue has each step.
        steps = [self._catalogue.event(r.event_type).step(r.step_id) for r in requests]
        decisions = [usage.consent_decision(r, s) for r, s in zip(requests, steps, strict=True)]
        await usage.note(self._usage, decisions)

    def _signed(self, request: ReceiptRequest) -> SignedReceipt:
        try:
            event = self._catalogue.event(request.event_type)
            step = event.step(request.step_id)
            [agency] = [agency for agency in self._catalogue.agencies if agency.id == step.agency]
            claims = receipt_claims(event, step, agency, request, self._issuer)
        except (KeyError, ValueError) as error:
            raise ApplicationError(
                f"no receipt for step {request.step_id!r} of {request.event_type!r}: {error}",
                type="UnknownStep",
                non_retryable=True,
            ) from None
        jws = receipts.sign_receipt(self._settings, claims)
        return SignedReceipt(
            receipt_id=request.receipt_id,
            event_id=request.event_id,
            step_id=request.step_id,
            decision=request.decision,
            decided_at=request.decided_at,
            jws=jws,
        )
