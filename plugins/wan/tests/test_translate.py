"""Request building: endpoints, the async header, each model's own fields, regions, params."""

from __future__ import annotations

import json
from typing import Any

import pytest
from wan_helpers import BASE, config, model

from reelkit import clamp
from reelkit.errors import InvalidRequest
from reelkit.models import Media, VideoRequest
from reelkit.testing import png_bytes
from reelkit.wire import reported_not_sent
from reelkit_wan.translate import build_request

PNG = Media(data=png_bytes(640, 360), mime_type="image/png", width=640, height=360)
SYNTHESIS = "/api/v1/services/aigc/video-generation/video-synthesis"
KEYFRAMES = "/api/v1/services/aigc/image2video/video-synthesis"


def translate(model_id: str, request: VideoRequest, **options: Any) -> Any:
    info = model(model_id)
    applied, adjustments = clamp(request, info)
    http = build_request(info, applied, config(**options))
    return http, json.loads(http.content), adjustments


def test_text_to_video_sends_the_documented_body() -> None:
    http, body, _ = translate(
        "wan2.5",
        VideoRequest(
            prompt="A kitten running in the moonlight",
            duration=10,
            resolution="720p",
            aspect_ratio="9:16",
            seed=42,
            negative_prompt="blurry",
            params={"prompt_extend": False, "watermark": True},
        ),
    )
    assert (http.method, str(http.url)) == ("POST", BASE + SYNTHESIS)
    assert http.headers["X-DashScope-Async"] == "enable"
    assert body == {
        "model": "wan2.5-t2v-preview",
        "input": {"prompt": "A kitten running in the moonlight", "negative_prompt": "blurry"},
        "parameters": {
            "size": "720*1280",
            "duration": 10,
            "seed": 42,
            "prompt_extend": False,
            "watermark": True,
        },
    }


@pytest.mark.parametrize(
    ("resolution", "aspect", "size"),
    [("480p", "1:1", "624*624"), ("720p", "4:3", "1088*832"), ("1080p", "3:4", "1248*1632")],
)
def test_sizes_are_wans_own(resolution: str, aspect: str, size: str) -> None:
    _, body, _ = translate(
        "wan2.5-t2v-preview", VideoRequest(prompt="x", resolution=resolution, aspect_ratio=aspect)
    )
    assert body["parameters"]["size"] == size


def test_480p_has_no_4_3_so_the_nearest_shape_is_reported() -> None:
    _, body, adjustments = translate(
        "wan2.5-t2v-preview", VideoRequest(prompt="x", resolution="480p", aspect_ratio="4:3")
    )
    assert body["parameters"]["size"] in ("832*480", "624*624")
    assert adjustments  # clamping says what changed


def test_image_to_video_sends_img_url_and_the_tier_not_a_size() -> None:
    http, body, _ = translate(
        "wan2.5", VideoRequest(prompt="She turns", first_frame=PNG, resolution="480p")
    )
    assert str(http.url) == BASE + SYNTHESIS
    assert body["model"] == "wan2.5-i2v-preview"
    assert body["input"]["img_url"].startswith("data:image/png;base64,")
    assert body["parameters"]["resolution"] == "480P"
    assert "size" not in body["parameters"]


def test_image_to_video_by_url_and_an_aspect_ratio_it_cannot_carry() -> None:
    frame = Media(url="https://example.com/cat.png", mime_type="image/png")
    http, body, _ = translate(
        "wan2.2-i2v-flash", VideoRequest(prompt="x", first_frame=frame, aspect_ratio="9:16")
    )
    assert body["input"]["img_url"] == "https://example.com/cat.png"
    assert body["parameters"] == {"resolution": "720P", "duration": 5}
    [unsent] = reported_not_sent(http)
    assert (unsent.field, unsent.requested, unsent.applied) == ("aspect_ratio", "9:16", None)


def test_first_and_last_frame_go_to_image2video() -> None:
    http, body, _ = translate(
        "wanx2.1-kf2v-plus", VideoRequest(prompt="", first_frame=PNG, last_frame=PNG)
    )
    assert str(http.url) == BASE + KEYFRAMES
    assert http.headers["X-DashScope-Async"] == "enable"
    assert body["model"] == "wanx2.1-kf2v-plus"
    assert set(body["input"]) == {"first_frame_url", "last_frame_url"}  # no empty prompt
    assert body["parameters"] == {"resolution": "720P", "duration": 5}


def test_silent_wan25_and_a_soundtrack() -> None:
    _, body, _ = translate("wan2.5", VideoRequest(prompt="x", audio=False))
    assert body["parameters"]["audio"] is False
    _, body, _ = translate(
        "wan2.5", VideoRequest(prompt="x", params={"audio_url": "https://example.com/a.mp3"})
    )
    assert body["input"]["audio_url"] == "https://example.com/a.mp3"
    with pytest.raises(InvalidRequest) as err:
        translate(
            "wan2.5",
            VideoRequest(prompt="x", audio=False, params={"audio_url": "https://e.com/a.mp3"}),
        )
    assert err.value.field == "params.audio_url"


def test_silent_models_never_send_audio() -> None:
    _, body, _ = translate("wan2.2-t2v-plus", VideoRequest(prompt="x"))
    assert "audio" not in body["parameters"]
    assert body["parameters"]["size"] == "1920*1080"  # the model's (and the API's) default


@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("singapore", "https://dashscope-intl.aliyuncs.com"),
        ("ap-southeast-1", "https://dashscope-intl.aliyuncs.com"),
        ("Virginia", "https://dashscope-us.aliyuncs.com"),
        ("beijing", "https://dashscope.aliyuncs.com"),
    ],
)
def test_region_picks_the_host(region: str, host: str) -> None:
    http, _, _ = translate("wan2.5", VideoRequest(prompt="x"), region=region)
    assert str(http.url) == host + SYNTHESIS


def test_unknown_region_is_refused_by_name() -> None:
    with pytest.raises(InvalidRequest) as err:
        translate("wan2.5", VideoRequest(prompt="x"), region="mars")
    assert err.value.field == "providers.wan.region"
    assert "singapore" in str(err.value)


def test_an_explicit_base_url_wins_and_may_end_in_api_v1() -> None:
    info = model("wan2.5")
    applied, _ = clamp(VideoRequest(prompt="x"), info)
    for base in ("https://proxy.example/api/v1", "https://proxy.example/api/v1/"):
        http = build_request(info, applied, config(base, region="singapore"))
        assert str(http.url) == "https://proxy.example" + SYNTHESIS


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"watermark": "maybe"}, "params.watermark"),
        ({"audio_url": "ftp://x"}, "params.audio_url"),
    ],
)
def test_bad_params_name_the_field(params: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequest) as err:
        translate("wan2.5", VideoRequest(prompt="x", params=params))
    assert err.value.field == field


def test_namespaced_params_are_accepted() -> None:
    _, body, _ = translate(
        "wan2.5", VideoRequest(prompt="x", params={"dashscope.watermark": "true"})
    )
    assert body["parameters"]["watermark"] is True
