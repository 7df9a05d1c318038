"""Declared ``params`` match translate; the task list for ``reelkit jobs reconcile``.

``ref §n`` cites ``docs/reference/volcengine-kling.md`` section n.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

import reelkit_seedance
from reelkit.capabilities import Mode, ModelInfo
from reelkit.errors import AuthenticationFailed, InvalidRequest, ResponseFormatError
from reelkit.models import ProviderConfig, TaskSummary, VideoRequest
from reelkit_seedance.capabilities import (
    BYTEPLUS_BASE_URL,
    COMMON_PARAMS,
    EXTRA_PARAMS,
    MODELS,
    PARAM_SPECS,
    PRO_15,
)
from reelkit_seedance.params import PARSERS, REDIRECTS

from .conftest import fixture, provider_config

PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    "str": str,
    "int": int,
    "float": (int, float),
    "bool": bool,
    "list": list,
    "dict": dict,
}
# A valid value of each parameter; draft also needs 480p (ref §3.2).
EXAMPLES: dict[str, Any] = {
    "callback_url": "https://example.com/hook",
    "return_last_frame": True,
    "watermark": True,
    "service_tier": "flex",
    "execution_expires_after": 7200,
    "endpoint_id": "ep-20250331175019-abcde",
    "camera_fixed": True,
    "draft": True,
}


def req(mode: Mode = Mode.T2V, **values: Any) -> VideoRequest:
    values.setdefault("prompt", "a cat on a skateboard")
    values.setdefault("duration", 5.0)
    values.setdefault("resolution", "720p")
    values.setdefault("aspect_ratio", "16:9")
    return VideoRequest(mode=mode, **values)


def body(m: ModelInfo, request: VideoRequest, config: ProviderConfig) -> dict[str, Any]:
    http = reelkit_seedance.reelkit_translate(
        provider="seedance", model=m, request=request, config=config
    )
    return dict(json.loads(http.content))


# --- declared params --------------------------------------------------------------------------


def test_declared_params_are_exactly_what_translate_parses() -> None:
    assert set(PARAM_SPECS) == set(PARSERS) == set(EXAMPLES)
    for m in MODELS:
        names = {p.name for p in m.params}
        assert names == COMMON_PARAMS | EXTRA_PARAMS[m.id]
        assert not names & set(REDIRECTS)  # those have first-class options instead
    assert {m.id for m in MODELS if "draft" in {p.name for p in m.params}} == {PRO_15.id}


@pytest.mark.parametrize(("model_id", "name"), [(m.id, p.name) for m in MODELS for p in m.params])
def test_each_declared_param_translates(model_id: str, name: str, config: ProviderConfig) -> None:
    m = next(m for m in MODELS if m.id == model_id)
    param = next(p for p in m.params if p.name == name)
    value = EXAMPLES[name]
    assert isinstance(value, PYTHON_TYPES[param.type])
    assert not param.choices or value in param.choices
    assert param.description
    resolution = "480p" if name == "draft" else "720p"
    sent = body(m, req(params={name: value}, resolution=resolution), config)
    if name == "endpoint_id":
        assert sent["model"] == value
    else:
        assert sent[name] == value


@pytest.mark.parametrize("m", MODELS, ids=lambda m: m.id)
def test_unknown_param_message_names_the_declared_set(m: ModelInfo, config: ProviderConfig) -> None:
    with pytest.raises(InvalidRequest) as err:
        body(m, req(params={"style": "anime"}), config)
    assert err.value.field == "params.style"
    assert set(str(err.value.allowed).split(", ")) == {p.name for p in m.params}


def test_no_prompt_limit_is_invented() -> None:
    assert all(m.max_prompt_chars is None for m in MODELS)  # none documented for Ark


# --- list request -----------------------------------------------------------------------------

SINCE = datetime(2025, 3, 31, 17, 0, tzinfo=timezone.utc)


def test_list_request_is_the_sdks_first_page(config: ProviderConfig) -> None:
    http = reelkit_seedance.reelkit_list_tasks_request(
        provider="seedance", config=config, since=SINCE
    )
    assert http.method == "GET"
    assert str(http.url) == (
        "https://ark.cn-beijing.volces.com/api/v3/contents/generations/tasks"
        "?page_num=1&page_size=500"
    )
    assert http.content == b""


def test_list_request_on_byteplus_with_an_sdk_style_base() -> None:
    http = reelkit_seedance.reelkit_list_tasks_request(
        provider="seedance", config=provider_config(BYTEPLUS_BASE_URL + "/api/v3"), since=SINCE
    )
    assert http.url.path == "/api/v3/contents/generations/tasks"
    assert http.url.host == "ark.ap-southeast.bytepluses.com"


# --- parse ------------------------------------------------------------------------------------


def answer(status: int, body: Any) -> httpx.Response:
    return httpx.Response(
        status,
        json=body,
        request=httpx.Request("GET", "https://ark.cn-beijing.volces.com/api/v3/x"),
    )


def parse(body: Any, status: int = 200) -> list[TaskSummary]:
    return list(
        reelkit_seedance.reelkit_parse_task_list(provider="seedance", response=answer(status, body))
    )


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def test_parse_a_page() -> None:
    page = fixture("list_tasks.json")["page"]
    assert parse(page) == [
        TaskSummary(
            task_id="cgt-20250401090000-k2m9q",
            model="doubao-seedance-1-0-pro-250528",
            created_at=at(1743498000),
            status="queued",
        ),
        # A BytePlus id names its model as the journal does (the Volcengine id).
        TaskSummary(
            task_id="cgt-20250331180102-a1b2c",
            model="doubao-seedance-1-0-lite-t2v-250428",
            created_at=at(1743444062),
            status="running",
        ),
        # The list has no prompt (revised_prompt is the model's rewrite, not the request's).
        TaskSummary(
            task_id="cgt-20250331175019-68d9t",
            model="doubao-seedance-1-0-pro-250528",
            created_at=at(1743414619),
            status="succeeded",
        ),
        TaskSummary(
            task_id="cgt-20250331170000-zz9zz",
            model="ep-20250331170000-abcde",
            created_at=at(1743440400),
            status="failed",
        ),
    ]


def test_parse_an_empty_page() -> None:
    assert parse(fixture("list_tasks.json")["empty"]) == []


@pytest.mark.parametrize(
    ("case", "missing"),
    [("no_items", "items"), ("items_not_a_list", "items"), ("item_without_id", "items.0.id")],
)
def test_missing_required_fields_are_format_errors(case: str, missing: str) -> None:
    with pytest.raises(ResponseFormatError) as err:
        parse(fixture("list_tasks.json")[case])
    assert err.value.missing == missing


def test_a_body_that_is_no_object_is_a_format_error() -> None:
    with pytest.raises(ResponseFormatError):
        parse([])


def test_an_error_answer_is_typed() -> None:
    body = {"error": {"code": "AuthenticationError", "message": "bad key", "param": None}}
    with pytest.raises(AuthenticationFailed):
        parse(body, status=401)


def test_the_prompt_comes_from_a_content_text_item_when_listed() -> None:
    # Should a list echo the create body's content items, the text item is the prompt.
    item = {
        "id": "cgt-1",
        "model": "doubao-seedance-1-5-pro-251215",
        "status": "queued",
        "created_at": "1743414619",
        "content": [
            {
                "type": "image_url",
                "image_url": {"url": "https://e.com/a.png"},
                "role": "first_frame",
            },
            {"type": "text", "text": "a cat on a skateboard"},
        ],
        "brand_new_field": {"x": 1},
    }
    (summary,) = parse({"total": 1, "items": [item]})
    assert summary.prompt == "a cat on a skateboard"
    assert summary.created_at == at(1743414619)


def test_missing_optional_fields_are_none() -> None:
    (summary,) = parse({"items": [{"id": "cgt-2"}]})
    assert summary == TaskSummary(task_id="cgt-2")
