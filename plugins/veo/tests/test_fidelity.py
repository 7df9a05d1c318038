"""Fidelity: for the same intent, reelkit sends exactly what google-genai 2.34 sends.

google-genai 2.34 is the last release whose ``generate_videos`` speaks the Gemini API
[veo-grok §0.3]. Its real client runs here with an ``httpx.MockTransport`` that records the request
and answers with a recorded operation, so nothing leaves the process. Every golden case is
replayed through both and the URL, the key header and the JSON body must be equal.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from veo_helpers import BASE, FIXTURES, config, handle, load, make_request, model

import reelkit_veo
from reelkit.models import Credentials, Media, VideoRequest

genai = pytest.importorskip("google.genai", reason="google-genai is a fidelity test dependency")
types = pytest.importorskip("google.genai.types")

pytestmark = pytest.mark.fidelity

GOLDEN = sorted(p.stem for p in (FIXTURES / "golden").glob("*.json"))
KEY = "AIza-fidelity-key"


def sdk_send(model_id: str, source: dict[str, Any], config_: dict[str, Any]) -> httpx.Request:
    """Run google-genai's own ``generate_videos`` and return the request it sent."""
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return httpx.Response(200, json=load("submit.json"))

    client = genai.Client(
        api_key=KEY,
        http_options=types.HttpOptions(
            base_url=BASE, httpx_client=httpx.Client(transport=httpx.MockTransport(handler))
        ),
    )
    operation = client.models.generate_videos(
        model=model_id,
        source=types.GenerateVideosSource(**source),
        config=types.GenerateVideosConfig(**config_),
    )
    assert operation.name == load("submit.json")["name"]
    (request,) = sent
    return request


def sdk_image(medium: Media) -> Any:
    assert medium.data is not None
    mime = medium.mime_type or ("image/png" if medium.data.startswith(b"\x89PNG") else "image/jpeg")
    return types.Image(image_bytes=medium.data, mime_type=mime)


def sdk_intent(request: VideoRequest, model_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same intent in google-genai's vocabulary."""
    source: dict[str, Any] = {}
    if request.prompt.strip():
        source["prompt"] = request.prompt
    cfg: dict[str, Any] = {
        "number_of_videos": 1,
        "duration_seconds": round(request.duration or 0),
        "aspect_ratio": request.aspect_ratio,
    }
    if not model_id.startswith("veo-2"):
        cfg["resolution"] = request.resolution
    if request.negative_prompt:
        cfg["negative_prompt"] = request.negative_prompt
    if request.first_frame is not None:
        source["image"] = sdk_image(request.first_frame)
    if request.last_frame is not None:
        cfg["last_frame"] = sdk_image(request.last_frame)
    if request.reference_images:
        cfg["reference_images"] = [
            types.VideoGenerationReferenceImage(
                image=sdk_image(m), reference_type=types.VideoGenerationReferenceType.ASSET
            )
            for m in request.reference_images
        ]
    uri = request.continue_from.video_url if request.continue_from else None
    uri = uri or (request.video.url if request.video else None)
    if uri:
        source["video"] = types.Video(uri=uri, mime_type="video/mp4")
        cfg["resolution"] = "720p"
        if request.continue_from and request.continue_from.aspect_ratio:
            cfg["aspect_ratio"] = request.continue_from.aspect_ratio
    params = dict(request.params)
    if "person_generation" in params:
        cfg["person_generation"] = params["person_generation"]
    if "enhance_prompt" in params:
        cfg["enhance_prompt"] = str(params["enhance_prompt"]).lower() == "true"
    return source, cfg


@pytest.mark.parametrize("name", GOLDEN)
def test_body_equals_google_genai(name: str) -> None:
    case = load(f"golden/{name}.json")
    request = make_request(case["request"])
    ours = reelkit_veo.reelkit_translate(
        model=model(case["model"]), request=request, config=config()
    )
    auth = reelkit_veo.reelkit_auth(
        credentials=Credentials({"GEMINI_API_KEY": KEY}), config=config()
    )
    flow = auth.sync_auth_flow(ours)
    ours = next(flow)
    flow.close()

    theirs = sdk_send(case["model"], *sdk_intent(request, case["model"]))

    assert ours.method == theirs.method == "POST"
    assert str(ours.url) == str(theirs.url)
    assert ours.headers["x-goog-api-key"] == theirs.headers["x-goog-api-key"] == KEY
    assert json.loads(ours.content) == json.loads(theirs.content)


def test_sdk_refuses_what_the_capabilities_drop() -> None:
    """seed, generate_audio and fps never reach the wire on the Gemini API [veo-grok §0.4]."""
    for extra in ({"seed": 1}, {"generate_audio": True}, {"fps": 24}):
        with pytest.raises(ValueError, match="only supported in Gemini Enterprise"):
            sdk_send("veo-3.1-generate-preview", {"prompt": "p"}, extra)
    assert all(not m.supports_seed and not m.fps_settable for m in reelkit_veo.MODELS)


@pytest.mark.parametrize("fixture", ["poll_done.json", "poll_rai_filtered.json"])
def test_operation_parsing_matches_google_genai(fixture: str) -> None:
    from google.genai import models as sdk_models

    body = load(fixture)
    parsed = sdk_models._GenerateVideosOperation_from_mldev(body)
    operation = types.GenerateVideosOperation._from_response(response=parsed, kwargs={})
    status = reelkit_veo.reelkit_parse_poll(
        job=handle(), response=httpx.Response(200, json=body, request=httpx.Request("GET", BASE))
    )
    result = operation.result
    assert result is not None
    if result.generated_videos:
        assert [a.url for a in status.assets] == [v.video.uri for v in result.generated_videos]
    else:
        assert status.reasons == tuple(result.rai_media_filtered_reasons)
        assert status.filtered
