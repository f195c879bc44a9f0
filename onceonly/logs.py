"""Structured logs for every process: one JSON object per line, ids and names only."""

import logging

import structlog


def configure_logging(level: int = logging.INFO) -> None:
    """Send structlog and stdlib logging to stderr as JSON lines."""
    logging.basicConfig(level=level, format="%(message)s")
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(),
    )
