"""Every curl example of Qiniu's OpenAI-compatible video page goes through reelkit unchanged.

The cases (fixtures/seed_002_examples.json) transcribe the JSON body of each example of seed 002
(https://developer.qiniu.com/aitokenapi/13169, "HTTP 调用示例") field for field; each is planned
with ``strict=True`` and must send the same method, path, fields, values and JSON types.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import reelkit
from openai_videos_fixtures import check_documented_example, config
from reelkit.capabilities import Mode
from reelkit.errors import InvalidRequest
from reelkit_qiniu import catalogue, videos

FIXTURES = Path(__file__).parent / "fixtures"
SEED = json.loads((FIXTURES / "seed_002_examples.json").read_text(encoding="utf-8"))
ENV = {"QINIU_API_KEY": "sk-test"}


@pytest.mark.parametrize("case", SEED["cases"], ids=[c["name"] for c in SEED["cases"]])
def test_every_seed_002_example_is_sent_unchanged_under_strict(
    case: dict[str, Any], tmp_path: Path
) -> None:
    check_documented_example(case, provider="qiniu", env=ENV, home=tmp_path)


def test_the_status_query_of_seed_002() -> None:
    # seed 002 查询视频生成状态: GET $OPENAI_BASE_URL/videos/$VIDEO_ID, no body.
    from reelkit.models import JobHandle

    job = JobHandle(provider="qiniu", model="sora-2", task_id="qvideo-user123-1234567890123456789")
    request = videos.API.poll_request(job, config("qiniu", "https://api.qnaigc.com/v1"))
    assert (request.method, str(request.url)) == (
        "GET",
        "https://api.qnaigc.com/v1/videos/qvideo-user123-1234567890123456789",
    )
    assert request.content == b""


# --- Kling's size and mode (seed 002: size sets only the orientation, mode the quality) -------

KLING = [m.id for m in catalogue.MODELS if m.id.startswith("kling")]


@pytest.mark.parametrize("model", KLING)
@pytest.mark.parametrize("size", ["1920x1080", "1280x720", "1080x1920", "720x1280", "1080x1080"])
def test_every_documented_kling_size_is_sent_as_given_at_each_quality(
    model: str, size: str, tmp_path: Path
) -> None:
    client = reelkit.Client(env=ENV, home=tmp_path)
    info = next(m for m in catalogue.MODELS if m.id == model)
    inputs: dict[str, Any] = {}
    if info.mode(Mode.T2V) is None:  # kling-v2-1 has no text-to-video
        inputs["first_frame"] = "https://example.com/a.jpg"
    spec = info.mode(Mode.T2V) or info.mode(Mode.I2V)
    assert spec is not None
    for resolution in {r for v in spec.variants for r in v.resolutions}:
        plan = client.plan(
            "p", provider="qiniu", model=model, size=size, resolution=resolution, strict=True,
            **inputs,
        )  # fmt: skip
        assert plan.http is not None and plan.http.body["size"] == size
        assert plan.http.body["mode"] == catalogue.KLING_MODE_BY_RESOLUTION[resolution]
        assert (plan.request.resolution, plan.request.size) == (resolution, size)


def test_a_kling_mode_against_the_resolution_is_refused(tmp_path: Path) -> None:
    client = reelkit.Client(env=ENV, home=tmp_path)
    with pytest.raises(InvalidRequest) as err:
        client.plan("p", provider="qiniu", model="kling-v2-5-turbo", params={"mode": "pro"})
    assert err.value.field == "params.mode"


# --- requested values the wire cannot carry are adjustments, never silent drops ------------


def test_a_remix_reports_the_duration_and_size_it_inherits(tmp_path: Path) -> None:
    client = reelkit.Client(env=ENV, home=tmp_path)
    source = "qvideo-user123-1234567890123456789"
    plan = client.plan(
        "夜晚", provider="qiniu", model="sora-2", remix_of=source, duration=8, size="1280x720"
    )
    assert plan.http is not None and plan.http.body == {"prompt": "夜晚"}
    dropped = {a.field: a for a in plan.adjustments}
    assert set(dropped) == {"duration", "resolution", "aspect_ratio"}
    assert all(a.applied is None and "not sent" in a.reason for a in dropped.values())
    with pytest.raises(InvalidRequest) as err:
        client.plan(
            "夜晚", provider="qiniu", model="sora-2", remix_of=source, duration=8, strict=True
        )
    assert err.value.field == "duration"
    # A bare remix has nothing to report, strict or not.
    assert client.plan("夜晚", provider="qiniu", model="sora-2", remix_of=source).adjustments == ()


def test_a_reference_video_reports_the_duration_it_sets(tmp_path: Path) -> None:
    client = reelkit.Client(env=ENV, home=tmp_path)
    plan = client.plan(
        "加一只狗", provider="qiniu", model="kling-video-o1", duration=10,
        video="https://example.com/dog.mp4",
    )  # fmt: skip
    assert plan.http is not None and "seconds" not in plan.http.body
    assert [(a.field, a.requested, a.applied) for a in plan.adjustments] == [("duration", 10, None)]
