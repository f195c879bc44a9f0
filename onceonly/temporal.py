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
from temporalio.service import RPCError, RPCStatusCode, TLSConfig

from onceonly.codec import data_converter
from onceonly.domain import search_attributes
from onceonly.settings import Settings
from workflows.birth import BirthWorkflow
from workflows.death import DeathWorkflow
from workflows.move import MoveWorkflow
from workflows.prefill import PrefillWorkflow

WORKFLOWS = [BirthWorkflow, MoveWorkflow, DeathWorkflow, PrefillWorkflow]


async def connect(settings: Settings, runtime: Runtime | None = None) -> Client:
    """A client for the configured server and namespace, encrypting every payload; on the
    SDK's default runtime unless given one (the worker's, which serves metrics).
    """
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings.payload_keys),
        runtime=runtime,
        tls=tls_config(settings),
    )


def tls_config(settings: Settings) -> TLSConfig | bool:
    """TLS to Temporal as the settings ask: none (the dev server), server-verified TLS (a CA
    and/or server name), or mTLS with a client certificate (Temporal Cloud, most clusters).
    """
    cert, key, ca = settings.temporal_tls_cert, settings.temporal_tls_key, settings.temporal_tls_ca
    if (cert is None) != (key is None):
        raise ValueError("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: set both (mTLS) or neither")
    if cert is None and ca is None and settings.temporal_tls_server_name is None:
        return False
    return TLSConfig(
        server_root_ca_cert=ca.read_bytes() if ca else None,
        domain=settings.temporal_tls_server_name,
        client_cert=cert.read_bytes() if cert else None,
        client_private_key=key.read_bytes() if key else None,
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
