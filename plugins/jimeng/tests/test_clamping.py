"""Jimeng capabilities through the core's clamp: the seed's CLI values and mode inference."""

from __future__ import annotations

import json

import pytest

import reelkit_jimeng
from reelkit import clamp
from reelkit.capabilities import Mode
from reelkit.errors import UnsupportedMode
from reelkit.models import Media, ProviderConfig, VideoRequest
from reelkit_jimeng.capabilities import AUTO, MODELS

BY_NAME = {name: m for m in MODELS for name in m.names()}
IMAGE = Media(url="https://example.com/first.png")


@pytest.mark.parametrize(
    ("requested", "applied", "frames"),
    # seed 001 "--duration 4, 5, 6, 8, 10": the API takes 121 (5 s) or 241 (10 s) frames.
    [(4, 5.0, 121), (5, 5.0, 121), (6, 5.0, 121), (8, 10.0, 241), (10, 10.0, 241)],
)
def test_seed_durations_snap_to_frames(
    requested: int, applied: float, frames: int, config: ProviderConfig
) -> None:
    result, adjustments = clamp(VideoRequest(prompt="a cat", duration=requested), AUTO)
    assert result.duration == applied
    assert [a.field for a in adjustments] == ([] if requested == applied else ["duration"])
    sent = reelkit_jimeng.reelkit_translate(
        provider="jimeng", model=AUTO, request=result, config=config
    )
    assert json.loads(sent.content)["frames"] == frames


@pytest.mark.parametrize("fps", [24, 25, 30])
def test_seed_fps_values_render_at_24(fps: int) -> None:
    result, adjustments = clamp(VideoRequest(prompt="a cat", fps=fps), AUTO)
    assert result.fps == 24
    assert [a.field for a in adjustments] == ([] if fps == 24 else ["fps"])


@pytest.mark.parametrize(
    ("inputs", "resolution", "req_key"),
    [
        ({}, None, "jimeng_t2v_v30"),  # seed 001: the default mode is t2v_720p
        ({}, "1080p", "jimeng_t2v_v30_1080p"),
        ({"first_frame": IMAGE}, "720p", "jimeng_i2v_first_v30"),
        ({"first_frame": IMAGE}, "1080p", "jimeng_i2v_first_v30_1080"),
        ({"first_frame": IMAGE, "last_frame": IMAGE}, None, "jimeng_i2v_first_tail_v30"),
        ({"first_frame": IMAGE, "last_frame": IMAGE}, "1080p", "jimeng_i2v_first_tail_v30_1080"),
        (
            {
                "first_frame": IMAGE,
                "params": {"template_id": "handheld", "camera_strength": "weak"},
            },
            None,
            "jimeng_i2v_recamera_v30",
        ),
    ],
)
def test_default_model_infers_the_req_key(
    inputs: dict[str, object], resolution: str | None, req_key: str, config: ProviderConfig
) -> None:
    request = VideoRequest(prompt="a cat", resolution=resolution, **inputs)  # type: ignore[arg-type]
    applied, adjustments = clamp(request, AUTO)
    assert adjustments == []
    sent = reelkit_jimeng.reelkit_translate(
        provider="jimeng", model=AUTO, request=applied, config=config
    )
    assert json.loads(sent.content)["req_key"] == req_key


def test_image_modes_follow_the_image_and_report_a_requested_ratio() -> None:
    applied, adjustments = clamp(
        VideoRequest(prompt="a cat", aspect_ratio="9:16", first_frame=IMAGE), AUTO
    )
    assert applied.aspect_ratio == "adaptive"
    assert [(a.field, a.applied) for a in adjustments] == [("aspect_ratio", "adaptive")]


def test_a_named_mode_refuses_other_inputs() -> None:
    with pytest.raises(UnsupportedMode) as info:
        clamp(VideoRequest(prompt="a cat", first_frame=IMAGE), BY_NAME["t2v_720p"])
    assert info.value.allowed == "t2v"
    with pytest.raises(UnsupportedMode):
        clamp(VideoRequest(prompt="a cat"), BY_NAME["i2v_first_1080p"])


def test_a_named_mode_keeps_its_resolution() -> None:
    applied, adjustments = clamp(
        VideoRequest(prompt="a cat", resolution="1080p"), BY_NAME["t2v_720p"]
    )
    assert applied.resolution == "720p"
    assert [a.field for a in adjustments] == ["resolution"]
    applied, _ = clamp(VideoRequest(prompt="", first_frame=IMAGE), BY_NAME["ti2v_pro"])
    assert (applied.mode, applied.resolution) == (Mode.I2V, "1080p")
