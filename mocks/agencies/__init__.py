"""The built-in mock agencies, one module (or package, for the bigger ones) each, and the one
list that registers them: the app (mocks/app.py) serves every mock named here, and
`python -m mocks` checks every one's settings before it starts. Adding an agency is writing its
module and naming its declaration here; nothing else lists the agencies.
"""

from typing import Any

from mocks.agencies import (
    acc,
    addresses,
    bdm,
    council,
    electoral,
    health,
    ird,
    justice,
    kaingaora,
    msd,
    notify,
    nzta,
    passports,
    veterans,
)
from mocks.kit.agency import MockAgency
from mocks.kit.batch import MockBatchAgency
from mocks.kit.register import MockRegister

BUILT_IN: tuple[MockAgency[Any] | MockRegister[Any], ...] = (
    bdm.AGENCY,
    ird.AGENCY,
    msd.AGENCY,
    health.AGENCY,
    nzta.AGENCY,
    electoral.AGENCY,
    acc.AGENCY,
    passports.AGENCY,
    council.AGENCY,
    veterans.AGENCY,
    kaingaora.AGENCY,
    notify.AGENCY,
    addresses.REGISTER,
)
"""Every built-in mock, each mounted at `/<name>`: the agencies, the notification service (for
reminders) and the registers (look-ups only, such as the address register)."""
AGENCIES: tuple[MockAgency[Any], ...] = tuple(m for m in BUILT_IN if isinstance(m, MockAgency))
"""The built-in mocks that take submissions (every one but the registers)."""
BATCH: tuple[MockBatchAgency, ...] = (justice.AGENCY,)
"""The built-in mocks reached by a file per period instead of calls (mocks/kit/batch.py), each
mounted at `/<name>` for its control routes: apart from `BUILT_IN`, whose every member takes
HTTP submissions or look-ups."""
