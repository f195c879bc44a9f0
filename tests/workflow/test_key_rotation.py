"""Key rotation: an event started under key A, continued and finished after the current key
became B (A kept for decryption), stays readable; without A it is not.
"""

import base64
from datetime import timedelta

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from onceonly.binaries import temporal_test_server
from onceonly.codec import KeyringError, data_converter
from onceonly.domain.catalogue import BIRTH
from onceonly.domain.life_event import EventStatus
from onceonly.temporal import register_search_attributes
from onceonly.testing import workflow_worker
from tests.workflow.test_birth_workflow import TASK_QUEUE, FakeAgencies, decisions, start_birth
from workflows.birth import BirthWorkflow

KEY_A = "a:" + base64.b64encode(b"A" * 32).decode()
KEY_B = "b:" + base64.b64encode(b"B" * 32).decode()


def with_keys(client: Client, keyring: str) -> Client:
    config = client.config()
    config["data_converter"] = data_converter(keyring)
    return Client(**config)


async def test_an_event_started_under_key_a_finishes_and_reads_after_rotation_to_b():
    async with await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(KEY_A),
        test_server_existing_path=str(temporal_test_server()),
    ) as env:
        await register_search_attributes(env.client, "default")
        # Started by a client still on key A (an API not yet redeployed); the worker and every
        # later call are on B, keeping A only to decrypt.
        # No withdrawal window: the rotated client waits on the result without skipping time.
        handle = await start_birth(env.client, withdrawal_window=timedelta(0))
        rotated = with_keys(env.client, f"{KEY_B},{KEY_A}")
        agencies = FakeAgencies()
        async with workflow_worker(
            rotated, task_queue=TASK_QUEUE, workflows=[BirthWorkflow], activities=[agencies.submit]
        ):
            on_b = rotated.get_workflow_handle_for(BirthWorkflow.run, handle.id)
            await on_b.execute_update(
                BirthWorkflow.decide_consent, decisions(**{s.id: "grant" for s in BIRTH.steps})
            )
            final = await on_b.result()
            assert final.status is EventStatus.COMPLETED
            assert (await on_b.query(BirthWorkflow.progress)).status is EventStatus.COMPLETED

        history = await on_b.fetch_history()
        started = history.events[0].workflow_execution_started_event_attributes.input.payloads
        completed = history.events[-1].workflow_execution_completed_event_attributes.result.payloads
        assert started[0].metadata["encryption-key-id"] == b"a"
        assert completed[0].metadata["encryption-key-id"] == b"b"
        only_b = with_keys(env.client, KEY_B)
        with pytest.raises(KeyringError, match="unknown key id 'a'"):
            await only_b.data_converter.decode(started)
