"""The `onceonly` command: run the stack and its parts, mint tokens, play the demo."""

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from onceonly.keys import add_keys_parser
from onceonly.logs import configure_logging
from onceonly.ops_cli import add_ops_parser
from onceonly.production import refuse_development_settings, refuse_production_up
from onceonly.replay import add_replay_parser
from onceonly.settings import Settings, get_settings

if TYPE_CHECKING:
    from fastapi import FastAPI


def _settings_for(process: str) -> Settings:
    """The settings, after production mode's refusal of development ones (before any
    connection is made)."""
    settings = get_settings()
    refuse_development_settings(settings, process)
    return settings


def _up(_: argparse.Namespace) -> int:
    from onceonly.supervisor import LOCAL_DEFAULTS, up

    # Before the settings are read, and inherited by every child.
    for name, value in LOCAL_DEFAULTS.items():
        os.environ.setdefault(name, value)
    settings = get_settings()
    refuse_production_up(settings)
    return asyncio.run(up(settings))


def _worker(_: argparse.Namespace) -> int:
    settings = _settings_for("worker")
    from onceonly.worker import run_worker

    configure_logging()
    asyncio.run(run_worker(settings))
    return 0


def _serve(app: "FastAPI", port: int) -> int:
    import uvicorn

    configure_logging()
    settings = get_settings()
    # log_config=None keeps our JSON logging (configure_logging) for uvicorn's lines too.
    uvicorn.run(app, host=settings.host, port=port, log_level="warning", log_config=None)
    return 0


def _api(_: argparse.Namespace) -> int:
    settings = _settings_for("api")
    from onceonly.api.app import create_app

    return _serve(create_app(settings), settings.api_port)


def _codec_server(_: argparse.Namespace) -> int:
    settings = _settings_for("codec-server")
    from onceonly.codec_server import create_codec_app

    return _serve(create_codec_app(settings), settings.codec_port)


def _token(args: argparse.Namespace) -> int:
    from onceonly.auth import Role, mint_token

    subject = args.subject if args.subject_option is None else args.subject_option
    if (args.subject is None) == (args.subject_option is None):
        print("onceonly token: subject: give it once, as an argument or --subject", file=sys.stderr)
        return 2
    # Naming an agency makes the token a staff member's of that agency.
    role: Role = "agency" if args.agency is not None else args.role
    try:
        print(mint_token(get_settings(), subject, role=role, agency=args.agency))
    except ValueError as rule:
        print(f"onceonly token: {rule}", file=sys.stderr)
        return 2
    return 0


def _demo(args: argparse.Namespace) -> int:
    from onceonly.demo import DemoFailed, play, timeline

    settings = get_settings()
    try:
        event = play(settings, args.api_url or settings.api_url, args.citizen, args.event_type)
    except (DemoFailed, OSError) as failure:
        print(f"demo failed: {failure}", file=sys.stderr)
        return 1
    print(timeline(event))
    return 0


def _setup(_: argparse.Namespace) -> int:
    settings = _settings_for("setup")
    from onceonly.batch_schedules import ensure_schedules
    from onceonly.store import migrate_store
    from onceonly.temporal import connect, register_search_attributes

    async def set_up() -> None:
        where, applied = await migrate_store(settings)
        done = f"migrations {applied} applied" if applied else "schema up to date"
        print(f"store ({where}): {done}", flush=True)
        client = await connect(settings)
        await register_search_attributes(client, settings.temporal_namespace)
        print("search attributes registered", flush=True)
        schedules = await ensure_schedules(client, settings)
        print(f"batch exchange schedules: {', '.join(schedules) or 'none'}", flush=True)

    asyncio.run(set_up())
    return 0


def _adapters(_: argparse.Namespace) -> int:
    import httpx

    from adapters.plugins import WorkQueuePlugin, capabilities, discover_plugins

    # Built only to read what each can do: nothing is sent, so no key is needed.
    client = httpx.AsyncClient()
    for agency, found in sorted(discover_plugins().items()):
        if isinstance(found.plugin, WorkQueuePlugin):
            print(f"{agency}: {found.distribution}\n  a work queue: tasks in its staff's inbox")
            continue
        adapter = found.plugin.build(client, "http://agencies.invalid", "unused")
        policy = adapter.policy
        rate = policy.rate_limit_per_second
        print(
            f"{agency}: {found.distribution}\n"
            f"  capabilities: {', '.join(sorted(capabilities(adapter)))}\n"
            f"  policy: timeout {policy.call_timeout.total_seconds():g}s, retry after "
            f"{policy.first_retry.total_seconds():g}s x{policy.backoff:g} up to "
            f"{policy.max_retry_interval.total_seconds():g}s, polls up to "
            f"{max(policy.max_poll_interval, policy.poll_every).total_seconds():g}s apart, "
            f"{'no rate limit' if rate is None else f'{rate:g}/s'}, "
            f"{policy.max_concurrent_calls} at once"
        )
    return 0


def _record_histories(args: argparse.Namespace) -> int:
    from onceonly.recording import run_record_histories

    return run_record_histories(args.out)


def _translations(args: argparse.Namespace) -> int:
    from onceonly.portal.translators import missing, update_catalogue

    if args.update:
        print(f"updated {update_catalogue(args.lang)}")
    gaps = missing(args.lang)
    for gap in gaps:
        print(f"{gap.message_id}\t{'changed' if gap.stale else 'new'}\t{gap.english}")
    print(f"{len(gaps)} message(s) shown in English in {args.lang!r}", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line."""
    root = argparse.ArgumentParser(prog="onceonly", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="start and supervise the whole local stack").set_defaults(
        run=_up
    )
    commands.add_parser("worker", help="run a Temporal worker").set_defaults(run=_worker)
    commands.add_parser("api", help="serve the citizen API").set_defaults(run=_api)
    commands.add_parser(
        "codec-server", help="serve the codec server (decoded payloads for operators)"
    ).set_defaults(run=_codec_server)
    commands.add_parser(
        "setup",
        help="apply the store's schema migrations, register the search attributes on the "
        "Temporal cluster and create the batch exchange's schedules (idempotent)",
    ).set_defaults(run=_setup)
    token = commands.add_parser("token", help="mint a bearer token for trying the API")
    token.add_argument("subject", nargs="?", help="the citizen's (operator's, staff member's) id")
    token.add_argument("--subject", dest="subject_option", help="the same, as an option")
    token.add_argument("--role", choices=["citizen", "operator", "agency"], default="citizen")
    token.add_argument(
        "--agency", help="a staff token for this agency's inbox (its catalogue id, as council)"
    )
    token.set_defaults(run=_token)
    demo = commands.add_parser("demo", help="play a citizen's journey against a running stack")
    demo.add_argument("event_type", choices=["birth", "move", "death"])
    demo.add_argument("--api-url", help="the API's URL (default: from settings)")
    demo.add_argument("--citizen", default="demo-citizen", help="the citizen id to play")
    demo.set_defaults(run=_demo)
    commands.add_parser(
        "adapters", help="list the agency adapters installed, their capabilities and policies"
    ).set_defaults(run=_adapters)
    add_keys_parser(commands)
    add_ops_parser(commands)
    add_replay_parser(commands)
    dev = commands.add_parser("dev", help="contributors' tools")
    dev_commands = dev.add_subparsers(dest="dev_command", required=True)
    record = dev_commands.add_parser(
        "record-histories",
        help="record tests/histories/ from a stack of its own (synthetic data, dev key)",
    )
    record.add_argument(
        "--out", type=Path, default=Path("tests/histories"), help="where histories go"
    )
    record.set_defaults(run=_record_histories)
    translations = dev_commands.add_parser(
        "translations",
        help="list the portal's messages a language still shows in English (tab-separated: "
        "message id, new or changed, the English)",
    )
    translations.add_argument("--lang", default="mi", help="the language (default: mi)")
    translations.add_argument(
        "--update",
        action="store_true",
        help="first bring the language's catalogue up to date with the English (new entries "
        "empty, changed ones marked fuzzy)",
    )
    translations.set_defaults(run=_translations)
    return root


# Short-lived commands that talk to Temporal. The SDK's core runtime keeps native threads
# that can call into Python while the interpreter finalizes, which aborts the process (exit
# -6) after the work is done; these commands end at once, their output flushed, instead.
_EXIT_WITHOUT_FINALIZING = frozenset({"ops", "setup", "replay", "dev"})


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `onceonly` console script."""
    args = parser().parse_args(argv)
    code: int = args.run(args)
    if args.command in _EXIT_WITHOUT_FINALIZING and argv is None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


if __name__ == "__main__":
    sys.exit(main())
