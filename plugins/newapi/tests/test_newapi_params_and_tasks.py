"""Declared ``--param`` keys per upstream family, no task list, adopted handles (newapi)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

import reelkit_newapi
from openai_videos_fixtures import (
    check_default_handle_polls_alike,
    config,
    request_json,
    sample_value,
    sent_value,
    translate_with_params,
)
from reelkit import clamp
from reelkit.capabilities import Mode
from reelkit.errors import InvalidRequest, UnsupportedMode
from reelkit.models import SourceJob, VideoRequest
from reelkit_newapi import catalogue, videos
from reelkit_openai_videos.dialect import FeatureNotOffered

MODELS = {m.id: m for m in catalogue.MODELS}
BASE = "https://gw.example.com"
DECLARED = [(m.id, p.name) for m in catalogue.MODELS for p in m.params]
SEED003 = ["metadata", "quality", "function_mode", "callback_url", "external_task_id"]
KLING = ["metadata", "watermark_info", "callback_url", "external_task_id"]


def _names(model_id: str) -> list[str]:
    return [p.name for p in MODELS[model_id].params]


def _body(model_id: str, params: dict[str, Any], mode: Mode | None = None) -> dict[str, Any]:
    request = translate_with_params(
        videos.API, MODELS[model_id], params, provider="newapi", base_url=BASE, mode=mode
    )
    body: dict[str, Any] = request_json(request)
    return body


def test_every_model_declares_its_upstreams_fields() -> None:
    assert len(catalogue.MODELS) == 47
    families = {
        "sora-2": ["characters"],
        "sora-2-pro": ["characters"],
        "veo3.1": SEED003,
        "veo3.1-pro-4k": SEED003,
        "veo3.1-video-1080p": ["extra_body"],
        "veo3.1-fast-video-4k": ["extra_body"],
        "doubao-seedance-1-0-pro-250528": ["metadata"],
        "doubao-seedance-2-0-fast-260128": ["metadata"],
        "kling-v1": [*KLING, "cfg_scale", "camera_control"],
        "kling-v1-5": [*KLING, "cfg_scale", "camera_control"],
        "kling-v1-6": [*KLING, "cfg_scale"],
        "kling-v2-master": KLING,
        "kling-v2-6": KLING,
        "kling-v3": [
            *KLING,
            "multi_shot",
            "shot_type",
            "multi_prompt",
            "voice_list",
            "element_list",
        ],
        "grok-video-3": SEED003,
        "gemini-omni": SEED003,
        "viduq3-turbo": SEED003,
        "hailuo-video": SEED003,
        "happyhorse-1.0-video-edit": SEED003,
    }
    for model_id, names in families.items():
        assert _names(model_id) == names, model_id
    assert all(m.params for m in catalogue.MODELS)
    assert all(p.description for m in catalogue.MODELS for p in m.params)


def test_prompt_limits_where_the_upstream_documents_one() -> None:
    limits = {m.id: m.max_prompt_chars for m in catalogue.MODELS}
    assert limits["sora-2"] == limits["sora-2-pro"] == 32_000  # OpenAI, passed through
    assert {limits[m] for m in limits if m.startswith("kling-")} == {2500}  # Kling's API
    others = {v for m, v in limits.items() if not m.startswith(("kling-", "sora-"))}
    assert others == {None}  # Veo counts tokens, the rest document nothing


@pytest.mark.parametrize(("model_id", "name"), DECLARED)
def test_every_declared_param_translates(model_id: str, name: str) -> None:
    param = next(p for p in MODELS[model_id].params if p.name == name)
    value = sample_value(param)
    assert sent_value(_body(model_id, {name: value}), name, value)


def test_a_mapping_merges_with_reelkits_own_extras() -> None:
    body = _body(
        "veo3.1-video-720p", {"extra_body": {"enhance_prompt": True}}, Mode.T2V
    )  # seed 004: extra_body.generate_audio etc. are reelkit's
    request = VideoRequest(prompt="p", audio=False, params={"extra_body": {"enhance_prompt": True}})
    applied, _ = clamp(request, MODELS["veo3.1-video-720p"])
    merged = request_json(
        videos.API.translate(MODELS["veo3.1-video-720p"], applied, config("newapi", BASE))
    )
    assert merged["extra_body"] == {"generate_audio": False, "enhance_prompt": True}
    assert body["extra_body"] == {"enhance_prompt": True}


@pytest.mark.parametrize(
    ("model_id", "params", "field", "allowed"),
    [
        ("sora-2", {"quality": "high"}, "params.quality", "characters"),
        ("doubao-seedance-1-0-pro-250528", {"watermark": False}, "params.watermark", "metadata"),
        ("kling-v2-6", {"cfg_scale": 0.5}, "params.cfg_scale", "watermark_info"),
        ("kling-v2-1", {"camera_control": {"type": "simple"}}, "params.camera_control", "metadata"),
        ("veo3.1-video-720p", {"metadata": {}}, "params.metadata", "extra_body"),
        ("grok-video-3", {"gateway.characters": []}, "params.characters", "quality"),
    ],
)
def test_an_undeclared_key_is_refused(
    model_id: str, params: dict[str, Any], field: str, allowed: str
) -> None:
    with pytest.raises(InvalidRequest) as err:
        _body(model_id, params)
    assert err.value.field == field
    assert allowed in str(err.value.allowed)


@pytest.mark.parametrize(
    ("model_id", "params", "field"),
    [
        ("kling-v1", {"cfg_scale": 1.5}, "params.cfg_scale"),  # Kling: 0–1
        ("kling-v1", {"cfg_scale": True}, "params.cfg_scale"),
        ("kling-v1", {"camera_control": "simple"}, "params.camera_control"),
        ("kling-v3", {"voice_list": [{"voice_id": "a"}] * 3}, "params.voice_list"),
        ("kling-v3", {"element_list": [{"id": "e"}]}, "params.element_list"),
        ("kling-v3", {"shot_type": "auto"}, "params.shot_type"),
        ("sora-2", {"characters": [{"id": "a"}, {"id": "b"}, {"id": "c"}]}, "params.characters"),
        ("hailuo-video", {"metadata": "{}"}, "params.metadata"),
    ],
)
def test_wrong_values_are_refused(model_id: str, params: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequest) as err:
        _body(model_id, params)
    assert err.value.field == field


def test_cfg_scale_takes_an_integer_bound() -> None:
    assert _body("kling-v1", {"cfg_scale": 1})["cfg_scale"] == 1


def test_remix_takes_no_params() -> None:
    request = VideoRequest(
        prompt="p",
        mode=Mode.REMIX,
        remix_of=SourceJob(task_id="task_8f7XG2kLm0pQrStUvWxYz1234567890a"),
        params={"characters": [{"id": "char_1"}]},
    )
    with pytest.raises(InvalidRequest, match="a remix") as err:
        videos.API.translate(MODELS["sora-2"], request, config("newapi", BASE, {"remix": True}))
    assert err.value.field == "params.characters"


def test_no_task_list_unless_the_deployment_offers_one() -> None:
    # stock new-api routes no GET /v1/videos and seed 003's deployment does not offer it.
    since = datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert (
        reelkit_newapi.reelkit_list_tasks_request(
            provider="newapi", config=config("newapi", BASE), since=since
        )
        is None
    )
    listed = reelkit_newapi.reelkit_list_tasks_request(
        provider="newapi", config=config("newapi", BASE, {"list": True}), since=since
    )
    assert (listed.method, str(listed.url)) == ("GET", f"{BASE}/v1/videos?limit=100&order=desc")


def test_a_remix_the_deployment_does_not_offer_is_refused_saying_how_to_enable_it() -> None:
    request = VideoRequest(
        prompt="p", mode=Mode.REMIX, remix_of=SourceJob(task_id="task_8f7XG2kLm0pQrStUvWxYz12")
    )
    with pytest.raises(FeatureNotOffered) as err:
        videos.API.translate(MODELS["sora-2"], request, config("newapi", BASE))
    assert isinstance(err.value, UnsupportedMode) and err.value.field == "remix_of"
    assert err.value.feature == "remix"
    assert str(err.value) == (
        "remix_of: this newapi deployment does not offer remix (POST /v1/videos/{video_id}/remix)"
        " (the documented deployment lists it as not offered); if yours does, set remix = true"
        " under [providers.newapi] in reelkit.toml (allowed: remix = true under"
        " [providers.newapi] in reelkit.toml)"
    )
    for value in ("yes", 1):
        with pytest.raises(InvalidRequest, match="true or false"):
            videos.API.translate(
                MODELS["sora-2"], request, config("newapi", BASE, {"remix": value})
            )
    sent = videos.API.translate(
        MODELS["sora-2"], request, config("newapi", BASE, {"remix": "true"})
    )
    assert str(sent.url).endswith("/v1/videos/task_8f7XG2kLm0pQrStUvWxYz12/remix")


@pytest.mark.parametrize(
    ("model_id", "completed"),
    [
        # docs/reference/openai-videos.md §3.3/§3.6: the Sora upstream's object; its bytes behind the content proxy
        ("sora-2", {"expires_at": 1764908643}),
        # non-Sora upstreams: the URL in metadata.url (docs/reference/openai-videos.md §3.6)
        ("kling-v2-6", {"metadata": {"url": "https://cdn.klingai.com/bs2/out.mp4"}}),
        # seed 004: video_url
        ("veo3.1-video-1080p", {"video_url": "https://example.com/output.mp4"}),
        # Gemini: nothing but the proxy
        ("veo3.1", {}),
    ],
)
def test_no_adopt_hook_the_default_handle_polls_alike(
    model_id: str, completed: dict[str, Any]
) -> None:
    assert not hasattr(reelkit_newapi, "reelkit_adopt_handle")
    task_id = "task_8f7XG2kLm0pQrStUvWxYz1234567890a"
    created = {
        "id": task_id,
        "task_id": task_id,
        "object": "video",
        "model": model_id,
        "status": "queued",
        "progress": 0,
        "created_at": 1764904843,
    }
    done = {**created, "status": "completed", "progress": 100, **completed}
    check_default_handle_polls_alike(
        videos.API,
        MODELS[model_id],
        created,
        done,
        provider="newapi",
        base_url=BASE,
        submit_url=f"{BASE}/v1/videos",
    )


def test_every_requested_setting_is_sent_or_reported_as_not_sent() -> None:
    # "Clamped, never silently": a duration, resolution or aspect ratio the wire cannot carry
    # (a remix inherits it, an extension's shape is its source's, a mode has no field for it)
    # is an Adjustment in the plan, never a silent drop.
    from openai_videos_fixtures import check_requested_settings_are_sent_or_reported

    checked = check_requested_settings_are_sent_or_reported(
        videos.API, MODELS, provider="newapi", base_url=BASE, options={"remix": True}
    )
    assert checked >= len(MODELS)
