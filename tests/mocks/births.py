"""The birth agencies as the kit's tests drive them, through their adapters or straight: each
agency's first birth service (Health's second, the immunisation register, is tested apart),
its path, and the sample birth's disclosure to it with the facts earlier steps issued.
"""

from typing import Any

import httpx

from adapters import bdm, health, ird, msd
from onceonly.domain.catalogue import BIRTH
from tests.mocks.samples import disclose, sample_birth
from tests.mocks.services import AUTH, key_of

BIRTH_AGENCIES = ("bdm", "ird", "msd", "health")
SERVICES = {step.agency: step.service for step in reversed(BIRTH.steps)}
"""Each birth agency's first service, as the step runner names it to the adapter."""
PATHS = {
    "bdm": "/bdm/v1/birth-registrations",
    "ird": "/ird/gateway/v2/newborn-registrations",
    "msd": "/msd/api/best-start/applications",
    "health": "/health/fhir/newborn-enrolments",
}
REGISTRATION = "2026/000001"
CHILD_IRD = "130000010"
_MAPPINGS = {
    "bdm": bdm.to_bdm_registration,
    "ird": ird.to_ird_newborn_registration,
    "msd": msd.to_msd_best_start,
    "health": health.to_health_enrolment,
}


def birth_disclosure(agency: str) -> dict[str, Any]:
    """The sample dossier's disclosure to `agency`, with the facts earlier steps issued."""
    step_id = next(step.id for step in BIRTH.steps if step.agency == agency)
    return disclose(
        step_id,
        sample_birth(),
        child__birth_registration_number=REGISTRATION,
        child__ird_number=CHILD_IRD,
    )


def birth_body(agency: str) -> dict[str, Any]:
    """A valid request in the agency's own format, made by its adapter's mapping."""
    return _MAPPINGS[agency](birth_disclosure(agency))


async def post_birth(
    client: httpx.AsyncClient,
    agency: str,
    body: Any,
    *,
    key: str | None = None,
    idempotency_key: str | None = "key-1",
) -> httpx.Response:
    """A submission straight to the agency's birth service, with its own key unless `key`
    names another (the empty string: none at all)."""
    headers = AUTH[agency](key_of(agency) if key is None else key) if key != "" else {}
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return await client.post(PATHS[agency], json=body, headers=headers)
