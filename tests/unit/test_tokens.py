"""Bearer tokens are bounded in every mode: our issuer and audience, an `iat`, a lifetime no
longer than `jwt_max_lifetime`, a subject of at most 128 plain characters. The tokens here are
made with PyJWT directly, not by `mint_token`, so the rules are checked against tokens another
identity provider (or an attacker holding no secret but choosing claims) could present.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from onceonly.auth import AGENCY_RULE, SUBJECT_RULE, InvalidToken, mint_token, verify_token
from onceonly.settings import Settings


def _token(settings: Settings, **changes: Any) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": "citizen-1",
        "role": "citizen",
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + timedelta(hours=1),
        **changes,
    }
    present = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(present, settings.jwt_secret, algorithm="HS256")


GOOD_SUBJECTS = [
    "c",
    "citizen-1",
    "demo-citizen",
    "tp200-1a2b3c-citizen-199",  # as the bench names its citizens
    "a.person+nz@example.govt.nz",
    "urn:nz:realme:FLT-0123_abc",
    "x" * 128,
]


@pytest.mark.parametrize("subject", GOOD_SUBJECTS)
def test_tokens_within_the_bounds_pass(settings, subject):
    assert verify_token(settings, _token(settings, sub=subject)).subject == subject


def test_a_token_may_live_as_long_as_the_cap_and_minted_ones_pass(settings):
    now = datetime.now(UTC)
    capped = _token(settings, iat=now, exp=now + settings.jwt_max_lifetime)
    assert verify_token(settings, capped).subject == "citizen-1"
    caller = verify_token(settings, mint_token(settings, "ops-1", role="operator"))
    assert (caller.subject, caller.role) == ("ops-1", "operator")
    assert jwt.decode(mint_token(settings, "c-1"), options={"verify_signature": False})["aud"] == (
        "onceonly"
    )


REFUSED = {
    "wrong audience": ({"aud": "another-service"}, "token audience: "),
    "no audience": ({"aud": None}, 'token claims: Token is missing the "aud" claim'),
    "wrong issuer": ({"iss": "https://idp.example.com"}, "token issuer: "),
    "no issuer": ({"iss": None}, 'token claims: Token is missing the "iss" claim'),
    "no iat": ({"iat": None}, 'token claims: Token is missing the "iat" claim'),
    "a 30-day lifetime": (
        {"exp": datetime.now(UTC) + timedelta(days=30)},
        "token lifetime (exp - iat): at most 24 hours",
    ),
    "a 129-character subject": ({"sub": "x" * 129}, SUBJECT_RULE),
    "a 10,000-character subject": ({"sub": "c" * 10_000}, SUBJECT_RULE),
    "a subject with a space": ({"sub": "citizen 1"}, SUBJECT_RULE),
    "a subject with markup": ({"sub": "<script>"}, SUBJECT_RULE),
    "a subject with a newline": ({"sub": "citizen-1\n"}, SUBJECT_RULE),
    "a non-ASCII subject": ({"sub": "Ngāta"}, SUBJECT_RULE),
    "an empty subject": ({"sub": ""}, SUBJECT_RULE),
    "an unknown role": ({"role": "admin"}, "token role: must be citizen, operator or agency"),
    "expired": ({"exp": datetime.now(UTC) - timedelta(seconds=1)}, "token exp: "),
    "a staff token naming no agency": ({"role": "agency"}, AGENCY_RULE),
    "a staff token of an unknown agency": ({"role": "agency", "agency": "acme"}, AGENCY_RULE),
    "a staff token naming agencies": ({"role": "agency", "agency": ["council"]}, AGENCY_RULE),
    "a citizen token naming an agency": ({"agency": "council"}, AGENCY_RULE),
    "an operator token naming an agency": ({"role": "operator", "agency": "ird"}, AGENCY_RULE),
}


@pytest.mark.parametrize("changes", list(REFUSED.values()), ids=list(REFUSED))
def test_tokens_out_of_bounds_are_refused_saying_why(settings, changes):
    claims, reason = changes
    with pytest.raises(InvalidToken) as refused:
        verify_token(settings, _token(settings, **claims))
    assert str(refused.value).startswith(reason)
    assert "c" * 200 not in str(refused.value)  # never quoted back


def test_the_cap_and_the_audience_are_settings(settings):
    week = _token(settings, exp=datetime.now(UTC) + timedelta(days=7))
    longer = settings.model_copy(update={"jwt_max_lifetime": timedelta(days=8)})
    assert verify_token(longer, week).subject == "citizen-1"
    portal = settings.model_copy(update={"jwt_audience": "portal"})
    with pytest.raises(InvalidToken, match="token audience"):
        verify_token(portal, _token(settings))


def test_no_token_is_minted_for_a_subject_no_token_may_carry(settings):
    with pytest.raises(ValueError, match="at most 128 characters"):
        mint_token(settings, "c" * 129)


def test_a_staff_token_names_its_one_agency(settings):
    caller = verify_token(settings, mint_token(settings, "jane.smith", "agency", agency="council"))
    assert (caller.subject, caller.role, caller.agency) == ("jane.smith", "agency", "council")
    assert verify_token(settings, _token(settings, role="agency", agency="ird")).agency == "ird"
    assert verify_token(settings, mint_token(settings, "c-1")).agency is None


@pytest.mark.parametrize(
    ("role", "agency"),
    [
        ("agency", None),
        ("agency", "acme"),
        ("agency", "Council"),
        ("citizen", "council"),
        ("operator", "council"),
    ],
)
def test_no_token_is_minted_whose_agency_does_not_fit_its_role(settings, role, agency):
    with pytest.raises(ValueError, match="token agency: an agency token names one agency"):
        mint_token(settings, "jane.smith", role, agency=agency)


def test_the_token_command_mints_a_staff_token_for_one_agency(capsys):
    from onceonly.cli import main  # noqa: PLC0415
    from onceonly.settings import get_settings  # noqa: PLC0415

    assert main(["token", "--subject", "jane.smith", "--agency", "council"]) == 0
    caller = verify_token(get_settings(), capsys.readouterr().out.strip())
    assert (caller.subject, caller.role, caller.agency) == ("jane.smith", "agency", "council")
    assert main(["token", "jane.smith", "--agency", "acme"]) == 2
    assert "token agency: an agency token names one agency" in capsys.readouterr().err
    assert main(["token", "jane.smith", "--role", "agency"]) == 2
    assert main(["token"]) == 2
    assert "subject: give it once" in capsys.readouterr().err
