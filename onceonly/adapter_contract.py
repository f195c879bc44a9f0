"""The contract test kit for agency adapters, shipped with onceonly so that an adapter's
author (in any distribution) can prove their adapter keeps the rules onceonly relies on.

Against the agency's mock (`serve_mocks`, or the `contract_mocks` pytest fixture), for one
sample per service (its catalogue step and a disclosure of the step's declared fields):

    with serve_mocks(tmp_path / "agencies.db") as mocks:
        await verify_against_mock(KiwiSaverAdapter, Sample.of("death", step_id, data), mocks)

it checks that the submission carries its signed consent receipt, and one without is refused;
that the same idempotency key twice makes one record and one reference; that 503, 429 and
time-outs are `AgencyUnavailable` and invalid data `AgencyRejected` (recording nothing);
that a canary in undeclared fields reaches no request and a missing declared field fails as
`AgencyRejected`; and that the capabilities the adapter declares (status, amend, withdraw)
work against the mock. Against a recorded exchange (`verify_against_recording`) the same,
bar what only a live mock can show (its records, its receipt gate, its fault knobs).
A broken rule raises `ContractViolation` naming the sample, the rule and what happened.
"""

from adapters.plugins import AdapterFactory
from onceonly.contract_agencies import (
    ContractViolation,
    Recording,
    Replay,
    ServedMocks,
    load_recording,
    serve_mocks,
)
from onceonly.contract_checks import (
    MOCK_CHECKS,
    check_minimisation,
    check_missing_fields,
    check_receipt_sent,
    check_transport_errors,
    submit,
)
from onceonly.contract_harness import CANARY, Harness, Sample, invalid_disclosure, key, violation
from onceonly.settings import Settings

RECORDED_BASE_URL = "http://agencies.recorded"
"""The base URL the adapter is given against a recording (its paths start below it)."""

__all__ = [
    "CANARY",
    "ContractViolation",
    "Recording",
    "Sample",
    "ServedMocks",
    "invalid_disclosure",
    "load_recording",
    "serve_mocks",
    "verify_against_mock",
    "verify_against_recording",
]


async def verify_against_mock(
    build: AdapterFactory,
    sample: Sample,
    mocks: ServedMocks,
    *,
    api_key: str | None = None,
    settings: Settings | None = None,
) -> None:
    """Every check for `sample` against the served mocks (`api_key`: the mock's, when not
    `dev-<agency>-key`; `settings`: whose keys sign receipts, the mocks' by default)."""
    harness = Harness(build, mocks.base_url, mocks, api_key, settings or Settings())
    for check in MOCK_CHECKS:
        await check(harness, sample)


async def verify_against_recording(
    build: AdapterFactory,
    sample: Sample,
    recording: Recording,
    *,
    api_key: str | None = None,
    settings: Settings | None = None,
) -> None:
    """The checks a recording can answer for `sample`: every request must match a recorded
    one (so the body is exactly what was recorded), with its receipt; a repeat sends the
    same idempotency key and gets the same reference; undeclared fields, missing fields and
    the agency's error answers are handled as against a mock."""
    replay = Replay(recording)
    harness = Harness(
        build, RECORDED_BASE_URL, None, api_key, settings or Settings(), replay.transport()
    )
    first = await check_receipt_sent(harness, sample)
    await _check_replayed_idempotency(harness, sample, first.reference)
    await check_minimisation(harness, sample)
    await check_missing_fields(harness, sample)
    await check_transport_errors(harness, sample)


async def _check_replayed_idempotency(h: Harness, s: Sample, reference: str) -> None:
    same = key(s, "idempotency")
    h.sent.clear()
    answers = [await submit(h, s, s.disclosure, same) for _ in range(2)]
    keys = {r.headers.get("Idempotency-Key") for r in h.sent if r.method == "POST"}
    if keys != {same}:
        raise violation(s, "every POST must carry the submission's Idempotency-Key", f"{keys}")
    if {answer.reference for answer in answers} != {reference}:
        raise violation(s, "the recorded answer's reference must be the adapter's", "another")
