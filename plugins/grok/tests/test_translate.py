"""Request translation: golden bodies for every mode and model, and every refusal."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from grok_helpers import FIXTURES, IMAGES, config, load, make_request, model

import reelkit_grok
from reelkit.capabilities import Mode
from reelkit.errors import InvalidRequest, UnsupportedMode
from reelkit.models import Media, SourceJob, VideoRequest

GOLDEN = sorted(p.stem for p in (FIXTURES / "golden").glob("*.json"))
SRC = "https://vidgen.x.ai/xai-vidgen-bucket/xai-video-d97415a1/video.mp4"
BASE_ID = "grok-imagine-video"
ID_15 = "grok-imagine-video-1.5"


def translate(model_id: str, request: VideoRequest, base_url: str | None = None) -> dict[str, Any]:
    args = {} if base_url is None else {"base_url": base_url}
    http = reelkit_grok.reelkit_translate(
        model=model(model_id), request=request, config=config(**args)
    )
    return {
        "method": http.method,
        "url": str(http.url),
        "headers": http.headers,
        "body": json.loads(http.content),
    }


def simple(mode: str = "t2v", **kwargs: Any) -> VideoRequest:
    values: dict[str, Any] = {
        "prompt": "p",
        "duration": 5,
        "aspect_ratio": "16:9",
        "resolution": "480p",
    }
    values.update(kwargs)
    return VideoRequest(mode=Mode(mode), **values)


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_body(name: str) -> None:
    case = load(f"golden/{name}.json")
    sent = translate(case["model"], make_request(case["request"]))
    assert sent["method"] == "POST"
    assert sent["url"] == case["url"]
    assert sent["headers"]["content-type"] == "application/json"
    assert sent["body"] == case["body"]


def test_every_declared_mode_has_a_golden_body() -> None:
    covered = {
        (load(f"golden/{n}.json")["model"], load(f"golden/{n}.json")["request"]["mode"])
        for n in GOLDEN
    }
    declared_modes = {spec.mode.value for m in reelkit_grok.MODELS for spec in m.modes}
    assert declared_modes <= {mode for _, mode in covered}
    assert {m.id for m in reelkit_grok.MODELS} <= {mid for mid, _ in covered}


@pytest.mark.parametrize("mode", ["edit", "remix", "extend"])
def test_edit_and_extension_are_not_conflated(mode: str) -> None:
    case = {"edit": "edit_base", "remix": "remix_base", "extend": "extend_base"}[mode]
    sent = translate(BASE_ID, make_request(load(f"golden/{case}.json")["request"]))
    expected = "extensions" if mode == "extend" else "edits"
    assert sent["url"].endswith(f"/v1/videos/{expected}")
    body = sent["body"]
    assert "aspect_ratio" not in body
    assert "resolution" not in body
    assert ("duration" in body) is (mode == "extend")


def test_base_url_override() -> None:
    assert translate(BASE_ID, simple(), "http://127.0.0.1:8765/grok/")["url"] == (
        "http://127.0.0.1:8765/grok/v1/videos/generations"
    )
    assert (
        translate(BASE_ID, simple(), "https://api.x.ai/v1")["url"]
        == "https://api.x.ai/v1/videos/generations"
    )


def test_first_frame_with_references_is_a_clear_error_on_the_base_model() -> None:
    request = simple(
        "reference",
        resolution="720p",
        first_frame=Media(url="https://e.com/a.png"),
        reference_images=(Media(url="https://e.com/r.png"),),
    )
    with pytest.raises(InvalidRequest) as err:
        translate(BASE_ID, request)
    assert err.value.field == "first_frame"
    assert ID_15 in str(err.value)
    # ... while 1.5 pins the first frame
    body = translate(ID_15, request)["body"]
    assert body["image"] == {"url": "https://e.com/a.png"}
    assert body["reference_images"] == [{"url": "https://e.com/r.png"}]


def test_last_frame_and_keyframes_need_15() -> None:
    request = simple(
        "first_last",
        first_frame=Media(url="https://e.com/a.png"),
        last_frame=Media(url="https://e.com/b.png"),
    )
    with pytest.raises(UnsupportedMode):
        translate(BASE_ID, request)
    with pytest.raises(InvalidRequest) as err:
        translate(
            BASE_ID,
            simple(params={"keyframes": [{"url": "https://e.com/a.png", "timestamp_s": 1}]}),
        )
    assert err.value.field == "params.keyframes"


@pytest.mark.parametrize(
    ("keyframes", "field"),
    [
        ([{"url": "u", "timestamp_s": t} for t in (1, 2, 3, 4, 4.5)], "params.keyframes"),
        ([{"url": "u", "timestamp_s": 9}], "params.keyframes[0].timestamp_s"),
        ([{"url": "u", "timestamp_s": 0}], "params.keyframes[0].timestamp_s"),
        ([{"url": "u", "timestamp_s": 1}, {"url": "v", "timestamp_s": 1.2}], "params.keyframes"),
        ([{"timestamp_s": 1}], "params.keyframes[0].url"),
        ("not json", "params.keyframes"),
    ],
)
def test_keyframe_rules(keyframes: Any, field: str) -> None:
    with pytest.raises(InvalidRequest) as err:
        translate(ID_15, simple(duration=8, params={"keyframes": keyframes}))
    assert err.value.field == field


def test_keyframes_as_json_text() -> None:
    body = translate(
        ID_15,
        simple(
            duration=8, params={"keyframes": '[{"url": "https://e.com/k.png", "timestamp": 3}]'}
        ),
    )["body"]
    assert body["keyframes"] == [{"image": {"url": "https://e.com/k.png"}, "timestamp_s": 3.0}]


def test_reference_audios_only_with_15_references() -> None:
    with pytest.raises(InvalidRequest) as err:
        translate(ID_15, simple(params={"reference_audios": ["eve"]}))
    assert err.value.field == "params.reference_audios"
    request = simple(
        "reference",
        reference_images=(Media(url="https://e.com/r.png"),),
        params={"reference_audios": ["a", "b", "c", "d"]},
    )
    with pytest.raises(InvalidRequest):
        translate(ID_15, request)


def test_unknown_param() -> None:
    with pytest.raises(InvalidRequest) as err:
        translate(BASE_ID, simple(params={"seed": 1}))
    assert err.value.field == "params.seed"
    # The base model's declared params; keyframes are 1.5's.
    assert "storage_options" in str(err.value.allowed)
    assert "keyframes" not in str(err.value.allowed)


def test_prompt_rules() -> None:
    with pytest.raises(InvalidRequest) as err:
        translate(BASE_ID, simple("i2v", prompt="", first_frame=Media(url="https://e.com/a.png")))
    assert err.value.field == "prompt"
    body = translate(
        ID_15, simple("i2v", prompt=" ", first_frame=Media(url="https://e.com/a.png"))
    )["body"]
    assert "prompt" not in body


def test_image_bytes_without_known_type() -> None:
    with pytest.raises(InvalidRequest) as err:
        translate(BASE_ID, simple("i2v", first_frame=Media(data=b"garbage")))
    assert err.value.field == "first_frame"


def test_frame_without_size_keeps_the_applied_aspect_ratio() -> None:
    body = translate(BASE_ID, simple("i2v", first_frame=Media(url="https://e.com/a.png")))["body"]
    assert body["aspect_ratio"] == "16:9"


def test_portrait_frame_with_its_own_ratio_is_not_stretched() -> None:
    body = translate(BASE_ID, simple("i2v", aspect_ratio="9:16", first_frame=IMAGES["png916"]))[
        "body"
    ]
    assert "aspect_ratio" not in body


# --- sources of edits and extensions ---------------------------------------------------------


def source(**kwargs: Any) -> SourceJob:
    values: dict[str, Any] = {
        "task_id": "d97415a1",
        "job_id": "job-7",
        "provider": "grok",
        "video_url": SRC,
        "duration": 8,
        "expires_at": datetime.now(timezone.utc) + timedelta(hours=1),
        "data": {"endpoint": "generations", "total_duration": 8},
    }
    values.update(kwargs)
    return SourceJob(**values)


def test_expired_source() -> None:
    request = simple(
        "extend",
        duration=6,
        continue_from=source(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)),
    )
    with pytest.raises(InvalidRequest) as err:
        translate(BASE_ID, request)
    assert err.value.field == "continue_from"
    assert "expired" in str(err.value)
    assert "24 h" in str(err.value)


def test_unknown_source_job() -> None:
    with pytest.raises(InvalidRequest) as err:
        translate(BASE_ID, simple("extend", continue_from=SourceJob(task_id="not-a-job")))
    assert err.value.field == "continue_from"


@pytest.mark.parametrize(
    ("mode", "total", "needle"),
    [("remix", 12.0, "up to 8.7 s"), ("extend", 31.0, "2–30 s"), ("extend", 1.5, "2–30 s")],
)
def test_source_length_limits(mode: str, total: float, needle: str) -> None:
    field = "remix_of" if mode == "remix" else "continue_from"
    request = simple(
        mode, **{field: source(data={"endpoint": "generations", "total_duration": total})}
    )
    with pytest.raises(InvalidRequest) as err:
        translate(BASE_ID, request)
    assert err.value.field == field
    assert needle in str(err.value)


def test_video_bytes_are_refused_for_edits() -> None:
    with pytest.raises(InvalidRequest) as err:
        translate(BASE_ID, simple("edit", video=Media(data=b"\x00\x00\x00\x18ftypmp42")))
    assert err.value.field == "video"


@pytest.mark.parametrize(
    ("asked", "image"),
    [
        ({}, None),
        ({}, "https://e.com/portrait.png"),
        ({"aspect_ratio": "9:16"}, "https://e.com/portrait.png"),
        ({"aspect_ratio": "1:1"}, None),
    ],
)
def test_an_aspect_ratio_is_sent_only_when_asked(
    tmp_path: Any, asked: dict[str, str], image: str | None
) -> None:
    # xAI keeps a first frame's own ratio unless told one (which stretches it): a default of
    # reelkit's must not reach the wire, for a URL image as for bytes, nor for text alone.
    import reelkit

    extra: dict[str, Any] = {"first_frame": image} if image else {}
    with reelkit.Client(env={"XAI_API_KEY": "k"}, home=tmp_path) as client:
        plan = client.plan("a heron", provider="grok", **asked, **extra)
    assert plan.http is not None
    body = plan.http.body
    assert body.get("aspect_ratio") == asked.get("aspect_ratio")
    assert ("aspect_ratio" in plan.request.unset) is (not asked)
