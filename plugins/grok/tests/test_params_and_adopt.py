"""Declared ``params`` match what translate accepts; an adopted handle polls like a submitted one."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from grok_helpers import FIXTURES, REQUEST_ID, config, load, make_request, model

import reelkit_grok
from reelkit.capabilities import Mode, ModelInfo
from reelkit.errors import InvalidRequest
from reelkit.models import Media, VideoRequest
from reelkit_grok import MODELS
from reelkit_grok.translate import PARAMS

ID_15 = "grok-imagine-video-1.5"
PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    "str": str,
    "int": int,
    "float": (int, float),
    "bool": bool,
    "list": list,
    "dict": dict,
}
# A valid value for each parameter, and the request (mode, extra fields) that may carry it.
EXAMPLES: dict[str, tuple[Any, str, dict[str, Any]]] = {
    "user": ("user-42", "t2v", {}),
    "storage_options": ({"filename": "cat.mp4", "public_url": True}, "t2v", {}),
    "keyframes": ([{"url": "https://e.com/k.png", "timestamp_s": 2}], "t2v", {}),
    "reference_audios": (
        ["eve"],
        "reference",
        {"reference_images": (Media(url="https://e.com/r.png"),)},
    ),
}


def request(mode: str, **kwargs: Any) -> VideoRequest:
    values: dict[str, Any] = {
        "prompt": "p",
        "duration": 5,
        "aspect_ratio": "16:9",
        "resolution": "480p",
    }
    values.update(kwargs)
    return VideoRequest(mode=Mode(mode), **values)


def body(m: ModelInfo, req: VideoRequest) -> dict[str, Any]:
    http = reelkit_grok.reelkit_translate(model=m, request=req, config=config())
    return dict(json.loads(http.content))


def declared(m: ModelInfo) -> dict[str, Any]:
    return {p.name: p for p in m.params}


def test_every_translated_param_is_declared_by_some_model() -> None:
    assert set(PARAMS) == {p.name for m in MODELS for p in m.params}
    assert set(EXAMPLES) == set(PARAMS)


@pytest.mark.parametrize(("model_id", "name"), [(m.id, p.name) for m in MODELS for p in m.params])
def test_each_declared_param_translates(model_id: str, name: str) -> None:
    m = model(model_id)
    param = declared(m)[name]
    value, mode, extra = EXAMPLES[name]
    assert isinstance(value, PYTHON_TYPES[param.type])  # the core's type gate lets it through
    assert param.description
    sent = body(m, request(mode, params={name: value}, **extra))
    assert name in sent


@pytest.mark.parametrize("name", ["keyframes", "reference_audios"])
def test_undeclared_params_are_refused_by_translate_too(name: str) -> None:
    base = model("grok-imagine-video")
    assert name not in declared(base)
    value, mode, extra = EXAMPLES[name]
    with pytest.raises(InvalidRequest) as err:
        body(base, request(mode, params={name: value}, **extra))
    assert err.value.field == f"params.{name}"


@pytest.mark.parametrize("model_id", [m.id for m in MODELS])
def test_unknown_param_message_names_the_declared_set(model_id: str) -> None:
    with pytest.raises(InvalidRequest) as err:
        body(model(model_id), request("t2v", params={"seed": 1}))
    assert err.value.field == "params.seed"
    assert set(str(err.value.allowed).split(", ")) == set(declared(model(model_id)))


def test_no_prompt_limit_is_invented() -> None:
    # xAI documents none [veo-grok §2.2]; the provider's own "prompt too long" error stays the gate.
    assert all(m.max_prompt_chars is None for m in MODELS)


# --- reelkit_adopt_handle ---------------------------------------------------------------------


def submitted(m: ModelInfo, req: VideoRequest) -> Any:
    sent = reelkit_grok.reelkit_translate(model=m, request=req, config=config())
    answer = httpx.Response(200, json=load("submit.json"), request=sent)
    return reelkit_grok.reelkit_parse_submit(model=m, request=req, response=answer)


def poll(handle: Any) -> tuple[str, str, dict[str, str]]:
    http = reelkit_grok.reelkit_poll_request(job=handle, config=config())
    return http.method, str(http.url), dict(http.headers)


GOLDEN = sorted(p.stem for p in (FIXTURES / "golden").glob("*.json"))


@pytest.mark.parametrize("name", GOLDEN)
def test_adopted_handle_equals_the_submitted_one(name: str) -> None:
    case = load(f"golden/{name}.json")
    m, req = model(case["model"]), make_request(case["request"])
    from_submit = submitted(m, req)
    adopted = reelkit_grok.reelkit_adopt_handle(model=m, request=req, task_id=REQUEST_ID)
    assert adopted == from_submit
    assert poll(adopted) == poll(from_submit)
