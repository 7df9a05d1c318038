"""Declared ``--param`` keys, the task list for ``jobs reconcile``, and adopted handles (sora)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

import reelkit_sora
from openai_videos_fixtures import (
    check_default_handle_polls_alike,
    config,
    request_json,
    sample_value,
    sent_value,
    translate_with_params,
)
from reelkit.capabilities import Mode
from reelkit.errors import AuthenticationFailed, InvalidRequest, ResponseFormatError
from reelkit.models import SourceJob, TaskSummary, VideoRequest
from reelkit_sora import catalogue, videos

FIXTURES = Path(__file__).parent / "fixtures"
MODELS = {m.id: m for m in catalogue.MODELS}
BASE = "https://api.openai.com/v1"
SINCE = datetime(2025, 10, 10, tzinfo=timezone.utc)
DECLARED = [(m.id, p.name) for m in catalogue.MODELS for p in m.params]


def _translate(model_id: str, **values: Any) -> httpx.Request:
    return translate_with_params(
        videos.API, MODELS[model_id], values.pop("params", {}), provider="sora", base_url=BASE
    )


# --- declared params ------------------------------------------------------------------------


def test_every_model_declares_characters_and_the_prompt_limit() -> None:
    for model in catalogue.MODELS:
        assert [p.name for p in model.params] == ["characters"], model.id
        assert all(p.description for p in model.params)
        assert model.max_prompt_chars == 32_000  # the API reference: 1–32000 characters


@pytest.mark.parametrize(("model_id", "name"), DECLARED)
def test_every_declared_param_translates(model_id: str, name: str) -> None:
    param = next(p for p in MODELS[model_id].params if p.name == name)
    value = sample_value(param)
    request = _translate(model_id, params={name: value})
    assert sent_value(request_json(request), name, value)


def test_characters_also_travel_in_a_multipart_upload() -> None:
    from reelkit import clamp
    from reelkit.models import Media
    from reelkit.testing import png_bytes

    frame = Media(data=png_bytes(1280, 720), mime_type="image/png", width=1280, height=720)
    ask = VideoRequest(prompt="p", first_frame=frame, params={"characters": [{"id": "char_1"}]})
    applied, _ = clamp(ask, MODELS["sora-2"])
    request = videos.API.translate(MODELS["sora-2"], applied, config("sora", BASE))
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert b'name="characters"\r\n\r\n[{"id": "char_1"}]' in request.content


@pytest.mark.parametrize("key", ["quality", "sora.quality", "openai.seconds", "model", "size"])
def test_an_undeclared_key_is_refused_naming_the_declared_set(key: str) -> None:
    with pytest.raises(InvalidRequest) as err:
        _translate("sora-2", params={key: "high"})
    assert err.value.field == f"params.{key.split('.')[-1]}"
    assert err.value.allowed == "characters"


def test_the_hook_refuses_an_undeclared_key_too() -> None:
    from reelkit import clamp

    applied, _ = clamp(VideoRequest(prompt="p", params={"quality": "high"}), MODELS["sora-2"])
    with pytest.raises(InvalidRequest, match="characters"):
        reelkit_sora.reelkit_translate(
            provider="sora", model=MODELS["sora-2"], request=applied, config=config("sora", BASE)
        )


def test_other_providers_keys_are_ignored() -> None:
    body = request_json(_translate("sora-2", params={"veo.personGeneration": "allow_all"}))
    assert "personGeneration" not in body and "veo.personGeneration" not in body


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("char_1", "must be a list"),
        ({"id": "char_1"}, "must be a list"),
        ([], "has 0 items"),
        (
            [{"id": "a"}, {"id": "b"}, {"id": "c"}],
            "has 3 items",
        ),  # docs/reference/openai-videos.md §1.3: at most 2
        (["char_1"], "needs a string 'id'"),
        ([{"name": "Mossy"}], "needs a string 'id'"),
    ],
)
def test_characters_must_be_one_or_two_objects_with_an_id(value: Any, text: str) -> None:
    with pytest.raises(InvalidRequest, match=text) as err:
        _translate("sora-2", params={"characters": value})
    assert err.value.field == "params.characters"


@pytest.mark.parametrize(("mode", "what"), [(Mode.REMIX, "a remix"), (Mode.EXTEND, "an extension")])
def test_remixes_and_extensions_take_no_params(mode: Mode, what: str) -> None:
    source = SourceJob(task_id="video_68d7512d07848190b3e45da0ecbebcde")
    field = "remix_of" if mode is Mode.REMIX else "continue_from"
    inputs: dict[str, Any] = {field: source}
    request = VideoRequest(
        prompt="p",
        duration=4,
        size="1280x720",
        mode=mode,
        params={"characters": [{"id": "char_1"}]},
        **inputs,
    )
    with pytest.raises(InvalidRequest, match=what) as err:
        videos.API.translate(MODELS["sora-2"], request, config("sora", BASE))
    assert err.value.field == "params.characters"
    # without params the same request translates
    plain = VideoRequest(prompt="p", duration=4, size="1280x720", mode=mode, **inputs)
    assert videos.API.translate(MODELS["sora-2"], plain, config("sora", BASE)).method == "POST"


# --- the task list --------------------------------------------------------------------------


def _list_case() -> dict[str, Any]:
    case: dict[str, Any] = json.loads((FIXTURES / "list.json").read_text(encoding="utf-8"))
    return case


def _page(body: Any, status: int = 200) -> httpx.Response:
    request = videos.API.list_tasks_request(config("sora", BASE), SINCE)
    return httpx.Response(status, json=body, request=request)


def test_list_request_asks_for_the_newest_hundred() -> None:
    request = reelkit_sora.reelkit_list_tasks_request(
        provider="sora", config=config("sora", BASE), since=SINCE
    )
    assert request is not None
    assert (request.method, str(request.url)) == (
        "GET",
        "https://api.openai.com/v1/videos?limit=100&order=desc",
    )
    assert request.headers["accept"] == "application/json" and not request.content
    # a base URL without /v1 (the emulator's, a gateway's) gets it added, like every request
    bare = videos.API.list_tasks_request(config("sora", "http://127.0.0.1:8765/sora"), SINCE)
    assert str(bare.url) == "http://127.0.0.1:8765/sora/v1/videos?limit=100&order=desc"


def test_the_recorded_page_parses_the_way_the_openai_sdk_reads_it() -> None:
    case = _list_case()
    openai = pytest.importorskip("openai")
    for item in case["page"]["data"]:
        openai.types.Video.model_validate(item)  # the fixture is a page the SDK accepts
    summaries = reelkit_sora.reelkit_parse_task_list(provider="sora", response=_page(case["page"]))
    assert list(summaries) == [
        TaskSummary(
            task_id=e["task_id"],
            model=e["model"],
            prompt=e["prompt"],
            status=e["status"],
            created_at=datetime.fromtimestamp(e["created_at"], tz=timezone.utc),
        )
        for e in case["expect"]
    ]


def test_parse_returns_every_item_since_is_the_callers_filter() -> None:
    # OpenAI's list has no time filter, so the request cannot send `since`: a task created
    # before it comes back too, and reconcile drops it by created_at.
    since = datetime.fromtimestamp(1760136000, tz=timezone.utc)
    request = videos.API.list_tasks_request(config("sora", BASE), since)
    assert str(request.url) == str(videos.API.list_tasks_request(config("sora", BASE), SINCE).url)
    summaries = videos.API.parse_task_list(_page(_list_case()["page"]))
    assert [s.created_at is not None and s.created_at >= since for s in summaries] == [
        True,
        True,
        False,
    ]


def test_an_empty_page_is_empty() -> None:
    empty: dict[str, Any] = {
        "object": "list",
        "data": [],
        "first_id": None,
        "last_id": None,
        "has_more": False,
    }
    assert videos.API.parse_task_list(_page(empty)) == []


def test_odd_items_keep_what_they_have() -> None:
    body = {"data": [{"id": "video_1", "created_at": "soon", "model": 7, "extra": {"x": 1}}]}
    assert videos.API.parse_task_list(_page(body)) == [TaskSummary(task_id="video_1")]


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ({"object": "list", "has_more": False}, "data"),
        ({"data": None}, "data"),
        ({"data": {"id": "video_1"}}, "data"),
        ([{"id": "video_1"}], "data"),
        ({"data": [{"id": "video_1"}, {"object": "video", "status": "queued"}]}, "data.1.id"),
        ({"data": ["video_1"]}, "data.0.id"),
        ({"data": [{"id": ""}]}, "data.0.id"),
    ],
)
def test_a_page_without_data_or_ids_is_a_format_error(body: Any, missing: str) -> None:
    with pytest.raises(ResponseFormatError) as err:
        videos.API.parse_task_list(_page(body))
    assert err.value.missing == missing


def test_an_error_answer_is_typed() -> None:
    with pytest.raises(AuthenticationFailed):
        videos.API.parse_task_list(_page({"error": {"message": "Incorrect API key"}}, 401))


def test_the_list_against_the_emulator(reelkit_emulator: Any) -> None:
    pytest.importorskip("reelkit_emulator.providers.sora")
    base = reelkit_emulator.url("sora")
    prompts = ["first", "second", "third"]
    with httpx.Client(headers={"authorization": "Bearer sk-test"}) as http:
        created = [
            http.post(f"{base}/v1/videos", json={"prompt": p, "model": "sora-2"}).json()
            for p in prompts
        ]
        request = videos.API.list_tasks_request(config("sora", base), SINCE)
        request.headers["authorization"] = "Bearer sk-test"  # the core's bearer auth does this
        summaries = videos.API.parse_task_list(http.send(request))
    assert [s.prompt for s in summaries] == prompts[::-1]  # newest first
    assert [s.task_id for s in summaries] == [c["id"] for c in reversed(created)]
    assert {(s.model, s.status) for s in summaries} == {("sora-2", "queued")}
    assert all(s.created_at is not None and s.created_at > SINCE for s in summaries)


# --- adopting a task whose submit answer was lost -------------------------------------------


def test_no_adopt_hook_the_default_handle_polls_and_downloads_alike() -> None:
    assert not hasattr(reelkit_sora, "reelkit_adopt_handle")
    created = {
        "id": "video_68d7512d07848190b3e45da0ecbebcde",
        "object": "video",
        "model": "sora-2",
        "status": "queued",
        "progress": 0,
        "created_at": 1758941485,
        "seconds": "8",
        "size": "1280x720",
    }
    completed = {**created, "status": "completed", "progress": 100, "expires_at": 1758945085}
    for model in catalogue.MODELS:
        check_default_handle_polls_alike(
            videos.API,
            model,
            {**created, "model": model.id},
            {**completed, "model": model.id},
            provider="sora",
            base_url=BASE,
            submit_url=f"{BASE}/videos",
        )


def test_every_requested_setting_is_sent_or_reported_as_not_sent() -> None:
    # "Clamped, never silently": a duration, resolution or aspect ratio the wire cannot carry
    # (a remix inherits it, an extension's shape is its source's, a mode has no field for it)
    # is an Adjustment in the plan, never a silent drop.
    from openai_videos_fixtures import check_requested_settings_are_sent_or_reported

    checked = check_requested_settings_are_sent_or_reported(
        videos.API, MODELS, provider="sora", base_url=BASE, options=None
    )
    assert checked >= len(MODELS)


def test_an_extension_reports_a_size_it_does_not_send_unless_the_source_has_it() -> None:
    from reelkit import clamp, wire

    model = MODELS["sora-2"]
    source = SourceJob(task_id="video_src", resolution="720p", aspect_ratio="16:9", duration=8)

    def reported(**values: Any) -> list[tuple[str, Any]]:
        applied, _ = clamp(VideoRequest(prompt="on", continue_from=source, **values), model)
        request = videos.API.translate(model, applied, config("sora", BASE))
        return [(a.field, a.requested) for a in wire.reported_not_sent(request)]

    assert reported(duration=8) == []  # seconds is sent: the length added
    assert reported(size="1280x720") == []  # the source's own size: nothing is lost
    assert reported(size="720x1280") == [("aspect_ratio", "9:16")]
