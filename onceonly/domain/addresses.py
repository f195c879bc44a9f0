"""Addresses as New Zealanders write them, read into the canonical parts and written back.

NZ Post writes an address (AS/NZS 4819) one part to a line, the town or city last with its
postcode: a building's name, a street line ("1/21A Smith Street", "Flat 2, 14 Smith Street",
"Suite 4, Level 2, 55 Queen Street", "12-14 Victoria Street"), a suburb or rural locality, a
rural delivery ("RD 2"), then "Auckland 1011"; or a box line ("PO Box 1234"), a lobby, then
the town. Written on one line, the parts are separated by commas. `format_address_line` and
`parse_address` are inverses for every valid `Address` and `PostBox`; the parser also reads
the common free-text variants (unit and level words abbreviated or in any case, "5th Floor",
"Auckland, 1011", a trailing "New Zealand"). Text is kept exactly as written (macrons,
case); only the keywords are made canonical.
"""

import re
from typing import TypeVar

from pydantic import ValidationError

from onceonly.domain.address_model import Address, PostalAddress, PostBox
from onceonly.domain.address_words import (
    STREET_LINE,
    is_post_box_text,
    read_level,
    read_unit,
    rural_delivery_number,
    unit_type_of,
)

# Ten lines of two hundred characters is far beyond any address; the cap bounds the work.
MAX_ADDRESS_TEXT = 2000
_PART_SEPARATORS = re.compile(r"[,\r\n]")
_BOX_LINE = re.compile(
    r"(?:(?P<po>(?i:p\.?\s*o\.?\s*box))|(?P<bag>(?i:private\s+bag))"
    r"|(?P<counter>(?i:counter\s+delivery)))(?:\s*(?P<box>[0-9]+))?"
)
_TOWN_LINE = re.compile(r"(?P<city>.*\S)\s+(?P<postcode>[0-9]{4})", re.DOTALL)
_COUNTRY = {"new zealand", "nz", "aotearoa", "aotearoa new zealand"}
_ModelT = TypeVar("_ModelT", Address, PostBox)


class AddressError(ValueError):
    """Text that cannot be read as an address: names the part and the rule, never the text."""

    def __init__(self, part: str, rule: str) -> None:
        """An error about `part` of the address breaking `rule`."""
        super().__init__(f"{part}: {rule}")
        self.part = part
        self.rule = rule


def street_line(address: Address) -> str:
    """The street line: "1/21A Smith Street", "12-14 Victoria Street", or with a typed unit and
    a level before it, "Suite 4, Level 2, 55 Queen Street" (NZ Post's forms)."""
    return ", ".join(address.premise_parts()[1 if address.building_name else 0 :])


def premise_line(address: Address) -> str:
    """Where on the road, on one line: the building's name, if any, then the street line."""
    return ", ".join(address.premise_parts())


def format_address(address: PostalAddress) -> list[str]:
    """The lines NZ Post writes for an address, the town or city and postcode last: a
    building's name has a line of its own above the street line."""
    return address.lines()


def format_address_line(address: PostalAddress) -> str:
    """The address on one line, its parts separated by commas."""
    return ", ".join(format_address(address))


def parse_address(text: str) -> PostalAddress:
    """Read an address written on one line (comma-separated) or on several lines.

    Raises AddressError naming the part that cannot be read and the rule it breaks.
    """
    if len(text) > MAX_ADDRESS_TEXT:
        raise AddressError("address", f"must be at most {MAX_ADDRESS_TEXT} characters")
    parts = _parts(text)
    if len(parts) < 2:
        raise AddressError(
            "address", "needs a street or PO Box line and a town line, split by commas or lines"
        )
    city, postcode = _town_line(parts[-1])
    box = _BOX_LINE.fullmatch(parts[0])
    if box is not None:
        return _post_box(box, parts[1:-1], city, postcode)
    # Checked after the street line's own form: a unit may be spelt "POBox" ("POBox/21 ...").
    if is_post_box_text(parts[0]) and STREET_LINE.fullmatch(parts[0]) is None:
        raise AddressError(
            "PO Box line", "must be PO Box, Private Bag or Counter Delivery and the box number"
        )
    return _street_address(parts[:-1], city, postcode)


def _parts(text: str) -> list[str]:
    parts = [part.strip() for part in _PART_SEPARATORS.split(text)]
    parts = [part for part in parts if part]
    if parts and parts[-1].casefold() in _COUNTRY:
        parts.pop()
    # "Auckland, 1011": the postcode written as a part of its own joins its town.
    if len(parts) > 2 and re.fullmatch(r"[0-9]{4}", parts[-1]):
        parts[-2:] = [f"{parts[-2]} {parts[-1]}"]
    return parts


def _town_line(line: str) -> tuple[str, str]:
    found = _TOWN_LINE.fullmatch(line)
    if found is None:
        raise AddressError(
            "postcode", "the last line must be the town or city and a 4-digit postcode"
        )
    return found["city"], found["postcode"]


def _post_box(box: re.Match[str], middle: list[str], city: str, postcode: str) -> PostBox:
    if len(middle) > 1:
        raise AddressError("lobby", "only one line (the lobby) may come between box and town")
    kind = "PO Box" if box["po"] else "Private Bag" if box["bag"] else "Counter Delivery"
    fields: dict[str, object] = {"kind": kind, "box_number": box["box"]}
    fields |= {"lobby": middle[0] if middle else None, "city": city, "postcode": postcode}
    return _validated(PostBox, fields)


def _street_address(parts: list[str], city: str, postcode: str) -> Address:
    fields: dict[str, object] = {}
    # Before the street line: a unit ("Flat 2"), a level ("Level 3") and a building's name,
    # each at most once, in any order.
    while parts and (line := STREET_LINE.fullmatch(parts[0])) is None:
        _premise_part(parts.pop(0), fields)
    if not parts or line is None:
        raise AddressError(
            "street line", "must be a street number and the street, as in 21A Smith Street"
        )
    if line["word_unit"] or line["unit"]:
        unit_type = unit_type_of(line["unit_type"]) if line["unit_type"] else None
        _put_once(
            fields, "unit", {"unit_type": unit_type, "unit": line["word_unit"] or line["unit"]}
        )
    fields |= {"number": line["number"], "number_last": line["number_last"]}
    suburb, rural_delivery = _locality(parts[1:])
    fields |= {"street": line["street"], "suburb": suburb, "rural_delivery": rural_delivery}
    return _validated(Address, fields | {"city": city, "postcode": postcode})


def _premise_part(part: str, fields: dict[str, object]) -> None:
    if (unit := read_unit(part)) is not None:
        _put_once(fields, "unit", {"unit_type": unit[0], "unit": unit[1]})
    elif (level := read_level(part)) is not None:
        _put_once(fields, "level", {"level_type": level[0], "level_number": level[1]})
    else:
        _put_once(fields, "building name", {"building_name": part})


def _put_once(fields: dict[str, object], part: str, values: dict[str, object]) -> None:
    if any(fields.get(key) is not None for key in values):
        raise AddressError(part, "must be given once")
    fields |= values


def _locality(middle: list[str]) -> tuple[str | None, int | None]:
    """The suburb or locality and the rural delivery between the street and the town."""
    rural = [rural_delivery_number(part) for part in middle]
    if len(middle) > 2:
        raise AddressError("address", "has more lines than a street, suburb, RD and town")
    if len(middle) == 2 and rural[0] is not None:
        raise AddressError("rural delivery", "comes after the locality, as in Kaiwaka, RD 2")
    if len(middle) == 2 and rural[1] is None:
        raise AddressError("suburb", "only one suburb or locality may come before the town")
    if len(middle) == 2:
        return middle[0], rural[1]
    if middle:
        return (None, rural[0]) if rural[0] is not None else (middle[0], None)
    return None, None


def _validated(model: type[_ModelT], fields: dict[str, object]) -> _ModelT:
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        first = error.errors(include_input=False, include_url=False)[0]
        part = ".".join(str(place) for place in first["loc"])
        rule = str(first["msg"]).removeprefix("Value error, ")
        if not part:
            # A rule over several parts names the part first: "number_last: must be above...".
            named, _, rest = rule.partition(": ")
            part, rule = (named, rest) if rest and named.isidentifier() else ("address", rule)
        # `from None`: the validation error's text quotes the address.
        raise AddressError(part, rule) from None
