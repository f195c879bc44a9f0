"""The staff inbox's rules, as pure functions of what the API answers: who the staff session
is, what a sign-in form lacks, the order and words of the task list (what to do, for which
service, due or overdue by how long), what a consent receipt's check says, and a refused close
as the error summary names it.

The pages (`routes_inbox`) only call the API's /v1/agency routes and render these.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from onceonly.auth import SUBJECT, InvalidToken, verify_token
from onceonly.portal.client import CLOSE_FIELDS
from onceonly.portal.consent import words
from onceonly.portal.text import text
from onceonly.settings import Settings

STAFF_COOKIE = "onceonly_staff"
"""The staff member's token: a cookie of its own, so a citizen's session in the same browser
is neither used nor ended by the inbox."""
FILTERS = ("all", "open", "completed", "rejected")
"""The list's state filters, as the API's `state` takes them; `all` first, the default."""
TASK_ID = re.compile(r"^T-[0-9A-F]{12}$")
"""A task id as `onceonly.domain.inbox.inbox_task_id` makes it: the only id a page echoes."""
Task = Mapping[str, Any]


@dataclass(frozen=True)
class Staff:
    """A signed-in staff member: who, and the one agency whose tasks they see."""

    subject: str
    agency: str


def staff_of(settings: Settings, token: str | None) -> Staff | None:
    """The staff member a token names, if it is valid and carries the agency role."""
    if not token:
        return None
    try:
        caller = verify_token(settings, token)
    except InvalidToken:
        return None
    if caller.role != "agency" or not caller.agency:
        return None
    return Staff(subject=caller.subject, agency=caller.agency)


def signin_errors(name: str, agency: str, agencies: Mapping[str, str]) -> dict[str, str]:
    """What the staff sign-in form lacks, by input: the message id of the rule it breaks."""
    errors = {}
    if not SUBJECT.fullmatch(name):
        errors["staff_name"] = "inbox.rule.name"
    if agency not in agencies:
        errors["agency"] = "inbox.rule.agency"
    return errors


def chosen_filter(state: str | None) -> str:
    """The list's filter: one the API knows, else all."""
    return state if state in FILTERS else "all"


def arranged(tasks: Sequence[Task]) -> tuple[list[Task], list[Task]]:
    """Open tasks by due time, earliest first; then closed ones, newest first."""
    open_ = sorted((t for t in tasks if t["state"] == "open"), key=lambda t: _at(t["due_at"]))
    closed = sorted(
        (t for t in tasks if t["state"] != "open"),
        key=lambda t: _at(t.get("closed_at") or t["opened_at"]),
        reverse=True,
    )
    return open_, closed


def overdue_words(due_at: str, now: datetime, lang: str = "en") -> str | None:
    """How long an open task is past its due time, in words; None while it is not."""
    late = now - _at(due_at)
    if late.total_seconds() < 0:
        return None
    if late.days == 0:
        return text("inbox.overdue.hours", lang)
    if late.days == 1:
        return text("inbox.overdue.day", lang)
    return text("inbox.overdue.days", lang, days=late.days)


def service_title(task: Task, catalogue: Mapping[str, Any], lang: str = "en") -> str:
    """The task's service as staff know it: the step's name and its life event's title, as
    the catalogue titles them (`Dog registration (Moving house)`)."""
    titles = {event["event_type"]: event["title"] for event in catalogue["life_events"]}
    event = titles.get(task["event_type"], task["event_type"])
    step = words(f"step.{task['step_id']}", lang, task["service"])
    return text("inbox.service_of", lang, step=step, event=event)


def agency_names(catalogue: Mapping[str, Any]) -> dict[str, str]:
    """Every agency of the public catalogue by id, with its name, in the catalogue's order."""
    return {agency["id"]: agency["name"] for agency in catalogue["agencies"]}


def receipt_words(task: Task, lang: str = "en") -> tuple[bool, str]:
    """Whether the task's consent receipt verified, and the words that say so. A step the law
    allows may have none, and that is fine; a step on consent must have one that verifies."""
    check = task.get("receipt_verification") or {}
    if task.get("receipt") and check.get("verified"):
        return True, text("inbox.task.receipt.valid", lang)
    if not task.get("receipt") and (task.get("legal_basis") or {}).get("kind") != "consent":
        return True, text("inbox.task.receipt.none", lang)
    problem = str(check.get("problem") or "")
    return False, text("inbox.task.receipt.invalid", lang, problem=problem)


def closed_words(task: Task, when: Any, lang: str = "en") -> str | None:
    """Who closed the task, when and how; None while it is open."""
    if task["state"] == "completed":
        return text(
            "inbox.task.closed.completed",
            lang,
            subject=task.get("closed_by") or "",
            when=when(task.get("closed_at")),
            reference=task.get("outcome_reference") or "",
        )
    if task["state"] == "rejected":
        return text(
            "inbox.task.closed.rejected",
            lang,
            subject=task.get("closed_by") or "",
            when=when(task.get("closed_at")),
            reason=task.get("reason") or "",
        )
    return None


def close_errors(
    action: str, errors: Sequence[Mapping[str, str]], detail: str, lang: str = "en"
) -> list[dict[str, str]]:
    """A refused close (the API's 422) as the error summary lists it: each rule, after the
    label of the form's input, linking to it. The API names its body's field (`reference`,
    or `body` for a malformed body); either way the input is the form's own one."""
    field = CLOSE_FIELDS[action]
    label = text(f"inbox.{action}.{field}", lang)
    rules = [error["rule"] for error in errors] or [detail]
    return [
        {"href": f"#{field}", "field": field, "rule": rule, "text": f"{label}: {rule}"}
        for rule in rules
    ]


def one_line(value: str) -> str:
    """What staff typed, on one line: a reason's line breaks are spaces (the API takes no
    control characters, and the citizen reads it as one sentence anyway)."""
    return " ".join(line.strip() for line in value.splitlines() if line.strip())


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)
