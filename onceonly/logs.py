"""Structured logs for every process: one JSON object per line, ids and names only.

`configure_logging` is the one place logging is set up. structlog loggers and stdlib loggers
(temporalio, uvicorn, httpx, the SDK core forwarded by `onceonly.temporal.sdk_runtime`) all
end in the same formatter, so every line is JSON and every line passes `redact`.
"""

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger
from temporalio import activity, workflow

REDACTED = "[redacted]"

# Keys that name personal data, wherever they appear (a log kwarg, a nested dict, a dotted
# disclosure path's last part); compared lower-cased with camelCase split to snake_case.
PERSONAL_KEYS = frozenset(
    {
        "name",
        "names",
        "first_name",
        "given_name",
        "given_names",
        "middle_name",
        "middle_names",
        "family_name",
        "last_name",
        "surname",
        "preferred_name",
        "full_name",
        "maiden_name",
        "date_of_birth",
        "dob",
        "birth_date",
        "address",
        "addresses",
        "street",
        "postcode",
        "ird",
        "ird_number",
        "nhi",
        "nhi_number",
        "email",
        "phone",
        "mobile",
        # Whole payloads: a disclosure, an event's data, what an agency received, a body.
        "disclosure",
        "data",
        "received",
        "body",
        "outputs",
    }
)
# Role-prefixed forms of the same fields (`mother_name`, `child_date_of_birth`): redacting an
# innocent `*_name` costs an operator a detail, missing a personal one costs a leak.
_PERSONAL_SUFFIXES = tuple(f"_{key}" for key in PERSONAL_KEYS)
# Values of these keys are opaque ids by design; masking a run id's all-digit segment would
# only corrupt it.
_ID_KEYS = frozenset(
    {"workflow_id", "run_id", "event_id", "activity_id", "step", "step_id", "timestamp"}
)
# IRD numbers: 8 or 9 digits, written plain or as 2-3, 3, 3 with dashes or spaces. A dash
# or word character on either side means the digits are part of something longer (a UUID).
IRD_NUMBER = re.compile(r"(?<![\w-])\d{2,3}([ -]?)\d{3}\1\d{3}(?![\w-])")
# NHI numbers, old (AAA1234) and new (AAA12AA) formats; letters exclude I and O.
NHI_NUMBER = re.compile(
    r"(?<![\w-])[A-HJ-NP-Z]{3}(?:\d{4}|\d{2}[A-HJ-NP-Z]{2})(?![\w-])", re.IGNORECASE
)
_NOISE_EXTRAS = ("color_message", "temporal_log")
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# Temporal puts these on the LogRecords of `workflow.logger` and `activity.logger`.
_TEMPORAL_EXTRAS = {
    "temporal_workflow": {
        "workflow_id": "workflow_id",
        "run_id": "run_id",
        "workflow_type": "workflow_type",
        "attempt": "attempt",
        "update_name": "update",
    },
    "temporal_activity": {
        "workflow_id": "workflow_id",
        "workflow_run_id": "run_id",
        "activity_type": "activity_type",
        "activity_id": "activity_id",
        "attempt": "attempt",
    },
}


def is_personal_key(key: str) -> bool:
    """True when a key names personal data (`surname`, `child.date_of_birth`, `motherName`)."""
    normal = _CAMEL_HUMP.sub("_", key.rsplit(".", 1)[-1]).lower().replace("-", "_")
    return normal in PERSONAL_KEYS or normal.endswith(_PERSONAL_SUFFIXES)


def mask_identifiers(text: str) -> str:
    """The text with every IRD- or NHI-shaped number in it replaced by `[redacted]`."""
    return NHI_NUMBER.sub(REDACTED, IRD_NUMBER.sub(REDACTED, text))


def redact_value(value: Any) -> Any:
    """A copy of a log value with personal keys redacted and identifiers masked, at any depth."""
    if isinstance(value, str):
        return mask_identifiers(value)
    if isinstance(value, Mapping):
        return {
            key: REDACTED if is_personal_key(str(key)) else redact_value(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(item) for item in value]
    return value


def redact(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """structlog processor: the last word before rendering, so nothing personal is written."""
    for key, value in list(event_dict.items()):
        if is_personal_key(key):
            event_dict[key] = REDACTED
        elif key not in _ID_KEYS:
            event_dict[key] = redact_value(value)
    return event_dict


def add_temporal_context(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Lift the ids Temporal's loggers attach to a stdlib record's extras into top-level keys,
    and drop extras that are noise in JSON (uvicorn's ANSI-coloured copy of the message, the
    core's raw log entry, whose fields are on the message already).
    """
    for extra, fields in _TEMPORAL_EXTRAS.items():
        details = event_dict.pop(extra, None)
        if isinstance(details, Mapping):
            for source, target in fields.items():
                if source in details:
                    event_dict.setdefault(target, details[source])
    for noise in _NOISE_EXTRAS:
        event_dict.pop(noise, None)
    return event_dict


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def json_formatter() -> structlog.stdlib.ProcessorFormatter:
    """The formatter every handler uses: JSON, Temporal ids lifted, exceptions as text,
    personal data redacted last.
    """
    return structlog.stdlib.ProcessorFormatter(
        # Extras (`logger.info(..., extra={...})`) become keys, so `redact` sees them too.
        foreign_pre_chain=[
            *_shared_processors(),
            structlog.stdlib.ExtraAdder(),
            add_temporal_context,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact,
            structlog.processors.JSONRenderer(),
        ],
    )


def configure_logging(level: int = logging.INFO, stream: TextIO | None = None) -> None:
    """Send structlog and stdlib logging to `stream` (stderr) as redacted JSON lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(json_formatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    # uvicorn's own logging config (when a server is started with it) gives its loggers their
    # own plain-text handlers and stops them propagating; send them to the root instead.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers = []
        uvicorn_logger.propagate = True
    # httpx logs every request at INFO; the adapters log their own submissions.
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))
    # The ids go into JSON keys (add_temporal_context); a dict repr on the message would
    # repeat them as unparsed text.
    workflow.logger.workflow_info_on_message = False
    activity.logger.activity_info_on_message = False
    structlog.configure(
        processors=[
            *_shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.stdlib.LoggerFactory(),
    )
