"""The contract kit against a recorded exchange instead of a live mock: a request that
matches the recording is answered from it, and one that differs (a field more, a header
missing) is a violation that says what differed."""

from typing import Any

import pytest

from adapters.passports import PassportsAdapter, to_passport_cancellation
from onceonly.adapter_contract import ContractViolation, Recording, verify_against_recording
from tests.contract.test_builtin_adapters import PASSPORT

PATH = "/passports/v1/passports/deceased-cancellations"


def recording(body: dict[str, Any], headers: dict[str, str]) -> Recording:
    return Recording.model_validate(
        {
            "agency": "passports",
            "service": "passport-cancellation",
            "exchanges": [
                {
                    "request": {
                        "method": "POST",
                        "path": PATH,
                        "headers": headers,
                        "json_body": body,
                    },
                    "response": {
                        "status": 201,
                        "json_body": {
                            "cancellationReference": "PC-000007",
                            "passportStatus": "CANCELLED",
                        },
                    },
                }
            ],
        }
    )


HEADERS = {"X-DIA-Api-Key": "dev-passports-key", "Consent-Receipt": "*", "Idempotency-Key": "*"}


async def test_an_adapter_that_sends_what_was_recorded_keeps_the_contract():
    body = to_passport_cancellation(PASSPORT.disclosure)
    await verify_against_recording(PassportsAdapter, PASSPORT, recording(body, HEADERS))


@pytest.mark.parametrize(
    ("body_change", "headers", "rule"),
    [
        ({"passportNumber": "LA000000"}, HEADERS, "JSON body differs"),
        ({}, {**HEADERS, "X-DIA-Api-Key": "another-key"}, "header X-DIA-Api-Key differs"),
        ({}, {**HEADERS, "X-Trace": "*"}, "header X-Trace is missing"),
    ],
)
async def test_a_request_unlike_the_recording_is_a_violation(body_change, headers, rule):
    body = {**to_passport_cancellation(PASSPORT.disclosure), **body_change}
    with pytest.raises(ContractViolation, match=rule):
        await verify_against_recording(PassportsAdapter, PASSPORT, recording(body, headers))
