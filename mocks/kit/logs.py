"""The mock agencies' logs: one JSON object per line, like every onceonly process, written
with the standard library alone (the mocks share no code with onceonly).
"""

import json
import logging
from datetime import UTC, datetime
from typing import Any

# Routes whose paths hold nothing about a person: logged as they are.
_CONTROL_ROUTES = ("/_records", "/_faults", "/healthz", "/metrics")


def access_line(method: str, path: str, status: int) -> str:
    """An access-log line that holds no personal data: no query string ever, and a look-up's
    path (which names the person or record looked up) cut to its agency."""
    path = path.partition("?")[0]
    if method == "GET" and not path.endswith(_CONTROL_ROUTES):
        path = f"/{path.strip('/').split('/')[0]}/(look-up)"
    return f"{method} {path} {status}"


class JsonLines(logging.Formatter):
    """A log record as a JSON line: time, level, logger and message, plus the record's
    `fields` extra when it has one (no request bodies ever reach the mocks' logs, only the
    notification service's rendered messages, without their addresses; access lines go
    through `access_line`)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON object."""
        line = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": _event(record),
        }
        # A record's own fields never overwrite the line's time, level, logger or event.
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line |= {name: value for name, value in fields.items() if name not in line}
        return json.dumps(line, ensure_ascii=False)


def _event(record: logging.LogRecord) -> str:
    # uvicorn's access records carry (client, method, path, http version, status) as args.
    args = record.args
    if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
        _, method, path, _, status = args
        return access_line(str(method), str(path), int(str(status)))
    return record.getMessage()


def uvicorn_log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging, every line through JsonLines on stderr."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    # `mocks`: the mocks' own lines, such as the notification service's messages.
    loggers = ("uvicorn", "uvicorn.error", "uvicorn.access", "mocks")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonLines}},
        "handlers": {"stderr": handler},
        "loggers": {
            name: {"handlers": ["stderr"], "level": level.upper(), "propagate": False}
            for name in loggers
        },
    }
