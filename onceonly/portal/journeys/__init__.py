"""The portal's question pages for each life event, as data (see `questions`)."""

from onceonly.portal.journeys.birth import BIRTH
from onceonly.portal.journeys.death import DEATH
from onceonly.portal.journeys.move import MOVE
from onceonly.portal.journeys.questions import Journey

__all__ = ["BIRTH", "DEATH", "JOURNEYS", "MOVE", "Journey"]

JOURNEYS: dict[str, Journey] = {"birth": BIRTH, "move": MOVE, "death": DEATH}
"""Every life event the portal walks a citizen through."""
