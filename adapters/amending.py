"""The error an amending adapter raises for a service its agency takes no correction of
online: the correction then needs an operator, and retrying cannot help. Its type is the one
the corrections workflow reads (`AMENDMENT_NOT_OFFERED`), as when an adapter has no `amend`.
"""

from temporalio.exceptions import ApplicationError

from adapters.base import AgencyRejected
from onceonly.domain.amendments import AMENDMENT_NOT_OFFERED


class ServiceAmendmentNotOffered(AgencyRejected):
    """The agency takes corrections online, but not to this service's records: an
    `AgencyRejected` raised before calling the agency (as the adapter contract asks), typed
    for the corrections workflow."""

    def __init__(self, agency: str, service: str) -> None:
        # ApplicationError's own initialiser: AgencyRejected's would name no type.
        ApplicationError.__init__(
            self,
            f"{agency} takes no correction online for {service}",
            type=AMENDMENT_NOT_OFFERED,
            non_retryable=True,
        )
