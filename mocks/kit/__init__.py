"""The kit every mock agency is built on: an agency declares what is its own (its services'
paths, schemas, answers and receipt coverage, its key header and error shape, in
`agency.MockAgency`, with field rules from `formats` and `shapes`), and the kit serves it.

- `agency`: the declarations (services, look-ups, slow answers, compensations, coverage).
- `routes` and `gates`: the routes served from a declaration, through the shared gates
  (faults, API key, `Idempotency-Key`, schema, consent receipt, store).
- `store` and `promises`: the records, idempotent per key, and the work promised for later.
- `faults`: the fault knobs; `receipts`: the consent receipt gate; `callbacks` and `later`:
  signed callbacks and the loop that keeps promises; `compensations`, `amendments` and
  `followups`: withdrawals, corrections and status checks; `register`: look-up-only registers.
- `admin`, `logs`, `production`, `plugins`: control routes, JSON logs, the production
  refusals, and plugins' mocks.
"""
