"""schemathesis against the citizen API's own OpenAPI document: requests generated from it,
valid and invalid, sent in process (ASGI) to the API with the real stack behind it (Temporal
dev server, worker, mock agencies), never get a 5xx or an answer the document does not
describe (status, content type, schema, headers); invalid ones are refused, valid ones are
not (no 400 or 422 for a body the document calls valid), `Allow` lists every method a path
serves, and no route that needs a token answers without.

Bounded and repeatable: a few examples per operation, derandomized, no example database.
"""

import os
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
import schemathesis
from hypothesis import HealthCheck, assume
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pydantic import ValidationError

from onceonly.api.app import create_app
from onceonly.api.statistics import months_rule
from onceonly.auth import mint_token
from onceonly.domain.address_model import Address
from onceonly.domain.birth import registration_deadline_days
from onceonly.domain.corrections import related
from onceonly.domain.people import AGENCY_NAME_PATTERN, PersonName, intake_context
from onceonly.local_stack import LocalStack, free_port, running
from onceonly.settings import Settings
from tests.address_forms import STREET_FORMS
from tests.conftest import TEST_PAYLOAD_KEYS

# schemathesis binds each operation to the app when it collects the tests, before any
# fixture runs: so the app is made now, for a dev server the fixture starts at this address.
TEMPORAL_ADDRESS = f"127.0.0.1:{free_port()}"
SETTINGS = Settings(
    TEMPORAL_ADDRESS=TEMPORAL_ADDRESS,
    payload_keys=TEST_PAYLOAD_KEYS,
    jwt_secret="fuzz-jwt-secret-0123456789-0123456789-01",
    citizen_key_secret="fuzz-citizen-key-secret",
    # One citizen sends every generated request; the limit has its own tests (tests/abuse).
    rate_limit_per_minute=0,
)
APP = create_app(SETTINGS)
schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app = APP
# schemathesis also tries literals found in the app's source in any string field; a field of
# one of the document's own formats (a check digit) takes only values of that format, which a
# literal from elsewhere is not: the formats' generators below stand in for them.
schema.config.analysis.constants.enabled = False
TODAY = datetime.now(ZoneInfo(SETTINGS.timezone)).date()
# The document's own formats, for rules JSON Schema cannot state (check digits, letters of any
# script): each generated from values the rule accepts, published examples where there are some.
schemathesis.openapi.format(
    "nz-ird-number",
    st.sampled_from(["49091850", "35901981", "49098576", "136410132", "049-091-850"]),
)
schemathesis.openapi.format(
    "nz-nhi-number", st.sampled_from(["ZZZ0016", "ZZZ0024", "ZAC5361", "zzz0032", "ZZZ0008"])
)
schemathesis.openapi.format(
    "nz-driver-licence-number", st.from_regex(r"[A-Za-z]{2}[0-9]{6}", fullmatch=True)
)
# Names by the agencies' rule: runs of letters of any script (with the accents), joined by
# single spaces, hyphens or apostrophes.
NAME_RUN = st.text(st.characters(categories=["L"]), min_size=1, max_size=12)
schemathesis.openapi.format(
    "person-name",
    st.lists(st.tuples(st.sampled_from(" -'\u2019"), NAME_RUN), max_size=3)
    .flatmap(lambda joined: NAME_RUN.map(lambda first: first + "".join(j + r for j, r in joined)))
    .filter(lambda name: re.fullmatch(AGENCY_NAME_PATTERN, name) is not None),
)
# Phone numbers: the example numbers Google's libphonenumber data gives for these regions, as
# people write them; emails that mail could be sent to.
_REGIONS = ("NZ", "AU", "GB", "US", "FJ", "WS", "TO", "CK")
schemathesis.openapi.format(
    "phone-number",
    st.sampled_from(
        [
            phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            for example in map(phonenumbers.example_number, _REGIONS)
            if example is not None
        ]
        + ["021 123 4567", "(04) 499 0000"]
    ),
)
schemathesis.openapi.format(
    "email", st.sampled_from(["aroha@example.nz", "mere.ngata@example.co.nz", "o.b+x@example.com"])
)
# Address parts from real New Zealand addresses (tests/address_forms.py), with their macrons.
_STREETS = [form.address for form in STREET_FORMS if isinstance(form.address, Address)]
schemathesis.openapi.format("nz-road-name", st.sampled_from(sorted({a.street for a in _STREETS})))
schemathesis.openapi.format(
    "nz-locality",
    st.sampled_from(sorted({a.city for a in _STREETS} | {a.suburb for a in _STREETS if a.suburb})),
)
schemathesis.openapi.format(
    "nz-building-name",
    st.sampled_from(sorted({a.building_name for a in _STREETS if a.building_name})),
)
# Each date field says in words that it is not in the future (a move: within a year of today):
# the document cannot compare with today, so generated dates are recent ones.
schemathesis.openapi.format(
    "date", st.dates(TODAY - timedelta(days=300), TODAY).map(lambda day: day.isoformat())
)


def parts_agree(value: Any) -> bool:
    """Whether every street address and name in `value` keeps the rules between its parts (a
    unit type with its unit, a level's number by its type, a range low to high, the premise on
    one line; given names together within 100 characters, the full name within 200): the
    models' own checks of the whole, which no one field's schema states. One refused for one
    field's value is kept, for the check to find."""
    if isinstance(value, list):
        return all(parts_agree(item) for item in value)
    if not isinstance(value, dict):
        return True
    whole = (
        Address
        if {"number", "street", "postcode"} <= value.keys()
        else PersonName
        if {"given_names", "family_name"} <= value.keys()
        else None
    )
    if whole is not None:
        try:
            whole.model_validate(value, context=intake_context(TODAY))
        except ValidationError as refused:
            return any(error["loc"] for error in refused.errors())
    return all(parts_agree(item) for item in value.values())


def keeps_query_rules(query: Any) -> bool:
    """Whether a query keeps the rule between its parameters that `until`'s description states:
    the statistics' months in order and less than three years apart."""
    if not isinstance(query, dict) or not {"since", "until"} <= query.keys():
        return True
    try:
        return months_rule(str(query["since"]), str(query["until"])) is None
    except ValueError:  # not months at all: the schema's own rule answers
        return True


@schema.hook
def filter_query(context: schemathesis.HookContext, query: Any) -> bool:
    """Generate only queries that keep the rules between parameters (keeps_query_rules)."""
    return keeps_query_rules(query)


@schema.hook
def filter_body(context: schemathesis.HookContext, body: Any) -> bool:
    """Generate only bodies that keep the rules between fields (see keeps_cross_field_rules)."""
    return keeps_cross_field_rules(body)


def keeps_cross_field_rules(body: Any) -> bool:
    """Whether `body` keeps the rules between fields, which each field's description states and
    a schema cannot: a death after the birth, a move to another address, corrections of paths
    apart, an address's parts in agreement, a twin's birth order within its plurality."""
    if not parts_agree(body):
        return False
    corrections = body.get("corrections") if isinstance(body, dict) else None
    if isinstance(corrections, list):
        paths = [str(item.get("path")) for item in corrections if isinstance(item, dict)]
        return not any(related(a, b) for i, a in enumerate(paths) for b in paths[:i])
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        return True
    child = data.get("child")
    if isinstance(child, dict) and isinstance(child.get("date_of_birth"), str):
        try:
            born = date.fromisoformat(child["date_of_birth"])
        except ValueError:
            return True  # a request that breaks the schema, checked for its refusal
        late = born < TODAY - timedelta(days=registration_deadline_days())
        if late and child.get("late_registration") is not True:
            return False
    multiple = data.get("multiple_birth")
    if isinstance(multiple, dict):
        # A twin's birth order is within its plurality; a link names an event of the
        # caller's own (no generated id is one), and only a link takes the sibling's order.
        order, plurality = multiple.get("birth_order"), multiple.get("plurality")
        if isinstance(order, int) and isinstance(plurality, int) and order > plurality:
            return False
        if multiple.get("sibling_event_id") is not None:
            return False
        if multiple.get("sibling_birth_order") is not None:
            return False
    deceased = data.get("deceased")
    if isinstance(deceased, dict) and isinstance(deceased.get("date_of_death"), str):
        return str(deceased["date_of_death"]) >= str(deceased.get("date_of_birth"))
    if "new_address" in data:
        return data.get("new_address") != data.get("previous_address")
    return True


@schema.auth()
class CitizenToken:
    """One citizen sends every generated request, as schemathesis' auth: so a request it made
    without a token (a negative case) is not sent with one after all."""

    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
        return mint_token(SETTINGS, "fuzzing-citizen")

    def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
        case.headers["Authorization"] = f"Bearer {data}"


# Enough to reach every parameter and rule of each operation and stay within a minute.
EXAMPLES_PER_OPERATION = 15


@pytest.fixture(scope="module")
def temporal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The stack the app's lifespan connects to, for this module: its dev server at
    TEMPORAL_ADDRESS, and a worker and mock agencies, so that a valid request is answered (an
    Idempotency-Key repeat reads the event; a prefill looks the registers up)."""
    overrides = {"TEMPORAL_ADDRESS": TEMPORAL_ADDRESS, "ONCEONLY_PAYLOAD_KEYS": TEST_PAYLOAD_KEYS}
    state_dir = tmp_path_factory.mktemp("stack")
    with running(LocalStack.on_free_ports(state_dir, overrides, inherit=os.environ)):
        yield TEMPORAL_ADDRESS


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_generated_request_gets_an_answer_the_document_describes(case, temporal):
    # Cases of the coverage phase do not pass through the filters: the same rules here.
    assume(keeps_cross_field_rules(case.body))
    assume(keeps_query_rules(case.query))
    case.call_and_validate()
