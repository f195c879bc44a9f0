"""The Ministry of Social Development mock's services (Best Start, a change of circumstances,
stopping a dead client's payments, a funeral grant) through the gates every agency passes,
with MSD's own format rules. Its withdrawals, status checks and amendments are tested with the
kit's (test_kit_withdrawals.py, test_kit_amendments.py).
"""

from adapters import msd
from onceonly.domain.catalogue import DEATH, MOVE
from tests.mocks.gates import AgencyGates
from tests.mocks.samples import sample_birth, sample_death, sample_move
from tests.mocks.services import Service, mapped

BIRTH_FACTS = {
    "child__birth_registration_number": "2026/000001",
    "child__ird_number": "130000010",
}
DEATH_FACTS = {"deceased__death_registration_number": "2026/000777"}
SERVICES = {
    "msd-best-start": Service(
        "msd",
        "/msd/api/best-start/applications",
        mapped(msd.to_msd_best_start, "best_start", sample_birth, **BIRTH_FACTS),
        "application_id",
        "BS-000001",
        ("applicant.last_name", "Tāwhiao"),
    ),
    "msd-change": Service(
        "msd",
        "/msd/api/clients/changes-of-circumstances",
        mapped(msd.to_msd_change_of_circumstances, "update_msd_address", sample_move, MOVE),
        "case_id",
        "CC-000001",
        ("client.last_name", "Tāwhiao"),
        keeps_macrons=True,
    ),
    "msd-payment-stop": Service(
        "msd",
        "/msd/api/clients/payment-stops",
        mapped(msd.to_msd_stop_payments, "stop_msd_payments", sample_death, DEATH, **DEATH_FACTS),
        "case_id",
        "SP-000001",
        ("client.last_name", "Tāwhiao"),
        keeps_macrons=True,
    ),
    "msd-funeral-grant": Service(
        "msd",
        "/msd/api/funeral-grant/applications",
        mapped(msd.to_msd_funeral_grant, "funeral_grant", sample_death, DEATH, **DEATH_FACTS),
        "application_id",
        "FG-000001",
        ("applicant.last_name", "Tāwhiao"),
        keeps_macrons=True,
    ),
}
WRONG_FORMATS = [
    ("msd-best-start", "address.post_code", "10110", "address.post_code"),
    ("msd-best-start", "applicant.ird_number", None, "applicant.ird_number"),
    ("msd-best-start", "child.dateOfBirth", "2026-11-01", "child.dateOfBirth"),
    ("msd-change", "client_number", "12345678", "client_number"),
    ("msd-change", "client.firstName", "Mere", "client.firstName"),
    ("msd-change", "new_address.post_code", "60110", "new_address.post_code"),
    ("msd-change", "new_address.rural_delivery", "RD 2", "new_address.rural_delivery"),
    ("msd-change", "new_address.unit_type", "Flatette", "new_address.unit_type"),
    (
        "msd-change",
        "new_address.street_number_last",
        "47-49",
        "new_address.street_number_last",
    ),
    ("msd-change", "effective_date", "22/11/2026", "effective_date"),
    ("msd-change", "phone", "021 555 0142", "phone"),
    ("msd-payment-stop", "client.date_of_death", "21/11/2026", "client.date_of_death"),
    ("msd-payment-stop", "client.date_of_death", "1900-01-01", "client.date_of_death"),
    ("msd-payment-stop", "death_registration_number", "000777", "death_registration_number"),
    ("msd-funeral-grant", "funeral.cost", "99", "funeral.cost"),
    ("msd-funeral-grant", "funeral.cost", 99.5, "funeral.cost"),
    ("msd-funeral-grant", "funeral.cost", "0.00", "funeral.cost"),
    ("msd-funeral-grant", "applicant.relationship", "spouse_or_partner", "applicant.relationship"),
    ("msd-funeral-grant", "applicant.postal_address.kind", "po_box", "applicant.postal_address"),
    (
        "msd-funeral-grant",
        "applicant.postal_address.box_type",
        "PO Box",
        "applicant.postal_address.box.box_type",
    ),
    (
        "msd-funeral-grant",
        "applicant.postal_address.box_number",
        None,
        "applicant.postal_address.box",
    ),
]


class TestGates(AgencyGates):
    """MSD's services through the gates every agency passes."""

    services = SERVICES
    wrong_formats = WRONG_FORMATS
