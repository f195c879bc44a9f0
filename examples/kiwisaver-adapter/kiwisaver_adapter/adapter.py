"""The KiwiSaver provider's adapter: onceonly's canonical death disclosure mapped to the
provider's member death notification (entry point `onceonly.adapters`).

The provider wants camelCase JSON in three parts: the member (by IRD number, nine digits,
with the surname apart from the first names), the death (date and registration number) and
the contact (the notifier, their relationship and capacity in capitals, and their postal
address as NZ Post's lines). It answers with a case number ("KS-000001").
"""

from typing import Any

import httpx
from pydantic import BaseModel, Field

from adapters.base import AgencyAnswer, AgencyPolicy, AgencyRejected, Disclosure
from adapters.disclosure import DisclosedFields, full_name
from adapters.http import post_json, read_answer
from adapters.plugins import AdapterPlugin
from onceonly.domain.addresses import format_address
from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.people import PersonName

STEP = CATALOGUE.event("death").step("notify_kiwisaver")
"""The step this plugin's catalogue fragment adds to the death life event."""
SERVICE_PATH = "/kiwisaver/v1/member-death-notifications"


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


class KiwiSaverAdapter:
    """The Kōwhai KiwiSaver Scheme: told of a member's death."""

    agency = "kiwisaver"
    # A small provider: a few calls at a time, gently.
    policy = AgencyPolicy(rate_limit_per_second=5.0, max_concurrent_calls=4)

    def __init__(self, client: httpx.AsyncClient, base_url: str, api_key: str) -> None:
        """Call the provider under `base_url` with `client`, authenticated by `api_key`."""
        self._client = client
        self._url = f"{base_url.rstrip('/')}{SERVICE_PATH}"
        self._headers = {"Authorization": f"Bearer {api_key}"}

    def _mapped(self, service: str, disclosure: Disclosure) -> dict[str, Any]:
        if service != STEP.service:
            raise AgencyRejected(self.agency, f"the provider offers no service {service!r}")
        return to_death_notification(disclosure)

    async def submit(
        self, service: str, disclosure: Disclosure, idempotency_key: str
    ) -> AgencyAnswer:
        """Notify the provider; the same idempotency key returns the same case."""
        answer = await post_json(
            self._client,
            self.agency,
            self._url,
            self._mapped(service, disclosure),
            headers=self._headers,
            idempotency_key=idempotency_key,
            error_message=kiwisaver_error_message,
        )
        received = read_answer(self.agency, answer, NotificationReceived)
        return AgencyAnswer(reference=received.case_number)

    async def preview(self, service: str, disclosure: Disclosure) -> dict[str, Any]:
        """The notification `submit` would send, by the same mapping; sends nothing."""
        return self._mapped(service, disclosure)


PLUGIN = AdapterPlugin(agency="kiwisaver", build=KiwiSaverAdapter)
"""The entry point `kiwisaver` in `onceonly.adapters` loads this; the API key comes from
`ONCEONLY_KIWISAVER_API_KEY` unless the settings' `agency_api_keys` name one."""
