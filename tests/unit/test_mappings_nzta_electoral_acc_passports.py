"""The NZTA, Electoral Commission, ACC and Passports adapters: their pure mappings of the
moving and death disclosures, what each reads, round trips through the mocks' own parsers,
properties over generated dossiers, and each adapter end to end against the mock app.
"""

import json
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import BaseModel

from adapters import acc, electoral, nzta, passports
from adapters.base import AgencyAdapter, AgencyAnswer, AgencyRejected, AgencyUnavailable
from adapters.disclosure import DisclosedFields
from mocks.agencies import acc as mock_acc
from mocks.agencies import electoral as mock_electoral
from mocks.agencies import nzta as mock_nzta
from mocks.agencies import passports as mock_passports
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from onceonly.domain.address_model import Address
from onceonly.domain.addresses import parse_address
from onceonly.domain.catalogue import DEATH, MOVE, LifeEventSpec
from onceonly.domain.death import DeathData, Deceased
from onceonly.domain.move import MoveData, Mover
from onceonly.domain.people import DriverLicence, PersonName
from tests.mocks.samples import disclose, sample_death, sample_move

REGISTRATION = "2026/000042"
FACTS = {"deceased__death_registration_number": REGISTRATION}
NO_UNIT = Address(number="21A", street="Smith Street", city="Auckland", postcode="1011")
RURAL = Address(
    number="1280",
    street="State Highway 1",
    suburb="Kaiwaka",
    rural_delivery=2,
    city="Kaiwaka",
    postcode="0573",
)
ONE_NAME = PersonName(given_names=["Aroha"], family_name="Ngāta")


def _moved(new_address: Address | None = None, **mover: Any) -> MoveData:
    """The sample move with the mover's details (and the new address) changed."""
    data = sample_move()
    changes: dict[str, Any] = {"mover": data.mover.model_copy(update=mover)}
    if new_address is not None:
        changes["new_address"] = new_address
    return data.model_copy(update=changes)


def _died(**deceased: Any) -> DeathData:
    """The sample death with the deceased's details changed."""
    data = sample_death()
    return data.model_copy(update={"deceased": data.deceased.model_copy(update=deceased)})


def _nzta_move(data: MoveData) -> dict[str, Any]:
    return nzta.to_nzta_address_change(disclose("update_driver_licence", data, MOVE))


def _nzta_death(data: DeathData) -> dict[str, Any]:
    return nzta.to_nzta_cancellation(disclose("cancel_driver_licence", data, DEATH, **FACTS))


def _electoral_move(data: MoveData) -> dict[str, Any]:
    return electoral.to_electoral_enrolment_update(disclose("update_electoral_roll", data, MOVE))


def _electoral_death(data: DeathData) -> dict[str, Any]:
    disclosure = disclose("remove_from_electoral_roll", data, DEATH, **FACTS)
    return electoral.to_electoral_deceased_removal(disclosure)


def _acc_move(data: MoveData) -> dict[str, Any]:
    return acc.to_acc_address_update(disclose("update_acc_address", data, MOVE))


def _passports_death(data: DeathData) -> dict[str, Any]:
    return passports.to_passport_cancellation(disclose("cancel_passport", data, DEATH, **FACTS))


# --- each mapping's exact output for the samples -----------------------------------------


def test_nzta_address_change_is_nztas_format():
    assert _nzta_move(sample_move()) == {
        "licenceNumber": "DL123456",
        "licenceVersion": "101",
        "firstName": "Mere",
        "middleNames": "Ānahera",
        "surname": "Tūhoe-Synthetic",
        "dateOfBirth": "19880520",
        "residentialAddress": {
            "unitType": None,
            "unitNumber": "3",
            "levelType": None,
            "levelNumber": None,
            "buildingName": None,
            "streetNumber": "45",
            "streetAlpha": None,
            "streetNumberLast": None,
            "streetAlphaLast": None,
            "streetName": "Cuba Street",
            "suburb": "Te Aro",
            "ruralDelivery": None,
            "town": "Wellington",
            "postcode": "6011",
        },
    }


def test_nzta_cancellation_is_nztas_format():
    assert _nzta_death(sample_death()) == {
        "licenceNumber": "HS654321",
        "licenceVersion": "004",
        "firstName": "Hōhepa",
        "middleNames": "Te Rangi",
        "surname": "Synthetic",
        "dateOfBirth": "19410211",
        "dateOfDeath": "20261121",
        "deathRegistrationNumber": REGISTRATION,
    }


def test_electoral_enrolment_update_is_the_commissions_format():
    assert _electoral_move(sample_move()) == {
        "elector": {"surname": "Tūhoe-Synthetic", "given_names": "Mere Ānahera"},
        "date_of_birth": "1988-05-20",
        "previous_address": {
            "address_lines": ["1/21A Smith Street", "Ponsonby", "Auckland 1011"],
            "postcode": "1011",
        },
        "residential_address": {
            "address_lines": ["3/45 Cuba Street", "Te Aro", "Wellington 6011"],
            "postcode": "6011",
        },
        "email": "mere@example.org",
    }


def test_electoral_removal_is_the_commissions_format():
    assert _electoral_death(sample_death()) == {
        "elector": {"surname": "Synthetic", "given_names": "Hōhepa Te Rangi"},
        "date_of_birth": "1941-02-11",
        "residential_address": {
            "address_lines": ["1280 State Highway 1", "Kaiwaka", "RD 2", "Kaiwaka 0573"],
            "postcode": "0573",
        },
        "date_of_death": "2026-11-21",
        "death_registration_number": REGISTRATION,
    }


def test_acc_address_update_is_accs_format():
    assert _acc_move(sample_move()) == {
        "client": {
            "firstName": "Mere Ānahera",
            "lastName": "Tūhoe-Synthetic",
            "preferredName": None,
        },
        "dateOfBirth": "20-May-1988",
        "address": {
            "addressLine1": "3/45 Cuba Street",
            "addressLine2": "Te Aro",
            "ruralDelivery": None,
            "city": "Wellington",
            "postCode": "6011",
        },
        "email": "mere@example.org",
        "phone": "+64215550142",
    }


def test_passport_cancellation_is_passports_format():
    assert _passports_death(sample_death()) == {
        "passportNumber": "LA123456",
        "holder": {"familyName": "Synthetic", "givenNames": ["Hōhepa", "Te Rangi"]},
        "dateOfBirth": "1941-02-11",
        "dateOfDeath": "2026-11-21",
        "deathRegistrationNumber": REGISTRATION,
    }


# --- variants ----------------------------------------------------------------------------


def test_nzta_without_unit_with_a_letter_suffix_and_one_given_name():
    change = _nzta_move(_moved(NO_UNIT, name=ONE_NAME))
    assert (change["firstName"], change["middleNames"], change["surname"]) == (
        "Aroha",
        None,
        "Ngāta",
    )
    assert change["residentialAddress"] == {
        "unitType": None,
        "unitNumber": None,
        "levelType": None,
        "levelNumber": None,
        "buildingName": None,
        "streetNumber": "21",
        "streetAlpha": "A",
        "streetNumberLast": None,
        "streetAlphaLast": None,
        "streetName": "Smith Street",
        "suburb": None,
        "ruralDelivery": None,
        "town": "Auckland",
        "postcode": "1011",
    }


def test_nzta_rural_address_carries_its_rd():
    address = _nzta_move(_moved(RURAL))["residentialAddress"]
    assert address["ruralDelivery"] == "RD 2"
    assert (address["streetNumber"], address["suburb"], address["town"]) == (
        "1280",
        "Kaiwaka",
        "Kaiwaka",
    )


@pytest.mark.parametrize(
    ("address", "lines"),
    [
        (NO_UNIT, ["21A Smith Street", "Auckland 1011"]),
        (RURAL, ["1280 State Highway 1", "Kaiwaka", "RD 2", "Kaiwaka 0573"]),
        (
            RURAL.model_copy(update={"suburb": None, "unit": "2"}),
            ["2/1280 State Highway 1", "RD 2", "Kaiwaka 0573"],
        ),
        # A unit's type is never made up: only a typed unit is written with its type.
        (
            RURAL.model_copy(update={"unit": "2", "unit_type": "Flat"}),
            ["Flat 2, 1280 State Highway 1", "Kaiwaka", "RD 2", "Kaiwaka 0573"],
        ),
        (
            NO_UNIT.model_copy(
                update={"building_name": "Vero Centre", "level_type": "Level", "level_number": "2"}
            ),
            ["Vero Centre", "Level 2, 21A Smith Street", "Auckland 1011"],
        ),
        # Building, suburb and RD would make five lines, so the building joins the street line.
        (
            RURAL.model_copy(update={"building_name": "Kaiwaka Hall", "number_last": "1282"}),
            ["Kaiwaka Hall, 1280-1282 State Highway 1", "Kaiwaka", "RD 2", "Kaiwaka 0573"],
        ),
    ],
)
def test_electoral_address_lines(address, lines):
    assert electoral.address_lines(address) == lines
    assert electoral.residential_address(address) == {
        "address_lines": lines,
        "postcode": address.postcode,
    }


def test_electoral_without_email_and_with_one_given_name():
    update = _electoral_move(_moved(name=ONE_NAME, email=None))
    assert "email" not in update
    assert update["elector"] == {"surname": "Ngāta", "given_names": "Aroha"}


def test_acc_rural_address_preferred_name_and_no_contact_details():
    name = PersonName(given_names=["Mere"], family_name="Tūhoe", known_as="Mē")
    update = _acc_move(_moved(RURAL, name=name, email=None, phone=None))
    assert "email" not in update
    assert "phone" not in update
    assert update["client"] == {"firstName": "Mere", "lastName": "Tūhoe", "preferredName": "Mē"}
    assert update["address"] == {
        "addressLine1": "1280 State Highway 1",
        "addressLine2": "Kaiwaka",
        "ruralDelivery": "RD 2",
        "city": "Kaiwaka",
        "postCode": "0573",
    }


@pytest.mark.parametrize(
    ("phone", "digits"),
    [
        ("021 555 0142", "0215550142"),
        ("(09) 123-4567", "091234567"),
        ("+64 21 555 0142", "+64215550142"),
    ],
)
def test_acc_phone_is_digits_with_a_leading_plus_kept(phone, digits):
    assert acc.acc_phone(phone) == digits
    assert _acc_move(_moved(phone=phone))["phone"] == digits


@pytest.mark.parametrize(
    ("iso", "written"),
    [("2026-11-05", "05-Nov-2026"), ("1988-05-20", "20-May-1988"), ("2000-01-31", "31-Jan-2000")],
)
def test_acc_date(iso, written):
    assert acc.acc_date(iso) == written


def test_passports_with_one_given_name():
    holder = _passports_death(_died(name=ONE_NAME))["holder"]
    assert holder == {"familyName": "Ngāta", "givenNames": ["Aroha"]}


def test_nzta_needs_the_driver_licence():
    with pytest.raises(AgencyRejected, match=r"no value for mover\.driver_licence"):
        _nzta_move(_moved(driver_licence=None))


@pytest.mark.parametrize(
    ("step_id", "mapping"),
    [
        ("cancel_driver_licence", nzta.to_nzta_cancellation),
        ("remove_from_electoral_roll", electoral.to_electoral_deceased_removal),
        ("cancel_passport", passports.to_passport_cancellation),
    ],
)
def test_a_death_step_needs_the_death_registration_number(step_id, mapping):
    # The sample death is not registered yet: only register_death's answer gives the number.
    with pytest.raises(AgencyRejected, match=r"no value for deceased\.death_registration_number"):
        mapping(disclose(step_id, sample_death(), DEATH))


def test_a_date_that_is_not_iso_is_refused_without_quoting_it():
    disclosure = disclose("update_acc_address", sample_move(), MOVE) | {
        "mover.date_of_birth": "20/05/1988"
    }
    with pytest.raises(AgencyRejected, match=r"mover\.date_of_birth") as refused:
        acc.to_acc_address_update(disclosure)
    assert "1988" not in str(refused.value)


# --- each mapping reads exactly its step's declared fields --------------------------------


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


def _every_path(value: Any, prefix: str = "") -> dict[str, Any]:
    """Every dotted path of a dumped dossier, at every depth, with its value."""
    paths: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths[path] = inner
            paths |= _every_path(inner, path)
    return paths


MAPPINGS: list[tuple[LifeEventSpec, str, Callable[[Any], dict[str, Any]], str]] = [
    (MOVE, "update_driver_licence", nzta.to_nzta_address_change, "mover.email"),
    (DEATH, "cancel_driver_licence", nzta.to_nzta_cancellation, "deceased.last_address"),
    (MOVE, "update_electoral_roll", electoral.to_electoral_enrolment_update, "mover.phone"),
    (DEATH, "remove_from_electoral_roll", electoral.to_electoral_deceased_removal, "notifier.name"),
    (MOVE, "update_acc_address", acc.to_acc_address_update, "mover.ird_number"),
    (DEATH, "cancel_passport", passports.to_passport_cancellation, "deceased.driver_licence"),
]


@pytest.mark.parametrize(("event", "step_id", "mapping", "undeclared"), MAPPINGS)
def test_each_mapping_reads_exactly_its_steps_fields(event, step_id, mapping, undeclared):
    data = sample_move() if event is MOVE else sample_death()
    # Offer every field of the dossier at every depth; the adapter must take only its own.
    offered = _every_path(data.model_dump(mode="json")) | {
        "deceased.death_registration_number": REGISTRATION
    }
    log = _ReadLog(offered)
    mapping(log)
    assert log.read == set(event.step(step_id).fields)
    assert undeclared in offered
    with pytest.raises(AgencyRejected, match="does not disclose"):
        DisclosedFields(event.step(step_id), offered).optional(undeclared)


# --- round trips through the mocks' own parsers --------------------------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyzāēīōūĀĒĪŌŪAEIOUHKMNPRTWG"
_names = st.text(alphabet=_LETTERS, min_size=1, max_size=12)
_given_names = _names | st.builds("{} {}".format, _names, _names)
_family_names = _names | st.builds("{}-{}".format, _names, _names)
_past_dates = st.dates(min_value=date(1920, 1, 1), max_value=date(2025, 12, 31))


@st.composite
def _address_parts(draw: st.DrawFn) -> Address:
    """Addresses with every AS/NZS 4819 part: unit (typed or not), level, building, range."""
    level = draw(st.none() | st.from_regex(r"[0-9]{1,2}", fullmatch=True))
    number = draw(st.integers(min_value=1, max_value=9998))
    return Address(
        unit_type=draw(st.none() | st.sampled_from(["Flat", "Apartment", "Shop", "Suite"])),
        unit=draw(st.from_regex(r"[1-9][0-9]?[A-C]?", fullmatch=True)),
        level_type=None if level is None else "Level",
        level_number=level,
        building_name=draw(st.none() | st.sampled_from(["Vero Centre", "Te Whare Rūnanga"])),
        number=f"{number}{draw(st.sampled_from(['', 'A', 'b']))}",
        number_last=draw(st.none() | st.just(str(number + 1))),
        street=draw(st.sampled_from(["Cuba Street", "Te Ara Tāwhaki", "State Highway 1"])),
        suburb=draw(st.none() | st.sampled_from(["Te Aro", "Ponsonby", "Kaiwaka", "Ōtāhuhu"])),
        rural_delivery=draw(st.none() | st.integers(min_value=1, max_value=99)),
        city=draw(st.sampled_from(["Wellington", "Whangārei", "Ōtautahi Christchurch"])),
        postcode=draw(st.from_regex(r"[0-9]{4}", fullmatch=True)),
    )


_addresses = (
    st.builds(
        Address,
        unit=st.none() | st.from_regex(r"[1-9][0-9]?[A-C]?", fullmatch=True),
        number=st.from_regex(r"[1-9][0-9]{0,3}[A-Za-z]?", fullmatch=True),
        street=st.sampled_from(["Cuba Street", "Te Ara Tāwhaki", "State Highway 1", "Queen St"]),
        suburb=st.none() | st.sampled_from(["Te Aro", "Ponsonby", "Kaiwaka", "Ōtāhuhu"]),
        rural_delivery=st.none() | st.integers(min_value=1, max_value=99),
        city=st.sampled_from(["Wellington", "Whangārei", "Ōtautahi Christchurch"]),
        postcode=st.from_regex(r"[0-9]{4}", fullmatch=True),
    )
    | _address_parts()
)
_licences = st.builds(
    DriverLicence,
    number=st.from_regex(r"[A-Z]{2}[0-9]{6}", fullmatch=True),
    version=st.from_regex(r"[0-9]{3}", fullmatch=True),
)
_phones = st.from_regex(r"(\+64 |0)[1-9][0-9]? \(?[0-9]{3}\)?[ -]?[0-9]{4}", fullmatch=True)
_emails = st.from_regex(r"[a-z]{1,10}@example\.(org|nz)", fullmatch=True)


def _address_from_nzta(parsed: mock_nzta.ResidentialAddress) -> Address:
    """NZTA's parts, as its register reads them, put back together as a canonical Address."""
    rural = parsed.rural_delivery
    last = parsed.street_number_last
    return Address(
        unit_type=parsed.unit_type,
        unit=parsed.unit_number,
        level_type=parsed.level_type,
        level_number=parsed.level_number,
        building_name=parsed.building_name,
        number=parsed.street_number + (parsed.street_alpha or ""),
        number_last=None if last is None else last + (parsed.street_alpha_last or ""),
        street=parsed.street_name,
        suburb=parsed.suburb,
        rural_delivery=int(rural.removeprefix("RD ")) if rural else None,
        city=parsed.town,
        postcode=parsed.postcode,
    )


def _over_the_wire(model: type[BaseModel], body: dict[str, Any]) -> Any:
    # As the mock receives it: JSON text into its strict schema.
    return model.model_validate_json(json.dumps(body, ensure_ascii=False))


@given(_addresses)
def test_nztas_split_address_reads_back_as_the_canonical_address(address):
    parsed = _over_the_wire(mock_nzta.ResidentialAddress, nzta.nzta_address(address))
    assert _address_from_nzta(parsed) == address


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_nzta_and_acc_dates_read_back_as_the_same_day(day):
    assert mock_acc.acc_date_value(acc.acc_date(day.isoformat())) == day
    assert mock_nzta.nzta_date_value(nzta.nzta_date(day.isoformat())) == day


@given(_addresses)
def test_electoral_lines_keep_every_part_of_the_address(address):
    lines = electoral.address_lines(address)
    assert 2 <= len(lines) <= electoral.MAX_ADDRESS_LINES
    assert lines[-1] == f"{address.city} {address.postcode}"
    # Read back as NZ Post's lines, they are the same address: no part lost or made up.
    assert parse_address("\n".join(lines)) == address


# --- properties: the adapters' output is always what the mocks accept ---------------------

_NOTIFIER = sample_death().notifier


@st.composite
def _person_names(draw: st.DrawFn) -> PersonName:
    return PersonName(
        given_names=draw(st.lists(_given_names, min_size=1, max_size=4)),
        family_name=draw(_family_names),
        known_as=draw(st.none() | _names),
    )


@st.composite
def _move_data(draw: st.DrawFn) -> MoveData:
    previous, new = draw(_addresses), draw(_addresses)
    assume(previous != new)
    mover = Mover(
        name=draw(_person_names()),
        date_of_birth=draw(_past_dates),
        email=draw(st.none() | _emails),
        phone=draw(st.none() | _phones),
        driver_licence=draw(_licences),
    )
    return MoveData(
        mover=mover, previous_address=previous, new_address=new, move_date=date(2025, 12, 1)
    )


@st.composite
def _death_data(draw: st.DrawFn) -> DeathData:
    born = draw(st.dates(min_value=date(1920, 1, 1), max_value=date(2000, 12, 31)))
    deceased = Deceased(
        name=draw(_person_names()),
        date_of_birth=born,
        date_of_death=draw(st.dates(min_value=born, max_value=date(2025, 12, 31))),
        sex=draw(st.sampled_from(["female", "male", "indeterminate"])),
        place_of_death="Whangārei Hospital",
        last_address=draw(_addresses),
        death_registration_number=draw(st.from_regex(r"[0-9]{4}/[0-9]{6}", fullmatch=True)),
        driver_licence=draw(_licences),
        passport_number=draw(st.from_regex(r"[A-Z]{1,2}[0-9]{6}", fullmatch=True)),
    )
    return DeathData(deceased=deceased, notifier=_NOTIFIER)


@given(_move_data())
def test_mocks_accept_every_mapping_of_valid_moving_data(data):
    change = _over_the_wire(
        mock_nzta.AddressChange,
        nzta.to_nzta_address_change(disclose("update_driver_licence", data, MOVE)),
    )
    _over_the_wire(
        mock_electoral.EnrolmentUpdate,
        electoral.to_electoral_enrolment_update(disclose("update_electoral_roll", data, MOVE)),
    )
    update = _over_the_wire(
        mock_acc.AddressUpdate,
        acc.to_acc_address_update(disclose("update_acc_address", data, MOVE)),
    )
    # Macrons and dates reach the agency exactly as the citizen gave them.
    assert change.surname == update.client.last_name == data.mover.name.family_name
    assert change.date_of_birth == update.date_of_birth == data.mover.date_of_birth


@given(_death_data())
def test_mocks_accept_every_mapping_of_valid_death_data(data):
    cancellation = _over_the_wire(
        mock_nzta.DeceasedCancellation,
        nzta.to_nzta_cancellation(disclose("cancel_driver_licence", data, DEATH)),
    )
    _over_the_wire(
        mock_electoral.DeceasedRemoval,
        electoral.to_electoral_deceased_removal(
            disclose("remove_from_electoral_roll", data, DEATH)
        ),
    )
    cancelled = _over_the_wire(
        mock_passports.DeceasedCancellation,
        passports.to_passport_cancellation(disclose("cancel_passport", data, DEATH)),
    )
    assert cancellation.date_of_death == cancelled.date_of_death == data.deceased.date_of_death
    assert cancelled.holder.given_names == list(data.deceased.name.given_names)


# --- each adapter end to end against the mock app -----------------------------------------

BASE_URL = "http://agencies.test"
ADAPTERS: dict[str, type[Any]] = {
    "nzta": nzta.NztaAdapter,
    "electoral": electoral.ElectoralAdapter,
    "acc": acc.AccAdapter,
    "passports": passports.PassportsAdapter,
}
# Each service: its step, the dossier, the reference it issues first, and a canonically valid
# change the agency refuses by its own rules, with the field and rule its refusal names.
END_TO_END: dict[str, tuple[str, Callable[[], BaseModel], str, tuple[str, Any], str]] = {
    "update_driver_licence": (
        "nzta",
        sample_move,
        "DL-000001",
        ("mover.name", {"given_names": ["Mere"], "family_name": "St. Clair-Synthetic"}),
        "surname: must be letters",
    ),
    "cancel_driver_licence": (
        "nzta",
        sample_death,
        "DL-000001",
        ("deceased.date_of_death", "2999-01-01"),
        "dateOfDeath: must not be after today",
    ),
    "update_electoral_roll": (
        "electoral",
        sample_move,
        "EL00000001",
        ("mover.name", {"given_names": ["Mere."], "family_name": "Tūhoe"}),
        "elector.given_names: must be letters",
    ),
    "remove_from_electoral_roll": (
        "electoral",
        sample_death,
        "EL00000001",
        ("deceased.date_of_death", "1900-01-01"),
        "date_of_death: must not be before date_of_birth",
    ),
    "update_acc_address": (
        "acc",
        sample_move,
        "ACC-0000001",
        ("mover.phone", "(12) 345"),
        "phone: must be 6 to 15 digits",
    ),
    "cancel_passport": (
        "passports",
        sample_death,
        "PC-000001",
        ("deceased.passport_number", "LA1234567"),
        "passportNumber: must be one or two capital letters and six digits",
    ),
}


def _step_disclosure(step_id: str) -> tuple[str, dict[str, Any]]:
    """The step's service and the sample dossier's disclosure to it."""
    _, sample, *_ = END_TO_END[step_id]
    event = MOVE if sample is sample_move else DEATH
    return event.step(step_id).service, disclose(step_id, sample(), event, **FACTS)


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(tmp_path / "agencies.db", environ={})


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url=BASE_URL, headers=admin_headers()
    ) as client:
        yield client


def _adapter(client: httpx.AsyncClient, agency: str) -> AgencyAdapter:
    adapter: AgencyAdapter = ADAPTERS[agency](client, BASE_URL, f"dev-{agency}-key")
    return adapter


async def _records(client: httpx.AsyncClient, agency: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = (await client.get(f"/{agency}/_records")).json()["records"]
    return records


@pytest.mark.parametrize("step_id", END_TO_END)
async def test_an_accepted_submission_answers_with_the_agencys_reference(client, step_id):
    agency, _, reference, _, _ = END_TO_END[step_id]
    service, disclosure = _step_disclosure(step_id)
    adapter = _adapter(client, agency)
    answered = await adapter.submit(service, disclosure, f"event-1/{step_id}")
    assert answered == AgencyAnswer(reference=reference)
    assert await adapter.submit(service, disclosure, f"event-1/{step_id}") == answered
    (record,) = await _records(client, agency)
    assert record["idempotency_key"] == f"event-1/{step_id}"


@pytest.mark.parametrize("step_id", END_TO_END)
async def test_a_refusal_is_agency_rejected_naming_the_agencys_field(client, step_id):
    agency, _, _, (field, value), message = END_TO_END[step_id]
    service, disclosure = _step_disclosure(step_id)
    with pytest.raises(AgencyRejected, match="HTTP 422") as refused:
        await _adapter(client, agency).submit(service, disclosure | {field: value}, "k")
    assert message in str(refused.value)
    for sent in _every_path({"v": value}).values():
        if isinstance(sent, str):
            assert sent not in str(refused.value)
    assert refused.value.non_retryable
    assert await _records(client, agency) == []


@pytest.mark.parametrize("step_id", END_TO_END)
async def test_an_agency_that_is_down_is_unavailable(client, step_id):
    agency = END_TO_END[step_id][0]
    service, disclosure = _step_disclosure(step_id)
    await client.put(f"/{agency}/_faults", json={"error_rate": 1.0})
    with pytest.raises(AgencyUnavailable, match="503") as unavailable:
        await _adapter(client, agency).submit(service, disclosure, "k")
    assert not unavailable.value.non_retryable
    assert await _records(client, agency) == []


@pytest.mark.parametrize("agency", ADAPTERS)
async def test_an_unknown_service_is_refused(client, agency):
    with pytest.raises(AgencyRejected, match="no service"):
        await _adapter(client, agency).submit("passport-renewal", {}, "k")


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
