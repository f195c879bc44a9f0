"""Connecting to Temporal with the project's data converter, and the workflows it runs."""

from temporalio.client import Client

from onceonly.codec import data_converter
from onceonly.settings import Settings
from workflows.birth import BirthWorkflow

WORKFLOWS = [BirthWorkflow]


async def connect(settings: Settings) -> Client:
    """A client for the configured server and namespace, encrypting every payload."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings.payload_keys),
    )
