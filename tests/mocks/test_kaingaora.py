"""The Kāinga Ora mock's notice that a tenant has died through the gates every agency passes,
with Kāinga Ora's own format rules (its "FAMILY NAME, Given Names", address parts, phones).
"""

from adapters import kaingaora
from onceonly.domain.catalogue import DEATH
from tests.mocks.gates import AgencyGates
from tests.mocks.samples import sample_death
from tests.mocks.services import Service, mapped

DEATH_FACTS = {"deceased__death_registration_number": "2026/000042"}
SERVICES = {
    "kaingaora-tenancy-end": Service(
        "kaingaora",
        "/kaingaora/tenancies/v1/deceased-tenant-notices",
        mapped(kaingaora.to_tenancy_end_notice, "end_tenancy", sample_death, DEATH, **DEATH_FACTS),
        "TenancyEndReference",
        "KO-TE-000001",
        ("Contact.Phone", "021 555 0199"),
        status=202,
    ),
}
WRONG_FORMATS = [
    ("kaingaora-tenancy-end", "Tenant.Name", "Hōhepa Te Rangi Synthetic", "Tenant.Name"),
    ("kaingaora-tenancy-end", "Tenant.Name", "Synthetic, Hōhepa Te Rangi", "Tenant.Name"),
    ("kaingaora-tenancy-end", "TenancyAddress.Postcode", "573", "TenancyAddress.Postcode"),
    ("kaingaora-tenancy-end", "TenancyAddress.UnitType", "Flatette", "TenancyAddress.UnitType"),
    ("kaingaora-tenancy-end", "TenancyAddress.LevelNumber", "L2", "TenancyAddress.LevelNumber"),
    ("kaingaora-tenancy-end", "Contact.Phone", "(027) 555-0100", "Contact.Phone"),
    (
        "kaingaora-tenancy-end",
        "Tenant.DateOfDeath",
        "2026-11-21T00:00:00+13:00",
        "Tenant.DateOfDeath",
    ),
]


class TestGates(AgencyGates):
    """Kāinga Ora's services through the gates every agency passes."""

    services = SERVICES
    wrong_formats = WRONG_FORMATS
