"""reelkit_translate for every Jimeng model and mode, against hand-written golden bodies."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

import reelkit_jimeng
from reelkit.capabilities import Mode, ModelInfo
from reelkit.errors import InvalidRequest
from reelkit.models import JobHandle, Media, ProviderConfig, VideoRequest
from reelkit_jimeng.capabilities import MODELS

from .conftest import make_jpeg_header, make_png

PNG = make_png(640, 360)
PNG2 = make_png(1280, 720, rgb=(10, 20, 30))
URL1 = Media(url="https://example.com/first.png")
URL2 = Media(url="https://example.com/last.png")

_BY_NAME = {name: m for m in MODELS for name in m.names()}


def model(name: str) -> ModelInfo:
    return _BY_NAME[name]


def clamped(mode: Mode, **values: Any) -> VideoRequest:
    """A request as the core hands it to translate: clamped, mode set."""
    values.setdefault("prompt", "a cat")
    values.setdefault("duration", 5.0)
    values.setdefault("fps", 24)
    return VideoRequest(mode=mode, **values)


# name in golden_submit_bodies.json -> (model name, request)
CASES: dict[str, tuple[str, VideoRequest]] = {
    "auto_t2v_720p": (
        "jimeng-video-3.0",
        clamped(Mode.T2V, resolution="720p", aspect_ratio="16:9"),
    ),
    "auto_t2v_1080p_10s_seed": (
        "jimeng-video-3.0",
        clamped(Mode.T2V, resolution="1080p", aspect_ratio="9:16", duration=10.0, seed=42),
    ),
    "auto_i2v_720p_url": (
        "jimeng-video-3.0",
        clamped(
            Mode.I2V,
            prompt="the cat turns",
            resolution="720p",
            aspect_ratio="adaptive",
            first_frame=URL1,
        ),
    ),
    "auto_i2v_1080p_base64": (
        "jimeng-3.0",
        clamped(
            Mode.I2V,
            prompt="the cat turns",
            resolution="1080p",
            aspect_ratio="adaptive",
            first_frame=Media(data=PNG, mime_type="image/png"),
        ),
    ),
    "auto_first_last_720p": (
        "jimeng-video-3.0",
        clamped(
            Mode.FIRST_LAST,
            prompt="from day to night",
            resolution="720p",
            aspect_ratio="adaptive",
            first_frame=URL1,
            last_frame=URL2,
        ),
    ),
    "auto_first_last_1080p_base64": (
        "jimeng-video-3.0",
        clamped(
            Mode.FIRST_LAST,
            prompt="from day to night",
            resolution="1080p",
            duration=10.0,
            aspect_ratio="adaptive",
            first_frame=Media(data=PNG, mime_type="image/png"),
            last_frame=Media(data=PNG2, mime_type="image/png"),
        ),
    ),
    "auto_recamera_720p": (
        "jimeng-video-3.0",
        clamped(
            Mode.I2V,
            prompt="orbit the statue",
            resolution="720p",
            aspect_ratio="adaptive",
            first_frame=URL1,
            params={"template_id": "dynamic_orbit", "camera_strength": "medium"},
        ),
    ),
    "ti2v_pro_t2v": ("ti2v_pro", clamped(Mode.T2V, resolution="1080p", aspect_ratio="21:9")),
    "ti2v_pro_i2v_without_prompt": (
        "jimeng_ti2v_v30_pro",
        clamped(Mode.I2V, prompt="", resolution="1080p", aspect_ratio="adaptive", first_frame=URL1),
    ),
    "t2v_1080p": ("t2v_1080p", clamped(Mode.T2V, resolution="1080p", aspect_ratio="1:1")),
    "i2v_first_1080p": (
        "i2v_first_1080p",
        clamped(Mode.I2V, prompt="the cat turns", resolution="1080p", first_frame=URL1),
    ),
    "i2v_first_tail_1080p": (
        "i2v_first_tail_1080p",
        clamped(
            Mode.FIRST_LAST,
            prompt="from day to night",
            resolution="1080p",
            first_frame=URL1,
            last_frame=URL2,
        ),
    ),
    "t2v_720p": (
        "t2v_720p",
        clamped(Mode.T2V, resolution="720p", aspect_ratio="4:3", duration=10.0),
    ),
    "i2v_first_720p": (
        "i2v_first_720p",
        clamped(Mode.I2V, prompt="the cat turns", resolution="720p", first_frame=URL1),
    ),
    "i2v_first_tail_720p": (
        "i2v_first_tail_720p",
        clamped(
            Mode.FIRST_LAST,
            prompt="from day to night",
            resolution="720p",
            first_frame=URL1,
            last_frame=URL2,
        ),
    ),
    "i2v_recamera_720p": (
        "i2v_recamera_720p",
        clamped(
            Mode.I2V,
            prompt="push in",
            resolution="720p",
            seed=7,
            first_frame=URL1,
            params={"template_id": "hitchcock_dolly_in", "camera_strength": "strong"},
        ),
    ),
}


def translate(name: str, request: VideoRequest, config: ProviderConfig) -> Any:
    return reelkit_jimeng.reelkit_translate(
        provider="jimeng", model=model(name), request=request, config=config
    )


def _expected(golden: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(golden)
    text = text.replace("$PNG2", base64.b64encode(PNG2).decode())
    text = text.replace("$PNG", base64.b64encode(PNG).decode())
    return dict(json.loads(text))


@pytest.mark.parametrize("case", sorted(CASES))
def test_translate_matches_golden_body(case: str, load: Any, config: ProviderConfig) -> None:
    name, request = CASES[case]
    sent = translate(name, request, config)
    assert sent.method == "POST"
    assert str(sent.url) == (
        "https://visual.volcengineapi.com/?Action=CVSync2AsyncSubmitTask&Version=2022-08-31"
    )
    assert sent.headers["content-type"] == "application/json"
    # Compact JSON, the exact bytes that are signed and sent.
    assert b", " not in sent.content and b": " not in sent.content
    assert json.loads(sent.content) == _expected(load("golden_submit_bodies.json")[case])


def test_every_model_and_mode_has_a_golden_case() -> None:
    covered = {(model(name).id, req.mode) for name, req in CASES.values()}
    declared = {(m.id, spec.mode) for m in MODELS for spec in m.modes}
    assert declared <= covered


def test_every_req_key_is_reached_by_inference(load: Any) -> None:
    inferred = {
        load("golden_submit_bodies.json")[case]["req_key"]
        for case, (name, _) in CASES.items()
        if name in ("jimeng-video-3.0", "jimeng-3.0")
    }
    assert inferred == {m.id for m in MODELS} - {"jimeng-video-3.0", "jimeng_ti2v_v30_pro"}


def test_unicode_prompt_is_sent_as_utf8_not_escaped(config: ProviderConfig) -> None:
    sent = translate(
        "t2v_720p", clamped(Mode.T2V, prompt="一只猫在草地上奔跑", resolution="720p"), config
    )
    assert "一只猫在草地上奔跑".encode() in sent.content


def test_base_url_with_a_path_prefix_is_kept() -> None:
    config = ProviderConfig(
        name="jimeng", base_url="http://127.0.0.1:8765/jimeng/", poll_interval_s=1, timeout_s=5
    )
    sent = translate("t2v_720p", clamped(Mode.T2V, resolution="720p"), config)
    assert (
        str(sent.url)
        == "http://127.0.0.1:8765/jimeng/?Action=CVSync2AsyncSubmitTask&Version=2022-08-31"
    )


def test_unset_fields_are_omitted(config: ProviderConfig) -> None:
    sent = translate("t2v_720p", clamped(Mode.T2V, resolution="720p"), config)
    body = json.loads(sent.content)
    assert body == {"req_key": "jimeng_t2v_v30", "prompt": "a cat", "frames": 121}
    assert b"null" not in sent.content


def test_poll_request_repeats_the_req_key(config: ProviderConfig) -> None:
    job = JobHandle(
        provider="jimeng",
        model="jimeng-video-3.0",
        task_id="7392616336519610409",
        data={"req_key": "jimeng_i2v_first_tail_v30_1080"},
    )
    sent = reelkit_jimeng.reelkit_poll_request(provider="jimeng", job=job, config=config)
    assert str(sent.url).endswith("/?Action=CVSync2AsyncGetResult&Version=2022-08-31")
    assert sent.content == (
        b'{"req_key":"jimeng_i2v_first_tail_v30_1080","task_id":"7392616336519610409"}'
    )


def test_poll_request_falls_back_to_a_req_key_model_id(config: ProviderConfig) -> None:
    job = JobHandle(provider="jimeng", model="jimeng_t2v_v30", task_id="1")
    sent = reelkit_jimeng.reelkit_poll_request(provider="jimeng", job=job, config=config)
    assert json.loads(sent.content)["req_key"] == "jimeng_t2v_v30"
    with pytest.raises(InvalidRequest, match="req_key"):
        reelkit_jimeng.reelkit_poll_request(
            provider="jimeng",
            job=JobHandle(provider="jimeng", model="jimeng-video-3.0", task_id="1"),
            config=config,
        )


# --- bad inputs: typed errors naming the field and what is allowed ---------------------------


def _error(name: str, request: VideoRequest, config: ProviderConfig) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as info:
        translate(name, request, config)
    return info.value


def test_recamera_needs_a_template(config: ProviderConfig) -> None:
    err = _error(
        "i2v_recamera_720p",
        clamped(Mode.I2V, resolution="720p", first_frame=URL1, params={"camera_strength": "weak"}),
        config,
    )
    assert err.field == "params.template_id"
    assert "hitchcock_dolly_in" in str(err.allowed) and "rapid_push_pull" in str(err.allowed)


def test_recamera_needs_a_strength(config: ProviderConfig) -> None:
    err = _error(
        "i2v_recamera_720p",
        clamped(Mode.I2V, resolution="720p", first_frame=URL1, params={"template_id": "robo_arm"}),
        config,
    )
    assert err.field == "params.camera_strength"
    assert err.allowed == "weak, medium, strong"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"template_id": "spin", "camera_strength": "weak"}, "params.template_id"),
        ({"template_id": "robo_arm", "camera_strength": "max"}, "params.camera_strength"),
        ({"template_id": 3, "camera_strength": "weak"}, "params.template_id"),
        ({"template_id": "robo_arm", "camera_strength": "weak", "style": "anime"}, "params.style"),
    ],
)
def test_bad_params_are_named(params: dict[str, Any], field: str, config: ProviderConfig) -> None:
    err = _error(
        "i2v_recamera_720p",
        clamped(Mode.I2V, resolution="720p", first_frame=URL1, params=params),
        config,
    )
    assert err.field == field
    assert err.allowed


def test_recamera_params_on_another_req_key_are_refused(config: ProviderConfig) -> None:
    err = _error(
        "t2v_720p",
        clamped(Mode.T2V, resolution="720p", params={"template_id": "robo_arm"}),
        config,
    )
    assert err.field == "params.template_id"
    assert "i2v_recamera_720p" in str(err.allowed)


def test_recamera_by_inference_needs_720p(config: ProviderConfig) -> None:
    err = _error(
        "jimeng-video-3.0",
        clamped(
            Mode.I2V,
            resolution="1080p",
            first_frame=URL1,
            params={"template_id": "robo_arm", "camera_strength": "weak"},
        ),
        config,
    )
    assert err.field == "params.template_id"
    assert "720p" in str(err.allowed)


def test_text_to_video_needs_a_prompt(config: ProviderConfig) -> None:
    err = _error("t2v_720p", clamped(Mode.T2V, prompt="  ", resolution="720p"), config)
    assert err.field == "prompt"


def test_prompt_over_800_characters_is_refused(config: ProviderConfig) -> None:
    err = _error("t2v_720p", clamped(Mode.T2V, prompt="x" * 801, resolution="720p"), config)
    assert err.field == "prompt"
    assert "800" in str(err.allowed)


def test_unclamped_duration_is_refused(config: ProviderConfig) -> None:
    err = _error("t2v_720p", clamped(Mode.T2V, resolution="720p", duration=6.0), config)
    assert err.field == "duration"
    assert err.allowed == "5, 10"


@pytest.mark.parametrize(
    ("media", "message"),
    [
        (Media(data=b"RIFF\x00\x00\x00\x00WEBPVP8 ", mime_type="image/webp"), "format webp"),
        (Media(data=make_png(4100, 1000)), "larger than allowed"),
        (Media(data=make_png(640, 300)), "too small"),
        (Media(data=make_png(1000, 330)), "too elongated"),
        (Media(data=make_jpeg_header(5000, 2000)), "larger than allowed"),
        (Media(data=b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024)), "MB limit"),
        (Media(url="ftp://example.com/a.png"), "http(s) URL"),
        (Media(url="https://example.com/a.png", width=6000, height=4000), "larger than allowed"),
    ],
)
def test_images_are_checked_before_sending(
    media: Media, message: str, config: ProviderConfig
) -> None:
    err = _error("i2v_first_720p", clamped(Mode.I2V, resolution="720p", first_frame=media), config)
    assert err.field == "first_frame"
    assert message in str(err)
    assert err.allowed


def test_a_malformed_data_url_is_refused(config: ProviderConfig) -> None:
    bad = Media(url="data:image/png;base64,@@@")
    err = _error("i2v_first_720p", clamped(Mode.I2V, resolution="720p", first_frame=bad), config)
    assert err.field == "first_frame"
    assert "base64" in str(err)


def test_jpeg_bytes_and_data_urls_are_sent_as_raw_base64(config: ProviderConfig) -> None:
    jpeg = make_jpeg_header(800, 600)
    sent = translate(
        "i2v_first_720p",
        clamped(Mode.I2V, resolution="720p", first_frame=Media(data=jpeg)),
        config,
    )
    assert json.loads(sent.content)["binary_data_base64"] == [base64.b64encode(jpeg).decode()]
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    sent = translate(
        "i2v_first_720p",
        clamped(Mode.I2V, resolution="720p", first_frame=Media(url=data_url)),
        config,
    )
    body = json.loads(sent.content)
    assert body["binary_data_base64"] == [base64.b64encode(PNG).decode()]  # no data: prefix
    assert "image_urls" not in body


def test_mixed_url_and_bytes_are_refused(config: ProviderConfig) -> None:
    err = _error(
        "i2v_first_tail_720p",
        clamped(
            Mode.FIRST_LAST,
            resolution="720p",
            first_frame=URL1,
            last_frame=Media(data=PNG, mime_type="image/png"),
        ),
        config,
    )
    assert err.field == "last_frame"


def test_last_frame_must_share_the_first_frames_shape(config: ProviderConfig) -> None:
    err = _error(
        "i2v_first_tail_720p",
        clamped(
            Mode.FIRST_LAST,
            resolution="720p",
            first_frame=Media(data=make_png(640, 360)),
            last_frame=Media(data=make_png(480, 480)),
        ),
        config,
    )
    assert err.field == "last_frame"
    assert "aspect ratio" in str(err)
