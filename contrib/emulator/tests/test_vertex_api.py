"""The Vertex fake in process: its OAuth token endpoint (a real RS256 assertion, signed by
google-auth as any client would), bearer checks, predictLongRunning, fetchPredictOperation and
the Cloud Storage download."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reelkit_emulator import EmulatorConfig, create_app
from reelkit_emulator.providers import vertex as v

pytestmark = pytest.mark.anyio

BASE = "http://127.0.0.1:8765"
MODEL = (
    "/vertex/v1/projects/p/locations/us-central1/publishers/google/models/veo-3.1-generate-preview"
)


@pytest.fixture
async def client(cache_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(EmulatorConfig(cache_dir=cache_dir, polls_to_complete=1), fakes=[v.FAKE])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=BASE) as c:
        yield c


def assertion(info: dict[str, Any], **claims: Any) -> str:
    from google.auth import crypt, jwt

    now = int(time.time())
    payload = {
        "iss": info["client_email"],
        "scope": v.SCOPE,
        "aud": info["token_uri"],
        "iat": now,
        "exp": now + 3600,
        **claims,
    }
    return jwt.encode(crypt.RSASigner.from_service_account_info(info), payload).decode()


async def token(client: httpx.AsyncClient) -> str:
    info = (await client.get("/vertex/_emulator/service-account.json")).json()
    assert info["token_uri"] == f"{BASE}/vertex/token"
    answer = await client.post(
        "/vertex/token", data={"grant_type": v.JWT_BEARER, "assertion": assertion(info)}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["expires_in"] == v.TOKEN_LIFETIME_S
    return str(answer.json()["access_token"])


async def test_the_token_endpoint_checks_the_assertion(client: httpx.AsyncClient) -> None:
    info = (await client.get("/vertex/_emulator/service-account.json")).json()
    good = assertion(info)
    head, body, sig = good.split(".")
    tampered = f"{head}.{body}.{sig[:-4]}AAAA"
    for form, why in (
        ({"grant_type": v.JWT_BEARER, "assertion": tampered}, "Signature"),
        ({"grant_type": v.JWT_BEARER, "assertion": assertion(info, aud="x")}, "aud"),
        ({"grant_type": v.JWT_BEARER, "assertion": assertion(info, scope="s")}, "scope"),
        ({"grant_type": "password"}, "grant_type"),
        ({"grant_type": "refresh_token", "client_id": "c"}, "required"),
    ):
        answer = await client.post("/vertex/token", data=form)
        assert answer.status_code == 400
        assert why in answer.json()["error_description"]
    other = dict(info, private_key_id="not-issued")
    answer = await client.post(
        "/vertex/token", data={"grant_type": v.JWT_BEARER, "assertion": assertion(other)}
    )
    assert "unknown kid" in answer.json()["error_description"]


async def test_bearer_generate_poll_and_storage(client: httpx.AsyncClient) -> None:
    body = {"instances": [{"prompt": "a cat"}], "parameters": {"storageUri": "gs://b/o"}}
    assert (await client.post(MODEL + ":predictLongRunning", json=body)).status_code == 401
    auth = {"authorization": f"Bearer {await token(client)}"}
    bad = {"instances": [{"prompt": "a cat"}], "parameters": {"seed": -1}}
    refused = await client.post(MODEL + ":predictLongRunning", json=bad, headers=auth)
    assert refused.status_code == 400
    assert refused.json()["error"]["status"] == "INVALID_ARGUMENT"
    name = (await client.post(MODEL + ":predictLongRunning", json=body, headers=auth)).json()[
        "name"
    ]
    done: dict[str, Any] = {}
    for _ in range(5):
        done = (
            await client.post(
                MODEL + ":fetchPredictOperation", json={"operationName": name}, headers=auth
            )
        ).json()
        if done.get("done"):
            break
    (video,) = done["response"]["videos"]
    bucket, _, obj = video["gcsUri"].removeprefix("gs://").partition("/")
    path = f"/vertex/storage/v1/b/{bucket}/o/{obj.replace('/', '%2F')}?alt=media"
    assert (await client.get(path)).status_code == 401
    got = await client.get(path, headers=auth)
    assert got.status_code == 200
    assert got.content[4:8] == b"ftyp"
    assert (await client.get(path.replace("sample_0", "sample_9"), headers=auth)).status_code == 404
    await client.post("/vertex/_emulator/revoke")
    assert (await client.get(path, headers=auth)).status_code == 401
