"""What each step must leave at its agency: the adapter's pure mapping of the step's
disclosure, whose exact output the mapping tests pin field by field for every agency."""

from collections.abc import Callable
from typing import Any

from adapters import (
    acc,
    bdm,
    council,
    electoral,
    health,
    ird,
    justice,
    kaingaora,
    msd,
    nzta,
    passports,
    veterans,
)
from onceonly.domain.catalogue import StepSpec

Mapping = Callable[[dict[str, Any]], dict[str, Any]]
# The council's mappings also take the property id its register gives the address.
CouncilMapping = Callable[[dict[str, Any], str], dict[str, Any]]

MAPPINGS: dict[tuple[str, str], Mapping] = {
    ("bdm", "birth-registration"): bdm.to_bdm_registration,
    ("bdm", "death-registration"): bdm.to_bdm_death_registration,
    ("ird", "newborn-ird-number"): ird.to_ird_newborn_registration,
    ("ird", "address-change"): ird.to_ird_address_change,
    ("ird", "deceased-notification"): ird.to_ird_deceased_notification,
    ("msd", "best-start"): msd.to_msd_best_start,
    ("msd", "change-of-circumstances"): msd.to_msd_change_of_circumstances,
    ("msd", "stop-payments"): msd.to_msd_stop_payments,
    ("msd", "funeral-grant"): msd.to_msd_funeral_grant,
    ("health", "nhi-gp-well-child-enrolment"): health.to_health_enrolment,
    ("health", "national-immunisation-register"): health.to_immunisation_registration,
    ("health", "nhi-address-update"): health.to_nhi_address_update,
    ("health", "nhi-deceased"): health.to_nhi_deceased,
    ("nzta", "driver-licence-address"): nzta.to_nzta_address_change,
    ("nzta", "licence-cancellation-deceased"): nzta.to_nzta_cancellation,
    ("electoral", "enrolment-update"): electoral.to_electoral_enrolment_update,
    ("electoral", "deceased-removal"): electoral.to_electoral_deceased_removal,
    ("acc", "client-address-update"): acc.to_acc_address_update,
    ("passports", "passport-cancellation"): passports.to_passport_cancellation,
    ("veterans", "deceased-veteran"): veterans.to_deceased_veteran,
    ("kaingaora", "tenancy-end-deceased"): kaingaora.to_tenancy_end_notice,
    # A line of Collections' daily file, as its mock keeps it (without our reference).
    ("justice", "fines-address-update"): justice.to_justice_address_update,
}
COUNCIL_MAPPINGS: dict[str, CouncilMapping] = {
    "rates-notice-address": council.to_rates_notice,
    "dog-registration-transfer": council.to_dog_registration_transfer,
    "deceased-ratepayer": council.to_deceased_ratepayer,
}


def sent_in_agency_format(
    step: StepSpec, disclosure: dict[str, Any], received: dict[str, Any]
) -> dict[str, Any]:
    """The body the step's adapter makes of `disclosure`. For the council, with the property
    id the council's own register gave (its mock refuses an id that is not the address's)."""
    if step.agency == "council":
        return COUNCIL_MAPPINGS[step.service](disclosure, received["propertyId"])
    return MAPPINGS[(step.agency, step.service)](disclosure)
