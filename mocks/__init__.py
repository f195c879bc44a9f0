"""Stand-alone mock agencies, each speaking its own format: BDM, IRD, MSD, Health, NZTA, the
Electoral Commission, ACC, Passports, a council, Veterans' Affairs, Kāinga Ora, the national
address register and the notification service onceonly sends reminders through.

They ship with onceonly for development and tests. They import nothing from the rest of the
project on purpose: each mock validates requests against its own strict schema, so an adapter
whose mapping drifts from the agency's format fails here, not in production.

`mocks/kit/` is the pipeline every mock shares (declarations, routes, store, faults, consent
receipts, callbacks, promised work, admin, logs, production mode); `mocks/agencies/` holds one
module per agency and registers them (`mocks.agencies.BUILT_IN`); `mocks/app.py` serves them.
Run them all in one process with `python -m mocks --port 8100 --db PATH`.
"""
