"""Registration through pluggy, the provider contract (docs/design.md §1.2), clamping and import cost."""

from __future__ import annotations

import subprocess
import sys

import pluggy
import pytest

import reelkit_seedance
from reelkit import clamp, hookspecs
from reelkit.capabilities import Audio, Mode, ModelInfo, ProviderInfo
from reelkit.errors import UnsupportedMode
from reelkit.models import Media, VideoRequest
from reelkit_seedance.capabilities import LITE_I2V, LITE_T2V, MODELS, PRO, PRO_15, PRO_FAST, V2

# seed 003 "4.3 Seedance 系列": the public model ids.
SEED_MODELS = {
    "doubao-seedance-1-0-lite-t2v-250428",
    "doubao-seedance-1-0-lite-i2v-250428",
    "doubao-seedance-1-0-pro-250528",
    "doubao-seedance-1-0-pro-fast-251015",
    "doubao-seedance-1-5-pro-251215",
    "doubao-seedance-2-0-260128",
    "doubao-seedance-2-0-fast-260128",
}


@pytest.fixture
def registered() -> tuple[ProviderInfo, list[ModelInfo]]:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(reelkit_seedance, name="seedance")
    pm.check_pending()
    calls: list[tuple[ProviderInfo, list[ModelInfo]]] = []
    pm.hook.reelkit_register_providers(
        register=lambda provider, models: calls.append((provider, list(models)))
    )
    assert len(calls) == 1
    return calls[0]


def test_provider_contract(registered: tuple[ProviderInfo, list[ModelInfo]]) -> None:
    info, models = registered
    assert (info.name, info.aliases) == ("seedance", ("ark", "doubao"))
    assert info.credential_env == (("ARK_API_KEY",),)
    assert info.base_url_envs == ("REELKIT_SEEDANCE_BASE_URL",)
    assert info.base_url == "https://ark.cn-beijing.volces.com"
    assert {m.id for m in models} == SEED_MODELS
    assert info.default_model in SEED_MODELS
    names = [n for m in models for n in m.names()]
    assert len(names) == len(set(names))


def test_per_model_capabilities_follow_the_reference() -> None:
    assert LITE_T2V.mode_names == ("t2v",)
    assert LITE_I2V.mode_names == ("i2v", "first_last", "reference")
    assert PRO_FAST.mode_names == ("t2v", "i2v")
    assert LITE_I2V.mode(Mode.REFERENCE) is not None
    ref = LITE_I2V.mode(Mode.REFERENCE)
    assert ref is not None and ref.max_reference_images == 4
    assert (
        ref.variants[0].resolutions == ("480p", "720p")
        and "adaptive" not in ref.variants[0].aspect_ratios
    )
    assert (PRO.default_resolution, PRO_15.default_resolution) == ("1080p", "720p")
    assert PRO.modes[0].variants[0].durations.values == tuple(float(s) for s in range(2, 13))
    assert PRO_15.modes[0].variants[0].durations.values == tuple(float(s) for s in range(4, 13))
    assert (PRO.audio, PRO_15.audio, V2.audio) == (Audio.NONE, Audio.OPTIONAL, Audio.OPTIONAL)
    assert not V2.supports_seed
    assert PRO.modes[0].variants[0].size_for("720p", "16:9") == "1248x704"
    assert PRO_15.modes[0].variants[0].size_for("720p", "16:9") == "1280x720"
    assert all(m.url_lifetime_s == 24 * 3600 for m in MODELS)


# --- through the core's clamp: defaults and adjustments ----------------------------------------


def test_text_to_video_on_1_0_defaults_to_16_9_and_image_modes_to_adaptive() -> None:
    applied, adjustments = clamp(VideoRequest(prompt="a cat"), PRO)
    assert (applied.mode, applied.aspect_ratio, applied.resolution, applied.duration) == (
        Mode.T2V,
        "16:9",
        "1080p",
        5.0,
    )
    assert adjustments == []
    applied, _ = clamp(
        VideoRequest(prompt="a cat", first_frame=Media(url="https://e.com/a.png")), PRO
    )
    assert (applied.mode, applied.aspect_ratio) == (Mode.I2V, "adaptive")
    applied, _ = clamp(VideoRequest(prompt="a cat"), PRO_15)
    assert applied.aspect_ratio == "adaptive"  # 1.5 pro picks the ratio from the prompt


def test_clamp_adjusts_duration_and_resolution() -> None:
    applied, adjustments = clamp(VideoRequest(prompt="a cat", duration=20, resolution="4k"), V2)
    assert (applied.duration, applied.resolution) == (15.0, "1080p")
    assert {a.field for a in adjustments} == {"duration", "resolution"}
    applied, adjustments = clamp(VideoRequest(prompt="a cat", duration=3, audio=True), PRO_15)
    assert applied.duration == 4.0 and applied.audio is True
    assert [a.field for a in adjustments] == ["duration"]


def test_pro_fast_has_no_last_frame_mode() -> None:
    with pytest.raises(UnsupportedMode) as info:
        clamp(
            VideoRequest(
                prompt="x",
                first_frame=Media(url="https://e.com/a.png"),
                last_frame=Media(url="https://e.com/b.png"),
            ),
            PRO_FAST,
        )
    assert "t2v" in str(info.value.allowed)


def test_import_is_cheap() -> None:
    code = "import sys, reelkit_seedance; print([m for m in ('httpx', 'volcenginesdkarkruntime') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
