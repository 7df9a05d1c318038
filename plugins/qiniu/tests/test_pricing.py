"""Qiniu's prices: none is published, so every estimate is unknown, and no charge is parsed.

Where we looked is in ``reelkit_qiniu.catalogue`` (the prices section): qiniu.com and
developer.qiniu.com state no per-model price for these video models.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import reelkit
from reelkit.models import JobHandle, Succeeded
from reelkit_qiniu import catalogue, videos

MODELS = {m.id: m for m in catalogue.MODELS}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[reelkit.Client]:
    # Plans only: nothing is sent, and the journal lives under tmp_path.
    with reelkit.Client(home=tmp_path, env={"QINIU_API_KEY": "sk-test"}) as c:
        yield c


def test_no_model_has_a_price() -> None:
    assert MODELS
    assert {m.id: m.price for m in MODELS.values()} == dict.fromkeys(MODELS)


@pytest.mark.parametrize(
    ("model", "options"),
    [
        ("sora-2", {"duration": 8}),
        ("sora-2-pro", {"duration": 4, "resolution": "1024p"}),
        ("kling-v2-5-turbo", {"duration": 5, "resolution": "720p"}),
        ("kling-v2-5-turbo", {"duration": 10, "resolution": "1080p", "params": {"mode": "pro"}}),
        ("kling-v2-6", {"duration": 5, "resolution": "1080p", "audio": True}),
        ("kling-v3", {"duration": 15}),
        ("kling-v3-omni", {"duration": 3, "resolution": "720p", "params": {"mode": "std"}}),
        ("kling-video-o1", {"duration": 10}),
    ],
)
def test_estimates_are_unknown(client: reelkit.Client, model: str, options: dict[str, Any]) -> None:
    plan = client.plan("A lighthouse", provider="qiniu", model=model, **options)
    assert plan.cost is not None
    assert plan.cost.estimated is None
    assert plan.cost.basis == "no published price"


def test_a_finished_task_reports_no_charge() -> None:
    # The completed task object of https://developer.qiniu.com/aitokenapi/13169 has no cost or
    # usage field; an unknown one is tolerated and not taken for a charge.
    body = {
        "id": "qvideo-u-1764904843275618838",
        "object": "video",
        "model": "kling-v2-5-turbo",
        "status": "completed",
        "completed_at": 1764905043,
        "seconds": "5",
        "size": "1920x1080",
        "task_result": {"videos": [{"url": "https://aitoken-video.qnaigc.com/u/1.mp4"}]},
        "usage": {"total_fee": 3.5},
    }
    request = httpx.Request("GET", "https://api.qnaigc.com/v1/videos/qvideo-u-1764904843275618838")
    job = JobHandle(
        provider="qiniu", model="kling-v2-5-turbo", task_id="qvideo-u-1764904843275618838"
    )
    status = videos.API.parse_poll(job, httpx.Response(200, json=body, request=request))
    assert isinstance(status, Succeeded)
    assert status.charge is None
