"""Each agency's answers read back as references and canonical facts, and answers in
another shape refused.
"""

import pytest

from adapters import (
    acc,
    bdm,
    council,
    electoral,
    health,
    ird,
    kaingaora,
    msd,
    nzta,
    passports,
    veterans,
)
from adapters.base import AgencyAnswer, AgencyRejected
from adapters.health_fhir import NHI_SYSTEM
from tests.adapters.support import BIRTH_REGISTRATION, CHILD_IRD, DEATH_REGISTRATION


def test_answers_map_back_to_canonical_facts():
    assert bdm.from_bdm_answer(
        {"registrationNumber": BIRTH_REGISTRATION, "status": "registered"}
    ) == (
        AgencyAnswer(
            reference=BIRTH_REGISTRATION,
            outputs={"child.birth_registration_number": BIRTH_REGISTRATION},
        )
    )
    answer = ird.from_ird_answer({"irdNumber": CHILD_IRD, "caseReference": "NB-00000001"})
    assert answer.outputs == {"child.ird_number": CHILD_IRD}
    assert msd.from_msd_answer({"application_id": "BS-000001", "status": "received"}).outputs == {}
    enrolled = health.from_health_answer(
        {
            "resourceType": "Bundle",
            "type": "transaction-response",
            "entry": [
                {
                    "resource": {
                        "resourceType": "Patient",
                        "id": "ZAA00AC",
                        "identifier": [{"system": NHI_SYSTEM, "value": "ZAA00AC"}],
                    }
                },
                {"resource": {"resourceType": "EpisodeOfCare", "id": "ENR-000001"}},
            ],
        }
    )
    assert enrolled == AgencyAnswer(reference="ENR-000001", outputs={"child.nhi_number": "ZAA00AC"})


def test_a_birth_answer_in_the_wrong_shape_is_refused():
    with pytest.raises(AgencyRejected, match="documented format"):
        ird.from_ird_answer({"irdNumber": "12-345-678", "caseReference": "NB-1"})


def test_answers_map_back_to_references_and_facts():
    registered = {"deathRegistrationNumber": DEATH_REGISTRATION, "status": "registered"}
    assert bdm.from_bdm_death_answer(registered) == AgencyAnswer(
        reference=DEATH_REGISTRATION,
        outputs={"deceased.death_registration_number": DEATH_REGISTRATION},
    )
    case = {"caseReference": "DC-00000003", "status": "ESTATE_CASE_OPENED"}
    assert ird.from_ird_case(case) == AgencyAnswer(reference="DC-00000003")
    assert msd.from_msd_case({"case_id": "SP-000001", "status": "x"}).reference == "SP-000001"
    updated = {"resourceType": "Patient", "id": "ZZZ0016", "meta": {"versionId": "NHA-000001"}}
    assert health.from_nhi_update_answer(updated).reference == "NHA-000001"
    notified = health.from_nhi_deceased_answer(updated | {"meta": {"versionId": "NHD-000002"}})
    assert notified == AgencyAnswer(reference="NHD-000002")


@pytest.mark.parametrize(
    ("reading", "answer"),
    [
        (bdm.from_bdm_death_answer, {"registrationNumber": DEATH_REGISTRATION, "status": "x"}),
        (bdm.from_bdm_death_answer, {"deathRegistrationNumber": "42", "status": "x"}),
        (ird.from_ird_case, {"irdNumber": "049091850"}),
        (msd.from_msd_case, {"application_id": "FG-1", "status": "x"}),
        (health.from_nhi_deceased_answer, {"notificationId": "NHD-000002"}),
        (health.from_nhi_deceased_answer, {"resourceType": "Patient", "id": "ZZZ0016"}),
        (health.from_immunisation_answer, {"resourceType": "Bundle", "id": "NIR-000001"}),
        (health.from_health_answer, {"resourceType": "Bundle", "type": "transaction-response"}),
    ],
)
def test_a_move_or_death_answer_in_the_wrong_shape_is_refused(reading, answer):
    with pytest.raises(AgencyRejected, match="documented format"):
        reading(answer)


@pytest.mark.parametrize(
    ("from_answer", "answer"),
    [
        (nzta.from_nzta_answer, {"transactionId": "42", "outcome": "ADDRESS_UPDATED"}),
        (electoral.from_electoral_answer, {"reference": "EL1", "status": "removed"}),
        (acc.from_acc_answer, {"requestId": "ACC-1"}),
        (passports.from_passports_answer, {"cancellationReference": "PC-000001"}),
    ],
)
def test_an_answer_in_the_wrong_shape_is_refused(from_answer, answer):
    with pytest.raises(AgencyRejected, match="documented format"):
        from_answer(answer)


def test_answers_map_back_to_references():
    lodged = council.from_council_answer({"requestNumber": "RATES-000001", "status": "lodged"})
    assert lodged == AgencyAnswer(reference="RATES-000001")
    case = veterans.from_va_answer({"case_number": "VA-2026-000001", "status": "RECEIVED"})
    assert case == AgencyAnswer(reference="VA-2026-000001")
    accepted = {"TenancyEndReference": "KO-TE-000001", "Status": "Accepted"}
    assert kaingaora.from_ko_answer(accepted) == AgencyAnswer(reference="KO-TE-000001")
    with pytest.raises(AgencyRejected, match="documented format"):
        council.from_council_answer({"reference": "RATES-000001"})
