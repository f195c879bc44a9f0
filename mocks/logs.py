"""The mock agencies' logs: one JSON object per line, like every onceonly process, written
with the standard library alone (the mocks share no code with onceonly).
"""

import json
import logging
from datetime import UTC, datetime
from typing import Any


class JsonLines(logging.Formatter):
    """A log record as a JSON line: time, level, logger and message (no request bodies ever
    reach the mocks' logs: uvicorn's access log holds method, path and status only)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON object."""
        line = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        return json.dumps(line, ensure_ascii=False)


def uvicorn_log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging, every line through JsonLines on stderr."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    loggers = ("uvicorn", "uvicorn.error", "uvicorn.access")
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
