"""Hypothesis strategies of valid canonical data for the adapter properties: each family
exercises what its agencies' formats make of names, addresses, phones and numbers."""

from datetime import date, timedelta

from hypothesis import assume
from hypothesis import strategies as st

from mocks.kit.formats import nz_today
from onceonly.domain.address_model import Address, PostBox
from onceonly.domain.birth import BirthData, Child, HealthChoices, Parent
from onceonly.domain.death import DeathData, Deceased, FuneralGrant, Notifier
from onceonly.domain.identifiers import ird_check_digit, is_valid_nhi_number
from onceonly.domain.move import Dog, MoveData, Mover
from onceonly.domain.people import DriverLicence, PersonName
from tests.address_forms import extra_parts
from tests.mocks.samples import BIRTH_PARENT_IRD, sample_death


@st.composite
def addresses_with_every_part(draw: st.DrawFn) -> Address:
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


any_addresses = (
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
    | addresses_with_every_part()
)


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
def births(draw: st.DrawFn) -> BirthData:
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


_words = st.text(alphabet=_LETTERS, min_size=1, max_size=12)
_names_with_spaces = _words | st.sampled_from(["Te Rangi", "Mary-Jane", "O'Brien", "Ngā"])
_places = st.sampled_from(["Te Aro", "Kaiwaka", "Ōtaki Beach", "Mt Eden", "Whakatāne"])
_towns = st.sampled_from(["Auckland", "Whangārei", "Ōtautahi Christchurch", "Te Awamutu"])
_postcodes = st.from_regex(r"\A[0-9]{4}\Z")


def _valid_ird(base: int) -> str | None:
    check = ird_check_digit(f"{base:08d}")
    return None if check is None else f"{base:08d}{check}"


_ird_numbers = st.integers(1_000_001, 14_999_999).map(_valid_ird).filter(bool)


# Every NHI the domain accepts among a spread of bases: both formats, checked by the domain.
_NHIS = sorted(
    f"{base}{last}"
    for base in ("ZZZ001", "ZAC536", "ABC12D", "ZAA00A", "HJK45L", "PQR999")
    for last in "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    if is_valid_nhi_number(f"{base}{last}")
)


@st.composite
def _person_names_with_spaces(draw: st.DrawFn) -> PersonName:
    return PersonName(
        given_names=draw(st.lists(_names_with_spaces, min_size=1, max_size=4)),
        family_name=draw(_names_with_spaces),
        known_as=draw(st.none() | _words),
    )


@st.composite
def _addresses(draw: st.DrawFn) -> Address:
    unit = draw(st.none() | st.from_regex(r"\A[1-9][0-9]?[A-C]?\Z"))
    number = draw(st.from_regex(r"\A[1-9][0-9]{0,3}[A-Z]?\Z"))
    return Address(
        **draw(extra_parts(number, unit)),
        unit=unit,
        number=number,
        street=draw(st.sampled_from(["Smith Street", "Te Ara Tāwhaki", "State Highway 1"])),
        suburb=draw(st.none() | _places),
        rural_delivery=draw(st.none() | st.integers(1, 99)),
        city=draw(_towns),
        postcode=draw(_postcodes),
    )


@st.composite
def _post_boxes(draw: st.DrawFn) -> PostBox:
    kind = draw(st.sampled_from(["PO Box", "Private Bag", "Counter Delivery"]))
    number = None if kind == "Counter Delivery" else draw(st.from_regex(r"\A[0-9]{1,6}\Z"))
    return PostBox(
        kind=kind,
        box_number=number,
        lobby=draw(st.none() | _places),
        city=draw(_towns),
        postcode=draw(_postcodes),
    )


RELATIONSHIPS = [
    "spouse_or_partner", "child", "parent", "sibling", "grandchild", "other_relative", "friend"
]  # fmt: skip


_birth_dates = st.dates(min_value=date(1920, 1, 1), max_value=date(2008, 12, 31))


@st.composite
def moves_with_numbers(draw: st.DrawFn) -> MoveData:
    previous = draw(_addresses())
    new = draw(_addresses().filter(lambda address: address != previous))
    return MoveData(
        mover=Mover(
            name=draw(_person_names_with_spaces()),
            date_of_birth=draw(_birth_dates),
            phone=draw(st.none() | st.from_regex(r"\A\+?\(0[0-9]\) [0-9]{3}-[0-9]{4}\Z")),
            ird_number=draw(_ird_numbers),
            nhi_number=draw(st.sampled_from(_NHIS)),
            msd_client_number=draw(st.from_regex(r"\A[0-9]{9}\Z")),
            driver_licence=DriverLicence(number="DL123456", version="101"),
        ),
        previous_address=previous,
        new_address=new,
        # A move may be told ahead of the day: the agencies take dates that lie ahead.
        move_date=draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 6, 30))),
        gp_practice=draw(st.none() | st.sampled_from(["Te Aro Health Centre", "Ōtaki Medical"])),
    )


@st.composite
def deaths_with_numbers(draw: st.DrawFn) -> DeathData:
    born = draw(_birth_dates)
    died = born + timedelta(days=draw(st.integers(0, (date(2025, 12, 31) - born).days)))
    return DeathData(
        deceased=Deceased(
            name=draw(_person_names_with_spaces()),
            date_of_birth=born,
            date_of_death=died,
            sex=draw(st.sampled_from(["female", "male", "indeterminate"])),
            place_of_death=draw(st.sampled_from(["Whangārei Hospital", "At home"])),
            last_address=draw(_addresses()),
            ird_number=draw(_ird_numbers),
            nhi_number=draw(st.sampled_from(_NHIS)),
            msd_client_number=draw(st.from_regex(r"\A[0-9]{9}\Z")),
        ),
        notifier=Notifier(
            name=draw(_person_names_with_spaces()),
            relationship=draw(st.sampled_from(RELATIONSHIPS)),
            authority=draw(st.sampled_from(["next_of_kin", "executor", "administrator"])),
            phone=draw(st.from_regex(r"\A\+?0[0-9]{2} [0-9]{3} [0-9]{4}\Z")),
            postal_address=draw(_addresses() | _post_boxes()),
        ),
        funeral_grant=FuneralGrant(
            funeral_director="Northland Funeral Services",
            funeral_cost=draw(st.decimals(min_value="0.01", max_value="100000", places=2)),
            paid_by_notifier=draw(st.booleans()),
        ),
    )


_given_names = _names | st.builds("{} {}".format, _names, _names)
_family_names = _names | st.builds("{}-{}".format, _names, _names)
_dates_since_1920 = st.dates(min_value=date(1920, 1, 1), max_value=date(2025, 12, 31))
_licences = st.builds(
    DriverLicence,
    number=st.from_regex(r"[A-Z]{2}[0-9]{6}", fullmatch=True),
    version=st.from_regex(r"[0-9]{3}", fullmatch=True),
)


_phones = st.from_regex(r"(\+64 |0)[1-9][0-9]? \(?[0-9]{3}\)?[ -]?[0-9]{4}", fullmatch=True)
_emails = st.from_regex(r"[a-z]{1,10}@example\.(org|nz)", fullmatch=True)
_NOTIFIER = sample_death().notifier


@st.composite
def _person_names_with_two_part_names(draw: st.DrawFn) -> PersonName:
    return PersonName(
        given_names=draw(st.lists(_given_names, min_size=1, max_size=4)),
        family_name=draw(_family_names),
        known_as=draw(st.none() | _names),
    )


@st.composite
def moves_with_licence(draw: st.DrawFn) -> MoveData:
    previous, new = draw(any_addresses), draw(any_addresses)
    assume(previous != new)
    mover = Mover(
        name=draw(_person_names_with_two_part_names()),
        date_of_birth=draw(_dates_since_1920),
        email=draw(st.none() | _emails),
        phone=draw(st.none() | _phones),
        driver_licence=draw(_licences),
    )
    return MoveData(
        mover=mover, previous_address=previous, new_address=new, move_date=date(2025, 12, 1)
    )


@st.composite
def deaths_with_licence_and_passport(draw: st.DrawFn) -> DeathData:
    born = draw(st.dates(min_value=date(1920, 1, 1), max_value=date(2000, 12, 31)))
    deceased = Deceased(
        name=draw(_person_names_with_two_part_names()),
        date_of_birth=born,
        date_of_death=draw(st.dates(min_value=born, max_value=date(2025, 12, 31))),
        sex=draw(st.sampled_from(["female", "male", "indeterminate"])),
        place_of_death="Whangārei Hospital",
        last_address=draw(any_addresses),
        death_registration_number=draw(st.from_regex(r"[0-9]{4}/[0-9]{6}", fullmatch=True)),
        driver_licence=draw(_licences),
        passport_number=draw(st.from_regex(r"[A-Z]{1,2}[0-9]{6}", fullmatch=True)),
    )
    return DeathData(deceased=deceased, notifier=_NOTIFIER)


_name_parts = st.text(alphabet=_LETTERS, min_size=1, max_size=12)
_hyphenated_family_names = st.lists(_name_parts, min_size=1, max_size=2).map("-".join)


# NZ phones as people write them: an area code (03 to 09), or a mobile (02x), or +64.
_written_phones = st.from_regex(r"\A\(0[3-9]\) [0-9]{3}-[0-9]{4}\Z") | st.from_regex(
    r"\A(\+64 |0)2[0-9] [0-9]{3} [0-9]{4}\Z"
)


_localities = st.sampled_from(["Te Aro", "Ōtaki", "Kaiwaka", "Mount Eden", "Riccarton"])


@st.composite
def _hyphenated_person_names(draw: st.DrawFn) -> PersonName:
    return PersonName(
        given_names=draw(st.lists(_name_parts, min_size=1, max_size=4)),
        family_name=draw(_hyphenated_family_names),
        known_as=draw(st.none() | _name_parts),
    )


@st.composite
def _street_addresses(draw: st.DrawFn) -> Address:
    unit = draw(st.none() | st.from_regex(r"\A[1-9][0-9]?[A-C]?\Z"))
    number = draw(st.from_regex(r"\A[1-9][0-9]{0,3}[A-Z]?\Z"))
    return Address(
        **draw(extra_parts(number, unit)),
        unit=unit,
        number=number,
        street=draw(st.sampled_from(["Cuba Street", "Te Ara Tāwhaki", "State Highway 1"])),
        suburb=draw(st.none() | _localities),
        rural_delivery=draw(st.none() | st.integers(min_value=1, max_value=99)),
        city=draw(st.sampled_from(["Wellington", "Whangārei", "Ōtautahi Christchurch"])),
        postcode=draw(st.from_regex(r"\A[0-9]{4}\Z")),
    )


@st.composite
def _post_boxes_in_two_towns(draw: st.DrawFn) -> PostBox:
    kind = draw(st.sampled_from(["PO Box", "Private Bag", "Counter Delivery"]))
    number = None if kind == "Counter Delivery" else draw(st.from_regex(r"\A[1-9][0-9]{0,5}\Z"))
    return PostBox(
        kind=kind,
        box_number=number,
        lobby=draw(st.none() | _localities),
        city=draw(st.sampled_from(["Wellington", "Whangārei"])),
        postcode=draw(st.from_regex(r"\A[0-9]{4}\Z")),
    )


@st.composite
def moves_with_dogs(draw: st.DrawFn) -> MoveData:
    today = nz_today()
    return MoveData(
        mover=Mover(
            name=draw(_hyphenated_person_names()),
            date_of_birth=date(1980, 1, 1),
            email=draw(st.none() | st.just("someone@example.org")),
            phone=draw(st.none() | _written_phones),
        ),
        previous_address=Address(number="1", street="Old Road", city="Ōtaki", postcode="5512"),
        new_address=draw(_street_addresses()),
        move_date=today + timedelta(days=draw(st.integers(min_value=-300, max_value=300))),
        dogs=tuple(
            Dog(name=draw(_name_parts), breed="Huntaway", microchip=microchip)
            for microchip in draw(st.lists(st.from_regex(r"\A[0-9]{15}\Z"), min_size=1, max_size=3))
        ),
    )


@st.composite
def deaths_of_veteran_tenants(draw: st.DrawFn) -> DeathData:
    born = draw(st.dates(min_value=date(1920, 1, 1), max_value=date(2000, 12, 31)))
    died = draw(st.dates(min_value=born, max_value=nz_today()))
    return DeathData(
        deceased=Deceased(
            name=draw(_hyphenated_person_names()),
            date_of_birth=born,
            date_of_death=died,
            sex="female",
            place_of_death="Wellington Hospital",
            last_address=draw(_street_addresses()),
            veteran_service_number=draw(st.from_regex(r"\A[A-Z]?[0-9]{4,8}\Z")),
            kainga_ora_tenant=True,
        ),
        notifier=Notifier(
            name=draw(_hyphenated_person_names()),
            relationship=draw(st.sampled_from(["spouse_or_partner", "child", "friend"])),
            authority="next_of_kin",
            phone=draw(_written_phones),
            postal_address=draw(_street_addresses() | _post_boxes_in_two_towns()),
        ),
    )
