"""PII controllers as consent receipts name them: who decides what is done with the data,
and how a citizen reaches them (Kantara Consent Receipt v1.1, `piiControllers[]`)."""

from pydantic import BaseModel, ConfigDict, Field


class Controller(BaseModel):
    """A PII controller's name and the contact details every receipt must give for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, description="The organisation, as citizens know it.")
    contact: str = Field(min_length=1, description="Who to ask: a role, as 'Privacy Officer'.")
    address: str = Field(min_length=1, description="Its postal address, on one line.")
    email: str = Field(min_length=3, description="Where privacy requests are sent.")
    phone: str = Field(min_length=6, description="Its privacy contact phone number.")
    url: str | None = Field(default=None, description="Its website, when it has one.")


def reached_through(operator: Controller, agency_name: str) -> Controller:
    """An agency whose own privacy contact the deployment has not set, reached through the
    service's operator: a receipt still gives a contact that answers, naming whom it is for."""
    return operator.model_copy(
        update={"name": agency_name, "contact": f"{operator.contact}, for {agency_name}"}
    )
