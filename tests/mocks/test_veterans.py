"""The Veterans' Affairs mock's notice that a veteran has died, through the gates every agency
passes with Veterans' Affairs' own format rules; it takes HTTP Basic credentials only.
"""

import base64

import pytest

from adapters import veterans
from mocks.kit.formats import nz_today
from onceonly.domain.catalogue import DEATH
from tests.mocks.gates import AgencyGates
from tests.mocks.samples import sample_death
from tests.mocks.services import Service, mapped, post

DEATH_FACTS = {"deceased__death_registration_number": "2026/000042"}
KEY = "dev-veterans-key"


def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


SERVICES = {
    "veterans-deceased": Service(
        "veterans",
        "/veterans/api/v1/deceased-veterans",
        mapped(
            veterans.to_deceased_veteran,
            "notify_veterans_affairs",
            sample_death,
            DEATH,
            **DEATH_FACTS,
        ),
        "case_number",
        f"VA-{nz_today().year}-000001",
        ("next_of_kin.relationship", "OTHER"),
    ),
}
WRONG_FORMATS = [
    ("veterans-deceased", "veteran.date_of_birth", "1941-02-11", "veteran.date_of_birth"),
    ("veterans-deceased", "next_of_kin.relationship", "child", "next_of_kin.relationship"),
    ("veterans-deceased", "next_of_kin.phone", "027 555 0100", "next_of_kin.phone"),
    ("veterans-deceased", "veteran.service_number", "A-123456", "veteran.service_number"),
    ("veterans-deceased", "death.dateOfDeath", "21.11.2026", "death.dateOfDeath"),
]


class TestGates(AgencyGates):
    """Veterans' Affairs' services through the gates every agency passes."""

    services = SERVICES
    wrong_formats = WRONG_FORMATS


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic " + _basic("someone-else", KEY),
        "Basic " + KEY,  # not base64 of user:password
        "Basic !!!",
        f"Bearer {KEY}",
    ],
)
async def test_veterans_affairs_takes_only_its_basic_credentials(client, authorization):
    service = SERVICES["veterans-deceased"]
    response = await post(client, service, service.body(), headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.json()["error_code"] == "NOT_AUTHENTICATED"
