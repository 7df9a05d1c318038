"""Capabilities as data: registration and the coupled rules encoded as variants."""

from __future__ import annotations

from reelkit.capabilities import Audio, Choices, Mode, ModelInfo, ProviderInfo
from reelkit_veo import MODELS, PROVIDER

model_ids = {m.id for m in MODELS}


def by_id(model_id: str) -> ModelInfo:
    return next(m for m in MODELS if m.id == model_id)


def durations_for(model: ModelInfo, mode: Mode, resolution: str) -> set[float]:
    spec = model.mode(mode)
    assert spec is not None
    out: set[float] = set()
    for variant in spec.variants:
        if resolution in variant.resolutions:
            assert isinstance(variant.durations, Choices)  # never a continuous range on Veo
            out |= set(variant.durations.values)
    return out


def test_registration() -> None:
    seen: list[tuple[ProviderInfo, tuple[ModelInfo, ...]]] = []

    def register(provider: ProviderInfo, models: object) -> None:
        seen.append((provider, tuple(models)))  # type: ignore[arg-type]

    import reelkit_veo

    reelkit_veo.reelkit_register_providers(register=register)
    ((provider, models),) = seen
    assert provider.name == "veo"
    assert provider.aliases == ("google", "gemini")
    assert provider.priority == 2
    assert provider.credential_env == (("GEMINI_API_KEY",), ("GOOGLE_API_KEY",))
    assert provider.base_url_envs[0] == "REELKIT_VEO_BASE_URL"
    assert provider.poll_interval_s == 20.0
    assert provider.timeout_s == 600.0
    assert provider.default_model == "veo-3.1-generate-preview"
    assert provider.default_model in {m.id for m in models}
    names = [n for m in models for n in m.names()]
    assert len(names) == len(set(names)), "model names and aliases are unique"


def test_models() -> None:
    assert model_ids == {
        "veo-3.1-generate-preview",
        "veo-3.1-fast-generate-preview",
        "veo-3.1-lite-generate-preview",
        "veo-3.0-generate-001",
        "veo-3.0-fast-generate-001",
        "veo-2.0-generate-001",
    }
    for model in MODELS:
        assert model.default_aspect_ratio == "16:9"
        assert not model.supports_seed
        assert not model.fps_settable
        assert model.default_fps == 24
        assert model.supports_negative_prompt
        assert model.images.transports == ("base64",)
        assert model.url_lifetime_s == 2 * 24 * 3600
        for spec in model.modes:
            for variant in spec.variants:
                assert set(variant.aspect_ratios) <= {"16:9", "9:16"}
        t2v = model.mode(Mode.T2V)
        assert t2v is not None
        assert any(
            model.default_resolution in v.resolutions
            and v.durations.contains(model.default_duration)
            for v in t2v.variants
        )


def test_audio_is_always_on_for_veo3_and_off_for_veo2() -> None:
    for model in MODELS:
        expected = Audio.NONE if model.id.startswith("veo-2") else Audio.ALWAYS
        assert model.audio is expected, model.id


def test_veo31_high_resolutions_require_eight_seconds() -> None:
    for model_id in ("veo-3.1-generate-preview", "veo-3.1-fast-generate-preview"):
        model = by_id(model_id)
        for mode in (Mode.T2V, Mode.I2V, Mode.FIRST_LAST):
            assert durations_for(model, mode, "720p") == {4, 6, 8}
            assert durations_for(model, mode, "1080p") == {8}
            assert durations_for(model, mode, "4k") == {8}


def test_reference_images_require_eight_seconds_and_at_most_three() -> None:
    for model_id in ("veo-3.1-generate-preview", "veo-3.1-fast-generate-preview"):
        spec = by_id(model_id).mode(Mode.REFERENCE)
        assert spec is not None
        assert spec.max_reference_images == 3
        assert not spec.accepts_first_frame
        for variant in spec.variants:
            assert variant.durations == Choices((8,))


def test_extension_is_720p_in_the_two_aspects() -> None:
    for model_id in ("veo-3.1-generate-preview", "veo-3.1-fast-generate-preview"):
        spec = by_id(model_id).mode(Mode.EXTEND)
        assert spec is not None
        (variant,) = spec.variants
        assert variant.resolutions == ("720p",)
        assert set(variant.aspect_ratios) == {"16:9", "9:16"}
        assert variant.durations == Choices((8,))


def test_lite_has_no_4k_references_or_extension() -> None:
    lite = by_id("veo-3.1-lite-generate-preview")
    assert lite.mode(Mode.REFERENCE) is None
    assert lite.mode(Mode.EXTEND) is None
    assert lite.mode(Mode.FIRST_LAST) is not None
    resolutions = {r for spec in lite.modes for v in spec.variants for r in v.resolutions}
    assert resolutions == {"720p", "1080p"}
    assert durations_for(lite, Mode.T2V, "1080p") == {8}


def test_veo3_1080p_only_landscape_and_veo2_discrete() -> None:
    veo3 = by_id("veo-3.0-generate-001")
    spec = veo3.mode(Mode.T2V)
    assert spec is not None
    (hd,) = [v for v in spec.variants if "1080p" in v.resolutions]
    assert hd.aspect_ratios == ("16:9",)
    assert hd.durations == Choices((8,))
    assert {m.value for m in (s.mode for s in veo3.modes)} == {"t2v", "i2v"}
    veo2 = by_id("veo-2.0-generate-001")
    assert durations_for(veo2, Mode.T2V, "720p") == {5, 6, 8}


def test_seed_discrepancy_is_resolved_by_snapping() -> None:
    # The seed says "continuous 4–8"; 5 and 7 are not valid on Veo 3.x and snap instead.
    for model in MODELS:
        if model.id.startswith("veo-3"):
            assert not durations_for(model, Mode.T2V, "720p") & {5, 7}


def test_import_is_cheap() -> None:
    import subprocess
    import sys

    code = "import sys, reelkit_veo; print(','.join(m for m in ('httpx', 'google', 'av') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    assert PROVIDER.name == "veo"
