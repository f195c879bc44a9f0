"""How a person is reached: phone numbers and email addresses, checked at intake by
well-kept libraries (`phonenumbers`, Google's libphonenumber data; `email-validator`) rather
than our own patterns, and stored in the one form every agency's format takes.
"""

import re
from typing import Annotated

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, StringConstraints, ValidationInfo

from onceonly.domain.people import is_intake
from onceonly.domain.text_rules import formatted

PHONE_REGION = "NZ"
"""Where a number written without a country code is dialled."""
PHONE_RULE = (
    "must be a New Zealand or international phone number in use, as in 021 123 4567 or "
    "+64 21 123 4567, without an extension"
)
# What phones were checked against before intake normalised them: stored dossiers hold these.
_STORED_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


def e164_phone(raw: str) -> str:
    """A phone number as people write it, New Zealand or international, in E.164 form
    ("021 123 4567" -> "+64211234567"); ValueError when it is no number in use."""
    try:
        number = phonenumbers.parse(raw, PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValueError(PHONE_RULE) from None
    # No agency's format has a place for an extension: dropping it would lose it.
    if number.extension or not phonenumbers.is_valid_number(number):
        raise ValueError(PHONE_RULE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phone(value: str, info: ValidationInfo) -> str:
    if is_intake(info):
        return e164_phone(value)
    if not _STORED_PHONE.match(value):
        raise ValueError("must be a phone number of 6 to 20 digits, spaces, dashes or brackets")
    return value


Phone = Annotated[str, AfterValidator(_phone), formatted("phone-number")]
"""A phone number: E.164 from intake on ("+64211234567")."""
EMAIL_RULE = "must be an email address mail can be sent to, as in name@example.nz"


def _email(value: str, info: ValidationInfo) -> str:
    if not is_intake(info):
        return value
    try:
        # Syntax only: whether the domain takes mail is not known at intake, nor asked.
        checked = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise ValueError(EMAIL_RULE) from None
    # The ASCII form (an internationalised domain in punycode): what every agency's format
    # takes, and what the pattern above accepts when the stored dossier is read again.
    return checked.ascii_email or checked.normalized


# The dot-atom form of RFC 5322 that every mail system accepts; quoted local parts and
# markup are refused. At intake email-validator checks the rest (lengths, reserved domains).
Email = Annotated[
    str,
    StringConstraints(
        pattern=r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
        r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$",
        max_length=254,
    ),
    AfterValidator(_email),
    formatted("email", maxLength=254),
]
