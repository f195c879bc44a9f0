"""The one list of custom search attributes: registered by `onceonly up`, set by the workflows,
filtered on by operators and the API. Values are never personal data.
"""

from datetime import datetime
from typing import Any, NamedTuple

from temporalio.common import (
    SearchAttributeIndexedValueType,
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
)

EVENT_TYPE = SearchAttributeKey.for_keyword("OnceonlyEventType")
STATUS = SearchAttributeKey.for_keyword("OnceonlyStatus")
# A keyed hash of the citizen id: lets the API list a citizen's events without storing the id.
CITIZEN_KEY = SearchAttributeKey.for_keyword("OnceonlyCitizenKey")
# The keys of parties who joined (the other parent), space-separated: the API checks a caller
# against it without asking a worker. A keyword, because the dev server allows three lists.
PARTY_KEYS = SearchAttributeKey.for_keyword("OnceonlyPartyKeys")
AWAITING_CONSENT = SearchAttributeKey.for_keyword_list("OnceonlyAwaitingConsent")
FAILED_STEPS = SearchAttributeKey.for_keyword_list("OnceonlyFailedSteps")
AGENCIES = SearchAttributeKey.for_keyword_list("OnceonlyAgencies")
# A step is late at its agency or did not take effect: an operator must look (ops list --attention).
NEEDS_ATTENTION = SearchAttributeKey.for_bool("OnceonlyNeedsAttention")
# When the status, open checkpoints or failed steps last changed (start time is Temporal's own).
UPDATED_AT = SearchAttributeKey.for_datetime("OnceonlyUpdatedAt")

ALL: tuple[SearchAttributeKey[Any], ...] = (
    EVENT_TYPE,
    STATUS,
    CITIZEN_KEY,
    PARTY_KEYS,
    AWAITING_CONSENT,
    FAILED_STEPS,
    AGENCIES,
    UPDATED_AT,
    NEEDS_ATTENTION,
)


class IndexedState(NamedTuple):
    """What an event indexes of its state; a workflow upserts it only when it changes."""

    status: str
    awaiting_consent: list[str]
    failed_steps: list[str]
    needs_attention: bool


def state_pairs(state: IndexedState, updated_at: datetime) -> list[SearchAttributePair[Any]]:
    """The state as attributes to start an event with: the starter knows it (every applicable
    checkpoint awaiting consent), so the workflow need not upsert it as its first act."""
    return [
        SearchAttributePair(STATUS, state.status),
        SearchAttributePair(AWAITING_CONSENT, state.awaiting_consent),
        SearchAttributePair(FAILED_STEPS, state.failed_steps),
        SearchAttributePair(NEEDS_ATTENTION, state.needs_attention),
        SearchAttributePair(UPDATED_AT, updated_at),
    ]


def state_of(attributes: TypedSearchAttributes) -> IndexedState | None:
    """The state the attributes index, or None when they do not hold all of it."""
    status = attributes.get(STATUS)
    awaiting = attributes.get(AWAITING_CONSENT)
    failed = attributes.get(FAILED_STEPS)
    attention = attributes.get(NEEDS_ATTENTION)
    if status is None or awaiting is None or failed is None or attention is None:
        return None
    return IndexedState(status, list(awaiting), list(failed), attention)


_CLI_TYPE_NAMES = {
    SearchAttributeIndexedValueType.KEYWORD: "Keyword",
    SearchAttributeIndexedValueType.KEYWORD_LIST: "KeywordList",
    SearchAttributeIndexedValueType.DATETIME: "Datetime",
    SearchAttributeIndexedValueType.BOOL: "Bool",
}


def dev_server_flags() -> list[str]:
    """`--search-attribute Name=Type` flags that register them on `temporal server start-dev`."""
    flags: list[str] = []
    for key in ALL:
        flags += ["--search-attribute", f"{key.name}={_CLI_TYPE_NAMES[key.indexed_value_type]}"]
    return flags
