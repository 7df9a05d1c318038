"""Every example of the two new-api deployments' pages goes through reelkit unchanged.

The cases (fixtures/seed_examples.json) transcribe the JSON bodies of seed 003's examples (the
Grok and Kling 範例 of a new-api deployment's ``POST /v1/videos``) and seed 004's curl examples
(``POST /v1/video/generations`` with the Veo 3.1 tiers) field for field; each is planned with
``strict=True`` and must send the same method, path, fields, values and JSON types.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import reelkit
from openai_videos_fixtures import check_documented_example, config
from reelkit import clamp, wire
from reelkit.errors import InvalidRequest
from reelkit.models import JobHandle, Media, SourceJob, VideoRequest
from reelkit_newapi import catalogue, videos

FIXTURES = Path(__file__).parent / "fixtures"
SEED = json.loads((FIXTURES / "seed_examples.json").read_text(encoding="utf-8"))
BASE = "https://gw.example.com"
ENV = {"NEWAPI_API_KEY": "sk-test", "REELKIT_NEWAPI_BASE_URL": BASE}


@pytest.mark.parametrize("case", SEED["cases"], ids=[c["name"] for c in SEED["cases"]])
def test_every_seed_003_and_004_example_is_sent_unchanged_under_strict(
    case: dict[str, Any], tmp_path: Path
) -> None:
    check_documented_example(case, provider="newapi", env=ENV, home=tmp_path)


def test_the_status_query_of_seed_004() -> None:
    # seed 004 查询任务状态: curl "{BASE_URL}/v1/videos/task_xxx", no body.
    job = JobHandle(provider="newapi", model="veo3.1-video-1080p", task_id="task_xxx")
    request = videos.API.poll_request(job, config("newapi", BASE))
    assert (request.method, str(request.url), request.content) == (
        "GET",
        f"{BASE}/v1/videos/task_xxx",
        b"",
    )


# --- requested values the wire cannot carry are adjustments, never silent drops ------------


def _unsent(model_id: str, options: dict[str, Any] | None = None, **values: Any) -> list[Any]:
    model = next(m for m in catalogue.MODELS if m.id == model_id)
    applied, adjustments = clamp(VideoRequest(prompt="p", **values), model)
    assert adjustments == []
    request = videos.API.translate(model, applied, config("newapi", BASE, options))
    return [(a.field, a.requested) for a in wire.reported_not_sent(request)]


def test_an_extension_reports_the_duration_and_aspect_ratio_it_does_not_send() -> None:
    source = SourceJob(task_id="task_src", video_url="https://example.com/earlier.mp4")
    # seed 004: duration "视频续写不使用", aspect_ratio for text-to-video and images only.
    assert _unsent("veo3.1-video-720p", continue_from=source, duration=6, aspect_ratio="9:16") == [
        ("duration", 6),
        ("aspect_ratio", "9:16"),
    ]
    # seed 003 Kling: mode=extend takes video_id and no duration; aspect only for t2v/multi_i2v.
    assert _unsent("kling-v1", continue_from=source, duration=5, aspect_ratio="1:1") == [
        ("duration", 5),
        ("aspect_ratio", "1:1"),
    ]
    assert _unsent("kling-v1", continue_from=source) == []  # nothing asked, nothing dropped


def test_kling_image_to_video_reports_the_aspect_ratio_it_follows_from_the_image() -> None:
    frame = Media(url="https://example.com/a.png")
    assert _unsent("kling-v2-6", first_frame=frame, aspect_ratio="9:16") == [
        ("aspect_ratio", "9:16")
    ]
    assert _unsent("kling-v2-6", aspect_ratio="9:16") == []  # t2v sends it


def test_a_remix_reports_what_it_inherits_and_strict_refuses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = SourceJob(task_id="task_src")
    assert _unsent("sora-2", {"remix": True}, remix_of=source, duration=8) == [("duration", 8)]
    (tmp_path / "reelkit.toml").write_text("[providers.newapi]\nremix = true\n")
    monkeypatch.chdir(tmp_path)
    client = reelkit.Client(env=ENV, home=tmp_path / "home")
    plan = client.plan("p", provider="newapi", model="sora-2", remix_of="task_src", duration=8)
    assert [(a.field, a.applied) for a in plan.adjustments] == [("duration", None)]
    with pytest.raises(InvalidRequest) as err:
        client.plan(
            "p", provider="newapi", model="sora-2", remix_of="task_src", duration=8, strict=True
        )
    assert err.value.field == "duration" and "not sent" in str(err.value)
