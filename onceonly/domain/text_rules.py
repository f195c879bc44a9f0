"""How text is checked, and how the OpenAPI document states each check: a pattern where JSON
Schema can say it (on the text as sent, spaces around allowed, so that the document and the
validator agree both ways), a named format where it cannot (a check digit, a script).
"""

import unicodedata

from pydantic.json_schema import WithJsonSchema


def printable(value: str) -> str:
    """`value`, if it has no control character (else ValueError saying so)."""
    # Control characters (newlines, NUL, escapes) have no place in a name or an address line,
    # and would corrupt the agencies' fixed-format records.
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValueError("must not contain control characters")
    return value


TEXT_MAX = 200
_CONTROL = r"\x00-\x1f\x7f-\x9f"  # Unicode's control characters (category Cc)


# What pydantic trims as whitespace (Unicode's White_Space): Python's \s would take in the
# separators U+001C..U+001F too, which are control characters here.
_SPACE = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def text_pattern(excluded: str = "", maximum: int = TEXT_MAX) -> str:
    """Text as sent: whitespace around (trimmed), then 1 to `maximum` characters that start and
    end with something besides a space, none of them a control character or one of `excluded`."""
    inner = f"[^{excluded}{_CONTROL}]"
    edge = f"[^{_SPACE}{excluded}{_CONTROL}]"
    return f"^[{_SPACE}]*{edge}(?:{inner}{{0,{maximum - 2}}}{edge})?[{_SPACE}]*$"


def formatted(name: str, **schema: object) -> WithJsonSchema:
    """How the OpenAPI document states a rule JSON Schema cannot (a check digit, a script): a
    string of a named format, which the document's formats list explains."""
    return WithJsonSchema({"type": "string", "format": name, **schema}, mode="validation")


def patterned(pattern: str, **schema: object) -> WithJsonSchema:
    """How the OpenAPI document states a rule checked on trimmed text: a pattern on the text as
    sent (spaces around allowed), so that the document and the validator agree both ways."""
    return WithJsonSchema({"type": "string", "pattern": pattern, **schema}, mode="validation")
