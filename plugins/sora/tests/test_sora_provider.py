"""The docs/design.md §1.2 contract for sora."""

from __future__ import annotations

from reelkit.capabilities import Choices, Mode
from reelkit_sora import catalogue

MODELS = {m.id: m for m in catalogue.MODELS}


def test_contract_values() -> None:
    p = catalogue.PROVIDER
    assert (p.name, p.aliases, p.priority, p.default_model) == ("sora", ("openai",), 3, "sora-2")
    assert p.credential_env == (("OPENAI_API_KEY",),)
    assert p.base_url_envs == ("REELKIT_SORA_BASE_URL", "OPENAI_BASE_URL")
    assert p.base_url == "https://api.openai.com/v1"
    assert (
        p.deprecation is not None
        and "2026-09-24" in p.deprecation
        and "REELKIT_SORA_BASE_URL" in p.deprecation
    )


def test_models_and_durations() -> None:
    assert set(MODELS) == {
        "sora-2",
        "sora-2-pro",
        "sora-2-2025-12-08",
        "sora-2-2025-10-06",
        "sora-2-pro-2025-10-06",
    }
    t2v = MODELS["sora-2"].mode(Mode.T2V)
    assert t2v is not None and t2v.variants[0].durations == Choices((4, 8, 12, 16, 20))
    assert all(m.images.must_match_size for m in MODELS.values())
    pro_sizes = {
        v.size_for(r, a)
        for v in MODELS["sora-2-pro"].modes[0].variants
        for r in v.resolutions
        for a in v.aspect_ratios
    }
    assert pro_sizes == {"1280x720", "720x1280", "1792x1024", "1024x1792", "1920x1080", "1080x1920"}
