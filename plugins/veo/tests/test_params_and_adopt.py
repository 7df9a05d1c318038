"""Declared ``params`` and prompt limits match translate; an adopted handle equals a submitted one."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import httpx
import pytest
from veo_helpers import FIXTURES, config, load, make_request, model

import reelkit_veo
from reelkit.capabilities import Mode, ModelInfo
from reelkit.clamping import clamp
from reelkit.errors import InvalidRequest
from reelkit.models import VideoRequest
from reelkit_veo import MODELS
from reelkit_veo.capabilities import VEO3_MAX_PROMPT_CHARS
from reelkit_veo.translate import _PARAMS

PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    "str": str,
    "int": int,
    "float": (int, float),
    "bool": bool,
    "list": list,
    "dict": dict,
}
# A valid value of each parameter and the wire field it lands in.
EXAMPLES: dict[str, tuple[Any, str]] = {
    "person_generation": ("allow_adult", "personGeneration"),
    "personGeneration": ("allow_all", "personGeneration"),
    "enhance_prompt": (False, "enhancePrompt"),
    "enhancePrompt": (True, "enhancePrompt"),
}


def t2v(**kwargs: Any) -> VideoRequest:
    values: dict[str, Any] = {
        "prompt": "p",
        "mode": Mode.T2V,
        "duration": 8,
        "aspect_ratio": "16:9",
        "resolution": "720p",
    }
    values.update(kwargs)
    return VideoRequest(**values)


def parameters(m: ModelInfo, request: VideoRequest) -> dict[str, Any]:
    http = reelkit_veo.reelkit_translate(model=m, request=request, config=config())
    return dict(json.loads(http.content)["parameters"])


def test_every_translated_param_is_declared_on_every_model() -> None:
    for m in MODELS:
        assert {p.name for p in m.params} == set(_PARAMS) == set(EXAMPLES)


@pytest.mark.parametrize(("model_id", "name"), [(m.id, p.name) for m in MODELS for p in m.params])
def test_each_declared_param_translates(model_id: str, name: str) -> None:
    m = model(model_id)
    param = next(p for p in m.params if p.name == name)
    value, wire = EXAMPLES[name]
    assert isinstance(value, PYTHON_TYPES[param.type])
    assert not param.choices or value in param.choices
    assert param.description
    assert parameters(m, t2v(params={name: value}))[wire] == value


def test_person_generation_choices_are_what_translate_accepts() -> None:
    m = model("veo-3.1-generate-preview")
    for param in (p for p in m.params if p.type == "str"):
        for choice in param.choices:
            assert parameters(m, t2v(params={param.name: choice}))["personGeneration"] == choice


@pytest.mark.parametrize("model_id", [m.id for m in MODELS])
def test_unknown_param_message_names_the_declared_set(model_id: str) -> None:
    m = model(model_id)
    with pytest.raises(InvalidRequest) as err:
        parameters(m, t2v(params={"seed": 3}))
    assert err.value.field == "params.seed"
    assert set(str(err.value.allowed).split(", ")) == {p.name for p in m.params}


# --- prompt limit ----------------------------------------------------------------------------


def test_veo3_prompt_limit_is_the_documented_1024_tokens_bounded_in_characters() -> None:
    for m in MODELS:
        if m.id.startswith("veo-3"):
            assert m.max_prompt_chars == VEO3_MAX_PROMPT_CHARS == 1024 * 8
        else:  # Veo 2: the docs give no limit
            assert m.max_prompt_chars is None


@pytest.mark.parametrize("model_id", [m.id for m in MODELS if m.id.startswith("veo-3")])
def test_a_megabyte_prompt_never_reaches_veo3(model_id: str) -> None:
    m = model(model_id)
    with pytest.raises(InvalidRequest) as err:
        clamp(VideoRequest(prompt="a" * 1_000_000), m)
    assert err.value.field == "prompt"
    applied, _ = clamp(VideoRequest(prompt="a" * VEO3_MAX_PROMPT_CHARS), m)
    assert len(applied.prompt) == VEO3_MAX_PROMPT_CHARS


# --- reelkit_adopt_handle ---------------------------------------------------------------------

GOLDEN = sorted(p.stem for p in (FIXTURES / "golden").glob("*.json"))


def submitted(m: ModelInfo, request: VideoRequest) -> Any:
    sent = reelkit_veo.reelkit_translate(model=m, request=request, config=config())
    answer = httpx.Response(200, json=load("submit.json"), request=sent)
    return reelkit_veo.reelkit_parse_submit(model=m, request=request, response=answer)


def poll(handle: Any) -> tuple[str, str, dict[str, str]]:
    http = reelkit_veo.reelkit_poll_request(job=handle, config=config())
    return http.method, str(http.url), dict(http.headers)


@pytest.mark.parametrize("name", GOLDEN)
def test_adopted_handle_equals_the_submitted_one(name: str) -> None:
    case = load(f"golden/{name}.json")
    m, request = model(case["model"]), make_request(case["request"])
    from_submit = submitted(m, request)
    adopted = reelkit_veo.reelkit_adopt_handle(
        model=m, request=request, task_id=from_submit.task_id
    )
    assert adopted == from_submit
    assert poll(adopted) == poll(from_submit)


def test_adopting_an_extension_after_its_source_expired_keeps_the_sent_aspect_ratio() -> None:
    # Adoption can come days later: the source's 2-day lifetime is over by then, but the job
    # was sent (and checked) while it lived, so its handle still says 9:16, not the default.
    case = load("golden/extend_veo31_portrait_source.json")
    m, request = model(case["model"]), make_request(case["request"])
    from_submit = submitted(m, request)
    source = request.continue_from
    assert source is not None
    expired = attrs.evolve(
        request,
        continue_from=attrs.evolve(
            source, expires_at=datetime.now(timezone.utc) - timedelta(days=3)
        ),
    )
    adopted = reelkit_veo.reelkit_adopt_handle(
        model=m, request=expired, task_id=from_submit.task_id
    )
    assert adopted.data["aspect_ratio"] == "9:16"
    assert adopted == from_submit
    assert poll(adopted) == poll(from_submit)
