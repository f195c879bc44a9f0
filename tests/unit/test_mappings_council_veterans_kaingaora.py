"""The council, Veterans' Affairs and Kāinga Ora mappings, and the address register's answer
mapped back to the canonical Residence: exact outputs for the samples and their variants,
the fields each mapping reads, generated data the mocks accept, and the adapters end to end
against the mock agencies.
"""

import json
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from adapters import council, kaingaora, veterans
from adapters.addresses import AddressRegister, residence_from
from adapters.base import AgencyAnswer, AgencyRejected, AgencyUnavailable, Disclosure
from adapters.disclosure import full_name
from adapters.registry import build_adapters
from mocks.agencies import addresses as mock_addresses
from mocks.agencies import council as mock_council
from mocks.agencies import kaingaora as mock_kaingaora
from mocks.agencies import veterans as mock_veterans
from mocks.agencies.council import properties as council_properties
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from mocks.kit.formats import nz_today
from onceonly.domain.address_model import Address, PostalAddress, PostBox
from onceonly.domain.catalogue import DEATH, MOVE
from onceonly.domain.death import DeathData, Deceased, Notifier
from onceonly.domain.move import Dog, MoveData, Mover
from onceonly.domain.people import PersonName
from onceonly.domain.prefill import Residence, Resident
from onceonly.settings import AGENCIES
from tests.address_forms import extra_parts
from tests.mocks.samples import disclose, sample_death, sample_move

BASE_URL = "http://agencies.test"
KEYS = {agency: f"dev-{agency}-key" for agency in AGENCIES}
REGISTRATION = "2026/000042"
PROPERTY = "WGN-00000001"
CUBA_STREET = {"street": "3/45 Cuba Street", "suburb": "Te Aro", "town": "Wellington"}
CUBA_STREET |= {"postcode": "6011"}
KAIWAKA = {"street": "1280 State Highway 1", "suburb": "Kaiwaka", "ruralDelivery": "RD 2"}
KAIWAKA |= {"town": "Kaiwaka", "postcode": "0573"}
PO_BOX_LINES = ["PO Box 1234", "Whangārei", "Whangārei 0140"]


def _death(**facts: str) -> dict[str, Any]:
    return {"deceased__death_registration_number": REGISTRATION, **facts}


def _move_with(**changes: Any) -> MoveData:
    return sample_move().model_copy(update=changes)


def _death_with(deceased: dict[str, Any] | None = None, **notifier: Any) -> DeathData:
    data = sample_death()
    return data.model_copy(
        update={
            "deceased": data.deceased.model_copy(update=deceased or {}),
            "notifier": data.notifier.model_copy(update=notifier),
        }
    )


# --- exact outputs for the samples ---------------------------------------------------------


def test_the_rates_notice_is_the_councils_format():
    disclosure = disclose("council_rates", sample_move(), MOVE)
    assert council.to_rates_notice(disclosure, PROPERTY) == {
        "propertyId": PROPERTY,
        "property": CUBA_STREET,
        "occupier": {"fullName": "Mere Ānahera Tūhoe-Synthetic", "email": "mere@example.org"},
        "occupationDate": "2026-11-22",
    }


def test_the_dog_registration_transfer_is_the_councils_format():
    disclosure = disclose("council_dog_registration", sample_move(), MOVE)
    assert council.to_dog_registration_transfer(disclosure, PROPERTY) == {
        "propertyId": PROPERTY,
        "property": CUBA_STREET,
        "owner": {"fullName": "Mere Ānahera Tūhoe-Synthetic", "phone": "+64215550142"},
        "occupationDate": "2026-11-22",
        "dogs": [{"dogName": "Pātiki", "breed": "Huntaway", "microchipNumber": "982000123456789"}],
    }


def test_the_deceased_ratepayer_notice_is_the_councils_format():
    disclosure = disclose("notify_council", sample_death(), DEATH, **_death())
    assert council.to_deceased_ratepayer(disclosure, "NTH-00000002") == {
        "propertyId": "NTH-00000002",
        "property": KAIWAKA,
        "deceased": {"fullName": "Hōhepa Te Rangi Synthetic", "dateOfDeath": "2026-11-21"},
        "notifier": {"fullName": "Aroha Synthetic-Pōmare", "correspondenceAddress": PO_BOX_LINES},
    }


def test_the_veterans_notification_is_veterans_affairs_format():
    disclosure = disclose("notify_veterans_affairs", sample_death(), DEATH, **_death())
    assert veterans.to_deceased_veteran(disclosure) == {
        "veteran": {
            "service_number": "A123456",
            "full_name": "Hōhepa Te Rangi Synthetic",
            "preferred_name": "Joe",
            "date_of_birth": "11.02.1941",
        },
        "death": {"date_of_death": "21.11.2026", "registration_number": REGISTRATION},
        "next_of_kin": {
            "full_name": "Aroha Synthetic-Pōmare",
            "relationship": "CHILD",
            "phone": "+64275550100",
            "postal_address_lines": PO_BOX_LINES,
        },
    }


def test_the_tenancy_end_notice_is_kainga_oras_format():
    disclosure = disclose("end_tenancy", sample_death(), DEATH)
    assert kaingaora.to_tenancy_end_notice(disclosure) == {
        "Tenant": {
            "Name": "SYNTHETIC, Hōhepa Te Rangi",
            "DateOfBirth": "1941-02-11",
            "DateOfDeath": "2026-11-21",
        },
        # Kāinga Ora knows its homes by street address: the RD is not part of it.
        "TenancyAddress": {
            "UnitType": None,
            "Unit": None,
            "LevelType": None,
            "LevelNumber": None,
            "BuildingName": None,
            "StreetNumber": "1280",
            "StreetNumberLast": None,
            "Street": "State Highway 1",
            "Suburb": "Kaiwaka",
            "Town": "Kaiwaka",
            "Postcode": "0573",
        },
        "Contact": {"Name": "SYNTHETIC-PŌMARE, Aroha", "Phone": "+64 27 555 0100"},
    }


# --- variants ------------------------------------------------------------------------------

NO_UNIT = Address(number="45", street="Cuba Street", city="Wellington", postcode="6011")
RURAL = Address(
    number="1280",
    street="State Highway 1",
    rural_delivery=2,
    city="Kaiwaka",
    postcode="0573",
)


def test_an_address_without_unit_or_suburb():
    disclosure = disclose("council_rates", _move_with(new_address=NO_UNIT), MOVE)
    assert council.to_rates_notice(disclosure, PROPERTY)["property"] == {
        "street": "45 Cuba Street",
        "town": "Wellington",
        "postcode": "6011",
    }
    tenancy = kaingaora.to_tenancy_end_notice(
        disclose("end_tenancy", _death_with({"last_address": NO_UNIT}), DEATH)
    )["TenancyAddress"]
    assert tenancy["Unit"] is None
    assert tenancy["Suburb"] is None


def test_a_unit_is_kept_apart_by_kainga_ora_and_in_the_street_line_by_the_council():
    flat = NO_UNIT.model_copy(update={"unit": "2B", "number": "21A"})
    data = _death_with({"last_address": flat})
    tenancy = kaingaora.to_tenancy_end_notice(disclose("end_tenancy", data, DEATH))
    assert tenancy["TenancyAddress"]["Unit"] == "2B"
    assert tenancy["TenancyAddress"]["StreetNumber"] == "21A"
    notice = council.to_deceased_ratepayer(disclose("notify_council", data, DEATH), PROPERTY)
    assert notice["property"]["street"] == "2B/21A Cuba Street"


def test_a_rural_delivery_without_locality():
    disclosure = disclose("council_dog_registration", _move_with(new_address=RURAL), MOVE)
    assert council.to_dog_registration_transfer(disclosure, PROPERTY)["property"] == {
        "street": "1280 State Highway 1",
        "ruralDelivery": "RD 2",
        "town": "Kaiwaka",
        "postcode": "0573",
    }


@pytest.mark.parametrize(
    ("postal_address", "lines"),
    [
        (
            PostBox(box_number="1234", lobby="Whangārei", city="Whangārei", postcode="0140"),
            PO_BOX_LINES,
        ),
        (
            PostBox(kind="Private Bag", box_number="92019", city="Auckland", postcode="1142"),
            ["Private Bag 92019", "Auckland 1142"],
        ),
        (
            PostBox(kind="Counter Delivery", lobby="Kaikohe", city="Kaikohe", postcode="0440"),
            ["Counter Delivery", "Kaikohe", "Kaikohe 0440"],
        ),
        (
            Address(
                unit="3",
                number="45",
                street="Cuba Street",
                suburb="Te Aro",
                city="Wellington",
                postcode="6011",
            ),
            ["3/45 Cuba Street", "Te Aro", "Wellington 6011"],
        ),
        (RURAL, ["1280 State Highway 1", "RD 2", "Kaiwaka 0573"]),
    ],
)
def test_the_notifiers_postal_address_as_lines(postal_address: PostalAddress, lines):
    data = _death_with(postal_address=postal_address)
    notice = council.to_deceased_ratepayer(disclose("notify_council", data, DEATH), PROPERTY)
    assert notice["notifier"]["correspondenceAddress"] == lines
    notification = veterans.to_deceased_veteran(
        disclose("notify_veterans_affairs", data, DEATH, **_death())
    )
    assert notification["next_of_kin"]["postal_address_lines"] == lines


def test_a_single_given_name_and_no_preferred_name():
    name = PersonName(given_names=["Hōhepa"], family_name="Synthetic")
    data = _death_with({"name": name})
    notification = veterans.to_deceased_veteran(
        disclose("notify_veterans_affairs", data, DEATH, **_death())
    )
    assert notification["veteran"]["full_name"] == "Hōhepa Synthetic"
    assert notification["veteran"]["preferred_name"] is None
    notice = kaingaora.to_tenancy_end_notice(disclose("end_tenancy", data, DEATH))
    assert notice["Tenant"]["Name"] == "SYNTHETIC, Hōhepa"


@pytest.mark.parametrize(
    ("name", "listed"),
    [
        (PersonName(given_names=["Aroha", "Mere"], family_name="Ngāta"), "NGĀTA, Aroha Mere"),
        (PersonName(given_names=["Tāne"], family_name="Wīremu-Pōmare"), "WĪREMU-PŌMARE, Tāne"),
        (PersonName(given_names=["Siobhán"], family_name="O'Brien"), "O'BRIEN, Siobhán"),
        # Combining macrons (a + U+0304) stay combining, over the capital.
        (PersonName(given_names=["Mere"], family_name="Nga\u0304ta"), "NGA\u0304TA, Mere"),
    ],
)
def test_kainga_ora_lists_names_family_first_in_capitals_keeping_macrons(name, listed):
    assert kaingaora.listed_name(name) == listed
    assert full_name(name) == " ".join([*name.given_names, name.family_name])


def test_optional_contact_details_are_left_out_when_the_mover_has_none():
    mover = sample_move().mover.model_copy(update={"email": None, "phone": None})
    data = _move_with(mover=mover)
    rates = council.to_rates_notice(disclose("council_rates", data, MOVE), PROPERTY)
    assert rates["occupier"] == {"fullName": "Mere Ānahera Tūhoe-Synthetic"}
    dogs = council.to_dog_registration_transfer(
        disclose("council_dog_registration", data, MOVE), PROPERTY
    )
    assert dogs["owner"] == {"fullName": "Mere Ānahera Tūhoe-Synthetic"}


@pytest.mark.parametrize(
    ("phone", "international"),
    [
        ("021 555 0142", "+64215550142"),
        ("(09) 123-4567", "+6491234567"),
        ("+64 4 123 4567", "+6441234567"),
        ("0061 2 9876 5432", "+61298765432"),
        ("555 0142", None),
        ("(00) 000-0000", None),
        ("+0 123 4567", None),
    ],
)
def test_phones_in_international_form(phone, international):
    assert council.international_phone(phone) == international


def test_a_dog_owners_phone_without_area_code_is_refused_without_quoting_it():
    mover = sample_move().mover.model_copy(update={"phone": "555 0142"})
    disclosure = disclose("council_dog_registration", _move_with(mover=mover), MOVE)
    with pytest.raises(AgencyRejected, match=r"mover\.phone") as refused:
        council.to_dog_registration_transfer(disclosure, PROPERTY)
    assert "555" not in str(refused.value)


@pytest.mark.parametrize(
    ("phone", "grouped", "digits"),
    [
        ("027 555 0100", "027 555 0100", "0275550100"),
        ("(09) 123-4567", "09 123 4567", "091234567"),
        ("+64 21 555 0142", "+64 21 555 0142", "+64215550142"),
        ("+ 64-21-555-0142", "+64 21 555 0142", "+64215550142"),
        # E.164, as intake stores phones, grouped as dialled internationally.
        ("+64275550100", "+64 27 555 0100", "+64275550100"),
        ("+16502530000", "+1 650 253 0000", "+16502530000"),
    ],
)
def test_phones_for_kainga_ora_and_veterans_affairs(phone, grouped, digits):
    assert kaingaora.grouped_phone(phone) == grouped
    assert veterans.va_phone(phone) == digits


@pytest.mark.parametrize(
    ("relationship", "code"),
    [
        ("spouse_or_partner", "SPOUSE"),
        ("child", "CHILD"),
        ("parent", "PARENT"),
        ("sibling", "SIBLING"),
        ("grandchild", "OTHER"),
        ("other_relative", "OTHER"),
        ("friend", "OTHER"),
    ],
)
def test_veterans_affairs_relationship_codes(relationship, code):
    data = _death_with(relationship=relationship)
    notification = veterans.to_deceased_veteran(
        disclose("notify_veterans_affairs", data, DEATH, **_death())
    )
    assert notification["next_of_kin"]["relationship"] == code


def test_a_malformed_postal_address_is_refused_without_quoting_it():
    disclosure = disclose("notify_council", sample_death(), DEATH) | {
        "notifier.postal_address": {"box_number": "1234", "city": "Ōtaki"}
    }
    with pytest.raises(AgencyRejected, match=r"notifier\.postal_address") as refused:
        council.to_deceased_ratepayer(disclosure, PROPERTY)
    assert "Ōtaki" not in str(refused.value)


# --- each mapping reads exactly its step's fields -----------------------------------------


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


def _everything(data: BaseModel) -> dict[str, Any]:
    """Every top-level part and every field of a part, as dotted paths."""
    dossier = data.model_dump(mode="json")
    offered = dict(dossier)
    for part, section in dossier.items():
        if isinstance(section, dict):
            offered |= {f"{part}.{key}": value for key, value in section.items()}
    return offered | {"deceased.death_registration_number": REGISTRATION}


MAPPINGS: list[tuple[str, Callable[[Disclosure], dict[str, Any]], Callable[[], BaseModel]]] = [
    ("council_rates", lambda d: council.to_rates_notice(d, PROPERTY), sample_move),
    (
        "council_dog_registration",
        lambda d: council.to_dog_registration_transfer(d, PROPERTY),
        sample_move,
    ),
    ("notify_council", lambda d: council.to_deceased_ratepayer(d, PROPERTY), sample_death),
    ("notify_veterans_affairs", veterans.to_deceased_veteran, sample_death),
    ("end_tenancy", kaingaora.to_tenancy_end_notice, sample_death),
]


@pytest.mark.parametrize(("step_id", "mapping", "sample"), MAPPINGS)
def test_each_mapping_reads_exactly_its_steps_fields(step_id, mapping, sample):
    log = _ReadLog(_everything(sample()))
    body = mapping(log)
    step = MOVE.step(step_id) if sample is sample_move else DEATH.step(step_id)
    assert log.read == set(step.fields)
    # Only the rates notice takes an e-mail address; no other step discloses one.
    assert ("@" in json.dumps(body)) == (step_id == "council_rates")


# --- properties: the mappings of any valid data are what the mocks accept -----------------

_LETTERS = "abcdefghijklmnopqrstuvwxyzāēīōūĀĒĪŌŪAEIOUHKMNPRTWG"
_name_parts = st.text(alphabet=_LETTERS, min_size=1, max_size=12)
_family_names = st.lists(_name_parts, min_size=1, max_size=2).map("-".join)
# NZ phones as people write them: an area code (03 to 09), or a mobile (02x), or +64.
_phones = st.from_regex(r"\A\(0[3-9]\) [0-9]{3}-[0-9]{4}\Z") | st.from_regex(
    r"\A(\+64 |0)2[0-9] [0-9]{3} [0-9]{4}\Z"
)
_places = st.sampled_from(["Te Aro", "Ōtaki", "Kaiwaka", "Mount Eden", "Riccarton"])


@st.composite
def _person_names(draw: st.DrawFn) -> PersonName:
    return PersonName(
        given_names=draw(st.lists(_name_parts, min_size=1, max_size=4)),
        family_name=draw(_family_names),
        known_as=draw(st.none() | _name_parts),
    )


@st.composite
def _addresses(draw: st.DrawFn) -> Address:
    unit = draw(st.none() | st.from_regex(r"\A[1-9][0-9]?[A-C]?\Z"))
    number = draw(st.from_regex(r"\A[1-9][0-9]{0,3}[A-Z]?\Z"))
    return Address(
        **draw(extra_parts(number, unit)),
        unit=unit,
        number=number,
        street=draw(st.sampled_from(["Cuba Street", "Te Ara Tāwhaki", "State Highway 1"])),
        suburb=draw(st.none() | _places),
        rural_delivery=draw(st.none() | st.integers(min_value=1, max_value=99)),
        city=draw(st.sampled_from(["Wellington", "Whangārei", "Ōtautahi Christchurch"])),
        postcode=draw(st.from_regex(r"\A[0-9]{4}\Z")),
    )


@st.composite
def _post_boxes(draw: st.DrawFn) -> PostBox:
    kind = draw(st.sampled_from(["PO Box", "Private Bag", "Counter Delivery"]))
    number = None if kind == "Counter Delivery" else draw(st.from_regex(r"\A[1-9][0-9]{0,5}\Z"))
    return PostBox(
        kind=kind,
        box_number=number,
        lobby=draw(st.none() | _places),
        city=draw(st.sampled_from(["Wellington", "Whangārei"])),
        postcode=draw(st.from_regex(r"\A[0-9]{4}\Z")),
    )


@st.composite
def _move_data(draw: st.DrawFn) -> MoveData:
    today = nz_today()
    return MoveData(
        mover=Mover(
            name=draw(_person_names()),
            date_of_birth=date(1980, 1, 1),
            email=draw(st.none() | st.just("someone@example.org")),
            phone=draw(st.none() | _phones),
        ),
        previous_address=Address(number="1", street="Old Road", city="Ōtaki", postcode="5512"),
        new_address=draw(_addresses()),
        move_date=today + timedelta(days=draw(st.integers(min_value=-300, max_value=300))),
        dogs=tuple(
            Dog(name=draw(_name_parts), breed="Huntaway", microchip=microchip)
            for microchip in draw(st.lists(st.from_regex(r"\A[0-9]{15}\Z"), min_size=1, max_size=3))
        ),
    )


@st.composite
def _death_data(draw: st.DrawFn) -> DeathData:
    born = draw(st.dates(min_value=date(1920, 1, 1), max_value=date(2000, 12, 31)))
    died = draw(st.dates(min_value=born, max_value=nz_today()))
    return DeathData(
        deceased=Deceased(
            name=draw(_person_names()),
            date_of_birth=born,
            date_of_death=died,
            sex="female",
            place_of_death="Wellington Hospital",
            last_address=draw(_addresses()),
            veteran_service_number=draw(st.from_regex(r"\A[A-Z]?[0-9]{4,8}\Z")),
            kainga_ora_tenant=True,
        ),
        notifier=Notifier(
            name=draw(_person_names()),
            relationship=draw(st.sampled_from(["spouse_or_partner", "child", "friend"])),
            authority="next_of_kin",
            phone=draw(_phones),
            postal_address=draw(_addresses() | _post_boxes()),
        ),
    )


def _accepted(model: type[BaseModel], body: dict[str, Any]) -> None:
    # Over the wire, as the mock receives it: JSON text into its strict schema.
    model.model_validate_json(json.dumps(body, ensure_ascii=False))


def _council_accepts(model: type[BaseModel], body: dict[str, Any]) -> None:
    # The look-up's query is the property as the submission writes it.
    query = council_properties.PropertyQuery.model_validate(body["property"])
    found = council_properties.property_for(query)
    assert found is not None
    _accepted(model, body | {"propertyId": found["propertyId"]})


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(_move_data())
def test_the_council_accepts_every_mapping_of_a_valid_move(data):
    rates = council.to_rates_notice(disclose("council_rates", data, MOVE), PROPERTY)
    _council_accepts(mock_council.RatesNotice, rates)
    dogs = council.to_dog_registration_transfer(
        disclose("council_dog_registration", data, MOVE), PROPERTY
    )
    _council_accepts(mock_council.DogRegistrationTransfer, dogs)
    assert rates["occupier"]["fullName"].endswith(data.mover.name.family_name)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(_death_data())
def test_the_mocks_accept_every_mapping_of_a_valid_death(data):
    notice = council.to_deceased_ratepayer(disclose("notify_council", data, DEATH), PROPERTY)
    _council_accepts(mock_council.DeceasedRatepayer, notice)
    _accepted(
        mock_veterans.DeceasedVeteranNotification,
        veterans.to_deceased_veteran(disclose("notify_veterans_affairs", data, DEATH, **_death())),
    )
    tenancy = kaingaora.to_tenancy_end_notice(disclose("end_tenancy", data, DEATH))
    _accepted(mock_kaingaora.TenancyEndNotice, tenancy)
    # Macrons reach Kāinga Ora as the notifier wrote them, capitals and all.
    assert tenancy["Tenant"]["Name"].startswith(data.deceased.name.family_name.upper() + ", ")


@given(st.from_regex(r"\A[A-Za-z0-9._:-]{1,128}\Z"))
def test_every_synthetic_residence_is_a_canonical_residence(identity):
    answer = mock_addresses.synthetic_residence(identity)
    assert answer == mock_addresses.synthetic_residence(identity)
    residence = residence_from(answer)
    assert len(residence.household) <= 3
    assert [r.relationship for r in residence.household].count("partner") <= 1


# --- the address register's answer, mapped back ---------------------------------------------

REGISTERED: dict[str, Any] = {
    "address": {
        "unit": "3",
        "streetNumber": "45",
        "street": "Cuba Street",
        "suburb": "Te Aro",
        "ruralDelivery": None,
        "town": "Wellington",
        "postcode": "6011",
    },
    "household": [
        {
            "givenNames": ["Rāwiri"],
            "familyName": "Synthetic",
            "dateOfBirth": "1986-01-09",
            "relationship": "partner",
        },
        {
            "givenNames": ["Kiri", "Te Ao"],
            "familyName": "Tūhoe-Synthetic",
            "dateOfBirth": "2012-10-30",
            "relationship": "son-or-daughter",
        },
    ],
    "asAt": "2026-10-01",
}
RESIDENCE = Residence(
    address=Address(
        unit="3",
        number="45",
        street="Cuba Street",
        suburb="Te Aro",
        city="Wellington",
        postcode="6011",
    ),
    household=(
        Resident(
            name=PersonName(given_names=["Rāwiri"], family_name="Synthetic"),
            date_of_birth=date(1986, 1, 9),
            relationship="partner",
        ),
        Resident(
            name=PersonName(given_names=["Kiri", "Te Ao"], family_name="Tūhoe-Synthetic"),
            date_of_birth=date(2012, 10, 30),
            relationship="child",
        ),
    ),
)


def test_the_registers_answer_is_the_canonical_residence():
    assert residence_from(REGISTERED) == RESIDENCE


def test_a_rural_registered_address_keeps_its_rural_delivery():
    rural = {"streetNumber": "1280", "street": "State Highway 1", "suburb": "Kaiwaka"}
    rural |= {"ruralDelivery": "RD 2", "town": "Kaiwaka", "postcode": "0573"}
    residence = residence_from({"address": rural, "asAt": "2026-10-01"})
    assert residence.address == RURAL.model_copy(update={"suburb": "Kaiwaka"})
    assert residence.household == ()


@pytest.mark.parametrize(
    ("answer", "place"),
    [
        ({"address": {"street": "Cuba Street"}, "asAt": "2026-10-01"}, "streetNumber"),
        (REGISTERED | {"address": REGISTERED["address"] | {"postcode": "60110"}}, "postcode"),
        (
            REGISTERED | {"household": [REGISTERED["household"][0] | {"relationship": "husband"}]},
            "relationship",
        ),
    ],
)
def test_an_answer_that_is_no_residence_is_refused_without_quoting_it(answer, place):
    with pytest.raises(AgencyRejected, match=place) as refused:
        residence_from(answer)
    assert "60110" not in str(refused.value)
    assert "husband" not in str(refused.value)


def test_answers_map_back_to_references():
    lodged = council.from_council_answer({"requestNumber": "RATES-000001", "status": "lodged"})
    assert lodged == AgencyAnswer(reference="RATES-000001")
    case = veterans.from_va_answer({"case_number": "VA-2026-000001", "status": "RECEIVED"})
    assert case == AgencyAnswer(reference="VA-2026-000001")
    accepted = {"TenancyEndReference": "KO-TE-000001", "Status": "Accepted"}
    assert kaingaora.from_ko_answer(accepted) == AgencyAnswer(reference="KO-TE-000001")
    with pytest.raises(AgencyRejected, match="documented format"):
        council.from_council_answer({"reference": "RATES-000001"})


# --- the adapters end to end against the mock agencies --------------------------------------


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "agencies.db"


@pytest.fixture
async def client(db_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(db_path, environ={})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url=BASE_URL, headers=admin_headers()
    ) as client:
        yield client


@pytest.fixture
def adapters(client: httpx.AsyncClient) -> dict[str, Any]:
    return build_adapters(client, BASE_URL, KEYS)


@pytest.fixture
def register(client: httpx.AsyncClient) -> AddressRegister:
    return AddressRegister(client, BASE_URL, KEYS["addresses"])


def _recent_move() -> MoveData:
    # The council takes moves within a year of today; the sample's date is fixed.
    return _move_with(move_date=nz_today() - timedelta(days=3))


async def _records(client: httpx.AsyncClient, agency: str) -> list[dict[str, Any]]:
    response = await client.get(f"/{agency}/_records")
    records: list[dict[str, Any]] = response.json()["records"]
    return records


COUNCIL_STEPS = [
    ("council_rates", council.to_rates_notice, "RATES-000001"),
    ("council_dog_registration", council.to_dog_registration_transfer, "DOG-000001"),
    ("notify_council", council.to_deceased_ratepayer, "DCD-000001"),
]


@pytest.mark.parametrize(("step_id", "mapping", "reference"), COUNCIL_STEPS)
async def test_the_council_adapter_looks_the_property_up_then_submits(
    client, adapters, step_id, mapping, reference
):
    on_move = step_id.startswith("council_")
    step = MOVE.step(step_id) if on_move else DEATH.step(step_id)
    disclosure = (
        disclose(step_id, _recent_move(), MOVE)
        if on_move
        else disclose(step_id, sample_death(), DEATH)
    )
    answer = await adapters["council"].submit(step.service, disclosure, f"event-1/{step_id}")
    assert answer == AgencyAnswer(reference=reference)
    address = Address.model_validate(
        disclosure["new_address" if on_move else "deceased.last_address"]
    )
    found = await adapters["council"].find_property(address)
    (record,) = await _records(client, "council")
    assert record["received"] == mapping(disclosure, found.property_id)
    assert found.property_id.startswith("WGN-" if on_move else "NTH-")


async def test_the_death_adapters_submit_to_their_agencies(client, adapters):
    data = sample_death()
    case = await adapters["veterans"].submit(
        "deceased-veteran", disclose("notify_veterans_affairs", data, DEATH, **_death()), "e/va"
    )
    assert case.reference == f"VA-{nz_today().year}-000001"
    notice = await adapters["kaingaora"].submit(
        "tenancy-end-deceased", disclose("end_tenancy", data, DEATH), "e/ko"
    )
    assert notice.reference == "KO-TE-000001"
    (tenancy,) = await _records(client, "kaingaora")
    assert tenancy["status"] == 202
    assert tenancy["received"]["Tenant"]["Name"] == "SYNTHETIC, Hōhepa Te Rangi"


async def test_a_council_without_the_property_refuses_before_any_submission():
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404, json={"message": "No such property.", "errors": {}})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        adapter = council.CouncilAdapter(client, BASE_URL, KEYS["council"])
        disclosure = disclose("council_rates", sample_move(), MOVE)
        with pytest.raises(AgencyRejected, match="HTTP 404: No such property") as refused:
            await adapter.submit("rates-notice-address", disclosure, "k")
    assert refused.value.non_retryable
    assert [request.method for request in seen] == ["GET"]
    assert seen[0].url.params["street"] == "3/45 Cuba Street"
    assert seen[0].headers["X-Council-Key"] == KEYS["council"]


DEATH_STEPS = [
    ("council", "deceased-ratepayer", "notify_council", "deceased.dateOfDeath"),
    ("veterans", "deceased-veteran", "notify_veterans_affairs", "death.date_of_death"),
    ("kaingaora", "tenancy-end-deceased", "end_tenancy", "Tenant.DateOfDeath"),
]


@pytest.mark.parametrize(("agency", "service", "step_id", "field"), DEATH_STEPS)
async def test_an_agencys_422_is_a_rejection_naming_its_field(
    client, adapters, agency, service, step_id, field
):
    # Canonically well formed, but in the future: each agency refuses it by its own rule.
    disclosure = disclose(step_id, sample_death(), DEATH, **_death())
    disclosure["deceased.date_of_death"] = "2999-01-01"
    with pytest.raises(AgencyRejected, match=rf"HTTP 422: .*{field}") as refused:
        await adapters[agency].submit(service, disclosure, "k")
    assert refused.value.non_retryable
    assert "2999" not in str(refused.value)
    assert await _records(client, agency) == []


@pytest.mark.parametrize(("agency", "service", "step_id", "field"), DEATH_STEPS)
async def test_an_agency_that_is_down_is_unavailable(
    client, adapters, agency, service, step_id, field
):
    await client.put(f"/{agency}/_faults", json={"error_rate": 1.0})
    disclosure = disclose(step_id, sample_death(), DEATH, **_death())
    with pytest.raises(AgencyUnavailable, match="HTTP 503") as unavailable:
        await adapters[agency].submit(service, disclosure, "k")
    assert not unavailable.value.non_retryable


@pytest.mark.parametrize("agency", ["council", "veterans", "kaingaora"])
async def test_an_unknown_service_is_refused(adapters, agency):
    with pytest.raises(AgencyRejected, match="no service"):
        await adapters[agency].submit("passport-renewal", {}, "k")


async def test_the_register_answers_a_seeded_residence_as_canonical(client, register):
    seeded = await client.put(
        "/addresses/_residents/citizen:42",
        json=REGISTERED,
        headers={"X-Api-Key": KEYS["addresses"]},
    )
    assert seeded.status_code == 200
    assert await register.residence("citizen:42") == RESIDENCE


async def test_the_register_answers_any_other_citizen_with_the_same_synthetic_residence(register):
    first = await register.residence("demo-citizen-1")
    assert await register.residence("demo-citizen-1") == first
    assert first == residence_from(mock_addresses.synthetic_residence("demo-citizen-1"))


async def test_the_register_down_is_unavailable(client, register):
    await client.put("/addresses/_faults", json={"error_rate": 1.0})
    with pytest.raises(AgencyUnavailable, match="HTTP 503"):
        await register.residence("citizen:42")


@pytest.mark.parametrize("identity", ["not an identity", "a/b", "x" * 129])
async def test_the_register_refuses_a_bad_identity(register, identity):
    with pytest.raises(AgencyRejected, match=r"HTTP 4[0-9]{2}") as refused:
        await register.residence(identity)
    assert identity not in str(refused.value)


async def test_the_register_refuses_a_wrong_key(client):
    wrong = AddressRegister(client, BASE_URL, "wrong-key")
    with pytest.raises(AgencyRejected, match="HTTP 401: a valid API key is required"):
        await wrong.residence("citizen:42")
