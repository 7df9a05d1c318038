"""Capabilities as data: registration, models and the rules of the reference."""

from __future__ import annotations

from reelkit.capabilities import Audio, Mode, ModelInfo, ProviderInfo, Range
from reelkit_grok import MODELS, PROVIDER


def by_id(model_id: str) -> ModelInfo:
    return next(m for m in MODELS if m.id == model_id)


def resolutions(model: ModelInfo, mode: Mode) -> set[str]:
    spec = model.mode(mode)
    assert spec is not None
    return {r for v in spec.variants for r in v.resolutions}


def test_registration() -> None:
    seen: list[tuple[ProviderInfo, tuple[ModelInfo, ...]]] = []

    def register(provider: ProviderInfo, models: object) -> None:
        seen.append((provider, tuple(models)))  # type: ignore[call-overload]

    import reelkit_grok

    reelkit_grok.reelkit_register_providers(register=register)
    ((provider, models),) = seen
    assert provider.name == "grok"
    assert provider.aliases == ("xai",)
    assert provider.priority == 1
    assert provider.credential_env == (("XAI_API_KEY",),)
    assert provider.base_url_envs[0] == "REELKIT_GROK_BASE_URL"
    assert provider.timeout_s == 600.0
    assert provider.default_model == "grok-imagine-video"
    assert {m.id for m in models} == {"grok-imagine-video", "grok-imagine-video-1.5"}
    names = [n for m in models for n in m.names()]
    assert len(names) == len(set(names))


def test_durations_are_continuous_whole_seconds() -> None:
    for model in MODELS:
        assert model.default_duration == 5  # the seed's default
        for mode in (Mode.T2V, Mode.I2V, Mode.REFERENCE):
            spec = model.mode(mode)
            assert spec is not None
            for variant in spec.variants:
                assert variant.durations == Range(1, 15, step=1)
        extend = model.mode(Mode.EXTEND)
        assert extend is not None
        assert extend.variants[0].durations == Range(1, 10, step=1)
        # 7.4 s is rounded to a whole second, 20 s clamped to 15 (the seed's rule)
        assert Range(1, 15, step=1).nearest(7.4) == 7
        assert Range(1, 15, step=1).nearest(20) == 15


def test_resolutions() -> None:
    base, v15 = by_id("grok-imagine-video"), by_id("grok-imagine-video-1.5")
    assert base.default_resolution == "480p"
    for mode in (Mode.T2V, Mode.I2V, Mode.REFERENCE):
        assert resolutions(base, mode) == {"480p", "720p"}
    assert resolutions(v15, Mode.T2V) == resolutions(v15, Mode.I2V) == {"480p", "720p", "1080p"}
    assert resolutions(v15, Mode.REFERENCE) == {"480p", "720p"}  # references are capped at 720p


def test_modes() -> None:
    base, v15 = by_id("grok-imagine-video"), by_id("grok-imagine-video-1.5")
    assert base.mode(Mode.FIRST_LAST) is None  # last_frame is 1.5 only
    assert v15.mode(Mode.FIRST_LAST) is not None
    ref_base, ref_15 = base.mode(Mode.REFERENCE), v15.mode(Mode.REFERENCE)
    assert ref_base is not None and ref_15 is not None
    assert not ref_base.accepts_first_frame
    assert ref_15.accepts_first_frame
    assert ref_base.max_reference_images == ref_15.max_reference_images == 7
    for model in MODELS:
        assert {Mode.EDIT, Mode.EXTEND, Mode.REMIX} <= {s.mode for s in model.modes}
        assert model.audio is Audio.OPTIONAL
        assert not model.supports_seed
        assert not model.supports_negative_prompt
        assert model.images.transports == ("url", "base64")
        assert model.url_lifetime_s == 24 * 3600
        aspects = {a for s in model.modes for v in s.variants for a in v.aspect_ratios}
        assert aspects == {"1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3"}


def test_import_is_cheap() -> None:
    import subprocess
    import sys

    code = (
        "import sys, reelkit_grok; print(','.join(m for m in ('httpx', 'av') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    assert PROVIDER.name == "grok"
