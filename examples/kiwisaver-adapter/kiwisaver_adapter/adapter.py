"""The KiwiSaver provider's adapter: onceonly's canonical death disclosure mapped to the
provider's member death notification (entry point `onceonly.adapters`).

The provider wants camelCase JSON in three parts: the member (by IRD number, nine digits,
with the surname apart from the first names), the death (date and registration number) and
the contact (the notifier, their relationship and capacity in capitals, and their postal
address as NZ Post's lines). It answers with a case number ("KS-000001").
"""

from typing import Any

from pydantic import BaseModel, Field

from adapters.base import AgencyAnswer, AgencyPolicy, Disclosure
from adapters.disclosure import DisclosedFields, full_name
from adapters.http import AgencyApi, ApiKeyHeader, read_answer
from adapters.plugins import AdapterPlugin
from adapters.services import JsonAgencyAdapter, Service
from onceonly.domain.addresses import format_address
from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.people import PersonName

STEP = CATALOGUE.event("death").step("notify_kiwisaver")
"""The step this plugin's catalogue fragment adds to the death life event."""


def to_death_notification(disclosure: Disclosure) -> dict[str, Any]:
    """The notify_kiwisaver disclosure as the provider's member death notification."""
    fields = DisclosedFields(STEP, disclosure)
    name = fields.model("deceased.name", PersonName)
    return {
        "member": {
            # The canonical IRD number is digits only; the provider wants all nine.
            "irdNumber": fields.text("deceased.ird_number").zfill(9),
            "surname": name.family_name,
            "firstNames": " ".join(name.given_names),
            "dateOfBirth": fields.text("deceased.date_of_birth"),
        },
        "death": {
            "date": fields.text("deceased.date_of_death"),
            "registrationNumber": fields.text("deceased.death_registration_number"),
        },
        "contact": {
            "name": full_name(fields.model("notifier.name", PersonName)),
            "relationship": fields.text("notifier.relationship").upper(),
            "capacity": fields.text("notifier.authority").upper(),
            "postalAddress": format_address(fields.postal_address("notifier.postal_address")),
        },
    }


class NotificationReceived(BaseModel):
    """The provider's answer: its case number for the notification."""

    case_number: str = Field(alias="caseNumber", pattern=r"^KS-[0-9]{6,}$")


def kiwisaver_error_message(body: Any) -> str | None:
    """The provider's errors: `{"errors": [{"field", "rule"}]}`."""
    return "; ".join(f"{e['field'] or 'request'}: {e['rule']}" for e in body["errors"]) or None


def from_notification_received(answer: Any) -> AgencyAnswer:
    """The provider's answer as its case number; it issues no fact later steps need."""
    received = read_answer(STEP.agency, answer, NotificationReceived)
    return AgencyAnswer(reference=received.case_number)


class KiwiSaverAdapter(JsonAgencyAdapter):
    """The Kōwhai KiwiSaver Scheme: told of a member's death. Its one service is declared
    once; `submit` sends, and `preview` shows, the body `to_death_notification` makes."""

    agency = "kiwisaver"
    title = "the provider"
    api = AgencyApi(
        "/kiwisaver/v1", ApiKeyHeader("Authorization", "Bearer"), kiwisaver_error_message
    )
    # A small provider: a few calls at a time, gently.
    policy = AgencyPolicy(rate_limit_per_second=5.0, max_concurrent_calls=4)
    services = (
        Service(
            STEP.service,
            "/member-death-notifications",
            to_death_notification,
            from_notification_received,
        ),
    )


PLUGIN = AdapterPlugin(agency="kiwisaver", build=KiwiSaverAdapter)
"""The entry point `kiwisaver` in `onceonly.adapters` loads this; the API key comes from
`ONCEONLY_KIWISAVER_API_KEY` unless the settings' `agency_api_keys` name one."""
