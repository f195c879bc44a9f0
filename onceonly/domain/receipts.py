"""Consent receipts as workflows see them: what a decision's receipt says (the Kantara
Consent Receipt v1.1 fields that apply, plus ours) and the activity that signs it.

Pure: no key, clock or I/O here, so workflow code may import it. The worker runs the signing
activity (`activities.receipts.ReceiptSigner`); `onceonly.receipts` holds the key.
"""

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from temporalio import activity

from onceonly.domain.catalogue import Agency, LifeEventSpec, StepSpec
from onceonly.domain.controllers import Controller, reached_through

# The activity type name in every history: renaming it would break replay.
SIGN_RECEIPT = "sign_receipt"
SIGN_RECEIPTS = "sign_receipts"  # every receipt of one batch of decisions, in one local call
RECEIPT_ISSUER = "onceonly"
"""The `iss` of every receipt: the service, whatever issuer its citizens' tokens carry."""
RECEIPT_VERSION = "KI-CR-v1.1.0"  # the Kantara specification the receipt's fields follow
COLLECTION_METHOD = "onceonly consent checkpoint, citizen API"
POLICY_PATH = "/v1/catalogue"  # the public notices: every step's purpose, basis and fields

Decision = Literal["grant", "decline", "withdraw", "expire", "acknowledge", "correct"]
"""What a receipt records: a choice, an expiry, the acknowledgement of a statutory step, or a
correction sent to an agency that holds the corrected fields."""


class ReceiptRequest(BaseModel):
    """One decision at a checkpoint, to be made into a signed receipt."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: str = Field(description="The life event's type, which names its catalogue entry.")
    event_id: str
    step_id: str
    principal_key: str = Field(
        description="The pseudonymous key of whoever decided: the citizen, or another party."
    )
    decision: Decision
    decided_at: AwareDatetime
    receipt_id: str = Field(description="A UUID the workflow makes (`workflow.uuid4()`).")
    note: str | None = Field(default=None, description="Plain words the receipt carries.")


class ReceiptIssuer(BaseModel):
    """What the service adds to every receipt it issues, from its settings: who runs it, each
    agency's privacy contact, and where its notices are published."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy_url: str = Field(description="The notices' absolute URL (Kantara `policyUrl`).")
    operator: Controller
    agency_controllers: dict[str, Controller] = Field(default_factory=dict)

    def controller_of(self, agency: Agency) -> Controller:
        """The agency's privacy contact, or the operator's on its behalf when none is set."""
        own = self.agency_controllers.get(agency.id)
        return own or reached_through(self.operator, agency.name)


class SignedReceipt(BaseModel):
    """A receipt as issued: the ids it is about, and the compact JWS anyone can verify."""

    model_config = ConfigDict(frozen=True)

    receipt_id: str
    event_id: str
    step_id: str
    decision: Decision
    decided_at: AwareDatetime
    jws: str = Field(description="The signed claims (EdDSA), as sent in `Consent-Receipt`.")


def consent_type(step: StepSpec) -> Literal["EXPLICIT", "STATUTORY"]:
    """EXPLICIT where the citizen's consent is the basis; STATUTORY for a law or agreement."""
    return "EXPLICIT" if step.legal_basis.kind == "consent" else "STATUTORY"


def termination(step: StepSpec, decision: Decision) -> str:
    """When the decision's consent (or statutory disclosure) ends, in plain words; it names
    what the agency keeps by law, so a withdrawal never promises more than it can undo.
    """
    kept = f". {step.kept_by_law}" if step.kept_by_law else ""
    if decision == "decline":
        return "never started: it was declined, so nothing is sent"
    if decision == "expire":
        return "never started: the checkpoint expired unanswered, so nothing is sent"
    if decision == "withdraw":
        return f"ended when you withdrew it: nothing more is sent{kept}"
    if decision == "correct" and step.legal_basis.kind == "consent":
        # A correction changes what the agency holds, never the basis it holds it on.
        return f"unchanged by this correction: until you withdraw it, or the step ends{kept}"
    if step.legal_basis.kind != "consent":
        return (
            f"set by law, not by consent ({step.legal_basis.reference}): when the step ends{kept}"
        )
    return f"until you withdraw it, or the step ends{kept}"


def sensitive_categories(step: StepSpec) -> list[str]:
    """The step's sensitive personal information categories (Kantara `spiCat`), as the
    catalogue declares them in `spi_categories`; none where it declares none."""
    return list(step.spi_categories)


def controller_claims(
    controller: Controller, *, on_behalf: bool, controller_id: str
) -> dict[str, Any]:
    """One `piiControllers[]` entry: the Kantara v1.1 fields, and our id for the controller."""
    claims: dict[str, Any] = {
        "piiController": controller.name,
        "onBehalf": on_behalf,
        "contact": controller.contact,
        "address": controller.address,
        "email": controller.email,
        "phone": controller.phone,
    }
    if controller.url:
        claims["piiControllerUrl"] = controller.url
    return {**claims, "controllerId": controller_id}


def receipt_claims(
    event: LifeEventSpec,
    step: StepSpec,
    agency: Agency,
    request: ReceiptRequest,
    issuer: ReceiptIssuer,
) -> dict[str, Any]:
    """The claims of the receipt for `request`, about `step` of `event` at `agency`: every
    field Kantara CR v1.1 requires, with `issuer`'s controllers and notices.

    Raises ValueError when the three do not belong together: a receipt naming the wrong
    agency or event would mislead whoever relies on it.
    """
    if agency.id != step.agency:
        raise ValueError(f"step {step.id!r} goes to {step.agency!r}, not {agency.id!r}")
    if step not in event.steps or request.step_id != step.id:
        raise ValueError(f"step {request.step_id!r} is not this step of {event.event_type!r}")
    decided = int(request.decided_at.timestamp())
    spi_categories = sensitive_categories(step)
    controllers = [
        # The agency decides what it does with the fields; the service collects the consent
        # on its behalf.
        controller_claims(issuer.controller_of(agency), on_behalf=False, controller_id=agency.id),
        controller_claims(issuer.operator, on_behalf=True, controller_id=RECEIPT_ISSUER),
    ]
    return {
        "iss": RECEIPT_ISSUER,
        "iat": decided,
        "version": RECEIPT_VERSION,
        "jurisdiction": "NZ",
        "consentTimestamp": decided,
        "collectionMethod": COLLECTION_METHOD,
        "consentReceiptID": request.receipt_id,
        "language": "en",
        "piiPrincipalId": request.principal_key,
        "piiControllers": controllers,
        "policyUrl": issuer.policy_url,
        "services": [
            {
                "service": step.service,
                "purposes": [
                    {
                        "purpose": step.purpose,
                        "purposeCategory": [step.id],
                        "consentType": consent_type(step),
                        "piiCategory": list(step.fields),
                        "primaryPurpose": True,
                        "termination": termination(step, request.decision),
                        "thirdPartyDisclosure": False,
                    }
                ],
            }
        ],
        "sensitive": step.sensitive,
        "spiCat": spi_categories,
        "onceonly": {
            "event_id": request.event_id,
            "step_id": step.id,
            "agency": agency.id,
            "service": step.service,
            "decision": request.decision,
            "legal_basis": step.legal_basis.model_dump(mode="json"),
            "notice_version": event.notice_version,
            "fields": list(step.fields),
            "note": request.note,
        },
    }


class ReceiptSigning:
    """The activity's contract, for `workflow.execute_activity_method`; the worker runs
    `activities.receipts.ReceiptSigner`, which implements it.
    """

    @activity.defn(name=SIGN_RECEIPT)
    async def sign_receipt(self, request: ReceiptRequest) -> SignedReceipt:
        """Make the receipt of one decision and sign it with the service's key."""
        raise NotImplementedError("run by activities.receipts.ReceiptSigner")

    @activity.defn(name=SIGN_RECEIPTS)
    async def sign_receipts(self, requests: list[ReceiptRequest]) -> list[SignedReceipt]:
        """Make and sign the receipts of decisions taken together, in their order."""
        raise NotImplementedError("run by activities.receipts.ReceiptSigner")
