"""Real New Zealand address forms, as people write them and as NZ Post writes them back.

Each form: the text as written, the canonical parts it reads as, and NZ Post's one-line form
of them when that differs from the text (a unit word abbreviated, a building after the level).
Urban and rural, levels, units of every common type, ranges, buildings, PO Box, Private Bag
and counter delivery, macrons and leading-zero postcodes. Shared by the address tests and the
agency mapping tests, so every agency is shown every form.
"""

from typing import Any, NamedTuple

from hypothesis import assume
from hypothesis import strategies as st
from pydantic import ValidationError

from onceonly.domain.address_model import Address, PostalAddress, PostBox

WELLINGTON = {"suburb": "Wellington Central", "city": "Wellington", "postcode": "6011"}
TE_ARO = {"suburb": "Te Aro", "city": "Wellington", "postcode": "6011"}
AUCKLAND = {"suburb": "Auckland Central", "city": "Auckland", "postcode": "1010"}


class AddressForm(NamedTuple):
    """One written form of an address, the parts it reads as, and NZ Post's line for them."""

    text: str
    address: PostalAddress
    line: str


def _form(text: str, line: str | None = None, **parts: Any) -> AddressForm:
    model = PostBox if "box_number" in parts or "kind" in parts else Address
    return AddressForm(text, model.model_validate(parts), text if line is None else line)


FORMS: tuple[AddressForm, ...] = (
    # Urban street addresses, with and without a unit.
    _form("1 Willis Street, Wellington Central, Wellington 6011", number="1",
          street="Willis Street", **WELLINGTON),
    _form("21A Queen Street, Auckland Central, Auckland 1010", number="21A",
          street="Queen Street", **AUCKLAND),
    _form("2/14 Cuba Street, Te Aro, Wellington 6011", unit="2", number="14",
          street="Cuba Street", **TE_ARO),
    _form("Flat 2, 14 Cuba Street, Te Aro, Wellington 6011", unit_type="Flat", unit="2",
          number="14", street="Cuba Street", **TE_ARO),
    _form("Flat 2/14 Cuba Street, Te Aro, Wellington 6011",
          "Flat 2, 14 Cuba Street, Te Aro, Wellington 6011", unit_type="Flat", unit="2",
          number="14", street="Cuba Street", **TE_ARO),
    _form("Unit 3, 45 Riccarton Road, Riccarton, Christchurch 8011", unit_type="Unit", unit="3",
          number="45", street="Riccarton Road", suburb="Riccarton", city="Christchurch",
          postcode="8011"),
    _form("Shop 5, 100 Main Street, Greytown 5712", unit_type="Shop", unit="5", number="100",
          street="Main Street", city="Greytown", postcode="5712"),
    _form("Apartment 1203, 8 Hereford Street, Freemans Bay, Auckland 1011",
          unit_type="Apartment", unit="1203", number="8", street="Hereford Street",
          suburb="Freemans Bay", city="Auckland", postcode="1011"),
    _form("Apt 4B, 30 Tyne Street, Ponsonby, Auckland 1011",
          "Apartment 4B, 30 Tyne Street, Ponsonby, Auckland 1011", unit_type="Apartment",
          unit="4B", number="30", street="Tyne Street", suburb="Ponsonby", city="Auckland",
          postcode="1011"),
    _form("Villa 12, 30 Mountain Road, Epsom, Auckland 1023", unit_type="Villa", unit="12",
          number="30", street="Mountain Road", suburb="Epsom", city="Auckland", postcode="1023"),
    _form("Townhouse 3, 7 Rata Street, Naenae, Lower Hutt 5011", unit_type="Townhouse",
          unit="3", number="7", street="Rata Street", suburb="Naenae", city="Lower Hutt",
          postcode="5011"),
    _form("Room 101, 20 Kelburn Parade, Kelburn, Wellington 6012", unit_type="Room", unit="101",
          number="20", street="Kelburn Parade", suburb="Kelburn", city="Wellington",
          postcode="6012"),
    _form("Studio 2, 5 Tory Street, Te Aro, Wellington 6011", unit_type="Studio", unit="2",
          number="5", street="Tory Street", **TE_ARO),
    _form("Office 3, 1 Marine Parade, Napier South, Napier 4110", unit_type="Office", unit="3",
          number="1", street="Marine Parade", suburb="Napier South", city="Napier",
          postcode="4110"),
    _form("Penthouse 1, 1 Queen Street, Auckland Central, Auckland 1010",
          unit_type="Penthouse", unit="1", number="1", street="Queen Street", **AUCKLAND),
    _form("Site 14, 64 Peninsula Road, Kelvin Heights, Queenstown 9300", unit_type="Site",
          unit="14", number="64", street="Peninsula Road", suburb="Kelvin Heights",
          city="Queenstown", postcode="9300"),
    _form("Suite G01, 15 Rangitoto Street, Takapuna, Auckland 0622", unit_type="Suite",
          unit="G01", number="15", street="Rangitoto Street", suburb="Takapuna",
          city="Auckland", postcode="0622"),
    # Levels and floors.
    _form("Level 3, 1 Willis Street, Wellington Central, Wellington 6011", level_type="Level",
          level_number="3", number="1", street="Willis Street", **WELLINGTON),
    _form("Floor 5, 20 Customhouse Quay, Wellington Central, Wellington 6011",
          level_type="Floor", level_number="5", number="20", street="Customhouse Quay",
          **WELLINGTON),
    _form("Suite 4, Level 2, 55 Queen Street, Auckland Central, Auckland 1010",
          unit_type="Suite", unit="4", level_type="Level", level_number="2", number="55",
          street="Queen Street", **AUCKLAND),
    _form("Level 2, Suite 4, 55 Queen Street, Auckland Central, Auckland 1010",
          "Suite 4, Level 2, 55 Queen Street, Auckland Central, Auckland 1010",
          unit_type="Suite", unit="4", level_type="Level", level_number="2", number="55",
          street="Queen Street", **AUCKLAND),
    _form("Ground Floor, 22 Fanshawe Street, Auckland Central, Auckland 1010",
          level_type="Ground Floor", number="22", street="Fanshawe Street", **AUCKLAND),
    _form("Lower Ground Floor, 17 Albert Street, Auckland Central, Auckland 1010",
          level_type="Lower Ground Floor", number="17", street="Albert Street", **AUCKLAND),
    _form("Basement 1, 10 Brandon Street, Wellington Central, Wellington 6011",
          level_type="Basement", level_number="1", number="10", street="Brandon Street",
          **WELLINGTON),
    _form("Mezzanine, 2 Queen Street, Auckland Central, Auckland 1010", level_type="Mezzanine",
          number="2", street="Queen Street", **AUCKLAND),
    _form("5th Floor, 157 Lambton Quay, Wellington Central, Wellington 6011",
          "Floor 5, 157 Lambton Quay, Wellington Central, Wellington 6011", level_type="Floor",
          level_number="5", number="157", street="Lambton Quay", **WELLINGTON),
    _form("L3, 1 Grey Street, Wellington Central, Wellington 6011",
          "Level 3, 1 Grey Street, Wellington Central, Wellington 6011", level_type="Level",
          level_number="3", number="1", street="Grey Street", **WELLINGTON),
    _form("Lvl 2, 3/5 Willeston Street, Wellington Central, Wellington 6011",
          "Level 2, 3/5 Willeston Street, Wellington Central, Wellington 6011",
          level_type="Level", level_number="2", unit="3", number="5", street="Willeston Street",
          **WELLINGTON),
    # Buildings.
    _form("Forsyth Barr House, 764 Colombo Street, Christchurch Central, Christchurch 8013",
          building_name="Forsyth Barr House", number="764", street="Colombo Street",
          suburb="Christchurch Central", city="Christchurch", postcode="8013"),
    _form("Vero Centre, Level 12, 48 Shortland Street, Auckland Central, Auckland 1010",
          building_name="Vero Centre", level_type="Level", level_number="12", number="48",
          street="Shortland Street", **AUCKLAND),
    _form("Level 12, Vero Centre, 48 Shortland Street, Auckland Central, Auckland 1010",
          "Vero Centre, Level 12, 48 Shortland Street, Auckland Central, Auckland 1010",
          building_name="Vero Centre", level_type="Level", level_number="12", number="48",
          street="Shortland Street", **AUCKLAND),
    _form("Shop 12, Level 1, Westfield St Lukes, 80 St Lukes Road, Mount Albert, Auckland 1025",
          "Westfield St Lukes, Shop 12, Level 1, 80 St Lukes Road, Mount Albert, Auckland 1025",
          building_name="Westfield St Lukes", unit_type="Shop", unit="12", level_type="Level",
          level_number="1", number="80", street="St Lukes Road", suburb="Mount Albert",
          city="Auckland", postcode="1025"),
    # Number ranges.
    _form("12-14 Victoria Street, Wellington Central, Wellington 6011", number="12",
          number_last="14", street="Victoria Street", **WELLINGTON),
    _form("35 - 37 Dixon Street, Te Aro, Wellington 6011",
          "35-37 Dixon Street, Te Aro, Wellington 6011", number="35", number_last="37",
          street="Dixon Street", **TE_ARO),
    _form("2/35-37 Dixon Street, Te Aro, Wellington 6011", unit="2", number="35",
          number_last="37", street="Dixon Street", **TE_ARO),
    _form("Shop 1, 10A-10C Marine Parade, Paraparaumu Beach, Paraparaumu 5032", unit_type="Shop",
          unit="1", number="10A", number_last="10C", street="Marine Parade",
          suburb="Paraparaumu Beach", city="Paraparaumu", postcode="5032"),
    # Rural delivery.
    _form("1280 State Highway 1, Kaiwaka, RD 2, Kaiwaka 0573", number="1280",
          street="State Highway 1", suburb="Kaiwaka", rural_delivery=2, city="Kaiwaka",
          postcode="0573"),
    _form("5 Bruntwood Road, RD 2, Ōhaupō 3881", number="5", street="Bruntwood Road",
          rural_delivery=2, city="Ōhaupō", postcode="3881"),
    _form("303 Te Matai Road, RD 4, Te Puke 3182", number="303", street="Te Matai Road",
          rural_delivery=4, city="Te Puke", postcode="3182"),
    _form("45 Kaiwaka-Mangawhai Road, RD 2, Kaiwaka 0573", number="45",
          street="Kaiwaka-Mangawhai Road", rural_delivery=2, city="Kaiwaka", postcode="0573"),
    _form("12 Makarau Road, Makarau, R.D. 3, Kaukapakapa 0873",
          "12 Makarau Road, Makarau, RD 3, Kaukapakapa 0873", number="12", street="Makarau Road",
          suburb="Makarau", rural_delivery=3, city="Kaukapakapa", postcode="0873"),
    # Macrons, and postcodes with a leading zero.
    _form("10 Te Ara Tāwhaki, Ōtāhuhu, Auckland 1062", number="10", street="Te Ara Tāwhaki",
          suburb="Ōtāhuhu", city="Auckland", postcode="1062"),
    _form("1 Bank Street, Whangārei Central, Whangārei 0110", number="1", street="Bank Street",
          suburb="Whangārei Central", city="Whangārei", postcode="0110"),
    _form("3 Pōhutukawa Drive, Ōrewa 0931", number="3", street="Pōhutukawa Drive",
          city="Ōrewa", postcode="0931"),
    _form("8 Paekākāriki Hill Road, Paekākāriki 5034", number="8",
          street="Paekākāriki Hill Road", city="Paekākāriki", postcode="5034"),
    _form("Level 1, 2 Whakatū Street, Nelson 7010", level_type="Level", level_number="1",
          number="2", street="Whakatū Street", city="Nelson", postcode="7010"),
    _form("22 Kōwhai Street, Taupō 3330", number="22", street="Kōwhai Street", city="Taupō",
          postcode="3330"),
    _form("12 Main Road, Oban, Stewart Island 9818", number="12", street="Main Road",
          suburb="Oban", city="Stewart Island", postcode="9818"),
    _form("1 Kerikeri Road, Kerikeri 0230", number="1", street="Kerikeri Road", city="Kerikeri",
          postcode="0230"),
    # PO Box, Private Bag and counter delivery.
    _form("PO Box 123, Wellington 6140", box_number="123", city="Wellington", postcode="6140"),
    _form("P O Box 1234, Whangārei 0140", "PO Box 1234, Whangārei 0140", box_number="1234",
          city="Whangārei", postcode="0140"),
    _form("PO Box 300, Manners Street, Wellington 6142", box_number="300",
          lobby="Manners Street", city="Wellington", postcode="6142"),
    _form("Private Bag 1234, Wellington 6140", kind="Private Bag", box_number="1234",
          city="Wellington", postcode="6140"),
    _form("Private Bag 3015, Waikato Mail Centre, Hamilton 3240", kind="Private Bag",
          box_number="3015", lobby="Waikato Mail Centre", city="Hamilton", postcode="3240"),
    _form("Counter Delivery, Lambton Quay, Wellington 6145", kind="Counter Delivery",
          lobby="Lambton Quay", city="Wellington", postcode="6145"),
)  # fmt: skip
STREET_FORMS = tuple(form for form in FORMS if isinstance(form.address, Address))
BOX_FORMS = tuple(form for form in FORMS if isinstance(form.address, PostBox))


@st.composite
def extra_parts(draw: st.DrawFn, number: str, unit: str | None) -> dict[str, Any]:
    """The AS/NZS 4819 parts beyond unit, number and street, for an address at `number`:
    a unit's type (when it has a `unit`), a level, a building's name, a range's last number."""
    level_type = draw(st.none() | st.sampled_from(["Level", "Floor", "Ground Floor", "Basement"]))
    numbered = level_type in ("Level", "Floor") or (
        level_type == "Basement" and draw(st.booleans())
    )
    digits = int(number.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
    return {
        "unit_type": None
        if unit is None
        else draw(st.none() | st.sampled_from(["Flat", "Apartment", "Shop", "Suite"])),
        "level_type": level_type,
        "level_number": str(draw(st.integers(1, 60))) if numbered else None,
        "building_name": draw(st.none() | st.sampled_from(["Vero Centre", "Te Whare Rūnanga"])),
        "number_last": draw(st.none() | st.just(str(digits + 2))),
    }


# Real-looking parts, and look-alikes of the keywords, mixed with any text at all.
_WORDS = st.sampled_from(
    [
        *("Smith Street", "Te Ara Tāwhaki", "Whanga\u0304rei", "Kaiwaka", "State Highway 1"),
        *("Flat 2", "RD 2", "PO Box 5", "Private Bag", "Counter Delivery", "New Zealand"),
        *("1011", "Unit", "a/b", "POBox", "Level 3", "L3", "Ground Floor", "Suite 4", "12-14"),
        *("Vero Centre", "5th Floor", "Shop", "2/14 Cuba Street"),
    ]
)
PARTS = _WORDS | st.text(min_size=1, max_size=30) | st.lists(_WORDS, min_size=2).map(" ".join)
DIGITS = st.from_regex(r"[0-9]{1,6}", fullmatch=True)


_UNIT_TYPES = st.sampled_from(["Flat", "Unit", "Apartment", "Shop", "Suite", "Villa", "Office"])
_LEVEL_TYPES = st.sampled_from(["Level", "Floor", "Basement", "Ground Floor", "Mezzanine"])
_NUMBERS = st.from_regex(r"[0-9]{1,6}[A-Za-z]?", fullmatch=True)


@st.composite
def any_address(draw: st.DrawFn) -> Address:
    """Any valid street address: every part, with real words, keyword look-alikes or any text."""
    level_type = draw(st.none() | _LEVEL_TYPES)
    fields = {
        "unit_type": draw(st.none() | _UNIT_TYPES),
        "unit": draw(st.none() | st.from_regex(r"[0-9A-Za-z]{1,10}", fullmatch=True)),
        "level_type": level_type,
        "level_number": None
        if level_type in (None, "Ground Floor")
        else draw(st.from_regex(r"[0-9]{1,3}[A-Za-z]?", fullmatch=True)),
        "building_name": draw(st.none() | PARTS),
        "number": draw(_NUMBERS),
        "number_last": draw(st.none() | _NUMBERS),
        "street": draw(PARTS),
        "suburb": draw(st.none() | PARTS),
        "rural_delivery": draw(st.none() | st.integers(min_value=1, max_value=99)),
        "city": draw(PARTS),
        "postcode": draw(st.from_regex(r"[0-9]{4}", fullmatch=True)),
    }
    try:
        return Address.model_validate(fields)
    except ValidationError:
        assume(False)
        raise


@st.composite
def any_post_box(draw: st.DrawFn) -> PostBox:
    """Any valid PO Box, Private Bag or counter delivery, its lobby and town any text."""
    kind = draw(st.sampled_from(["PO Box", "Private Bag", "Counter Delivery"]))
    fields = {
        "kind": kind,
        "box_number": None if kind == "Counter Delivery" else draw(DIGITS),
        "lobby": draw(st.none() | PARTS),
        "city": draw(PARTS),
        "postcode": draw(st.from_regex(r"[0-9]{4}", fullmatch=True)),
    }
    try:
        return PostBox.model_validate(fields)
    except ValidationError:
        assume(False)
        raise
