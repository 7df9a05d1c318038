"""new-api's prices and charges.

Prices: the operator sets them and no deployment here publishes a list, so every estimate is
unknown. Charges: the Video object's ``usage.completion_tokens`` (Ark video tokens, relayed by
the Doubao adaptor) is reported as tokens for Seedance models; ``quota`` is never turned into
money, since its worth is the deployment's ``QuotaPerUnit`` setting.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import reelkit
from reelkit.models import Charge, Failed, JobHandle, Succeeded
from reelkit_newapi import catalogue, videos

MODELS = {m.id: m for m in catalogue.MODELS}
BASE = "https://gw.example.com"
SEEDANCE = "doubao-seedance-1-0-pro-250528"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[reelkit.Client]:
    # Plans only: nothing is sent, and the journal lives under tmp_path.
    env = {"NEWAPI_API_KEY": "sk-test", "REELKIT_NEWAPI_BASE_URL": BASE}
    with reelkit.Client(home=tmp_path, env=env) as c:
        yield c


def test_no_model_has_a_price() -> None:
    assert MODELS
    assert {m.id: m.price for m in MODELS.values()} == dict.fromkeys(MODELS)


@pytest.mark.parametrize(
    ("model", "options"),
    [
        ("sora-2", {"duration": 8}),
        ("sora-2-pro", {"duration": 4, "resolution": "1024p"}),
        (SEEDANCE, {"duration": 5, "resolution": "1080p"}),
        ("kling-v2-6", {"duration": 10}),
        ("veo3.1-video-1080p", {"duration": 8, "audio": True}),
        ("grok-imagine-1.0-video", {"duration": 6}),
    ],
)
def test_estimates_are_unknown(client: reelkit.Client, model: str, options: dict[str, Any]) -> None:
    plan = client.plan("A lighthouse", provider="newapi", model=model, **options)
    assert plan.cost is not None
    assert plan.cost.estimated is None
    assert plan.cost.basis == "no published price"


def _poll(model: str, body: dict[str, Any]) -> Any:
    request = httpx.Request("GET", f"{BASE}/v1/videos/task_xxx")
    job = JobHandle(provider="newapi", model=model, task_id="task_xxx")
    return videos.API.parse_poll(job, httpx.Response(200, json=body, request=request))


def _done(**extra: Any) -> dict[str, Any]:
    # The Doubao adaptor's synthesised Video object (docs/reference/openai-videos.md §3.6).
    return {
        "id": "task_xxx",
        "task_id": "task_xxx",
        "object": "video",
        "model": SEEDANCE,
        "status": "completed",
        "progress": 100,
        "metadata": {"url": "https://ark-content-generation.example.com/out.mp4"},
        **extra,
    }


def test_seedance_tokens_are_the_charge() -> None:
    # 5 s of 1280x720 at 24 fps: 1280 * 720 * 121 / 1024 = 108,900 tokens (Ark's own example).
    status = _poll(SEEDANCE, _done(usage={"completion_tokens": 108900, "total_tokens": 108900}))
    assert isinstance(status, Succeeded)
    assert status.video is not None
    assert status.charge == Charge(tokens=1280 * 720 * 121 // 1024, basis="usage.completion_tokens")
    assert status.charge.amount is None and status.charge.currency is None


@pytest.mark.parametrize(
    "usage",
    [
        {"completion_tokens": "108900"},
        {"completion_tokens": -1},
        {"completion_tokens": True},
        {"completion_tokens": 1.5},
        {"total_tokens": 108900},
        "108900",
        [108900],
    ],
)
def test_malformed_usage_is_ignored_not_fatal(usage: Any) -> None:
    status = _poll(SEEDANCE, _done(usage=usage))
    assert isinstance(status, Succeeded)
    assert status.charge is None


def test_no_usage_no_charge() -> None:
    status = _poll(SEEDANCE, _done())
    assert isinstance(status, Succeeded) and status.charge is None


def test_tokens_of_other_families_are_not_taken_for_video_tokens() -> None:
    body = _done(model="kling-v2-6", usage={"completion_tokens": 500, "total_tokens": 500})
    status = _poll("kling-v2-6", body)
    assert isinstance(status, Succeeded) and status.charge is None


def test_quota_is_not_turned_into_money() -> None:
    # The native task (§3.6) carries quota: the deployment's units, so no charge.
    body = {
        "code": "success",
        "message": "",
        "data": {
            "task_id": "task_xxx",
            "platform": "doubao",
            "status": "SUCCESS",
            "quota": 250000,
            "progress": "100%",
            "result_url": "https://ark-content-generation.example.com/out.mp4",
        },
    }
    status = _poll(SEEDANCE, body)
    assert isinstance(status, Succeeded) and status.charge is None


def test_a_failed_task_carries_no_charge_and_no_billing_claim() -> None:
    body = _done(status="failed", error={"message": "upstream failed", "code": "x"})
    status = _poll(SEEDANCE, body)
    assert isinstance(status, Failed)
    assert status.charge is None and status.billed is None
