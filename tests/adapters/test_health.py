"""Health New Zealand: the enrolment, immunisation register and NHI updates in Health's
FHIR shape, and the mock's NHI numbers checked against the domain's rules.
"""

from hypothesis import given
from hypothesis import strategies as st

from adapters import health
from adapters.health_fhir import NHI_SYSTEM
from mocks.agencies import health as mock_health
from mocks.agencies.health.fhir import any_format_nhi
from onceonly.domain.catalogue import MOVE
from onceonly.domain.identifiers import is_valid_nhi_number
from onceonly.domain.people import PersonName
from tests.adapters.support import (
    BIRTH_REGISTRATION,
    CHILD_NHI,
    SMITH_STREET_NO_UNIT,
    death_disclosure,
)
from tests.mocks.samples import disclose, sample_birth, sample_move


def test_health_enrolment_is_fhir():
    disclosure = disclose(
        "health_enrolment", sample_birth(), child__birth_registration_number=BIRTH_REGISTRATION
    )
    newborn = "urn:uuid:5d0d8c5e-7a4b-4f0e-9a43-0d7b2c1e6a01"
    patient = {
        "resourceType": "Patient",
        "name": [
            {"use": "official", "family": "Ngāta", "given": ["Aroha", "Mere"]},
            {"use": "usual", "family": "Ngāta", "given": ["Ro"]},
        ],
        "gender": "female",
        "birthDate": "2026-11-01",
        "identifier": [
            {
                "system": "https://standards.digital.health.nz/ns/birth-registration-id",
                "value": BIRTH_REGISTRATION,
            }
        ],
        "address": [
            {
                "use": "home",
                "line": ["1/21A Smith Street", "Ponsonby"],
                "city": "Auckland",
                "postalCode": "1011",
                "country": "NZ",
            }
        ],
        "generalPractitioner": [{"type": "Organization", "display": "Ponsonby Family Health"}],
    }
    well_child = {
        "resourceType": "EpisodeOfCare",
        "status": "active",
        "type": [{"text": "Well Child Tamariki Ora"}],
        "patient": {"reference": newborn},
        "managingOrganization": {"type": "Organization", "display": "Whānau Āwhina Plunket"},
    }
    assert health.to_health_enrolment(disclosure) == {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": newborn,
                "resource": patient,
                "request": {"method": "POST", "url": "Patient"},
            },
            {
                "fullUrl": "urn:uuid:5d0d8c5e-7a4b-4f0e-9a43-0d7b2c1e6a02",
                "resource": well_child,
                "request": {"method": "POST", "url": "EpisodeOfCare"},
            },
        ],
    }


def test_health_enrolment_without_suburb_or_usual_name_and_other_gender():
    child = sample_birth().child.model_copy(
        update={
            "sex": "indeterminate",
            "name": PersonName(given_names=["Aroha"], family_name="Ngāta"),
        }
    )
    data = sample_birth(child=child, address=SMITH_STREET_NO_UNIT)
    patient = health.to_health_enrolment(
        disclose("health_enrolment", data, child__birth_registration_number=BIRTH_REGISTRATION)
    )["entry"][0]["resource"]
    assert patient["gender"] == "other"
    assert patient["name"] == [{"use": "official", "family": "Ngāta", "given": ["Aroha"]}]
    assert patient["address"][0]["line"] == ["21A Smith Street"]


def test_immunisation_registration_is_fhir():
    disclosure = disclose("immunisation_register", sample_birth(), child__nhi_number=CHILD_NHI)
    assert health.to_immunisation_registration(disclosure) == {
        "resourceType": "Patient",
        "identifier": [
            {
                "use": "official",
                "system": "https://standards.digital.health.nz/ns/nhi-id",
                "value": CHILD_NHI,
            }
        ],
        "name": [
            {"use": "official", "family": "Ngāta", "given": ["Aroha", "Mere"]},
            {"use": "usual", "family": "Ngāta", "given": ["Ro"]},
        ],
        "birthDate": "2026-11-01",
        "contact": [
            {
                "relationship": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
                                "code": "NPRN",
                                "display": "natural parent",
                            }
                        ],
                        "text": "birth parent",
                    }
                ],
                "telecom": [{"system": "phone", "value": "0211234567"}],
            }
        ],
    }


def test_immunisation_registration_without_a_phone_has_no_contact():
    parent = sample_birth().birth_parent.model_copy(update={"phone": None})
    disclosure = disclose(
        "immunisation_register", sample_birth(birth_parent=parent), child__nhi_number=CHILD_NHI
    )
    assert "contact" not in health.to_immunisation_registration(disclosure)


@given(st.integers(min_value=0, max_value=24 * 24 * 100 * 24 - 1))
def test_mock_nhi_numbers_are_valid_new_format_test_numbers(sequence):
    nhi = mock_health.nhi_number_for(sequence)
    assert is_valid_nhi_number(nhi)
    assert nhi.startswith("Z")
    assert nhi[3:5].isdigit()


@given(st.integers(min_value=0, max_value=1_382_398))
def test_consecutive_mock_nhi_numbers_differ(sequence):
    assert mock_health.nhi_number_for(sequence) != mock_health.nhi_number_for(sequence + 1)


def test_nhi_address_update_is_fhir():
    disclosure = disclose("update_health_address", sample_move(), MOVE)
    assert health.to_nhi_address_update(disclosure) == {
        "resourceType": "Patient",
        "identifier": [{"use": "official", "system": NHI_SYSTEM, "value": "ZZZ0016"}],
        "name": [{"use": "official", "family": "Tūhoe-Synthetic", "given": ["Mere", "Ānahera"]}],
        "birthDate": "1988-05-20",
        "address": [
            {
                "use": "home",
                "line": ["3/45 Cuba Street", "Te Aro"],
                "city": "Wellington",
                "postalCode": "6011",
                "country": "NZ",
            }
        ],
        "generalPractitioner": [{"type": "Organization", "display": "Te Aro Health Centre"}],
    }


def test_nhi_deceased_is_fhir():
    assert health.to_nhi_deceased(death_disclosure("notify_health")) == {
        "resourceType": "Patient",
        "identifier": [{"use": "official", "system": NHI_SYSTEM, "value": "ZAC5361"}],
        "name": [
            {"use": "official", "family": "Synthetic", "given": ["Hōhepa", "Te Rangi"]},
            {"use": "usual", "family": "Synthetic", "given": ["Joe"]},
        ],
        "birthDate": "1941-02-11",
        "deceasedDateTime": "2026-11-21",
    }


@given(st.from_regex(r"\A[A-HJ-NP-Z]{3}[0-9]{2}[0-9A-HJ-NP-Z]{2}\Z"))
def test_the_mock_and_the_domain_agree_on_nhi_numbers(nhi):
    try:
        any_format_nhi(nhi)
    except ValueError:
        mock_accepts = False
    else:
        mock_accepts = True
    assert mock_accepts == is_valid_nhi_number(nhi)
