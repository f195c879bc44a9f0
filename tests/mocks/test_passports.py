"""The Passports (DIA) mock's cancellation of a dead holder's passport through the gates every
agency passes, with DIA's own format rules; names pass through as written, macrons and all.
"""

import httpx

from adapters import passports
from onceonly.domain.catalogue import DEATH
from tests.mocks.gates import AgencyGates
from tests.mocks.samples import sample_death
from tests.mocks.services import Service, changed, mapped, post, records

DEATH_FACTS = {"deceased__death_registration_number": "2026/000042"}
SERVICES = {
    "passports-cancellation": Service(
        "passports",
        "/passports/v1/passports/deceased-cancellations",
        mapped(
            passports.to_passport_cancellation,
            "cancel_passport",
            sample_death,
            DEATH,
            **DEATH_FACTS,
        ),
        "cancellationReference",
        "PC-000001",
        ("dateOfDeath", "2026-11-20"),
    ),
}
WRONG_FORMATS = [
    ("passports-cancellation", "passportNumber", "la123456", "passportNumber"),
    ("passports-cancellation", "holder.givenNames", "Hōhepa Te Rangi", "holder.givenNames"),
    ("passports-cancellation", "holder.givenNames", [], "holder.givenNames"),
    ("passports-cancellation", "holder.familyName", "Synthetic!", "holder.familyName"),
    ("passports-cancellation", "holder.surname", "Synthetic", "holder.surname"),
    ("passports-cancellation", "dateOfBirth", "19410211", "dateOfBirth"),
    ("passports-cancellation", "dateOfDeath", "21/11/2026", "dateOfDeath"),
    ("passports-cancellation", "dateOfDeath", "1900-01-01", "dateOfDeath"),
    ("passports-cancellation", "dateOfDeath", "2999-01-01", "dateOfDeath"),
]


class TestGates(AgencyGates):
    """Passports's services through the gates every agency passes."""

    services = SERVICES
    wrong_formats = WRONG_FORMATS


async def test_macrons_pass_through_untouched(client: httpx.AsyncClient) -> None:
    # Both the composed (ā) and the decomposed (a + U+0304) spellings reach the record as sent.
    service = SERVICES["passports-cancellation"]
    body = changed(service.body(), "holder.givenNames", ["Hōhepa", "Ta\u0304ne"])
    assert (await post(client, service, body)).status_code == 201
    (record,) = await records(client, "passports")
    assert record["received"]["holder"]["givenNames"] == ["Hōhepa", "Ta\u0304ne"]
    assert "Hōhepa".encode() in (await client.get("/passports/_records")).content
