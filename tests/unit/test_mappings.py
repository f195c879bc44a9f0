"""The adapters' pure mappings: canonical disclosures to each agency's format, and back.

The property tests check the adapters against the mocks' own schemas and the mocks'
identifier generators against the domain's check-digit rules, so neither side can drift.
"""

import json
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from adapters import bdm, health, ird, msd
from adapters.base import AgencyAnswer, AgencyRejected
from adapters.disclosure import DisclosedFields, street_line
from adapters.health_fhir import NHI_SYSTEM
from mocks.agencies import bdm as mock_bdm
from mocks.agencies import health as mock_health
from mocks.agencies import ird as mock_ird
from mocks.agencies import msd as mock_msd
from mocks.agencies.health.enrolment import NewbornEnrolment
from onceonly.domain.address_model import Address
from onceonly.domain.birth import BirthData, Child, HealthChoices, Parent
from onceonly.domain.catalogue import BIRTH
from onceonly.domain.identifiers import is_valid_ird_number, is_valid_nhi_number
from onceonly.domain.people import PersonName
from tests.mocks.samples import BIRTH_PARENT_IRD, disclose, sample_birth

REGISTRATION = "2026/000123"
CHILD_IRD = "130000010"
CHILD_NHI = "ZAA00AC"  # the mock's first NHI number, check letter and all
NO_UNIT = Address(number="21A", street="Smith Street", city="Auckland", postcode="1011")


def test_bdm_registration_is_bdms_format():
    assert bdm.to_bdm_registration(disclose("register_birth", sample_birth())) == {
        "child": {
            "givenNames": "Aroha Mere",
            "surname": "Ngāta",
            "preferredName": "Ro",
            "dateOfBirth": "2026-11-01",
            "sex": "F",
            "placeOfBirth": "Auckland City Hospital",
        },
        "mother": {"givenNames": "Hine Kahurangi", "surname": "Ngāta", "dateOfBirth": "1994-03-14"},
        "otherParent": {"givenNames": "Tāne", "surname": "Wīremu", "dateOfBirth": "1992-07-02"},
        "usualResidence": {
            "line1": "1/21A Smith Street",
            "suburb": "Ponsonby",
            "city": "Auckland",
            "postcode": "1011",
        },
    }


def test_bdm_registration_leaves_out_what_the_family_does_not_have():
    data = sample_birth(other_parent=None, address=NO_UNIT)
    child = data.child.model_copy(
        update={"name": PersonName(given_names=["Aroha"], family_name="Ngāta"), "sex": "male"}
    )
    registration = bdm.to_bdm_registration(
        disclose("register_birth", data.model_copy(update={"child": child}))
    )
    assert "otherParent" not in registration
    assert "preferredName" not in registration["child"]
    assert registration["child"]["givenNames"] == "Aroha"
    assert registration["child"]["sex"] == "M"
    assert registration["usualResidence"] == {
        "line1": "21A Smith Street",
        "city": "Auckland",
        "postcode": "1011",
    }


@pytest.mark.parametrize(("sex", "code"), [("female", "F"), ("male", "M"), ("indeterminate", "X")])
def test_bdm_sex_codes(sex, code):
    disclosure = disclose("register_birth", sample_birth()) | {"child.sex": sex}
    assert bdm.to_bdm_registration(disclosure)["child"]["sex"] == code


def test_ird_registration_is_irds_format():
    disclosure = disclose(
        "child_ird_number", sample_birth(), child__birth_registration_number=REGISTRATION
    )
    assert ird.to_ird_newborn_registration(disclosure) == {
        "birthRegistrationNumber": REGISTRATION,
        "childFirstNames": "Aroha Mere",
        "childSurname": "Ngāta",
        "childDateOfBirth": "01/11/2026",
        "parentIrdNumber": BIRTH_PARENT_IRD,
        "postalAddress": "1/21A Smith Street, Ponsonby, Auckland 1011",
    }


def test_ird_registration_without_parent_ird_number_or_suburb():
    parent = sample_birth().birth_parent.model_copy(update={"ird_number": None})
    data = sample_birth(birth_parent=parent, address=NO_UNIT)
    registration = ird.to_ird_newborn_registration(
        disclose("child_ird_number", data, child__birth_registration_number=REGISTRATION)
    )
    assert registration["parentIrdNumber"] is None
    assert registration["postalAddress"] == "21A Smith Street, Auckland 1011"


def test_msd_application_is_msds_format():
    disclosure = disclose("best_start", sample_birth(), child__ird_number=CHILD_IRD)
    assert msd.to_msd_best_start(disclosure) == {
        "applicant": {
            "first_name": "Hine",
            "middle_names": "Kahurangi",
            "last_name": "Ngāta",
            "ird_number": BIRTH_PARENT_IRD,
            "phone": "0211234567",
        },
        "child": {
            "first_name": "Aroha",
            "middle_names": "Mere",
            "last_name": "Ngāta",
            "date_of_birth": "2026-11-01",
            "ird_number": CHILD_IRD,
        },
        "address": {
            "unit": "1",
            "street_number": "21A",
            "street_name": "Smith Street",
            "suburb": "Ponsonby",
            "town": "Auckland",
            "post_code": "1011",
        },
    }


def test_msd_application_without_unit_phone_or_middle_names():
    parent = sample_birth().birth_parent.model_copy(
        update={"phone": None, "name": PersonName(given_names=["Hine"], family_name="Ngāta")}
    )
    data = sample_birth(birth_parent=parent, address=NO_UNIT)
    application = msd.to_msd_best_start(disclose("best_start", data, child__ird_number=CHILD_IRD))
    assert "phone" not in application["applicant"]
    assert application["applicant"]["middle_names"] == ""
    assert application["address"] == {
        "street_number": "21A",
        "street_name": "Smith Street",
        "town": "Auckland",
        "post_code": "1011",
    }


def test_msd_needs_the_parents_ird_number():
    parent = sample_birth().birth_parent.model_copy(update={"ird_number": None})
    disclosure = disclose(
        "best_start", sample_birth(birth_parent=parent), child__ird_number=CHILD_IRD
    )
    with pytest.raises(AgencyRejected, match=r"birth_parent\.ird_number"):
        msd.to_msd_best_start(disclosure)


def test_health_enrolment_is_fhir():
    disclosure = disclose(
        "health_enrolment", sample_birth(), child__birth_registration_number=REGISTRATION
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
                "value": REGISTRATION,
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
    data = sample_birth(child=child, address=NO_UNIT)
    patient = health.to_health_enrolment(
        disclose("health_enrolment", data, child__birth_registration_number=REGISTRATION)
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


class _ReadLog(Mapping[str, Any]):
    """A disclosure that records which fields the adapter reads."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


MAPPINGS = [
    ("register_birth", bdm.to_bdm_registration),
    ("child_ird_number", ird.to_ird_newborn_registration),
    ("best_start", msd.to_msd_best_start),
    ("health_enrolment", health.to_health_enrolment),
    ("immunisation_register", health.to_immunisation_registration),
]


@pytest.mark.parametrize(("step_id", "mapping"), MAPPINGS)
def test_each_mapping_reads_exactly_its_steps_fields(step_id, mapping):
    everything = sample_birth().model_dump(mode="json")
    facts = {
        "child.birth_registration_number": REGISTRATION,
        "child.ird_number": CHILD_IRD,
        "child.nhi_number": CHILD_NHI,
    }
    # Offer every field of the dossier; the adapter must take only the declared ones.
    offered = (
        {
            f"{part}.{key}": value
            for part, section in everything.items()
            if isinstance(section, dict) and part != "address"
            for key, value in section.items()
        }
        | {"address": everything["address"]}
        | facts
    )
    log = _ReadLog(offered)
    body = mapping(log)
    assert log.read == set(BIRTH.step(step_id).fields)
    assert "@" not in json.dumps(body)  # e-mail addresses are never disclosed


def test_reading_an_undeclared_field_is_refused():
    fields = DisclosedFields(BIRTH.step("register_birth"), {"birth_parent.ird_number": "x"})
    with pytest.raises(AgencyRejected, match="does not disclose"):
        fields.optional("birth_parent.ird_number")


def test_a_missing_required_field_is_refused_without_its_value():
    disclosure = disclose("register_birth", sample_birth()) | {"child.name": None}
    with pytest.raises(AgencyRejected, match=r"no value for child\.name"):
        bdm.to_bdm_registration(disclosure)


def test_a_malformed_field_is_refused_without_quoting_it():
    disclosure = disclose("register_birth", sample_birth()) | {"address": {"city": "Ōtaki"}}
    with pytest.raises(AgencyRejected) as refused:
        bdm.to_bdm_registration(disclosure)
    assert "Ōtaki" not in str(refused.value)


@pytest.mark.parametrize(
    ("address", "line"),
    [
        (NO_UNIT, "21A Smith Street"),
        (NO_UNIT.model_copy(update={"unit": "3B"}), "3B/21A Smith Street"),
    ],
)
def test_street_line(address, line):
    assert street_line(address) == line


def test_answers_map_back_to_canonical_facts():
    assert bdm.from_bdm_answer({"registrationNumber": REGISTRATION, "status": "registered"}) == (
        AgencyAnswer(
            reference=REGISTRATION, outputs={"child.birth_registration_number": REGISTRATION}
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


def test_an_answer_in_the_wrong_shape_is_refused():
    with pytest.raises(AgencyRejected, match="documented format"):
        ird.from_ird_answer({"irdNumber": "12-345-678", "caseReference": "NB-1"})


# --- properties: the adapters' output is always what the mocks accept ---------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyzāēīōūĀĒĪŌŪAEIOUHKMNPRTWG"
_names = st.text(alphabet=_LETTERS, min_size=1, max_size=12)
_past_dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2025, 12, 31))
_optional_text = st.none() | st.text(alphabet=_LETTERS + " ", min_size=1, max_size=20).filter(
    lambda text: text.strip() == text
)


@st.composite
def _person_names(draw: st.DrawFn) -> PersonName:
    return PersonName(
        given_names=draw(st.lists(_names, min_size=1, max_size=4)),
        family_name=draw(_names),
        known_as=draw(st.none() | _names),
    )


@st.composite
def _birth_data(draw: st.DrawFn) -> BirthData:
    def parent(ird_number: str | None) -> Parent:
        return Parent(
            name=draw(_person_names()),
            date_of_birth=draw(_past_dates),
            ird_number=ird_number,
            phone=draw(st.none() | st.from_regex(r"\A\(0[0-9]\) [0-9]{3}-[0-9]{4}\Z")),
        )

    return BirthData(
        child=Child(
            name=draw(_person_names()),
            date_of_birth=draw(_past_dates),
            sex=draw(st.sampled_from(["female", "male", "indeterminate"])),
            place_of_birth=draw(st.sampled_from(["Wellington Hospital", "Te Awamutu"])),
        ),
        birth_parent=parent(BIRTH_PARENT_IRD),
        other_parent=draw(st.none() | st.just(None).map(lambda _: parent(None))),
        address=Address(
            unit=draw(st.none() | st.from_regex(r"\A[1-9][0-9]?[A-C]?\Z")),
            number=draw(st.from_regex(r"\A[1-9][0-9]{0,3}[A-Z]?\Z")),
            street=draw(st.sampled_from(["Smith Street", "Te Ara Tāwhaki", "Queen St"])),
            suburb=draw(_optional_text),
            city=draw(st.sampled_from(["Auckland", "Whangārei", "Ōtautahi Christchurch"])),
            postcode=draw(st.from_regex(r"\A[0-9]{4}\Z")),
        ),
        health=HealthChoices(gp_practice="Local Doctors", well_child_provider="Plunket"),
    )


def _accepted(model: type[BaseModel], body: dict[str, Any]) -> None:
    # Over the wire, as the mock receives it: JSON text into its strict schema.
    model.model_validate_json(json.dumps(body, ensure_ascii=False))


@given(_birth_data())
def test_mocks_accept_every_mapping_of_valid_data(data):
    facts = {"child__birth_registration_number": REGISTRATION, "child__ird_number": CHILD_IRD}
    registration = bdm.to_bdm_registration(disclose("register_birth", data))
    _accepted(mock_bdm.BirthRegistration, registration)
    _accepted(
        mock_ird.NewbornRegistration,
        ird.to_ird_newborn_registration(disclose("child_ird_number", data, **facts)),
    )
    _accepted(
        mock_msd.BestStartApplication, msd.to_msd_best_start(disclose("best_start", data, **facts))
    )
    _accepted(
        NewbornEnrolment,
        health.to_health_enrolment(disclose("health_enrolment", data, **facts)),
    )
    _accepted(
        mock_health.ImmunisationRegistration,
        health.to_immunisation_registration(
            disclose("immunisation_register", data, child__nhi_number=CHILD_NHI)
        ),
    )
    # Macrons reach the agency exactly as the citizen wrote them.
    assert registration["child"]["surname"] == data.child.name.family_name


@given(st.integers(min_value=0, max_value=1_999_999))
def test_mock_ird_numbers_pass_the_domain_check(sequence):
    number = mock_ird.ird_number_for(sequence)
    if number is None:
        # An unusable base: the domain agrees that no check digit makes it valid.
        base = f"{13_000_000 + sequence:08d}"
        assert not any(is_valid_ird_number(f"{base}{digit}") for digit in range(10))
    else:
        assert is_valid_ird_number(number)


@given(st.integers(min_value=0, max_value=1_000_000))
def test_mock_issues_a_valid_ird_number_from_any_counter(start):
    counter = iter(range(start + 1, start + 100))
    assert is_valid_ird_number(mock_ird.issue_ird_number(lambda _name: next(counter)))


@given(st.integers(min_value=0, max_value=999_999_999))
def test_mock_and_domain_agree_on_ird_numbers(number):
    digits = f"{number:09d}"
    assert mock_ird.is_valid_ird_number(digits) == is_valid_ird_number(digits)


@given(st.integers(min_value=0, max_value=24 * 24 * 100 * 24 - 1))
def test_mock_nhi_numbers_are_valid_new_format_test_numbers(sequence):
    nhi = mock_health.nhi_number_for(sequence)
    assert is_valid_nhi_number(nhi)
    assert nhi.startswith("Z")
    assert nhi[3:5].isdigit()


@given(st.integers(min_value=0, max_value=1_382_398))
def test_consecutive_mock_nhi_numbers_differ(sequence):
    assert mock_health.nhi_number_for(sequence) != mock_health.nhi_number_for(sequence + 1)
