"""Connecting to Temporal with the project's data converter, and the workflows it runs."""

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from onceonly.codec import data_converter
from onceonly.settings import Settings
from workflows import search_attributes
from workflows.birth import BirthWorkflow

WORKFLOWS = [BirthWorkflow]


async def connect(settings: Settings) -> Client:
    """A client for the configured server and namespace, encrypting every payload."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings.payload_keys),
    )


async def register_search_attributes(client: Client, namespace: str) -> None:
    """Register the project's search attributes on a server that lacks them (a cluster, or
    the time-skipping test server); the dev server gets them from its start flags instead.
    """
    for key in search_attributes.ALL:
        request = AddSearchAttributesRequest(
            namespace=namespace,
            search_attributes={key.name: IndexedValueType.ValueType(key.indexed_value_type.value)},
        )
        try:
            await client.operator_service.add_search_attributes(request)
        except RPCError as error:
            # Registering is idempotent: an attribute that exists already is what we want.
            if error.status is not RPCStatusCode.ALREADY_EXISTS:
                raise
