"""The Electoral Commission mock's services (an elector's new address, removing an elector who
has died) through the gates every agency passes, with the Commission's own format rules. Its
amendments are tested with the kit's (test_kit_amendments.py).
"""

from adapters import electoral
from onceonly.domain.catalogue import DEATH, MOVE
from tests.mocks.gates import AgencyGates
from tests.mocks.samples import sample_death, sample_move
from tests.mocks.services import DELETE, Service, mapped

DEATH_FACTS = {"deceased__death_registration_number": "2026/000042"}
SERVICES = {
    "electoral-update": Service(
        "electoral",
        "/electoral/api/enrolments/address-updates",
        mapped(electoral.to_electoral_enrolment_update, "update_electoral_roll", sample_move, MOVE),
        "reference",
        "EL00000001",
        ("email", "mere@example.net"),
    ),
    "electoral-removal": Service(
        "electoral",
        "/electoral/api/enrolments/deceased-removals",
        mapped(
            electoral.to_electoral_deceased_removal,
            "remove_from_electoral_roll",
            sample_death,
            DEATH,
            **DEATH_FACTS,
        ),
        "reference",
        "EL00000001",
        ("date_of_death", "2026-11-20"),
    ),
}
WRONG_FORMATS = [
    ("electoral-update", "residential_address.postcode", "6012", "residential_address.postcode"),
    (
        "electoral-update",
        "residential_address.address_lines",
        ["Flat 3", "45 Cuba Street", "Te Aro", "Wellington"],
        "residential_address.address_lines",
    ),
    (
        "electoral-update",
        "residential_address.address_lines",
        ["Flat 3", "45 Cuba Street", "Te Aro", "Wellington", "Wellington 6011"],
        "residential_address.address_lines",
    ),
    (
        "electoral-update",
        "residential_address.address_lines",
        ["PO Box 4567", "Wellington 6011"],
        "residential_address.address_lines",
    ),
    ("electoral-update", "previous_address.postcode", DELETE, "previous_address.postcode"),
    ("electoral-update", "date_of_birth", "20-May-1988", "date_of_birth"),
    ("electoral-update", "date_of_birth", "86400", "date_of_birth"),
    ("electoral-update", "elector.given_names", ["Mere", "Ānahera"], "elector.given_names"),
    ("electoral-update", "elector.givenNames", "Mere Ānahera", "elector.givenNames"),
    ("electoral-update", "email", "mere at example.org", "email"),
    ("electoral-removal", "date_of_death", "1900-01-01", "date_of_death"),
    ("electoral-removal", "date_of_death", "2999-01-01", "date_of_death"),
    ("electoral-removal", "death_registration_number", "4242", "death_registration_number"),
]


class TestGates(AgencyGates):
    """The Electoral Commission's services through the gates every agency passes."""

    services = SERVICES
    wrong_formats = WRONG_FORMATS
