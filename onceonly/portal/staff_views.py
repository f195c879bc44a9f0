"""The disclosure log as the citizen's page shows it: the disclosures to agencies in a table,
and each time a member of an agency's staff looked at the details in its staff inbox as a
sentence ("Viewed by jane.smith at Wellington City Council on 7 December 2026 at 2:14pm:
Your name, Your address")."""

from collections.abc import Mapping, Sequence
from typing import Any

from onceonly.portal.pages import day_and_time
from onceonly.portal.text import field_words, text

Entry = Mapping[str, Any]


def disclosures_and_views(log: Sequence[Entry]) -> tuple[list[Entry], list[Entry]]:
    """The API's log entries parted: disclosures to agencies, and staff views (newest first,
    as the API answers)."""
    disclosures = [entry for entry in log if entry.get("viewed_by") is None]
    views = [entry for entry in log if entry.get("viewed_by") is not None]
    return disclosures, views


def view_words(view: Entry, timezone: str, lang: str) -> str:
    """One staff view in plain words: who, at which agency, when, and the details they saw."""
    day, time = day_and_time(view["disclosed_at"], timezone, lang)
    names = {"who": view["viewed_by"], "agency": view["agency_name"], "day": day, "time": time}
    if not view["fields"]:
        return text("disclosures.view.no_fields", lang, **names)
    fields = ", ".join(field_words(path, lang) for path in view["fields"])
    return text("disclosures.view", lang, fields=fields, **names)
