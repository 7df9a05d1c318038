"""Registration through pluggy, the provider contract (docs/design.md §1.2, §1.4) and import cost.

``reference §n`` cites ``docs/reference/volcengine-kling.md`` section n.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pluggy
import pytest

import reelkit_jimeng
from reelkit import hookspecs
from reelkit.capabilities import Mode, ModelInfo, ProviderInfo

SEED_MODES = {
    # seed 001 "--mode": mode name -> reference §1.2 req_key
    "ti2v_pro": "jimeng_ti2v_v30_pro",
    "t2v_1080p": "jimeng_t2v_v30_1080p",
    "i2v_first_1080p": "jimeng_i2v_first_v30_1080",
    "i2v_first_tail_1080p": "jimeng_i2v_first_tail_v30_1080",
    "t2v_720p": "jimeng_t2v_v30",
    "i2v_first_720p": "jimeng_i2v_first_v30",
    "i2v_first_tail_720p": "jimeng_i2v_first_tail_v30",
    "i2v_recamera_720p": "jimeng_i2v_recamera_v30",
}


@pytest.fixture
def registered() -> tuple[ProviderInfo, list[ModelInfo]]:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(reelkit_jimeng, name="jimeng")
    pm.check_pending()
    calls: list[tuple[ProviderInfo, list[ModelInfo]]] = []
    pm.hook.reelkit_register_providers(
        register=lambda provider, models: calls.append((provider, list(models)))
    )
    assert len(calls) == 1
    return calls[0]


def test_provider_contract(registered: tuple[ProviderInfo, list[ModelInfo]]) -> None:
    info, models = registered
    assert info.name == "jimeng" and info.aliases == ("volcengine",)
    assert info.credential_env == (("VOLC_ACCESSKEY", "VOLC_SECRETKEY"),)
    assert info.base_url == "https://visual.volcengineapi.com"
    assert info.base_url_envs == ("REELKIT_JIMENG_BASE_URL", "JIMENG_VIDEO_API_URL")
    assert (info.poll_interval_s, info.poll_interval_env) == (5.0, "JIMENG_VIDEO_POLL_INTERVAL")
    assert (info.timeout_s, info.timeout_env) == (600.0, "JIMENG_VIDEO_API_TIMEOUT")
    assert (info.max_polls, info.max_polls_env) == (120, "JIMENG_VIDEO_MAX_POLL_ATTEMPTS")
    assert info.default_model in {m.id for m in models}


def test_every_seed_mode_name_is_an_alias_of_its_req_key(
    registered: tuple[ProviderInfo, list[ModelInfo]],
) -> None:
    _, models = registered
    by_name = {name: m for m in models for name in m.names()}
    for mode_name, req_key in SEED_MODES.items():
        assert by_name[mode_name].id == req_key
    names = [name for m in models for name in m.names()]
    assert len(names) == len(set(names)), "a model name or alias is claimed twice"


def test_capabilities_match_the_reference(registered: tuple[ProviderInfo, list[ModelInfo]]) -> None:
    _, models = registered
    for model in models:
        assert model.url_lifetime_s == 3600  # reference §1.5
        assert model.max_prompt_chars == 800
        assert model.images.formats == ("jpeg", "png")
        for spec in model.modes:
            for variant in spec.variants:
                assert variant.durations.values == (5.0, 10.0)
                assert variant.fps == (24,)
                if spec.mode is Mode.T2V:
                    assert set(variant.aspect_ratios) == {
                        "16:9",
                        "4:3",
                        "1:1",
                        "3:4",
                        "9:16",
                        "21:9",
                    }
                else:
                    assert variant.aspect_ratios == ("adaptive",)
    pro = next(m for m in models if m.id == "jimeng_ti2v_v30_pro")
    assert pro.mode_names == ("t2v", "i2v")
    assert pro.modes[0].variants[0].size_for("1080p", "21:9") == "2176x928"


def test_import_is_cheap() -> None:
    code = "import sys, reelkit_jimeng; print(sorted(m for m in ('httpx', 'volcengine') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_hooks_are_called_by_keyword_through_pluggy(config: Any) -> None:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(reelkit_jimeng)
    from reelkit.models import VideoRequest
    from reelkit_jimeng.capabilities import AUTO

    request = pm.hook.reelkit_translate(
        provider="jimeng",
        model=AUTO,
        request=VideoRequest(prompt="a cat", mode=Mode.T2V, resolution="1080p", duration=10.0),
        config=config,
    )
    assert request.content == b'{"req_key":"jimeng_t2v_v30_1080p","prompt":"a cat","frames":241}'


def test_the_seeds_environment_variables_configure_the_provider(tmp_path: Any) -> None:
    from reelkit.config import Settings
    from reelkit_jimeng.capabilities import PROVIDER_INFO

    env = {
        "JIMENG_VIDEO_API_URL": "https://visual.example.com",
        "JIMENG_VIDEO_API_TIMEOUT": "45",
        "JIMENG_VIDEO_POLL_INTERVAL": "7",
        "JIMENG_VIDEO_MAX_POLL_ATTEMPTS": "30",
        "VOLC_ACCESSKEY": "AKLT",
        "VOLC_SECRETKEY": "sk",
    }
    settings = Settings.load(env=env, home=tmp_path, cwd=tmp_path)
    config = settings.provider_config(PROVIDER_INFO)
    assert (config.base_url, config.http_timeout_s) == ("https://visual.example.com", 45.0)
    assert (config.poll_interval_s, config.max_polls) == (7.0, 30)
    creds = settings.credentials(PROVIDER_INFO)
    assert creds is not None and dict(creds) == {"VOLC_ACCESSKEY": "AKLT", "VOLC_SECRETKEY": "sk"}
    # REELKIT_JIMENG_BASE_URL wins over the seed's variable (docs/design.md §1.2).
    env["REELKIT_JIMENG_BASE_URL"] = "http://127.0.0.1:8765/jimeng"
    config = Settings.load(env=env, home=tmp_path, cwd=tmp_path).provider_config(PROVIDER_INFO)
    assert config.base_url == "http://127.0.0.1:8765/jimeng"
    # Without JIMENG_VIDEO_API_TIMEOUT, one request may take the seed's default 300 s.
    del env["JIMENG_VIDEO_API_TIMEOUT"]
    config = Settings.load(env=env, home=tmp_path, cwd=tmp_path).provider_config(PROVIDER_INFO)
    assert config.http_timeout_s == 300.0
    # Only one of the two keys is not enough.
    del env["VOLC_SECRETKEY"]
    assert Settings.load(env=env, home=tmp_path, cwd=tmp_path).credentials(PROVIDER_INFO) is None
