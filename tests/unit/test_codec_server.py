"""The codec server over ASGI: operators only, payloads round-trip, CORS for the Web UI only."""

import base64
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from google.protobuf import json_format
from structlog.testing import capture_logs
from temporalio.api.common.v1 import Payload, Payloads

from onceonly.auth import Role, mint_token
from onceonly.codec import ENCODING, EncryptionCodec, data_converter, parse_keyring
from onceonly.codec_server import OPERATOR_COOKIE, create_codec_app
from onceonly.settings import Settings

UI = "http://127.0.0.1:8233"  # the default settings' local Web UI
SECRET = "Aroha-Ngāta-codec-secret"
PLAIN = Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(SECRET).encode())


def as_json(*payloads: Payload) -> dict:
    return json.loads(json_format.MessageToJson(Payloads(payloads=payloads)))


def payloads_in(response: httpx.Response) -> list[Payload]:
    return list(json_format.Parse(response.content, Payloads()).payloads)


def bearer(settings: Settings, role: Role = "operator") -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(settings, 'ops-1', role=role)}"}


@pytest.fixture
async def codec(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_codec_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://codec") as client:
        yield client


@pytest.mark.parametrize("path", ["/encode", "/decode"])
async def test_without_a_valid_token_the_answer_is_401_as_a_problem(codec, settings, path):
    missing = await codec.post(path, json=as_json(PLAIN))
    assert missing.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.headers["www-authenticate"] == "Bearer"
    assert missing.json()["title"] == "Unauthorized"
    tampered = bearer(settings)["Authorization"][:-2] + "xx"
    rejected = await codec.post(path, json=as_json(PLAIN), headers={"Authorization": tampered})
    assert rejected.status_code == 401


@pytest.mark.parametrize("path", ["/encode", "/decode"])
async def test_a_citizen_token_is_forbidden(codec, settings, path):
    response = await codec.post(path, json=as_json(PLAIN), headers=bearer(settings, "citizen"))
    assert response.status_code == 403
    assert response.json()["detail"] == "Authorization: payloads are for operators' tokens"


async def test_encode_then_decode_round_trips_for_an_operator(codec, settings):
    other = Payload(metadata={"encoding": b"binary/null"})
    encoded = await codec.post("/encode", json=as_json(PLAIN, other), headers=bearer(settings))
    assert encoded.status_code == 200
    ciphertexts = payloads_in(encoded)
    assert [c.metadata["encoding"] for c in ciphertexts] == [ENCODING, ENCODING]
    assert SECRET.encode() not in encoded.content
    assert b"Aroha" not in b"".join(c.data for c in ciphertexts)
    decoded = await codec.post("/decode", json=encoded.json(), headers=bearer(settings))
    assert decoded.status_code == 200
    assert payloads_in(decoded) == [PLAIN, other]


async def test_decode_turns_what_the_data_converter_stored_into_its_plaintext_json(codec, settings):
    # The same path as the Web UI: ciphertext written by the worker's converter, read back.
    [stored] = await data_converter(settings.payload_keys).encode([{"given_name": SECRET}])
    assert stored.metadata["encoding"] == ENCODING
    response = await codec.post(
        "/decode", json=as_json(stored), headers={**bearer(settings), "X-Namespace": "default"}
    )
    [payload] = response.json()["payloads"]
    assert base64.b64decode(payload["metadata"]["encoding"]) == b"json/plain"
    assert json.loads(base64.b64decode(payload["data"])) == {"given_name": SECRET}


async def test_ciphertext_under_a_key_the_server_lacks_is_refused_without_echo(codec, settings):
    stranger = EncryptionCodec(parse_keyring("other:" + base64.b64encode(b"s" * 32).decode()))
    [foreign] = await stranger.encode([PLAIN])
    response = await codec.post("/decode", json=as_json(foreign), headers=bearer(settings))
    assert response.status_code == 422
    assert response.json()["title"] == "Cannot decode"


async def test_a_body_that_is_not_payloads_is_422_naming_the_field_only(codec, settings):
    body = b'{"payloads": "Aroha Ng\xc4\x81ta"}'
    response = await codec.post("/decode", content=body, headers=bearer(settings))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "payloads", "rule": "must be Temporal Payloads in protobuf JSON"}
    ]
    assert "Aroha" not in response.text


async def test_calls_are_logged_with_operator_namespace_and_count_never_contents(codec, settings):
    [stored] = await data_converter(settings.payload_keys).encode([SECRET])
    with capture_logs() as logs:
        await codec.post(
            "/decode", json=as_json(stored), headers={**bearer(settings), "X-Namespace": "births"}
        )
    assert logs == [
        {
            "event": "codec.decoded",
            "log_level": "info",
            "operator": "ops-1",
            "namespace": "births",
            "payloads": 1,
        }
    ]


@pytest.mark.parametrize("origin", [UI, "http://localhost:8233"])
async def test_a_preflight_from_the_web_ui_is_allowed_without_a_token(codec, origin):
    response = await codec.options(
        "/decode",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    assert response.headers["access-control-allow-credentials"] == "true"
    allowed = response.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "x-namespace"} <= set(allowed.split(", "))


async def test_a_preflight_from_another_origin_gets_no_allow_origin(codec):
    response = await codec.options(
        "/decode",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in response.headers
    answer = await codec.post("/decode", json=as_json(PLAIN), headers={"Origin": "https://x.test"})
    assert "access-control-allow-origin" not in answer.headers


async def test_answers_to_the_web_ui_carry_cors_even_when_refused(codec, settings):
    refused = await codec.post("/decode", json=as_json(PLAIN), headers={"Origin": UI})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == UI
    decoded = await codec.post(
        "/decode", json=as_json(PLAIN), headers={"Origin": UI, **bearer(settings)}
    )
    assert decoded.headers["access-control-allow-origin"] == UI


async def test_configured_origins_replace_the_local_ui(settings):
    configured = settings.model_copy(update={"codec_cors_origins": ["https://ops.example.govt.nz"]})
    transport = httpx.ASGITransport(app=create_codec_app(configured))
    async with httpx.AsyncClient(transport=transport, base_url="http://codec") as client:
        for origin, allowed in (("https://ops.example.govt.nz", True), (UI, False)):
            response = await client.options(
                "/decode", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
            )
            assert ("access-control-allow-origin" in response.headers) is allowed


async def test_a_browser_signed_in_with_an_operator_token_decodes_by_cookie(codec, settings):
    [stored] = await data_converter(settings.payload_keys).encode([SECRET])
    token = mint_token(settings, "ops-1", role="operator")
    signed_in = await codec.post("/sign-in", data={"token": token})
    assert signed_in.status_code == 200
    cookie = signed_in.headers["set-cookie"]
    assert cookie.startswith(f"{OPERATOR_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    decoded = await codec.post("/decode", json=as_json(stored), headers={"Origin": UI})
    assert decoded.status_code == 200
    assert json.loads(payloads_in(decoded)[0].data) == SECRET
    await codec.post("/sign-out")
    assert (await codec.post("/decode", json=as_json(stored))).status_code == 401


async def test_sign_in_refuses_citizens_and_forms_on_other_sites(codec, settings):
    citizen = await codec.post("/sign-in", data={"token": mint_token(settings, "c-1")})
    assert citizen.status_code == 403
    assert "set-cookie" not in citizen.headers
    operator = mint_token(settings, "ops-1", role="operator")
    forged = await codec.post(
        "/sign-in", data={"token": operator}, headers={"Origin": "https://evil.example"}
    )
    assert forged.status_code == 403
    assert "set-cookie" not in forged.headers


async def test_the_sign_in_page_and_healthz_need_no_token(codec):
    page = await codec.get("/")
    assert page.status_code == 200
    assert 'action="sign-in"' in page.text
    assert (await codec.get("/healthz")).json() == {"status": "ok"}


def test_the_default_origins_are_the_local_web_ui():
    settings = Settings(temporal_ui_port=9233, codec_cors_origins=None)
    assert settings.codec_allowed_origins == ["http://127.0.0.1:9233", "http://localhost:9233"]


async def test_the_codec_server_answers_metrics_without_a_token(settings):
    app = create_codec_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://codec") as http:
        await http.post("/decode", json={"payloads": []})  # refused: no token
        scraped = await http.get("/metrics")
    assert scraped.status_code == 200
    assert 'route="/decode",status="401"' in scraped.text
