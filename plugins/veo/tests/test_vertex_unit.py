"""Vertex on recorded JSON: the request it builds, the answers it parses, and the OAuth flow
driven step by step (a fake clock, no network): token request, caching, expiry, 401, preview."""

from __future__ import annotations

import base64
import json
from collections.abc import Generator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from vertex_helpers import config, load, model

from reelkit.capabilities import Mode
from reelkit.errors import (
    AuthenticationFailed,
    ConfigurationError,
    InvalidRequest,
    RateLimited,
    ResponseFormatError,
)
from reelkit.models import Failed, JobHandle, Media, Running, SourceJob, Succeeded, VideoRequest
from reelkit.testing import png_bytes
from reelkit_veo.vertex import PROVIDER
from reelkit_veo.vertex.auth import PLACEHOLDER, VertexAuth, _Cache
from reelkit_veo.vertex.responses import parse_operation, parse_submit, storage_url
from reelkit_veo.vertex.translate import build_request, host, poll_request

OPERATION = load("vertex_submit.json")["name"]
PNG = Media(data=png_bytes(64, 36), mime_type="image/png")


def job(**data: Any) -> JobHandle:
    return JobHandle(
        provider="vertex",
        model="veo-3.1-generate-preview",
        task_id=OPERATION,
        data={"operation": OPERATION, **data},
    )


def reply(status: int, name: str, request: httpx.Request | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        json=load(name),
        request=request or httpx.Request("POST", "https://aiplatform.googleapis.com/v1/x"),
    )


# --- requests ----------------------------------------------------------------------------


def test_submit_url_body_and_vertex_only_parameters() -> None:
    request = VideoRequest(
        prompt="A cat",
        mode=Mode.T2V,
        duration=6,
        aspect_ratio="9:16",
        resolution="720p",
        seed=42,
        audio=False,
        negative_prompt="dogs",
        params={"storage_uri": "gs://b/p", "vertex.person_generation": "allow_all"},
    )
    http = build_request(model("veo-3.1-generate-preview"), request, config())
    assert str(http.url) == (
        "https://us-central1-aiplatform.googleapis.com/v1/projects/my-project/locations/"
        "us-central1/publishers/google/models/veo-3.1-generate-preview:predictLongRunning"
    )
    body = json.loads(http.content)
    assert body["instances"] == [{"prompt": "A cat"}]
    assert body["parameters"] == {
        "sampleCount": 1,
        "durationSeconds": 6,
        "aspectRatio": "9:16",
        "resolution": "720p",
        "negativePrompt": "dogs",
        "seed": 42,
        "generateAudio": False,
        "storageUri": "gs://b/p",
        "personGeneration": "allow_all",
    }


def test_hosts_global_location_and_override() -> None:
    assert host(config(location="global")) == "https://aiplatform.googleapis.com"
    assert host(config(location="europe-west4")) == "https://europe-west4-aiplatform.googleapis.com"
    assert host(config("http://127.0.0.1:9/vertex/v1")) == "http://127.0.0.1:9/vertex"


def test_missing_project_is_a_configuration_error() -> None:
    bare = config()
    bare = type(bare)(
        name="vertex", base_url=bare.base_url, poll_interval_s=1, timeout_s=1, options={}
    )
    with pytest.raises(ConfigurationError) as err:
        build_request(model("veo-3.1-generate-preview"), VideoRequest(prompt="x"), bare)
    assert err.value.field == "GOOGLE_CLOUD_PROJECT"


def test_images_references_lite_id_and_extension_sources() -> None:
    lite = model("veo-3.1-lite-generate-001")
    assert "veo-3.1-lite-generate-preview" in lite.aliases  # the Gemini API's id still resolves
    fl = VideoRequest(prompt="", mode=Mode.FIRST_LAST, first_frame=PNG, last_frame=PNG)
    body = json.loads(build_request(lite, fl, config()).content)
    assert set(body["instances"][0]) == {"image", "lastFrame"}
    assert body["instances"][0]["image"]["mimeType"] == "image/png"
    refs = VideoRequest(prompt="Her", mode=Mode.REFERENCE, reference_images=(PNG, PNG))
    body = json.loads(build_request(model("veo-3.1-generate-preview"), refs, config()).content)
    assert [r["referenceType"] for r in body["instances"][0]["referenceImages"]] == ["ASSET"] * 2
    gcs = SourceJob(task_id=OPERATION, provider="vertex", video_url="gs://b/v.mp4")
    ext = VideoRequest(prompt="", mode=Mode.EXTEND, continue_from=gcs, duration=8)
    body = json.loads(build_request(model("veo-3.1-generate-preview"), ext, config()).content)
    assert body["instances"][0]["video"] == {"gcsUri": "gs://b/v.mp4", "mimeType": "video/mp4"}
    assert body["parameters"]["resolution"] == "720p"
    inline = SourceJob(task_id=OPERATION, provider="vertex", video_url="data:video/mp4;base64,QUJD")
    ext = VideoRequest(prompt="", mode=Mode.EXTEND, continue_from=inline, duration=8)
    body = json.loads(build_request(model("veo-3.1-generate-preview"), ext, config()).content)
    assert body["instances"][0]["video"] == {"bytesBase64Encoded": "QUJD", "mimeType": "video/mp4"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"seed": 2**32}, "seed"),
        ({"params": {"storage_uri": "s3://x"}}, "params.storage_uri"),
        ({"params": {"vertex.nope": 1}}, "params.nope"),
    ],
)
def test_bad_inputs_name_their_field(change: dict[str, Any], field: str) -> None:
    request = VideoRequest(prompt="x", mode=Mode.T2V, **change)
    with pytest.raises(InvalidRequest) as err:
        build_request(model("veo-3.1-generate-preview"), request, config())
    assert err.value.field == field


def test_extension_of_another_providers_job_is_refused() -> None:
    src = SourceJob(task_id="t", provider="sora", video_url="https://x/v.mp4")
    request = VideoRequest(prompt="", mode=Mode.EXTEND, continue_from=src)
    with pytest.raises(InvalidRequest) as err:
        build_request(model("veo-3.1-generate-preview"), request, config())
    assert err.value.field == "continue_from"


def test_poll_is_fetch_predict_operation_on_the_operations_model() -> None:
    http = poll_request(config(), OPERATION)
    assert http.method == "POST"
    assert str(http.url).endswith("/models/veo-3.1-generate-preview:fetchPredictOperation")
    assert json.loads(http.content) == {"operationName": OPERATION}


# --- answers -----------------------------------------------------------------------------


def test_parse_submit_and_errors() -> None:
    handle = parse_submit("veo-3.1-generate-preview", reply(200, "vertex_submit.json"), {})
    assert (handle.provider, handle.task_id) == ("vertex", OPERATION)
    with pytest.raises(AuthenticationFailed):
        parse_submit("m", reply(401, "vertex_error_401.json"), {})
    with pytest.raises(AuthenticationFailed, match=r"aiplatform\.endpoints\.predict"):
        parse_submit("m", reply(403, "vertex_error_403.json"), {})
    with pytest.raises(RateLimited) as limited:
        parse_submit("m", reply(429, "vertex_error_429.json"), {})
    assert limited.value.provider == "vertex"


def test_parse_operation_outcomes() -> None:
    assert isinstance(parse_operation(job(), reply(200, "vertex_poll_running.json")), Running)
    done = parse_operation(job(), reply(200, "vertex_poll_done_gcs.json"))
    assert isinstance(done, Succeeded)
    assert done.assets[0].url == "gs://my-bucket/out/4242424242424242424/sample_0.mp4"
    inline = parse_operation(job(), reply(200, "vertex_poll_done_inline.json"))
    assert isinstance(inline, Succeeded)
    url = inline.assets[0].url
    assert base64.b64decode(url.split(",", 1)[1])[4:8] == b"ftyp"
    rai = parse_operation(job(), reply(200, "vertex_poll_rai.json"))
    assert isinstance(rai, Failed)
    assert (rai.filtered, rai.billed, rai.code) == (True, False, "rai_media_filtered")
    failed = parse_operation(job(), reply(200, "vertex_poll_error.json"))
    assert isinstance(failed, Failed)
    assert (failed.code, failed.retryable) == ("INVALID_ARGUMENT", False)
    with pytest.raises(ResponseFormatError):
        parse_operation(job(), reply(200, "vertex_poll_videos_without_uri.json"))


def test_storage_url_quotes_the_object() -> None:
    assert storage_url("https://storage.googleapis.com", "gs://b/a/c d.mp4") == (
        "https://storage.googleapis.com/storage/v1/b/b/o/a%2Fc%20d.mp4?alt=media"
    )


# --- OAuth, step by step -----------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(65537, 2048)


@pytest.fixture
def key_file(key: Any, tmp_path: Path) -> Path:
    from cryptography.hazmat.primitives import serialization

    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path = tmp_path / "sa.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "private_key_id": "kid-1",
                "private_key": pem,
                "client_email": "sa@p.iam.gserviceaccount.com",
                "token_uri": "http://127.0.0.1:9/vertex/token",
            }
        )
    )
    return path


API = "https://us-central1-aiplatform.googleapis.com"


def start(auth: VertexAuth, url: str = API + "/v1/x") -> tuple[Generator[Any, Any, Any], Any]:
    flow = auth.auth_flow(httpx.Request("POST", url))
    return flow, next(flow)


def token_reply(request: httpx.Request, token: str = "tok-1", lifetime: int = 3600) -> Any:
    return httpx.Response(
        200, json={"access_token": token, "expires_in": lifetime}, request=request
    )


def test_token_request_is_a_signed_jwt_bearer_grant(key: Any, key_file: Path) -> None:
    from google.auth import crypt, jwt

    auth = VertexAuth(key_file, (API,), clock=Clock(), cache=_Cache())
    flow, first = start(auth)
    assert str(first.url) == "http://127.0.0.1:9/vertex/token"
    form = {k: v[0] for k, v in parse_qs(first.content.decode()).items()}
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    from cryptography.hazmat.primitives import serialization

    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = jwt.decode(
        form["assertion"],
        certs={"kid-1": public.decode()},
        audience="http://127.0.0.1:9/vertex/token",
        clock_skew_in_seconds=10**10,  # the fake clock is not the machine's
    )
    assert claims["iss"] == "sa@p.iam.gserviceaccount.com"
    assert claims["scope"] == "https://www.googleapis.com/auth/cloud-platform"
    assert isinstance(crypt.RSAVerifier.from_string(public), crypt.RSAVerifier)
    signed = flow.send(token_reply(first))
    assert signed.headers["authorization"] == "Bearer tok-1"
    assert "tok-1" not in repr(auth) and "PRIVATE" not in repr(auth)


def test_token_is_cached_then_refreshed_on_expiry(key_file: Path) -> None:
    clock, cache = Clock(), _Cache()
    auth = VertexAuth(key_file, (API,), clock=clock, cache=cache)
    flow, first = start(auth)
    flow.send(token_reply(first, lifetime=600))
    # Another auth of the same process (the core makes one per request) reuses the token.
    again = VertexAuth(key_file, (API,), clock=clock, cache=cache)
    _, sent = start(again)
    assert sent.headers["authorization"] == "Bearer tok-1"
    clock.now += 600 - 225 + 1  # inside the refresh margin: a new token first
    flow, first = start(again)
    assert str(first.url).endswith("/token")
    assert flow.send(token_reply(first, "tok-2")).headers["authorization"] == "Bearer tok-2"


def test_a_401_fetches_one_new_token_and_retries_once(key_file: Path) -> None:
    auth = VertexAuth(key_file, (API,), clock=Clock(), cache=_Cache())
    flow, first = start(auth)
    api = flow.send(token_reply(first))
    refresh = flow.send(httpx.Response(401, json=load("vertex_error_401.json"), request=api))
    assert str(refresh.url).endswith("/token")
    retried = flow.send(token_reply(refresh, "tok-2"))
    assert retried.headers["authorization"] == "Bearer tok-2"
    with pytest.raises(StopIteration):  # a second 401 is the caller's to see, not a loop
        flow.send(httpx.Response(401, json=load("vertex_error_401.json"), request=retried))


def test_a_refused_grant_is_authentication_failed(key_file: Path) -> None:
    auth = VertexAuth(key_file, (API,), clock=Clock(), cache=_Cache())
    flow, first = start(auth)
    refused = httpx.Response(400, json=load("vertex_token_invalid_grant.json"), request=first)
    with pytest.raises(AuthenticationFailed, match="Invalid JWT Signature"):
        flow.send(refused)


def test_preview_and_foreign_hosts_get_no_token(tmp_path: Path) -> None:
    auth = VertexAuth(tmp_path / "absent.json", (API,), cache=_Cache())  # never read here
    preview = httpx.Request("POST", API + "/v1/x", extensions={"reelkit_preview": True})
    shown = next(auth.auth_flow(preview))
    assert shown.headers["authorization"] == f"Bearer {PLACEHOLDER}"
    foreign = httpx.Request("GET", "https://cdn.example.com/v.mp4", headers={"authorization": "x"})
    assert "authorization" not in next(auth.auth_flow(foreign)).headers


def test_provider_facts() -> None:
    assert (PROVIDER.name, PROVIDER.priority, PROVIDER.aliases) == ("vertex", 8, ())
    assert PROVIDER.base_url_envs[0] == "REELKIT_VERTEX_BASE_URL"
    assert all(
        m.supports_seed and m.price is not None
        for m in __import__("reelkit_veo.vertex").vertex.MODELS
    )
