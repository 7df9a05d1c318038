"""The submit body for every kind of task, from a request as the core hands it over."""

from __future__ import annotations

import json
from typing import Any

import pytest
from minimax_helpers import CONFIG, clamped, model

from reelkit.errors import InvalidRequest
from reelkit.models import Media, ProviderConfig
from reelkit.testing import png_bytes
from reelkit_minimax.translate import (
    api_root,
    build_body,
    build_request,
    content_url,
    image_value,
    poll_request,
)

URL = "https://example.com/cat.png"
PNG = Media(data=png_bytes(64, 36), mime_type="image/png")


def body(model_id: str, **fields: Any) -> dict[str, Any]:
    request = build_request(model(model_id), clamped(model_id, **fields), CONFIG)
    assert request.method == "POST"
    assert str(request.url) == "https://api.minimax.io/v1/video_generation"
    return json.loads(request.content)  # type: ignore[no-any-return]


def test_text_to_video_sends_duration_and_the_wire_resolution() -> None:
    assert body("MiniMax-Hailuo-2.3", prompt="a cat", duration=6, resolution="1080p") == {
        "model": "MiniMax-Hailuo-2.3",
        "prompt": "a cat",
        "duration": 6,
        "resolution": "1080P",
    }


def test_1080p_is_six_seconds_only_and_ten_seconds_stays_at_768p() -> None:
    request = clamped("MiniMax-Hailuo-02", prompt="x", duration=10, resolution="1080p")
    assert (request.duration, request.resolution) == (6, "1080p")  # the resolution asked wins
    ten = clamped("MiniMax-Hailuo-02", prompt="x", duration=10)
    assert (ten.duration, ten.resolution) == (10, "768p")


def test_image_to_video_sends_the_first_frame_as_url_or_data_url() -> None:
    sent = body("MiniMax-Hailuo-2.3-Fast", prompt="", first_frame=Media(url=URL))
    assert sent["first_frame_image"] == URL
    assert "prompt" not in sent  # an empty prompt is left out, not sent as ""
    inline = body("I2V-01", prompt="wave", first_frame=PNG)
    assert inline["first_frame_image"].startswith("data:image/png;base64,")
    # The 01 models make 6 s 720P clips, and say so.
    assert (inline["duration"], inline["resolution"]) == (6, "720P")


def test_512p_is_for_image_to_video_on_hailuo_02() -> None:
    assert body("MiniMax-Hailuo-02", prompt="x", first_frame=Media(url=URL), resolution="512p")[
        "resolution"
    ] == ("512P")
    assert clamped("MiniMax-Hailuo-02", prompt="x", resolution="512p").resolution == "768p"


def test_first_and_last_frame() -> None:
    sent = body(
        "MiniMax-Hailuo-02",
        prompt="from day to night",
        first_frame=Media(url=URL),
        last_frame=Media(url="https://example.com/night.png"),
    )
    assert sent["first_frame_image"] == URL
    assert sent["last_frame_image"] == "https://example.com/night.png"


def test_subject_reference_is_one_character_image() -> None:
    sent = body("S2V-01", prompt="she walks", reference_images=(Media(url=URL),))
    assert sent["subject_reference"] == [{"type": "character", "image": [URL]}]


def test_params_are_passed_through_with_or_without_the_provider_prefix() -> None:
    sent = body(
        "MiniMax-Hailuo-2.3",
        prompt="x",
        params={"prompt_optimizer": False, "minimax.aigc_watermark": True},
    )
    assert (sent["prompt_optimizer"], sent["aigc_watermark"]) == (False, True)


def test_bad_inputs_name_the_field() -> None:
    with pytest.raises(InvalidRequest) as err:
        build_body(model("MiniMax-Hailuo-2.3"), clamped("MiniMax-Hailuo-2.3", prompt="   "))
    assert err.value.field == "prompt"
    request = clamped("MiniMax-Hailuo-2.3", prompt="x", params={"callback_url": "ftp://x"})
    with pytest.raises(InvalidRequest) as err:
        build_body(model("MiniMax-Hailuo-2.3"), request)
    assert err.value.field == "params.callback_url"
    blob = Media(data=b"not an image at all")
    with pytest.raises(InvalidRequest) as err:
        image_value(blob, "first_frame")
    assert err.value.field == "first_frame"


def test_poll_and_content_urls_follow_the_region_host() -> None:
    mainland = ProviderConfig(
        name="minimax", base_url="https://api.minimaxi.com/v1/", poll_interval_s=1, timeout_s=9
    )
    assert api_root(mainland.base_url) == "https://api.minimaxi.com"
    poll = poll_request(mainland.base_url, "106916112212032")
    assert str(poll.url) == (
        "https://api.minimaxi.com/v1/query/video_generation?task_id=106916112212032"
    )
    assert content_url("http://127.0.0.1:9/minimax", "42") == (
        "http://127.0.0.1:9/minimax/v1/files/retrieve_content?file_id=42"
    )


@pytest.mark.parametrize(
    ("env", "url"),
    [
        ({}, "https://api.minimax.io/v1/video_generation"),
        (
            {"MINIMAX_API_HOST": "https://api.minimaxi.com/v1"},
            "https://api.minimaxi.com/v1/video_generation",
        ),
        (
            {
                "MINIMAX_API_HOST": "https://api.minimaxi.com",
                "REELKIT_MINIMAX_BASE_URL": "https://b.example",
            },
            "https://b.example/v1/video_generation",
        ),
    ],
)
def test_the_region_is_the_base_url(tmp_path: Any, env: dict[str, str], url: str) -> None:
    from reelkit import Client

    full = {"MINIMAX_API_KEY": "sk-secret", "REELKIT_HOME": str(tmp_path), **env}
    with Client(env=full) as client:
        plan = client.plan("a cat", provider="hailuo")
    assert plan.http is not None and plan.http.url == url
    assert "sk-secret" not in repr(plan)
