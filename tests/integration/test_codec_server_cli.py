"""The codec server as an operator uses it: `temporal workflow show --codec-endpoint` against a
real dev server's history, encrypted by the project's data converter.
"""

import asyncio
import base64
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from temporalio.testing import WorkflowEnvironment

from onceonly.auth import mint_token
from onceonly.binaries import temporal_cli
from onceonly.codec import ENCODING, data_converter
from onceonly.codec_server import create_codec_app
from onceonly.local_stack import free_port
from onceonly.settings import Settings

pytestmark = pytest.mark.integration
PROBE = "codec-probe-Aroha-7f3a"  # ASCII, so the CLI prints it as it is


@pytest.fixture
def codec_url(settings: Settings) -> Iterator[str]:
    """The codec server on a free loopback port, in a thread of this process."""
    port = free_port()
    config = uvicorn.Config(
        create_codec_app(settings), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "codec server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


async def show(address: str, workflow_id: str, *flags: str) -> str:
    process = await asyncio.create_subprocess_exec(
        str(temporal_cli()),
        "workflow",
        "show",
        "--address",
        address,
        "--workflow-id",
        workflow_id,
        "--detailed",
        *flags,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_temporal_workflow_show_decodes_through_the_codec_server(settings, codec_url):
    port = free_port()
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_cli()),
        port=port,
        data_converter=data_converter(settings.payload_keys),
    ) as env:
        # No worker is needed: the input is in the history as soon as the workflow starts.
        await env.client.start_workflow(
            "CodecProbe", PROBE, id="codec-probe", task_queue="no-worker-polls-this"
        )
        address = f"127.0.0.1:{port}"
        token = mint_token(settings, "ops-1", role="operator")

        ciphertext = await show(address, "codec-probe")
        plaintext = await show(
            address, "codec-probe", "--codec-endpoint", codec_url, "--codec-auth", f"Bearer {token}"
        )

    # The CLI prints a payload it cannot decode as base64 fields, its encoding among them.
    encrypted = base64.b64encode(ENCODING).decode()
    assert encrypted in ciphertext
    assert PROBE not in ciphertext
    assert encrypted not in plaintext
    assert f"input[0]: {PROBE}" in plaintext
