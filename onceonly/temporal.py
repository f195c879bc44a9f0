"""Connecting to Temporal with the project's data converter, and the workflows it runs."""

import logging

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    PrometheusConfig,
    Runtime,
    TelemetryConfig,
)
from temporalio.service import RPCError, RPCStatusCode

from onceonly.codec import data_converter
from onceonly.settings import Settings
from workflows import search_attributes
from workflows.birth import BirthWorkflow
from workflows.death import DeathWorkflow
from workflows.move import MoveWorkflow

WORKFLOWS = [BirthWorkflow, MoveWorkflow, DeathWorkflow]


async def connect(settings: Settings, runtime: Runtime | None = None) -> Client:
    """A client for the configured server and namespace, encrypting every payload; on the
    SDK's default runtime unless given one (the worker's, which serves metrics).
    """
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings.payload_keys),
        runtime=runtime,
    )


def sdk_runtime(metrics_address: str | None = None) -> Runtime:
    """A Temporal SDK runtime whose core logs go through stdlib logging (so they come out as
    the project's JSON, redacted) and which, given `host:port`, serves Prometheus metrics.
    """
    # The core writes its own plain-text lines to stderr unless its logs are forwarded.
    forwarding = LogForwardingConfig(logger=logging.getLogger("temporalio.core"))
    return Runtime(
        telemetry=TelemetryConfig(
            logging=LoggingConfig(filter=LoggingConfig.default.filter, forwarding=forwarding),
            metrics=PrometheusConfig(bind_address=metrics_address) if metrics_address else None,
        )
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
