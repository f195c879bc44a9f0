"""Mock of the Ministry of Social Development (Work and Income): Best Start applications,
clients' changes of circumstances, stopping a client's payments when they die, and funeral
grant applications.

Its traits: snake_case JSON, names split into first, middle and last, IRD numbers for Best
Start, the client number as nine digits, a digits-only phone, amounts as strings with two
decimals ("8450.00"), and addresses in parts with the unit apart from the street number and
rural delivery as its number. A postal address is a street (`"kind": "street"`) or a box
(`"kind": "box"`, its own shape). It answers with an application or case id ("BS-000001",
"CC-000001") and reports errors as
`{"error": {"code", "message", "details": [{"path", "issue"}]}}`. An application or a change
of circumstances can be withdrawn (`POST .../{id}/withdrawal` with a reason code, answered
with a withdrawal id "WD-000001"); stopped payments cannot be withdrawn online.
"""

from datetime import date
from typing import Any, Literal

from mocks.agencies.msd.cases import CASE_STATUS, amend_change
from mocks.agencies.msd.parts import (
    Address,
    Amount,
    Client,
    ClientNumber,
    DeceasedClient,
    IrdNumber,
    MiddleNames,
    MsdModel,
    Phone,
    PostalAddress,
    WithdrawalRequest,
    deceased_client_coverage,
)
from mocks.kit.agency import Coverage, MockAgency, MockService, Problem
from mocks.kit.amendments import MockAmendment, amendment_routes
from mocks.kit.compensations import MockCompensation
from mocks.kit.formats import Name, PastDate, RegistrationNumber, Text
from mocks.kit.shapes import header_key
from mocks.kit.store import NextNumber


class Applicant(MsdModel):
    """The parent applying for Best Start."""

    first_name: Name
    middle_names: MiddleNames
    last_name: Name
    ird_number: IrdNumber
    phone: Phone | None = None


class Child(MsdModel):
    """The child Best Start is for."""

    first_name: Name
    middle_names: MiddleNames
    last_name: Name
    date_of_birth: PastDate
    ird_number: IrdNumber


class BestStartApplication(MsdModel):
    """An application for the Best Start payment."""

    applicant: Applicant
    child: Child
    address: Address


class ChangeOfCircumstances(MsdModel):
    """A client's new address, from the day they move (which may lie ahead)."""

    client_number: ClientNumber
    client: Client
    phone: Phone | None = None
    new_address: Address
    effective_date: date


class StopPayments(MsdModel):
    """A request to stop a dead client's payments from the day after their death."""

    client_number: ClientNumber
    client: DeceasedClient
    death_registration_number: RegistrationNumber


class FuneralApplicant(MsdModel):
    """Who applies for the funeral grant, and where MSD writes to them."""

    first_name: Name
    middle_names: MiddleNames
    last_name: Name
    relationship: Literal[
        "partner", "child", "parent", "sibling", "grandchild", "other_family", "friend"
    ]
    phone: Phone
    postal_address: PostalAddress


class Funeral(MsdModel):
    """The funeral the grant goes towards."""

    funeral_director: Text
    cost: Amount
    paid_by_applicant: bool


class FuneralGrantApplication(MsdModel):
    """An application for a funeral grant."""

    deceased: DeceasedClient
    death_registration_number: RegistrationNumber
    applicant: FuneralApplicant
    funeral: Funeral


def receive(application: BestStartApplication, next_number: NextNumber) -> dict[str, Any]:
    """Receive the application for assessment."""
    del application  # the mock receives every valid application the same way
    return {"application_id": f"BS-{next_number('msd.application'):06d}", "status": "received"}


def record_change(change: ChangeOfCircumstances, next_number: NextNumber) -> dict[str, Any]:
    """Record the client's new address."""
    del change  # the mock records every valid change the same way
    return {"case_id": f"CC-{next_number('msd.case'):06d}", "status": "recorded"}


def stop_payments(request: StopPayments, next_number: NextNumber) -> dict[str, Any]:
    """Stop the client's payments."""
    del request  # the mock stops every valid client's payments the same way
    return {"case_id": f"SP-{next_number('msd.case'):06d}", "status": "payments_stopped"}


def receive_funeral_grant(
    application: FuneralGrantApplication, next_number: NextNumber
) -> dict[str, Any]:
    """Receive the funeral grant application for assessment."""
    del application  # the mock receives every valid application the same way
    return {"application_id": f"FG-{next_number('msd.application'):06d}", "status": "received"}


def _withdrawal(path: str, summary: str, reference_field: str, prefix: str) -> MockCompensation:
    """Withdrawing what a service issued under `reference_field` (`<prefix>-nnnnnn`), by a
    `POST <path>` with MSD's reason: a withdrawal id in MSD's own sequence."""

    def withdraw(reference: str, next_number: NextNumber) -> dict[str, Any]:
        withdrawal_id = f"WD-{next_number('msd.withdrawal'):06d}"
        return {"withdrawal_id": withdrawal_id, reference_field: reference, "status": "withdrawn"}

    return MockCompensation(
        method="POST",
        path=path,
        summary=summary,
        reference_field=reference_field,
        reference_pattern=rf"{prefix}-[0-9]{{6}}",
        issue=withdraw,
        request_model=WithdrawalRequest,
    )


_CODES = {
    400: "bad_request", 401: "unauthorised", 403: "forbidden", 404: "not_found",
    409: "conflict", 422: "invalid_application", 503: "unavailable",
}  # fmt: skip


def error_body(status: int, problems: list[Problem]) -> dict[str, Any]:
    """MSD's error shape: a code, a summary message, and a detail per problem."""
    return {
        "error": {
            "code": _CODES.get(status, "error"),
            "message": "; ".join(
                f"{p.field}: {p.message}" if p.field else p.message for p in problems
            ),
            "details": [{"path": p.field, "issue": p.message} for p in problems],
        }
    }


RECEIPT_COVERAGE = {
    "/api/best-start/applications": Coverage(
        "best-start",
        {
            "applicant.first_name": "birth_parent.name",
            "applicant.middle_names": "birth_parent.name",
            "applicant.last_name": "birth_parent.name",
            "applicant.ird_number": "birth_parent.ird_number",
            "applicant.phone": "birth_parent.phone",
            "child.first_name": "child.name",
            "child.middle_names": "child.name",
            "child.last_name": "child.name",
            "child.date_of_birth": "child.date_of_birth",
            "child.ird_number": "child.ird_number",
            "address": "address",
        },
    ),
    "/api/clients/changes-of-circumstances": Coverage(
        "change-of-circumstances",
        {
            "client_number": "mover.msd_client_number",
            "client.first_name": "mover.name",
            "client.middle_names": "mover.name",
            "client.last_name": "mover.name",
            "client.date_of_birth": "mover.date_of_birth",
            "phone": "mover.phone",
            "new_address": "new_address",
            "effective_date": "move_date",
        },
    ),
    "/api/clients/payment-stops": Coverage(
        "stop-payments",
        {
            "client_number": "deceased.msd_client_number",
            **deceased_client_coverage("client"),
            "death_registration_number": "deceased.death_registration_number",
        },
    ),
    "/api/funeral-grant/applications": Coverage(
        "funeral-grant",
        {
            **deceased_client_coverage("deceased"),
            "death_registration_number": "deceased.death_registration_number",
            "applicant.first_name": "notifier.name",
            "applicant.middle_names": "notifier.name",
            "applicant.last_name": "notifier.name",
            "applicant.relationship": "notifier.relationship",
            "applicant.phone": "notifier.phone",
            "applicant.postal_address": "notifier.postal_address",
            "funeral": "funeral_grant",
        },
    ),
}


AGENCY = MockAgency(
    name="msd",
    path="/api/best-start/applications",
    summary="Apply for Best Start",
    request_model=BestStartApplication,
    read_api_key=header_key("X-MSD-Client-Key"),
    issue=receive,
    error_body=error_body,
    more_services=(
        MockService(
            path="/api/clients/changes-of-circumstances",
            summary="Tell MSD a client's new address",
            request_model=ChangeOfCircumstances,
            issue=record_change,
        ),
        MockService(
            path="/api/clients/payment-stops",
            summary="Stop the payments of a client who has died",
            request_model=StopPayments,
            issue=stop_payments,
        ),
        MockService(
            path="/api/funeral-grant/applications",
            summary="Apply for a funeral grant",
            request_model=FuneralGrantApplication,
            issue=receive_funeral_grant,
        ),
    ),
    compensations=(
        _withdrawal(
            "/api/best-start/applications/{application_id}/withdrawal",
            "Withdraw a Best Start application",
            "application_id",
            "BS",
        ),
        _withdrawal(
            "/api/clients/changes-of-circumstances/{case_id}/withdrawal",
            "Withdraw a change of circumstances",
            "case_id",
            "CC",
        ),
        _withdrawal(
            "/api/funeral-grant/applications/{application_id}/withdrawal",
            "Withdraw a funeral grant application",
            "application_id",
            "FG",
        ),
    ),
    routes=(
        CASE_STATUS,
        amendment_routes(
            MockAmendment(
                method="POST",
                path="/api/clients/changes-of-circumstances/{case_id}/amendments",
                summary="Correct a change of circumstances",
                service_path="/api/clients/changes-of-circumstances",
                request_model=ChangeOfCircumstances,
                reference_field="case_id",
                reference_pattern=r"CC-[0-9]{6}",
                issue=amend_change,
                success_status=201,
            ),
        ),
    ),
    receipt_coverage=RECEIPT_COVERAGE,
)
