"""Te Kooti Whenua Māori, the Māori Land Court: told of a death so that the whānau can apply
to succeed to the person's interests in Māori land (Te Ture Whenua Māori Act 1993, Part 9).

The court takes no API call: its staff work through the onceonly inbox, where the notice is
a task they complete with the court's own reference (the succession application's number),
or reject with a reason. So the adapter is the work-queue kind, and there is no mock: the
court's staff are its system.
"""

from adapters.plugins import WorkQueuePlugin
from adapters.work_queue import work_queue_factory

AGENCY = "maori_land_court"
PLUGIN = WorkQueuePlugin(agency=AGENCY, build=work_queue_factory(AGENCY))
"""The entry point `maori_land_court` in `onceonly.adapters` (pyproject.toml) loads this."""
