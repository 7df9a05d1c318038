"""Request building: bodies per endpoint, the mode from the resolution, params checked in depth."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from kling_helpers import BASE, FRAME, PNG, config, model

from reelkit.capabilities import Mode
from reelkit.errors import ConfigurationError, InvalidRequest
from reelkit.models import Media, VideoRequest
from reelkit.wire import reported_not_sent
from reelkit_kling import reelkit_poll_request, reelkit_translate
from reelkit_kling.translate import build_body


def body_of(model_id: str, **values: Any) -> tuple[str, dict[str, Any]]:
    values.setdefault("mode", Mode.T2V)
    return build_body(model(model_id), VideoRequest(prompt=values.pop("prompt", "A cat"), **values))


def test_text_to_video_body() -> None:
    http = reelkit_translate(
        model=model("kling-v2-5-turbo"),
        request=VideoRequest(
            prompt="A cat",
            mode=Mode.T2V,
            duration=10,
            resolution="1080p",
            aspect_ratio="9:16",
            negative_prompt="blurry",
            params={"callback_url": "https://hooks.example/kling", "external_task_id": "shot-1"},
        ),
        config=config(),
    )
    assert (http.method, str(http.url)) == ("POST", f"{BASE}/v1/videos/text2video")
    assert json.loads(http.content) == {
        "model_name": "kling-v2-5-turbo",
        "prompt": "A cat",
        "negative_prompt": "blurry",
        "mode": "pro",
        "aspect_ratio": "9:16",
        "duration": "10",
        "callback_url": "https://hooks.example/kling",
        "external_task_id": "shot-1",
    }


def test_image_to_video_sends_raw_base64_and_reports_the_aspect_ratio() -> None:
    http = reelkit_translate(
        model=model("kling-v2-1"),
        request=VideoRequest(
            prompt="",
            mode=Mode.I2V,
            first_frame=FRAME,
            duration=5,
            aspect_ratio="1:1",
            resolution="720p",
        ),
        config=config(),
    )
    body = json.loads(http.content)
    assert str(http.url).endswith("/v1/videos/image2video")
    assert base64.b64decode(body["image"]) == PNG and "aspect_ratio" not in body
    assert "prompt" not in body  # an image alone is a valid image2video request
    assert [a.field for a in reported_not_sent(http)] == ["aspect_ratio"]


def test_first_and_last_frame_is_image_tail() -> None:
    url = Media(url="https://img.example/end.png")
    _, body = body_of(
        "kling-v1-6", mode=Mode.FIRST_LAST, first_frame=FRAME, last_frame=url, resolution="1080p"
    )
    assert body["image_tail"] == "https://img.example/end.png" and body["mode"] == "pro"


def test_a_data_uri_loses_its_prefix() -> None:
    _, body = body_of(
        "kling-v2-1", mode=Mode.I2V, first_frame=Media(url="data:image/png;base64,QUJD")
    )
    assert body["image"] == "QUJD"


def test_camera_control_fills_every_axis() -> None:
    _, body = body_of(
        "kling-v1", duration=5, params={"camera_control": {"type": "simple", "config": {"pan": -3}}}
    )
    assert body["camera_control"] == {
        "type": "simple",
        "config": {"horizontal": 0, "vertical": 0, "pan": -3, "tilt": 0, "roll": 0, "zoom": 0},
    }
    _, body = body_of("kling-v1", duration=5, params={"camera_control": {"type": "forward_up"}})
    assert body["camera_control"] == {"type": "forward_up"}


@pytest.mark.parametrize(
    ("model_id", "values", "field"),
    [
        (
            "kling-v1",
            {"duration": 5, "params": {"camera_control": {"type": "zoom"}}},
            "params.camera_control.type",
        ),
        (
            "kling-v1",
            {
                "duration": 5,
                "params": {"camera_control": {"type": "simple", "config": {"zoom": 11}}},
            },
            "params.camera_control.config.zoom",
        ),
        (
            "kling-v1",
            {
                "duration": 5,
                "params": {"camera_control": {"type": "simple", "config": {"zoom": 1, "pan": 1}}},
            },
            "params.camera_control.config",
        ),
        (
            "kling-v1",
            {"duration": 5, "params": {"camera_control": {"type": "simple"}}},
            "params.camera_control.config",
        ),
        (
            "kling-v1",
            {"duration": 5, "params": {"mode": "pro", "camera_control": {"type": "down_back"}}},
            "params.camera_control",
        ),
        (
            "kling-v2-5-turbo",
            {"duration": 5, "params": {"camera_control": {"type": "down_back"}}},
            "params.camera_control",
        ),
        ("kling-v1-6", {"params": {"cfg_scale": 1.5}}, "params.cfg_scale"),
        ("kling-v2-5-turbo", {"params": {"callback_url": "ftp://x"}}, "params.callback_url"),
        ("kling-v2-5-turbo", {"params": {"external_task_id": " "}}, "params.external_task_id"),
        ("kling-v2-5-turbo", {"params": {"mode": "pro"}}, "params.mode"),
        ("kling-v2-6", {"audio": True, "resolution": "720p"}, "audio"),
        ("kling-v2-5-turbo", {"prompt": " "}, "prompt"),
        ("kling-v2-5-turbo", {"mode": Mode.I2V}, "first_frame"),
    ],
)
def test_bad_inputs_name_their_field(model_id: str, values: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequest) as err:
        body_of(model_id, **values)
    assert err.value.field == field


def test_sound_is_sent_only_where_a_model_has_it() -> None:
    assert body_of("kling-v2-6", audio=True, resolution="1080p")[1]["sound"] == "on"
    assert body_of("kling-v3", audio=False)[1]["sound"] == "off"
    assert "sound" not in body_of("kling-v2-5-turbo", audio=False)[1]


def test_region_and_base_url() -> None:
    request = VideoRequest(prompt="x", mode=Mode.T2V)
    beijing = reelkit_translate(
        model=model("kling-v3"), request=request, config=config(region="beijing")
    )
    assert str(beijing.url) == "https://api-beijing.klingai.com/v1/videos/text2video"
    own = reelkit_translate(
        model=model("kling-v3"),
        request=request,
        config=config("http://127.0.0.1:9/kling/v1", region="beijing"),
    )
    assert str(own.url) == "http://127.0.0.1:9/kling/v1/videos/text2video"  # the override wins
    with pytest.raises(ConfigurationError) as err:
        reelkit_translate(model=model("kling-v3"), request=request, config=config(region="mars"))
    assert err.value.field == "providers.kling.region"


def test_a_task_is_polled_on_its_own_family() -> None:
    from kling_helpers import handle

    poll = reelkit_poll_request(job=handle("image2video"), config=config())
    assert str(poll.url) == f"{BASE}/v1/videos/image2video/867283741759111202"


def test_omni_goes_to_the_unified_endpoint_and_is_polled_there() -> None:
    from kling_helpers import load, reply

    from reelkit_kling import reelkit_parse_submit

    request = VideoRequest(
        prompt="<<<image_1>>> smiles",
        mode=Mode.I2V,
        first_frame=FRAME,
        resolution="720p",
        aspect_ratio="16:9",
    )
    http = reelkit_translate(model=model("kling-v3-omni"), request=request, config=config())
    assert str(http.url) == f"{BASE}/v1/videos/omni-video"
    body = json.loads(http.content)
    assert body["image_list"] == [
        {"image_url": base64.b64encode(PNG).decode(), "type": "first_frame"}
    ]
    assert body["mode"] == "std" and "aspect_ratio" not in body
    job = reelkit_parse_submit(
        model=model("kling-v3-omni"), request=request, response=reply(200, load("submit.json"))
    )
    poll = reelkit_poll_request(job=job, config=config())
    assert str(poll.url) == f"{BASE}/v1/videos/omni-video/867283741759111202"
