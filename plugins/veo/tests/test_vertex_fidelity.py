"""Fidelity: for the same intent, reelkit's vertex provider sends what google-genai 2.34 sends
with ``vertexai=True`` (project, location and a google-auth credentials object given).

The SDK's real client runs with an ``httpx.MockTransport`` that captures its request in-process
and answers with a recorded operation: nothing leaves the machine, no token is fetched (the
credentials object already holds a valid one). The intents are the veo plugin's golden cases
(their Vertex model ids), plus the Vertex-only parameters; the poll and the parsing of both
output kinds are compared too. ``api_version="v1"``: the version Google's Veo REST reference
uses (the SDK's own default is v1beta1).
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from test_fidelity import sdk_intent
from veo_helpers import FIXTURES, make_request
from vertex_helpers import config, load, model

from reelkit.capabilities import Mode
from reelkit.models import JobHandle, SourceJob, VideoRequest
from reelkit_veo import vertex
from reelkit_veo.vertex.capabilities import VERTEX_IDS

genai = pytest.importorskip("google.genai", reason="google-genai is a fidelity test dependency")
types = pytest.importorskip("google.genai.types")
oauth2 = pytest.importorskip("google.oauth2.credentials")

pytestmark = pytest.mark.fidelity

BASE = "https://us-central1-aiplatform.googleapis.com"
# Veo's intents; extensions there continue Gemini-API file URIs, Vertex's are below.
GOLDEN = sorted(
    p.stem for p in (FIXTURES / "golden").glob("*.json") if not p.stem.startswith("extend_")
)


def sdk_client(handler: Any) -> Any:
    token = oauth2.Credentials(
        token="ya29.fidelity-token",
        expiry=(datetime.now(timezone.utc) + timedelta(hours=1)).replace(tzinfo=None),
    )
    return genai.Client(
        vertexai=True,
        project="my-project",
        location="us-central1",
        credentials=token,
        http_options=types.HttpOptions(
            base_url=BASE,
            api_version="v1",
            httpx_client=httpx.Client(transport=httpx.MockTransport(handler)),
        ),
    )


def capture(answer: dict[str, Any]) -> tuple[list[httpx.Request], Any]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return httpx.Response(200, json=answer)

    return sent, sdk_client(handler)


def sdk_submit(model_id: str, source: dict[str, Any], cfg: dict[str, Any]) -> httpx.Request:
    sent, client = capture(load("vertex_submit.json"))
    client.models.generate_videos(
        model=model_id,
        source=types.GenerateVideosSource(**source),
        config=types.GenerateVideosConfig(**cfg),
    )
    (request,) = sent
    return request


def vertex_intent(request: VideoRequest, model_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    source, cfg = sdk_intent(request, model_id)
    if not model_id.startswith("veo-2"):
        cfg["generate_audio"] = request.audio is not False  # reelkit's default: sound on
    if request.seed is not None:
        cfg["seed"] = request.seed
    if "storage_uri" in request.params:
        cfg["output_gcs_uri"] = request.params["storage_uri"]
    uri = request.continue_from.video_url if request.continue_from else None
    if uri:
        source["video"] = types.Video(uri=uri, mime_type="video/mp4")
    return source, cfg


def ours(model_id: str, request: VideoRequest) -> httpx.Request:
    return vertex.reelkit_translate(model=model(model_id), request=request, config=config(BASE))


def assert_same(mine: httpx.Request, theirs: httpx.Request) -> None:
    assert mine.method == theirs.method == "POST"
    assert str(mine.url) == str(theirs.url)
    assert theirs.headers["authorization"].startswith("Bearer ")
    assert json.loads(mine.content) == json.loads(theirs.content)


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_intents_equal_google_genai(name: str) -> None:
    case = load(f"golden/{name}.json")
    model_id = VERTEX_IDS.get(case["model"], case["model"])
    request = make_request(case["request"])
    assert_same(ours(model_id, request), sdk_submit(model_id, *vertex_intent(request, model_id)))


@pytest.mark.parametrize(
    "request_",
    [
        VideoRequest(
            prompt="A fox",
            mode=Mode.T2V,
            duration=6,
            aspect_ratio="16:9",
            resolution="720p",
            seed=12345,
            audio=False,
            params={"storage_uri": "gs://my-bucket/out"},
        ),
        VideoRequest(
            prompt="It runs on",
            mode=Mode.EXTEND,
            duration=8,
            aspect_ratio="9:16",
            resolution="720p",
            continue_from=SourceJob(
                task_id="op", provider="vertex", video_url="gs://b/v.mp4", aspect_ratio="9:16"
            ),
        ),
    ],
    ids=["seed_audio_storage", "extend_gcs"],
)
def test_vertex_only_parameters_equal_google_genai(request_: VideoRequest) -> None:
    model_id = "veo-3.1-generate-preview"
    assert_same(ours(model_id, request_), sdk_submit(model_id, *vertex_intent(request_, model_id)))


def test_poll_equals_fetch_predict_operation() -> None:
    operation_name = load("vertex_submit.json")["name"]
    sent, client = capture(load("vertex_poll_running.json"))
    client.operations.get(types.GenerateVideosOperation(name=operation_name))
    (theirs,) = sent
    handle = JobHandle(
        provider="vertex",
        model="veo-3.1-generate-preview",
        task_id=operation_name,
        data={"operation": operation_name},
    )
    mine = vertex.reelkit_poll_request(job=handle, config=config(BASE))
    assert_same(mine, theirs)


@pytest.mark.parametrize("fixture", ["vertex_poll_done_gcs.json", "vertex_poll_done_inline.json"])
def test_parsing_equals_google_genai(fixture: str) -> None:
    from google.genai import models as sdk_models

    body = load(fixture)
    parsed = sdk_models._GenerateVideosOperation_from_vertex(body)
    operation = types.GenerateVideosOperation._from_response(response=parsed, kwargs={})
    handle = JobHandle(provider="vertex", model="m", task_id=body["name"])
    status = vertex.reelkit_parse_poll(
        job=handle, response=httpx.Response(200, json=body, request=httpx.Request("POST", BASE))
    )
    (video,) = [v.video for v in operation.result.generated_videos]
    (asset,) = status.assets
    if video.uri:
        assert asset.url == video.uri
    else:
        assert base64.b64decode(asset.url.split(",", 1)[1]) == video.video_bytes
