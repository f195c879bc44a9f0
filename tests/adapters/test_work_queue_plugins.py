"""Building the work-queue kind: the Māori Land Court's plugin is one, a deployment puts any
catalogue agency there (`work_queue_agencies`), and a worker with the council there still
starts; and the settings that choose it refuse what they cannot use, naming themselves."""

import os
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from unittest import mock

import httpx
import pytest
from pydantic import ValidationError

from adapters.council import CouncilAdapter
from adapters.plugins import PluginError, WorkQueuePlugin, discover_plugins
from adapters.registry import build_adapters
from adapters.work_queue import WorkQueueAdapter
from onceonly.cli import main
from onceonly.domain.inbox import TaskInbox
from onceonly.life_events import check_life_events
from onceonly.local_stack import LocalStack
from onceonly.settings import Settings
from onceonly.store import migrate_store, opened_store
from onceonly.supervisor import LOCAL_DEFAULTS
from onceonly.worker import check_capabilities
from tests.adapters.support import BASE_URL, KEYS


@pytest.fixture
async def inbox(settings: Settings, tmp_path: Path) -> AsyncIterator[TaskInbox]:
    on_disk = settings.model_copy(update={"store_path": tmp_path / "store.db"})
    await migrate_store(on_disk)
    async with opened_store(on_disk) as store:
        yield store.inbox


def test_the_maori_land_courts_plugin_is_a_work_queue():
    found = discover_plugins()["maori_land_court"]
    assert isinstance(found.plugin, WorkQueuePlugin)
    assert found.distribution.startswith("onceonly ")


async def test_with_the_inbox_the_court_and_the_named_agencies_open_tasks(inbox: TaskInbox):
    keys = {agency: key for agency, key in KEYS.items() if agency != "council"}
    async with httpx.AsyncClient() as client:
        adapters = build_adapters(
            client,
            BASE_URL,
            keys,  # the council needs no API key on the work queue
            environ={},
            inbox=inbox,
            work_queue_agencies=("council",),
            inbox_due=timedelta(seconds=30),
        )
    court, council = adapters["maori_land_court"], adapters["council"]
    assert isinstance(court, WorkQueueAdapter) and isinstance(council, WorkQueueAdapter)
    assert council.work_queue_policy.due == timedelta(seconds=30)
    assert court.work_queue_policy.due == timedelta(seconds=30)
    assert not isinstance(adapters["ird"], WorkQueueAdapter)
    # The worker's start-up checks pass: every agency has an adapter, proof of effect a status.
    check_life_events(adapters)
    check_capabilities(adapters)


async def test_without_the_inbox_the_court_is_left_out_and_the_council_keeps_its_api():
    async with httpx.AsyncClient() as client:
        adapters = build_adapters(client, BASE_URL, KEYS, environ={})
        assert "maori_land_court" not in adapters
        assert isinstance(adapters["council"], CouncilAdapter)
        with pytest.raises(PluginError, match="work_queue_agencies names council, but no inbox"):
            build_adapters(client, BASE_URL, KEYS, environ={}, work_queue_agencies=("council",))


def env_settings(**env: str) -> Settings:
    with mock.patch.dict(os.environ, env, clear=True):
        return Settings()


def test_the_work_queue_agencies_are_comma_separated_catalogue_agencies():
    chosen = env_settings(ONCEONLY_WORK_QUEUE_AGENCIES=" council, nzta ,")
    assert chosen.work_queue_agencies == ("council", "nzta")
    assert env_settings().work_queue_agencies == ()
    with pytest.raises(ValidationError, match=r"work_queue_agencies\n.*names 'counsel', which"):
        env_settings(ONCEONLY_WORK_QUEUE_AGENCIES="council,counsel")


def test_the_inbox_contacts_are_agency_email_pairs_of_catalogue_agencies():
    pairs = "council:inbox@council.govt.nz, maori_land_court:tari@mlc.govt.nz"
    contacts = env_settings(ONCEONLY_AGENCY_INBOX_CONTACTS=pairs).agency_inbox_contacts
    assert contacts == {"council": "inbox@council.govt.nz", "maori_land_court": "tari@mlc.govt.nz"}
    with pytest.raises(ValidationError, match=r"agency_inbox_contacts\n.*agency:email pairs"):
        env_settings(ONCEONLY_AGENCY_INBOX_CONTACTS="council")
    with pytest.raises(ValidationError, match=r"agency_inbox_contacts\n.*names 'kiwibank'"):
        env_settings(ONCEONLY_AGENCY_INBOX_CONTACTS="kiwibank:a@b.nz")


def test_the_due_and_reminder_times_must_be_positive():
    assert env_settings(ONCEONLY_INBOX_DUE_SECONDS="90").inbox_due_seconds == 90
    with pytest.raises(ValidationError, match="inbox_due_seconds"):
        env_settings(ONCEONLY_INBOX_DUE_SECONDS="0")
    with pytest.raises(ValidationError, match="inbox_remind_every_seconds"):
        env_settings(ONCEONLY_INBOX_REMIND_EVERY_SECONDS="-1")


def test_onceonly_up_puts_the_council_on_the_work_queue_and_test_stacks_do_not(tmp_path):
    up = env_settings(**LOCAL_DEFAULTS)
    assert up.work_queue_agencies == ("council",)
    assert set(up.agency_inbox_contacts) == {"council", "maori_land_court"}
    inherited = {"ONCEONLY_WORK_QUEUE_AGENCIES": "council"}  # a developer's own shell
    stack = LocalStack.on_free_ports(tmp_path, {}, inherit=inherited)
    assert stack.settings.work_queue_agencies == ()
    asked = LocalStack.on_free_ports(tmp_path, inherited, inherit={})
    assert asked.settings.work_queue_agencies == ("council",)


def test_the_adapters_command_lists_the_court_as_a_work_queue(capsys):
    assert main(["adapters"]) == 0
    out = capsys.readouterr().out
    assert "maori_land_court: onceonly 0.1.0\n  a work queue: tasks in its staff's inbox\n" in out
