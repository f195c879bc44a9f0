"""Who each step of a life event waits for, and what the person reading it may do there: the
citizen who started it, or a party who joined it (the other parent). Pure rules over the
API's view of the event (its `party_role` says whose view it is) and the steps the reader
has answered already (their own signed receipts say so).
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from onceonly.portal.consent import withdrawable
from onceonly.portal.text import text

STARTER = "starter"
"""Who a step waits for when it is the citizen who started the event (and not the reader)."""
YOU = "you"
"""Who a step waits for when it is the reader."""
# A step in one of these has sent its agency something (a correction goes to it).
SENT = {"submitting", "submitted", "completed"}
# A step in one of these will send later (a correction changes what it sends).
NOT_SENT_YET = {"awaiting_consent", "granted"}


@dataclass(frozen=True)
class Waiting:
    """Who one step waits for, in order: `you`, `starter` or a party's role; and the roles
    among them who have not joined the event yet."""

    who: tuple[str, ...]
    not_joined: tuple[str, ...]


def waiting_for(
    step: Mapping[str, Any], reader_role: str | None, answered: Collection[str]
) -> Waiting | None:
    """Who the step waits for, as the reader sees it; None when it waits for nobody."""
    if step["state"] != "awaiting_consent":
        return None
    parties = step.get("parties") or []
    pending = [p for p in parties if p["state"] == "awaiting"]
    who: list[str] = []
    if reader_role is None:
        if step["id"] not in answered:
            who.append(YOU)
    elif any(p["role"] == reader_role for p in pending):
        who.append(YOU)
    others = [p for p in pending if p["role"] != reader_role]
    who += [p["role"] for p in others]
    if reader_role is not None and not pending:
        who.append(STARTER)  # every party answered, so the starter's answer is the one left
    not_joined = tuple(p["role"] for p in others if not p.get("joined"))
    return Waiting(tuple(who), not_joined)


def to_invite(event: Mapping[str, Any], answered: Collection[str]) -> list[tuple[str, str]]:
    """For the citizen who started the event: each (step id, role) where a step waits for a
    party who has not joined. Nothing for a party (only the starter invites)."""
    if event.get("party_role") is not None:
        return []
    found = []
    for step in event["steps"]:
        waiting = waiting_for(step, None, answered)
        for role in waiting.not_joined if waiting else ():
            found.append((step["id"], role))
    return found


def may_answer(step: Mapping[str, Any], reader_role: str | None, answered: Collection[str]) -> bool:
    """Whether the reader has an answer to give at this step now."""
    waiting = waiting_for(step, reader_role, answered)
    return waiting is not None and YOU in waiting.who


def may_withdraw(step: Mapping[str, Any], reader_role: str | None) -> bool:
    """Withdrawing a consent is the starter's: one they gave, on its way or done (never a
    step the law requires: `consent.withdrawable`)."""
    return reader_role is None and withdrawable(step)


def covers(step_field: str, path: str) -> bool:
    """Whether a step that receives `step_field` (as in `child.name`) holds the detail at
    `path` (as in `child.name.given_names`), or part of it."""
    return (
        path == step_field or path.startswith(f"{step_field}.") or step_field.startswith(f"{path}.")
    )


def told_of_change(event: Mapping[str, Any], path: str) -> list[tuple[str, str]]:
    """Each agency step a correction of `path` reaches: (agency id, `sent` or `later`)."""
    told = []
    for step in event["steps"]:
        if not any(covers(field, path) for field in step["fields"]):
            continue
        if step["state"] in SENT:
            told.append((step["agency"], "sent"))
        elif step["state"] in NOT_SENT_YET:
            told.append((step["agency"], "later"))
    return told


def role_words(role: str, lang: str = "en") -> str:
    """A party's role in words, as in `the other parent`."""
    try:
        return text(f"role.{role}", lang)
    except KeyError:
        return f"the {role.replace('_', ' ')}"


def waiting_words(waiting: Waiting, lang: str = "en") -> str:
    """`Waiting for you and the other parent`, then who has not joined yet."""
    names = [
        text("who.you", lang)
        if who == YOU
        else text("who.starter", lang)
        if who == STARTER
        else role_words(who, lang)
        for who in waiting.who
    ]
    words = text("waiting.for", lang, who=f" {text('who.and', lang)} ".join(names))
    for role in waiting.not_joined:
        missing = text("waiting.not_joined", lang, role=role_words(role, lang))
        words += f". {missing[:1].upper()}{missing[1:]}"
    return words


def reader_context(
    event: Mapping[str, Any], answered: Collection[str], lang: str = "en"
) -> dict[str, Any]:
    """What the progress page shows the reader of parties: who each step waits for, what
    they may do, whom to invite (the starter only), and their part when they joined."""
    role = event.get("party_role")
    waiting = {step["id"]: waiting_for(step, role, answered) for step in event["steps"]}
    agencies = {step["id"]: step["agency"] for step in event["steps"]}
    return {
        "party_role": role,
        "party_words": role_words(role, lang) if role else None,
        "waiting": {step_id: waiting_words(w, lang) for step_id, w in waiting.items() if w},
        "may_answer": lambda step: may_answer(step, role, answered),
        "withdrawable": lambda step: may_withdraw(step, role),
        "to_invite": [
            (agencies[step_id], role_words(party, lang), party)
            for step_id, party in to_invite(event, answered)
        ],
        "can_invite": role is None and any(step["parties"] for step in event["steps"]),
        "may_change": role is None and event["status"] != "cancelled",
        "may_cancel": role is None and event["status"] in ("awaiting_consent", "in_progress"),
    }
