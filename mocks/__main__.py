"""Run the mock agencies: `python -m mocks --host 127.0.0.1 --port 8100 --db PATH`."""

import argparse
import os
import sys
from pathlib import Path

import uvicorn

from mocks.app import create_app, refusals
from mocks.kit.logs import uvicorn_log_config


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve the mock agencies until stopped (SIGTERM or Ctrl-C)."""
    parser = argparse.ArgumentParser(prog="python -m mocks", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8100, help="port to listen on")
    parser.add_argument(
        "--db",
        type=Path,
        default=Path(".onceonly/agencies.db"),
        help="SQLite file holding the agencies' records (created if missing)",
    )
    parser.add_argument("--log-level", default="info", help="uvicorn's log level")
    args = parser.parse_args(argv)
    refused = refusals(os.environ)
    for reason in refused:
        print(f"python -m mocks: refusing to start: {reason}", file=sys.stderr)
    if refused:
        raise SystemExit(2)
    uvicorn.run(
        create_app(args.db),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        log_config=uvicorn_log_config(args.log_level),
    )


if __name__ == "__main__":
    main()
