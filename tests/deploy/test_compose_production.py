"""docker-compose.yml as a real host would run it: production mode in every onceonly process,
every secret a required variable, the mock agencies holding the same keys as onceonly, the
shared store in a database of its own, the APIs behind the proxy, and only the ports people
need published.

The variables come from `onceonly keys generate` through an env file, as an operator
following the README would supply them; compose's interpolation is done here as compose does
it (tests/deploy/compose.py).
"""

import asyncio
import io
import re
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from dotenv import dotenv_values
from uvicorn import Config
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from mocks.app import api_key_from_env, refusals
from mocks.kit.callbacks import Callback, callback_target, signed_request
from mocks.kit.receipts import receipt_keys_from_env, verified_claims
from onceonly.callbacks import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_callback
from onceonly.keys import env_file, generate_secrets
from onceonly.production import production_problems
from onceonly.receipts import sign_receipt
from onceonly.settings import AGENCIES, DEV_RECEIPT_SIGNING_KEY, Settings
from tests.deploy.compose import (
    OUR_IMAGE,
    ROOT,
    MissingVariable,
    environment,
    interpolate,
    load_compose,
    proxy_routes,
    published_ports,
    service_env,
    settings_of,
    variable_references,
)

PROXY_CONFIG = (ROOT / "deploy" / "nginx" / "onceonly.conf").read_text(encoding="utf-8")
# The secrets production refuses at their development values (onceonly/production.py), by the
# variable that sets each: every onceonly service must set every one of them.
SECRETS = (
    "ONCEONLY_JWT_SECRET",
    "ONCEONLY_CITIZEN_KEY_SECRET",
    "ONCEONLY_PAYLOAD_KEYS",
    "ONCEONLY_RECEIPT_SIGNING_KEY",
    "ONCEONLY_AGENCY_CALLBACK_SECRETS",
    "ONCEONLY_AGENCY_API_KEYS",
    "ONCEONLY_MOCKS_ADMIN_KEY",
)
# Who may publish a host port, and on which address (None: every interface):
# - the proxy's :8000 is the citizen API and portal, and the agencies' callbacks: public;
# - the proxy's :8081 (the codec server), the Web UI and Prometheus are for operators, and
#   have no sign-in of their own (the UI can cancel any event): loopback, through a tunnel.
PUBLISHED = {
    "proxy": {(None, 8000), ("127.0.0.1", 8081)},
    "temporal-ui": {("127.0.0.1", 8233)},
    "prometheus": {("127.0.0.1", 9090)},
}


@pytest.fixture(scope="module")
def variables() -> dict[str, str]:
    """A full set of variables, read back from the env file `onceonly keys generate` writes."""
    text = env_file(generate_secrets())
    return {name: value or "" for name, value in dotenv_values(stream=io.StringIO(text)).items()}


@pytest.fixture(scope="module")
def compose(variables) -> dict[str, Any]:
    interpolated: dict[str, Any] = interpolate(load_compose(), variables)
    return interpolated


@pytest.fixture(scope="module")
def onceonly_services(compose) -> dict[str, dict[str, Any]]:
    """The services that run an `onceonly` command, by name."""
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("image") == OUR_IMAGE and service["command"][0] == "onceonly"
    }


@pytest.fixture(scope="module")
def api_settings(compose) -> Settings:
    return settings_of(compose["services"]["api"])


@pytest.fixture(scope="module")
def mocks_env(compose) -> dict[str, str]:
    return service_env(compose["services"]["agencies"])


def test_every_variable_is_required_and_says_how_to_make_it():
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    references = variable_references(text)
    assert len(references) > 20
    for reference in references:
        assert reference.group("op") == ":?", f"{reference.group(0)}: make it ${{NAME:?...}}"
        assert "onceonly keys generate" in reference.group("word"), reference.group(0)


def test_onceonly_keys_generate_makes_every_variable_compose_requires(variables):
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    required = {reference.group("braced") for reference in variable_references(text)}
    assert required == set(variables)


@pytest.mark.parametrize("missing", sorted(generate_secrets()))
def test_compose_refuses_to_start_without_any_one_of_them(variables, missing):
    with pytest.raises(MissingVariable, match=f"required variable {missing} "):
        interpolate(load_compose(), {k: v for k, v in variables.items() if k != missing})


def test_every_onceonly_service_is_in_production_mode_with_every_setting_it_needs(
    onceonly_services,
):
    assert set(onceonly_services) == {"setup", "codec", "worker", "api"}
    for name, service in onceonly_services.items():
        env = service_env(service)
        assert env["ONCEONLY_ENVIRONMENT"] == "production", name
        missing = [
            variable for variable in (*SECRETS, "ONCEONLY_DATABASE_URL") if not env.get(variable)
        ]
        assert not missing, f"{name} lacks {missing}"
        assert env["ONCEONLY_PORTAL_DEV_LOGIN"] == "false", name
        process = service["command"][1]
        assert production_problems(settings_of(service), process) == {}, name


def test_no_secret_is_left_at_its_development_default(onceonly_services):
    defaults = Settings.model_construct()
    for name, service in onceonly_services.items():
        settings = settings_of(service)
        for variable in SECRETS:
            field = variable.removeprefix("ONCEONLY_").lower()
            assert getattr(settings, field) != getattr(defaults, field), f"{name}: {variable}"


def test_the_store_is_a_database_and_role_of_its_own_not_temporals(compose, onceonly_services):
    services = compose["services"]
    temporal_user = services["postgresql"]["environment"]["POSTGRES_USER"]
    # The databases Temporal's schema one-shot makes (`for pair in db:schema ...`).
    pairs = re.search(r"for pair in ([^;]+);", services["temporal-schema"]["command"][0])
    assert pairs is not None
    temporal_databases = {pair.split(":")[0] for pair in pairs.group(1).split()}
    assert temporal_databases == {"temporal", "temporal_visibility"}
    for name, service in onceonly_services.items():
        url = urlsplit(settings_of(service).database_url or "")
        assert url.scheme == "postgresql" and url.hostname == "postgresql", name
        assert url.username == "onceonly" != temporal_user, name
        assert url.path.lstrip("/") == "onceonly", name
        assert url.path.lstrip("/") not in {*temporal_databases, "postgres"}, name
        assert (
            url.password
            and url.password != services["postgresql"]["environment"]["POSTGRES_PASSWORD"]
        )
        # The role's password is the one the one-shot sets.
        assert url.password == services["onceonly-database"]["environment"]["ONCEONLY_DB_PASSWORD"]
    script = (ROOT / "deploy/postgres/onceonly-database.sql").read_text(encoding="utf-8")
    assert "CREATE ROLE onceonly" in script and "CREATE DATABASE onceonly OWNER onceonly" in script


def test_setup_runs_after_the_database_exists_and_before_workers_and_apis(compose):
    services = compose["services"]
    one_shot = services["onceonly-database"]
    assert one_shot["command"][0] == "psql"
    assert one_shot["configs"][0]["target"] == one_shot["command"][-1]
    assert compose["configs"][one_shot["configs"][0]["source"]]["file"] == (
        "./deploy/postgres/onceonly-database.sql"
    )
    assert one_shot["depends_on"]["postgresql"]["condition"] == "service_healthy"
    setup = services["setup"]["depends_on"]
    assert setup["onceonly-database"]["condition"] == "service_completed_successfully"
    for name in ("worker", "api"):
        assert services[name]["depends_on"]["setup"]["condition"] == (
            "service_completed_successfully"
        )


def test_the_mocks_run_in_production_and_would_start(mocks_env):
    assert mocks_env["MOCK_ENVIRONMENT"] == "production"
    assert refusals(mocks_env) == []
    # They stand for other organisations' systems: none of onceonly's own secrets.
    assert not [name for name in mocks_env if name.startswith("ONCEONLY_")]


def test_the_mocks_hold_the_keys_onceonly_calls_them_with(mocks_env, api_settings):
    for agency in AGENCIES:
        assert api_key_from_env(agency, mocks_env) == api_settings.agency_api_keys[agency]
    assert mocks_env["MOCK_ADMIN_KEY"] == api_settings.mocks_admin_key


def test_the_mocks_verify_the_receipts_onceonly_signs(mocks_env, api_settings):
    keys = receipt_keys_from_env(mocks_env)
    assert keys is not None
    receipt = sign_receipt(api_settings, {"iss": "onceonly", "iat": int(time.time())})
    assert verified_claims(receipt, keys) is not None
    forged = sign_receipt(
        Settings(receipt_signing_key=DEV_RECEIPT_SIGNING_KEY),
        {"iss": "onceonly", "iat": int(time.time())},
    )
    assert verified_claims(forged, keys) is None  # the development key signs nothing here


def test_the_mocks_call_back_through_the_proxy_with_secrets_onceonly_accepts(
    mocks_env, api_settings
):
    api_port = api_settings.api_port
    routes = {route.listen: route for route in proxy_routes(PROXY_CONFIG)}
    for agency in AGENCIES:
        target = callback_target(agency, mocks_env)
        assert target is not None, agency
        url = urlsplit(target.url)
        assert url.hostname == "proxy" and routes[url.port or 80].upstream == f"api:{api_port}"
        assert url.path == f"/v1/agency-callbacks/{agency}"
        now = time.time()
        callback = Callback("cb-1", "key", "ref", "completed")
        body, headers = signed_request(callback, target.secret, now)
        secret = api_settings.agency_callback_secrets[agency].encode()
        verify_callback(secret, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER], body, now)


def test_only_the_proxy_the_web_ui_and_prometheus_publish_ports(compose):
    published = {
        name: {(port.host_ip, port.host_port) for port in published_ports(service)}
        for name, service in compose["services"].items()
        if service.get("ports")
    }
    assert published == PUBLISHED


def test_the_proxy_spreads_the_api_and_the_codec_server_over_every_replica(compose):
    services = compose["services"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert tuple(map(int, proxy["image"].split(":")[1].split("-")[0].split("."))) >= (1, 27, 3)
    assert proxy["configs"][0]["target"] == "/etc/nginx/conf.d/default.conf"
    assert (
        compose["configs"][proxy["configs"][0]["source"]]["file"] == "./deploy/nginx/onceonly.conf"
    )
    assert "resolver 127.0.0.11" in PROXY_CONFIG  # Docker's DNS: one address per replica
    routes = {route.listen: route for route in proxy_routes(PROXY_CONFIG)}
    forwarded = {port.host_port: routes[port.container_port] for port in published_ports(proxy)}
    assert forwarded[8000].upstream == f"api:{settings_of(services['api']).api_port}"
    assert forwarded[8081].upstream == f"codec:{settings_of(services['codec']).codec_port}"
    for route in routes.values():
        assert route.resolves, f"{route.upstream}: add `resolve` so new replicas are used"
        # The client's address, not a header the client sent, keys its rate budget.
        assert route.headers["X-Forwarded-For"] == "$remote_addr"


def test_the_api_scales_behind_the_proxy_and_trusts_only_its_forwarded_address(compose):
    api = compose["services"]["api"]
    assert api["deploy"]["replicas"] >= 2
    assert "ports" not in api and "container_name" not in api
    trusted = api["environment"]["FORWARDED_ALLOW_IPS"].split(",")
    assert "*" not in trusted and all(network.endswith(("/8", "/12", "/16")) for network in trusted)
    assert compose["services"]["proxy"]["depends_on"]["api"]["condition"] == "service_healthy"


def _client_seen_by_the_api(allowed: list[str] | str, peer: str, forwarded: str) -> str:
    """The client address the API's server (uvicorn, trusting `allowed`) gives a request
    from `peer` carrying `X-Forwarded-For: forwarded`."""
    seen = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["client"][0])

    scope = {
        "type": "http",
        "client": (peer, 40000),
        "headers": [(b"x-forwarded-for", forwarded.encode())],
    }
    asyncio.run(ProxyHeadersMiddleware(app, trusted_hosts=allowed)(scope, None, None))  # type: ignore[arg-type]
    return str(seen[0])


def test_the_api_budgets_the_client_the_proxy_names_and_ignores_the_header_from_others(compose):
    with environment(service_env(compose["services"]["api"])):
        allowed = Config(app="onceonly").forwarded_allow_ips  # read as `onceonly api` reads it
    assert allowed == compose["services"]["api"]["environment"]["FORWARDED_ALLOW_IPS"]
    # The proxy, at an address on a compose network, names the client it saw.
    assert _client_seen_by_the_api(allowed, "172.18.0.7", "203.0.113.9") == "203.0.113.9"
    # A peer outside compose's networks cannot pick its own address.
    assert _client_seen_by_the_api(allowed, "198.51.100.4", "203.0.113.9") == "198.51.100.4"


def test_the_proxy_config_reader_needs_each_route_to_name_its_upstream():
    with pytest.raises(ValueError, match="listen on a port and proxy_pass"):
        proxy_routes("server {\n    listen 8000;\n}\n")
    routes = proxy_routes(
        "upstream a {\n    server b:1;\n}\nserver {\n    listen 2;\n"
        "    location / { proxy_pass http://a; }\n}\n"
    )
    assert [(r.listen, r.upstream, r.resolves) for r in routes] == [(2, "b:1", False)]
