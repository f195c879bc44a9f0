"""Stand-alone mock agencies: BDM, IRD, MSD and Health, each speaking its own format.

They ship with onceonly for development and tests. They import nothing from the rest of the
project on purpose: each mock validates requests against its own strict schema, so an adapter
whose mapping drifts from the agency's format fails here, not in production.

Run them all in one process with `python -m mocks --port 8100 --db PATH`.
"""
