"""Clamping: unit cases on the awkward inline plugin, and the properties of docs/design.md §2.5 over
every model of every installed plugin found through entry points (a plugin installed later is
checked too)."""

from __future__ import annotations

import contextlib
from typing import Any

import awkward
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reelkit import InvalidRequest, Media, Mode, UnsupportedMode, VideoRequest, clamp
from reelkit.capabilities import on_scale
from reelkit.plugins import PluginHost
from reelkit.testing import (
    check_clamp_properties,
    check_monotonic,
    check_priced,
    check_valid_unchanged,
    model_modes,
    png_bytes,
    requests,
)

TIES = awkward.MODELS[0]


def installed_models() -> list[Any]:
    host = PluginHost(plugins=[awkward])
    host.load_all()
    return [m for p in host.all_providers() for m in p.models]


MODELS = installed_models()
CASES = list(model_modes(MODELS))
IDS = [f"{m.id}-{s.mode.value}" for m, s in CASES]


def test_every_first_party_provider_is_checked() -> None:
    providers = {p.info.name for p in PluginHost().all_providers()}
    assert {"local"} <= providers
    assert len(CASES) >= 3


def test_tie_snaps_to_longer() -> None:
    applied, adjustments = clamp(VideoRequest(prompt="x", duration=5), TIES)
    assert applied.duration == 6
    assert [a.to_dict() for a in adjustments] == [
        {
            "field": "duration",
            "requested": 5,
            "applied": 6,
            "reason": "ties (t2v) takes 4, 6 s; snapped to the nearest",
        }
    ]


def test_resolution_is_kept_before_duration() -> None:
    applied, adjustments = clamp(VideoRequest(prompt="x", resolution="1080p", duration=4), TIES)
    assert (applied.resolution, applied.duration, applied.size) == ("1080p", 10, "1920x1080")
    assert [a.field for a in adjustments] == ["duration"]
    assert "1080p needs 10 s" in adjustments[0].reason


def test_aspect_ratio_constrained_by_variant() -> None:
    applied, adjustments = clamp(
        VideoRequest(prompt="x", resolution="1080p", aspect_ratio="9:16"), TIES
    )
    assert (applied.resolution, applied.aspect_ratio) == ("1080p", "16:9")
    assert [a.field for a in adjustments] == ["aspect_ratio"]


def test_range_with_step() -> None:
    image = Media(data=png_bytes(), mime_type="image/png", width=64, height=64)
    applied, adjustments = clamp(
        VideoRequest(prompt="x", first_frame=image, duration=3.3, fps=30), TIES
    )
    assert applied.mode is Mode.I2V
    assert applied.duration == 3.5
    assert applied.fps == 24  # fps is not settable: the provider's own rate
    assert {a.field for a in adjustments} == {"duration", "fps", "resolution"} - {"resolution"}


def test_strict_names_field_and_allowed() -> None:
    with pytest.raises(InvalidRequest) as info:
        clamp(VideoRequest(prompt="x", duration=99), TIES, strict=True)
    assert info.value.field == "duration"
    assert info.value.allowed == "4, 6 s"
    assert "allowed: 4, 6 s" in str(info.value)


def test_valid_request_has_no_adjustments() -> None:
    applied, adjustments = clamp(VideoRequest(prompt="x", duration=4, aspect_ratio="9:16"), TIES)
    assert adjustments == []
    assert applied.size == "720x1280"


def test_surplus_reference_images_dropped() -> None:
    image = Media(data=png_bytes(), mime_type="image/png", width=64, height=64)
    applied, adjustments = clamp(VideoRequest(prompt="x", reference_images=[image] * 4), TIES)
    assert len(applied.reference_images) == 2
    assert adjustments[0].field == "reference_images"


def test_unsupported_mode_names_the_role() -> None:
    with pytest.raises(UnsupportedMode) as info:
        clamp(
            VideoRequest(prompt="x", continue_from=None, video=Media(url="https://x/v.mp4")), TIES
        )
    assert info.value.field == "video"
    assert "t2v" in str(info.value.allowed)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"last_frame": Media(url="https://x/a.png")}, "last_frame"),
        ({"video": Media(url="https://x/v.mp4"), "remix_of": None, "continue_from": None}, "video"),
    ],
)
def test_ambiguous_or_incomplete_inputs(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(UnsupportedMode) as info:
        clamp(VideoRequest(prompt="x", **kwargs), TIES)
    assert info.value.field == field


def test_image_limits_before_any_network() -> None:
    with pytest.raises(InvalidRequest) as info:
        clamp(
            VideoRequest(
                prompt="x", first_frame=Media(url="https://x/a.png", mime_type="image/png")
            ),
            TIES,
        )
    assert info.value.field == "first_frame"
    jpeg = Media(data=b"\xff\xd8" + b"0" * 10, mime_type="image/jpeg")
    with pytest.raises(InvalidRequest, match="jpeg images are not accepted"):
        clamp(VideoRequest(prompt="x", first_frame=jpeg), TIES)
    big = Media(
        data=png_bytes(200, 200) + b"0" * 20_000, mime_type="image/png", width=200, height=200
    )
    with pytest.raises(InvalidRequest, match="at most 10000 bytes"):
        clamp(VideoRequest(prompt="x", first_frame=big), TIES)


def test_prompt_over_limit_is_an_error_never_truncated() -> None:
    with pytest.raises(InvalidRequest) as info:
        clamp(VideoRequest(prompt="x" * 201), TIES)
    assert info.value.field == "prompt"
    assert "at most 200 characters" in str(info.value)


def test_size_and_resolution_conflict() -> None:
    with pytest.raises(InvalidRequest) as info:
        clamp(VideoRequest(prompt="x", size="1920x1080", resolution="720p"), TIES)
    assert info.value.field == "size"


def test_bad_values_are_typed() -> None:
    for kwargs, field in (
        ({"duration": -1}, "duration"),
        ({"resolution": "huge"}, "resolution"),
        ({"aspect_ratio": "wide"}, "aspect_ratio"),
        ({"size": "big"}, "size"),
    ):
        with pytest.raises(InvalidRequest) as info:
            clamp(VideoRequest(prompt="x", **kwargs), TIES)
        assert info.value.field == field


def test_a_size_that_is_not_offered_lists_the_sizes_that_are() -> None:
    with pytest.raises(InvalidRequest) as info:
        clamp(VideoRequest(prompt="x", size="1x1"), TIES)
    assert info.value.field == "size"
    assert "not a size" not in str(info.value)  # it is one; it is not offered
    assert "1x1 is not offered by ties (t2v)" in str(info.value)
    assert info.value.allowed is not None and "1280x720" in info.value.allowed.split(", ")
    # Inside the scale, a size is fitted to the nearest offered one, as ever.
    applied, adjustments = clamp(VideoRequest(prompt="x", size="1200x700"), TIES)
    assert applied.size == "1280x720" and [a.field for a in adjustments] == ["size"]


@pytest.mark.parametrize("ratio", ["32:18", "16:9"])
def test_the_same_ratio_written_otherwise_is_normalised_silently(ratio: str) -> None:
    applied, adjustments = clamp(VideoRequest(prompt="x", aspect_ratio=ratio), TIES)
    assert applied.aspect_ratio == "16:9"
    assert adjustments == []
    clamp(VideoRequest(prompt="x", aspect_ratio=ratio), TIES, strict=True)  # nothing to refuse


@pytest.mark.parametrize("label", ["9000p", "100p"])
def test_a_resolution_beyond_any_known_one_is_an_error_listing_the_offered(label: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        clamp(VideoRequest(prompt="x", resolution=label), TIES)
    assert info.value.field == "resolution"
    assert label in str(info.value)
    assert info.value.allowed == "720p, 1080p"


def test_a_resolution_inside_the_scale_snaps_with_an_adjustment() -> None:
    applied, adjustments = clamp(VideoRequest(prompt="x", resolution="2k"), TIES)
    assert applied.resolution == "1080p"
    assert [(a.field, a.requested, a.applied) for a in adjustments] == [
        ("resolution", "2k", "1080p")
    ]
    with pytest.raises(InvalidRequest) as info:
        clamp(VideoRequest(prompt="x", resolution="huge"), TIES)
    assert (info.value.field, info.value.allowed) == ("resolution", "720p, 1080p")


# --- properties over every installed model ----------------------------------------------------

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))


T2V_CASES = [(m, s) for m, s in CASES if s.mode is Mode.T2V]


@pytest.mark.parametrize(("model", "spec"), T2V_CASES, ids=[f"{m.id}" for m, _ in T2V_CASES])
@SETTINGS
@given(height=st.integers(min_value=100, max_value=9999))
def test_a_resolution_label_snaps_on_the_scale_and_is_refused_off_it(
    model: Any, spec: Any, height: int
) -> None:
    offered = [r for v in spec.variants for r in v.resolutions]
    request = VideoRequest(prompt="A lighthouse in a storm", resolution=f"{height}p")
    if on_scale(height, offered):
        applied, _ = clamp(request, model)
        assert applied.resolution in offered
    else:
        with pytest.raises(InvalidRequest) as info:
            clamp(request, model)
        assert info.value.field == "resolution"
        assert info.value.allowed == ", ".join(dict.fromkeys(offered))


@pytest.mark.parametrize(("model", "spec"), T2V_CASES, ids=[f"{m.id}" for m, _ in T2V_CASES])
@SETTINGS
@given(
    width=st.integers(min_value=1, max_value=99_999),
    height=st.integers(min_value=1, max_value=99_999),
)
def test_a_size_is_fitted_on_the_scale_and_refused_off_it(
    model: Any, spec: Any, width: int, height: int
) -> None:
    size = f"{width}x{height}"
    offered = {
        v.size_for(r, a) for v in spec.variants for r in v.resolutions for a in v.aspect_ratios
    }
    declared = [r for v in spec.variants for r in v.resolutions]
    request = VideoRequest(prompt="A lighthouse in a storm", size=size)
    if size in offered or on_scale(min(width, height), declared):
        applied, adjustments = clamp(request, model)
        assert applied.size in offered
        assert bool([a for a in adjustments if a.field == "size"]) == (size not in offered)
    else:
        with pytest.raises(InvalidRequest) as info:
            clamp(request, model)
        assert info.value.field == "size"
        assert "not a size" not in str(info.value)


@pytest.mark.parametrize(("model", "spec"), CASES, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_clamp_properties(model: Any, spec: Any, data: Any) -> None:
    check_clamp_properties(model, data.draw(requests(model, spec)))


@pytest.mark.parametrize(("model", "spec"), CASES, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_valid_requests_unchanged(model: Any, spec: Any, data: Any) -> None:
    variant = data.draw(st.sampled_from(spec.variants))
    check_valid_unchanged(model, spec, variant, lambda xs: data.draw(st.sampled_from(list(xs))))


@pytest.mark.parametrize(("model", "spec"), CASES, ids=IDS)
@SETTINGS
@given(
    d1=st.floats(min_value=0.1, max_value=60, allow_nan=False),
    d2=st.floats(min_value=0.1, max_value=60, allow_nan=False),
    res=st.sampled_from([None, "480p", "720p", "1080p"]),
)
def test_duration_snapping_is_monotonic(
    model: Any, spec: Any, d1: float, d2: float, res: str | None
) -> None:
    # A typed refusal (e.g. a first frame that must match a size) is the same for both.
    with contextlib.suppress(InvalidRequest):
        check_monotonic(model, spec, d1, d2, resolution=res)


@pytest.mark.parametrize("model", MODELS, ids=[m.id for m in MODELS])
def test_every_variant_is_priced_or_unknown(model: Any) -> None:
    check_priced(model)
