"""TLS to Temporal from settings: none for the dev server, server-verified TLS for a cluster
with its own CA, mTLS with a client certificate for Temporal Cloud; `connect` uses it.
"""

from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.service import TLSConfig

from onceonly.settings import Settings
from onceonly.temporal import connect, tls_config
from tests.conftest import TEST_PAYLOAD_KEYS


@pytest.fixture
def pems(tmp_path: Path) -> dict[str, Path]:
    files = {"cert": b"CLIENT CERT PEM", "key": b"CLIENT KEY PEM", "ca": b"SERVER CA PEM"}
    for name, content in files.items():
        (tmp_path / f"{name}.pem").write_bytes(content)
    return {name: tmp_path / f"{name}.pem" for name in files}


def test_no_tls_settings_means_plain_grpc_as_the_dev_server_speaks():
    assert tls_config(Settings()) is False


def test_a_client_certificate_and_key_give_mtls_with_the_systems_roots(pems):
    settings = Settings(TEMPORAL_TLS_CERT=pems["cert"], TEMPORAL_TLS_KEY=pems["key"])
    assert tls_config(settings) == TLSConfig(
        client_cert=b"CLIENT CERT PEM", client_private_key=b"CLIENT KEY PEM"
    )


def test_a_private_ca_and_server_name_verify_a_self_hosted_cluster(pems):
    settings = Settings(
        TEMPORAL_TLS_CERT=pems["cert"],
        TEMPORAL_TLS_KEY=pems["key"],
        TEMPORAL_TLS_CA=pems["ca"],
        TEMPORAL_TLS_SERVER_NAME="temporal.internal.example.govt.nz",
    )
    assert tls_config(settings) == TLSConfig(
        server_root_ca_cert=b"SERVER CA PEM",
        domain="temporal.internal.example.govt.nz",
        client_cert=b"CLIENT CERT PEM",
        client_private_key=b"CLIENT KEY PEM",
    )
    ca_only = Settings(TEMPORAL_TLS_CA=pems["ca"])
    assert tls_config(ca_only) == TLSConfig(server_root_ca_cert=b"SERVER CA PEM")


def test_a_certificate_without_its_key_is_a_clear_error(pems):
    with pytest.raises(ValueError, match="TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY"):
        tls_config(Settings(TEMPORAL_TLS_CERT=pems["cert"]))
    with pytest.raises(ValueError, match="set both"):
        tls_config(Settings(TEMPORAL_TLS_KEY=pems["key"]))


def test_the_settings_read_temporals_conventional_variables(pems, monkeypatch):
    monkeypatch.setenv("TEMPORAL_TLS_CERT", str(pems["cert"]))
    monkeypatch.setenv("TEMPORAL_TLS_KEY", str(pems["key"]))
    monkeypatch.setenv("TEMPORAL_TLS_SERVER_NAME", "ns.a1b2c.tmprl.cloud")
    settings = Settings()
    assert (settings.temporal_tls_cert, settings.temporal_tls_key) == (pems["cert"], pems["key"])
    assert settings.temporal_tls_server_name == "ns.a1b2c.tmprl.cloud"


async def test_connect_passes_the_tls_config_to_the_client(pems, monkeypatch):
    seen: dict[str, object] = {}
    client = object()

    async def fake_connect(address: str, **options):
        seen.update(options, address=address)
        return client

    monkeypatch.setattr(Client, "connect", fake_connect)
    settings = Settings(
        TEMPORAL_ADDRESS="ns.a1b2c.tmprl.cloud:7233",
        TEMPORAL_NAMESPACE="ns.a1b2c",
        TEMPORAL_TLS_CERT=pems["cert"],
        TEMPORAL_TLS_KEY=pems["key"],
        payload_keys=TEST_PAYLOAD_KEYS,
    )
    assert await connect(settings) is client
    assert seen["address"] == "ns.a1b2c.tmprl.cloud:7233"
    assert seen["namespace"] == "ns.a1b2c"
    assert seen["tls"] == TLSConfig(
        client_cert=b"CLIENT CERT PEM", client_private_key=b"CLIENT KEY PEM"
    )
