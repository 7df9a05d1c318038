"""Declared ``params`` match translate; an adopted handle polls with the submit's req_key.

``ref §n`` cites ``docs/reference/volcengine-kling.md`` section n.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import reelkit_jimeng
from reelkit.capabilities import Mode, ModelInfo
from reelkit.errors import InvalidRequest
from reelkit.models import Media, ProviderConfig, VideoRequest
from reelkit_jimeng.capabilities import (
    AUTO,
    CAMERA_STRENGTHS,
    I2V_RECAMERA_720P,
    MAX_PROMPT_CHARS,
    MODELS,
    RECAMERA_TEMPLATES,
)
from reelkit_jimeng.translate import KNOWN_PARAMS

from .test_translate import CASES, clamped

URL1 = Media(url="https://example.com/first.png")
RECAMERA = {"template_id": "robo_arm", "camera_strength": "weak"}


def body(m: ModelInfo, request: VideoRequest, config: ProviderConfig) -> dict[str, Any]:
    http = reelkit_jimeng.reelkit_translate(
        provider="jimeng", model=m, request=request, config=config
    )
    return dict(json.loads(http.content))


def test_declared_params_are_exactly_what_translate_reads() -> None:
    assert {p.name for m in MODELS for p in m.params} == set(KNOWN_PARAMS)
    # Only the models that can reach the camera-motion req_key declare them.
    assert {m.id for m in MODELS if m.params} == {AUTO.id, I2V_RECAMERA_720P.id}
    for m in (AUTO, I2V_RECAMERA_720P):
        by_name = {p.name: p for p in m.params}
        assert by_name["template_id"].type == "str"
        assert by_name["template_id"].choices == RECAMERA_TEMPLATES
        assert by_name["camera_strength"].type == "str"
        assert by_name["camera_strength"].choices == CAMERA_STRENGTHS
        assert all(p.description for p in m.params)


@pytest.mark.parametrize("m", [AUTO, I2V_RECAMERA_720P], ids=lambda m: m.id)
@pytest.mark.parametrize("template", RECAMERA_TEMPLATES)
def test_every_declared_choice_translates(m: ModelInfo, template: str, config: Any) -> None:
    for strength in CAMERA_STRENGTHS:
        request = clamped(
            Mode.I2V,
            resolution="720p",
            first_frame=URL1,
            params={"template_id": template, "camera_strength": strength},
        )
        sent = body(m, request, config)
        assert (sent["req_key"], sent["template_id"], sent["camera_strength"]) == (
            I2V_RECAMERA_720P.id,
            template,
            strength,
        )


@pytest.mark.parametrize("m", MODELS, ids=lambda m: m.id)
def test_unknown_param_message_names_the_declared_set(m: ModelInfo, config: Any) -> None:
    with pytest.raises(InvalidRequest) as err:
        body(m, clamped(Mode.T2V, resolution="720p", params={"style": "anime"}), config)
    assert err.value.field == "params.style"
    declared = {p.name for p in m.params}
    if declared:
        assert set(str(err.value.allowed).split(", ")) == declared
    else:
        assert str(err.value.allowed).startswith("none")


def test_prompt_limit_is_the_documented_800_characters() -> None:
    assert all(m.max_prompt_chars == MAX_PROMPT_CHARS == 800 for m in MODELS)  # ref §1.3


# --- reelkit_adopt_handle ---------------------------------------------------------------------

TASK_ID = "7392616336519610409"
ADOPT_CASES: dict[str, tuple[str, VideoRequest]] = {
    **CASES,
    "auto_recamera": (
        "jimeng-video-3.0",
        clamped(Mode.I2V, resolution="720p", first_frame=URL1, params=RECAMERA),
    ),
}
_BY_NAME = {name: m for m in MODELS for name in m.names()}


def submitted(m: ModelInfo, request: VideoRequest, config: ProviderConfig) -> Any:
    sent = reelkit_jimeng.reelkit_translate(
        provider="jimeng", model=m, request=request, config=config
    )
    answer = httpx.Response(
        200,
        json={"code": 10000, "message": "Success", "data": {"task_id": TASK_ID}},
        request=sent,
    )
    return reelkit_jimeng.reelkit_parse_submit(
        provider="jimeng", model=m, request=request, response=answer
    )


def poll(handle: Any, config: ProviderConfig) -> tuple[str, str, bytes]:
    http = reelkit_jimeng.reelkit_poll_request(provider="jimeng", job=handle, config=config)
    return http.method, str(http.url), http.content


@pytest.mark.parametrize("case", sorted(ADOPT_CASES))
def test_adopted_handle_polls_like_the_submitted_one(case: str, config: Any) -> None:
    name, request = ADOPT_CASES[case]
    m = _BY_NAME[name]
    from_submit = submitted(m, request, config)
    adopted = reelkit_jimeng.reelkit_adopt_handle(
        provider="jimeng", model=m, request=request, task_id=TASK_ID
    )
    assert adopted == from_submit
    assert poll(adopted, config) == poll(from_submit, config)


def test_adopting_the_default_model_recovers_the_inferred_req_key(config: Any) -> None:
    # The default model's id is no req_key: without data its poll could not be built.
    request = clamped(Mode.T2V, resolution="1080p", aspect_ratio="16:9")
    adopted = reelkit_jimeng.reelkit_adopt_handle(
        provider="jimeng", model=AUTO, request=request, task_id=TASK_ID
    )
    assert adopted.data == {"req_key": "jimeng_t2v_v30_1080p"}
    assert json.loads(poll(adopted, config)[2]) == {
        "req_key": "jimeng_t2v_v30_1080p",
        "task_id": TASK_ID,
    }
