"""What a plugin needs to put on the wire exactly what the caller asked: which settings took the
model's defaults, sizes that name only an aspect ratio, and requested values it does not send."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reelkit import clamp, wire
from reelkit.capabilities import Choices, Mode, ModelInfo, ModeSpec, Variant
from reelkit.errors import InvalidRequest
from reelkit.models import Adjustment, VideoRequest

ASPECT_SIZES = {"16:9": ("1920x1080", "1280x720"), "1:1": ("1080x1080", "720x720")}
MODEL = ModelInfo(
    id="m",
    modes=(
        ModeSpec(
            mode=Mode.T2V,
            variants=(
                Variant(
                    resolutions=("720p", "1080p"),
                    aspect_ratios=("16:9", "1:1"),
                    durations=Choices((5, 10)),
                    aspect_sizes=ASPECT_SIZES,
                ),
            ),
        ),
    ),
    default_duration=5,
    default_resolution="720p",
    default_aspect_ratio="16:9",
)


def test_clamping_says_which_settings_the_caller_left_unset() -> None:
    applied, _ = clamp(VideoRequest(prompt="p"), MODEL)
    assert set(applied.unset) == {"duration", "resolution", "aspect_ratio", "size"}
    applied, _ = clamp(VideoRequest(prompt="p", duration=10, aspect_ratio="1:1"), MODEL)
    assert applied.unset == ("resolution",)
    applied, _ = clamp(VideoRequest(prompt="p", size="1280x720"), MODEL)
    assert applied.unset == ("duration",)
    assert clamp(applied, MODEL) == (applied, [])  # idempotent


@pytest.mark.parametrize(
    ("size", "resolution", "applied"),
    [
        ("1280x720", None, ("720p", "16:9")),
        ("1920x1080", None, ("1080p", "16:9")),
        ("1280x720", "1080p", ("1080p", "16:9")),  # the size names only the aspect ratio
        ("1080x1080", "720p", ("720p", "1:1")),
    ],
)
def test_an_aspect_size_is_sent_as_given_at_any_resolution(
    size: str, resolution: str | None, applied: tuple[str, str]
) -> None:
    request = VideoRequest(prompt="p", size=size, resolution=resolution)
    result, adjustments = clamp(request, MODEL, strict=True)
    assert adjustments == []
    assert (result.resolution, result.aspect_ratio, result.size) == (*applied, size)


def test_a_size_the_variant_does_not_list_is_still_adjusted() -> None:
    with pytest.raises(InvalidRequest):
        clamp(VideoRequest(prompt="p", size="1024x768"), MODEL, strict=True)


def test_not_sent_values_are_reported_on_the_request() -> None:
    request = httpx.Request("POST", "https://example.com/v1/videos")
    assert wire.reported_not_sent(request) == ()
    one = Adjustment(field="duration", requested=8, applied=None, reason="inherited; not sent")
    two = Adjustment(field="size", requested="1280x720", applied=None, reason="inherited")
    assert wire.not_sent(request, [one]) is request
    wire.not_sent(request, [two])
    wire.not_sent(request, [])
    assert wire.reported_not_sent(request) == (one, two)


def test_the_contract_catches_a_value_dropped_silently() -> None:
    import json
    import types

    import awkward

    from reelkit.hookspecs import hookimpl
    from reelkit.models import ProviderConfig
    from reelkit.plugins import PluginHost
    from reelkit.testing import check_carried_or_reported

    report = {"on": False}

    @hookimpl
    def reelkit_translate(provider: str, model: Any, request: Any, config: Any) -> Any:
        """awkward's translate, forgetting the duration (reported only when told to)."""
        http = awkward.reelkit_translate(provider, model, request, config)
        body = json.loads(http.content)
        body.pop("seconds")
        out = httpx.Request(http.method, http.url, json=body)
        if report["on"]:
            dropped = Adjustment(field="duration", requested=1, applied=None, reason="no field")
            wire.not_sent(out, [dropped])
        return out

    plugin = types.ModuleType("dropping")  # a plugin as an entry point gives one: a module
    plugin.reelkit_register_providers = awkward.reelkit_register_providers  # type: ignore[attr-defined]
    plugin.reelkit_translate = reelkit_translate  # type: ignore[attr-defined]
    host = PluginHost(plugins=[plugin], entry_points=False)
    provider = host.provider("awkward")
    config = ProviderConfig(
        name="awkward", base_url="https://api.awkward.test", poll_interval_s=0, timeout_s=1
    )
    model = provider.models[0]
    with pytest.raises(AssertionError, match=r"duration=.* is neither sent nor reported"):
        check_carried_or_reported(host, provider.info, model, config)
    report["on"] = True
    assert check_carried_or_reported(host, provider.info, model, config) > 0
