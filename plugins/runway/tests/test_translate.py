"""Requests: endpoint, version header and body for every mode, and typed refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest
from runway_helpers import PNG, TASK_ID, config, model, reply, request

import reelkit_runway
from reelkit.errors import InvalidRequest
from reelkit.models import Media, VideoRequest
from reelkit.testing import png_bytes
from reelkit.wire import reported_not_sent

URL = "https://example.com/frame.png"


def sent(model_id: str, req: VideoRequest) -> tuple[str, str, dict[str, str], dict[str, Any]]:
    http = reelkit_runway.reelkit_translate(model=model(model_id), request=req, config=config())
    return http.method, str(http.url), dict(http.headers), json.loads(http.content)


def test_text_to_video_on_gen45() -> None:
    method, url, headers, body = sent("gen4.5", request("t2v", aspect_ratio="9:16", seed=42))
    assert (method, url) == ("POST", "https://api.dev.runwayml.com/v1/text_to_video")
    assert headers["x-runway-version"] == "2024-11-06"
    assert body == {
        "model": "gen4.5",
        "promptText": "A lighthouse in a storm",
        "ratio": "720:1280",
        "duration": 5,
        "seed": 42,
    }


def test_image_to_video_takes_a_url_as_is() -> None:
    _, url, _, body = sent("gen4_turbo", request("i2v", first_frame=Media(url=URL)))
    assert url.endswith("/v1/image_to_video")
    assert body["promptImage"] == URL


def test_image_to_video_sends_bytes_as_a_data_uri_and_the_pixel_ratio() -> None:
    req = request("i2v", first_frame=PNG, aspect_ratio="21:9", size="1584x672")
    body = sent("gen4.5", req)[3]
    assert body["promptImage"].startswith("data:image/png;base64,iVBOR")
    assert body["ratio"] == "1584:672"


def test_first_and_last_frames_are_a_positioned_list_with_veo_fields() -> None:
    req = request(
        "first_last",
        first_frame=Media(url=URL),
        last_frame=PNG,
        resolution="1080p",
        duration=8,
        negative_prompt="blur",
        seed=3,
    )
    body = sent("veo3.1", req)[3]
    assert body["promptImage"][0] == {"uri": URL, "position": "first"}
    assert body["promptImage"][1]["position"] == "last"
    assert (body["ratio"], body["duration"], body["audio"]) == ("1920:1080", 8, False)
    assert body["negativePrompt"] == "blur"
    assert "seed" not in body  # Veo on Runway takes no seed


def test_audio_is_always_said_on_veo() -> None:
    assert sent("veo3.1_fast", request("t2v", audio=True))[3]["audio"] is True
    assert sent("veo3.1_fast", request("t2v"))[3]["audio"] is False


def test_edit_sends_the_video_and_reports_what_it_cannot_carry() -> None:
    req = request("edit", video=Media(url="https://example.com/in.mp4"))
    http = reelkit_runway.reelkit_translate(model=model("aleph2"), request=req, config=config())
    body = json.loads(http.content)
    assert str(http.url).endswith("/v1/video_to_video")
    assert body == {
        "model": "aleph2",
        "promptText": "A lighthouse in a storm",
        "videoUri": "https://example.com/in.mp4",
    }
    assert {a.field for a in reported_not_sent(http)} == {"duration", "aspect_ratio", "resolution"}


def test_public_figure_threshold_goes_into_content_moderation() -> None:
    body = sent("gen4.5", request("t2v", params={"public_figure_threshold": "low"}))[3]
    assert body["contentModeration"] == {"publicFigureThreshold": "low"}


def test_gen45_needs_a_prompt_other_models_do_not() -> None:
    with pytest.raises(InvalidRequest) as err:
        sent("gen4.5", request("t2v", prompt="  "))
    assert err.value.field == "prompt"
    assert "promptText" not in sent("gen4_turbo", request("i2v", prompt="", first_frame=PNG))[3]


def test_prompts_are_counted_in_utf16_units() -> None:
    with pytest.raises(InvalidRequest) as err:
        sent("gen4.5", request("t2v", prompt="🎬" * 501))  # 1002 UTF-16 code units
    assert err.value.field == "prompt"


def test_http_urls_are_refused_naming_the_field() -> None:
    with pytest.raises(InvalidRequest) as err:
        sent("gen4_turbo", request("i2v", first_frame=Media(url="http://example.com/a.png")))
    assert err.value.field == "first_frame"


def test_data_uris_over_5_mb_are_refused_naming_the_field() -> None:
    big = Media(data=png_bytes(64, 36) + bytes(4 * 1024 * 1024), width=64, height=36)
    with pytest.raises(InvalidRequest) as err:
        sent("veo3.1", request("first_last", first_frame=PNG, last_frame=big))
    assert err.value.field == "last_frame"
    assert "5 MB" in str(err.value)


def test_an_unknown_param_value_is_refused() -> None:
    with pytest.raises(InvalidRequest) as err:
        sent("gen4.5", request("t2v", params={"public_figure_threshold": "off"}))
    assert err.value.field == "params.public_figure_threshold"


def test_poll_and_cancel_carry_the_version_header() -> None:
    job = reelkit_runway.reelkit_parse_submit(
        model=model("gen4.5"),
        response=reply(200, {"id": TASK_ID}),
    )
    poll = reelkit_runway.reelkit_poll_request(job=job, config=config())
    cancel = reelkit_runway.reelkit_cancel_request(job=job, config=config())
    for http, method in ((poll, "GET"), (cancel, "DELETE")):
        assert http.method == method
        assert str(http.url) == f"https://api.dev.runwayml.com/v1/tasks/{TASK_ID}"
        assert http.headers["x-runway-version"] == "2024-11-06"
