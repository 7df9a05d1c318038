"""Declared ``--param`` keys, no task list, and adopted handles (qiniu)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

import reelkit_qiniu
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
from reelkit.errors import InvalidRequest
from reelkit.models import Media, SourceJob, VideoRequest
from reelkit_qiniu import catalogue, videos

MODELS = {m.id: m for m in catalogue.MODELS}
BASE = "https://api.qnaigc.com/v1"
DECLARED = [(m.id, p.name) for m in catalogue.MODELS for p in m.params]
#: A param that only means something in one mode is tried in that mode.
MODE_FOR = {"refer_type": Mode.EDIT}


def _translate(model_id: str, params: dict[str, Any], mode: Mode | None = None) -> dict[str, Any]:
    request = translate_with_params(
        videos.API, MODELS[model_id], params, provider="qiniu", base_url=BASE, mode=mode
    )
    body: dict[str, Any] = request_json(request)
    return body


def test_declared_params_per_model() -> None:
    declared = {m.id: [p.name for p in m.params] for m in catalogue.MODELS}
    assert declared == {
        "sora-2": [],  # seed 002 documents nothing beyond reelkit's own fields
        "sora-2-pro": [],
        "kling-video-o1": ["mode", "refer_type"],
        "kling-v2-1": ["mode"],
        "kling-v2-5-turbo": ["mode"],
        "kling-v2-6": [
            "mode",
            "image_url",
            "video_url",
            "character_orientation",
            "keep_original_sound",
        ],
        "kling-v3": ["mode"],
        "kling-v3-omni": ["mode", "refer_type", "multi_shot", "shot_type", "multi_prompt"],
    }
    assert all(p.description for m in catalogue.MODELS for p in m.params)


def test_every_model_has_qinius_prompt_limit() -> None:
    # seed 002: "最大 2500 字符", Kling's own limit too
    assert {m.max_prompt_chars for m in catalogue.MODELS} == {2500}


@pytest.mark.parametrize(("model_id", "name"), DECLARED)
def test_every_declared_param_translates(model_id: str, name: str) -> None:
    param = next(p for p in MODELS[model_id].params if p.name == name)
    value = sample_value(param)
    if name == "mode":  # it must agree with the resolution: the default one's
        value = catalogue.KLING_MODE_BY_RESOLUTION[MODELS[model_id].default_resolution]
    body = _translate(model_id, {name: value}, MODE_FOR.get(name))
    if name == "refer_type":  # reelkit's own key: it lands in video_list
        assert body["video_list"][0]["refer_type"] == value and "refer_type" not in body
    else:
        assert sent_value(body, name, value)


def test_mode_follows_the_resolution_and_a_given_one_must_agree() -> None:
    assert _translate("kling-v2-5-turbo", {})["mode"] == "std"  # 720p by default
    assert _translate("kling-v2-5-turbo", {"mode": "std"})["mode"] == "std"
    # seed 002: std is 720p, pro 1080p; a mode against the applied resolution would make the
    # plan show one quality and the wire ask for the other.
    with pytest.raises(InvalidRequest) as err:
        _translate("kling-v2-5-turbo", {"mode": "pro"})
    assert err.value.field == "params.mode" and "1080p" in str(err.value.allowed)


@pytest.mark.parametrize(
    ("model_id", "params", "field", "allowed"),
    [
        ("sora-2", {"characters": [{"id": "c"}]}, "params.characters", "none: sora-2 takes"),
        ("kling-v2-1", {"cfg_scale": 0.5}, "params.cfg_scale", "mode"),
        ("kling-v2-5-turbo", {"refer_type": "base"}, "params.refer_type", "mode"),
        ("kling-v3-omni", {"qiniu.voice_list": []}, "params.voice_list", "multi_prompt"),
    ],
)
def test_an_undeclared_key_is_refused(
    model_id: str, params: dict[str, Any], field: str, allowed: str
) -> None:
    with pytest.raises(InvalidRequest) as err:
        _translate(model_id, params)
    assert err.value.field == field
    assert allowed in str(err.value.allowed)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"mode": "turbo"}, "params.mode"),
        ({"multi_shot": "yes"}, "params.multi_shot"),
        ({"shot_type": "auto"}, "params.shot_type"),
        (
            {"multi_prompt": [{"index": 1, "prompt": "x" * 513, "duration": "5"}]},
            "params.multi_prompt",
        ),
        ({"multi_prompt": [{"index": i, "prompt": "x"} for i in range(7)]}, "params.multi_prompt"),
    ],
)
def test_wrong_values_are_refused(params: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequest) as err:
        _translate("kling-v3-omni", params)
    assert err.value.field == field


def test_refer_type_needs_a_reference_video() -> None:
    with pytest.raises(InvalidRequest, match="has none") as err:
        _translate("kling-video-o1", {"refer_type": "feature"}, Mode.T2V)
    assert err.value.field == "params.refer_type"


def test_o1_is_pro_only() -> None:
    with pytest.raises(InvalidRequest):
        _translate("kling-video-o1", {"mode": "std"})


def test_remix_takes_no_params() -> None:
    request = VideoRequest(
        prompt="p",
        mode=Mode.REMIX,
        remix_of=SourceJob(task_id="qvideo-u-1"),
        params={"mode": "pro"},
    )
    # sora-2 on Qiniu declares no params at all, so the key is unknown before it is a remix's
    with pytest.raises(InvalidRequest) as err:
        videos.API.translate(MODELS["sora-2"], request, config("qiniu", BASE))
    assert err.value.field == "params.mode"


def test_no_task_list() -> None:
    # seed 002 documents no list endpoint: reconcile gets None and does not ask.
    since = datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert (
        reelkit_qiniu.reelkit_list_tasks_request(
            provider="qiniu", config=config("qiniu", BASE), since=since
        )
        is None
    )


@pytest.mark.parametrize("model_id", ["sora-2", "kling-video-o1", "kling-v2-5-turbo"])
def test_no_adopt_hook_the_default_handle_polls_alike(model_id: str) -> None:
    assert not hasattr(reelkit_qiniu, "reelkit_adopt_handle")
    # seed 002: the create answer and the 成功完成状态 answer
    task_id = "qvideo-user123-1234567890123456789"
    created = {
        "id": task_id,
        "object": "video",
        "model": model_id,
        "status": "queued",
        "created_at": 1234567890,
        "updated_at": 1234567890,
    }
    url = "https://aitoken-video.qnaigc.com/user123/1.mp4?e=1235172720&token=abc"
    completed = {
        **created,
        "status": "completed",
        "completed_at": 1234567920,
        "task_result": {"videos": [{"id": f"{task_id}-1", "url": url, "duration": "4"}]},
    }
    check_default_handle_polls_alike(
        videos.API,
        MODELS[model_id],
        created,
        completed,
        provider="qiniu",
        base_url=BASE,
        submit_url=f"{BASE}/videos",
    )


def test_image_list_with_params_keeps_media() -> None:
    frame = Media(url="https://example.com/a.png")
    request = VideoRequest(
        prompt="p", first_frame=frame, params={"multi_shot": True, "shot_type": "intelligence"}
    )
    applied, _ = clamp(request, MODELS["kling-v3-omni"])
    body = request_json(
        videos.API.translate(MODELS["kling-v3-omni"], applied, config("qiniu", BASE))
    )
    assert body["image_list"] == [{"image": frame.url, "type": "first_frame"}]
    assert (body["multi_shot"], body["shot_type"]) == (True, "intelligence")


def test_every_requested_setting_is_sent_or_reported_as_not_sent() -> None:
    # "Clamped, never silently": a duration, resolution or aspect ratio the wire cannot carry
    # (a remix inherits it, an extension's shape is its source's, a mode has no field for it)
    # is an Adjustment in the plan, never a silent drop.
    from openai_videos_fixtures import check_requested_settings_are_sent_or_reported

    checked = check_requested_settings_are_sent_or_reported(
        videos.API, MODELS, provider="qiniu", base_url=BASE, options=None
    )
    assert checked >= len(MODELS)
