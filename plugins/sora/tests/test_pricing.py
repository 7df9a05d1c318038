"""Sora's prices: estimates against OpenAI's per-second table, and no charge in its answers.

The table (https://developers.openai.com/de-DE/api/docs/models/sora-2, read 2026-12-02):
sora-2 at 720x1280 / 1280x720 $0.10/s; sora-2-pro at those sizes $0.30/s; the larger sizes are
not on the page, so they estimate to unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

import reelkit
from reelkit.capabilities import Choices, Mode, Range
from reelkit.models import JobHandle, Plan, SourceJob, Succeeded, VideoRequest
from reelkit.pricing import PRIMARY_UNITS, estimate
from reelkit_sora import catalogue, videos

MODELS = {m.id: m for m in catalogue.MODELS}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[reelkit.Client]:
    # Plans only: nothing is sent, and the journal lives under tmp_path.
    with reelkit.Client(home=tmp_path, env={"OPENAI_API_KEY": "sk-test"}) as c:
        yield c


def _seconds(durations: Choices | Range) -> tuple[float, ...]:
    return durations.values if isinstance(durations, Choices) else (durations.min, durations.max)


@pytest.mark.parametrize(
    ("model", "resolution", "seconds", "expected"),
    [
        ("sora-2", "720p", 4, 4 * 0.10),
        ("sora-2", "720p", 8, 8 * 0.10),
        ("sora-2", "720p", 20, 20 * 0.10),
        ("sora-2-2025-12-08", "720p", 12, 12 * 0.10),
        ("sora-2-2025-10-06", "720p", 8, 8 * 0.10),
        ("sora-2-pro", "720p", 4, 4 * 0.30),
        ("sora-2-pro", "720p", 12, 12 * 0.30),
        ("sora-2-pro", "720p", 16, 16 * 0.30),
        ("sora-2-pro-2025-10-06", "720p", 8, 8 * 0.30),
    ],
)
def test_estimates_follow_the_per_second_table(
    client: reelkit.Client, model: str, resolution: str, seconds: int, expected: float
) -> None:
    plan = client.plan("A lighthouse", provider="sora", model=model, duration=seconds)
    cost = plan.cost
    assert plan.request.resolution == resolution
    assert cost is not None and cost.estimated == pytest.approx(expected)
    assert cost.currency == "USD"
    assert cost.source == "https://developers.openai.com/de-DE/api/docs/models/sora-2"
    assert cost.as_of == date(2026, 12, 2)


def test_portrait_costs_the_same_as_landscape(client: reelkit.Client) -> None:
    plan = client.plan("x", provider="sora", model="sora-2-pro", duration=8, aspect_ratio="9:16")
    assert plan.request.size == "720x1280"
    assert plan.cost is not None and plan.cost.estimated == pytest.approx(8 * 0.30)


@pytest.mark.parametrize(
    ("model", "resolution"),
    [("sora-2-pro", "1024p"), ("sora-2-pro", "1080p"), ("sora-2-pro-2025-10-06", "1024p")],
)
def test_the_larger_pro_sizes_are_unknown(
    client: reelkit.Client, model: str, resolution: str
) -> None:
    plan = client.plan("x", provider="sora", model=model, duration=8, resolution=resolution)
    assert plan.cost is not None and plan.cost.estimated is None
    assert "no published price" in plan.cost.basis


def _plans(model_id: str) -> list[Plan]:
    """One plan per mode × resolution × aspect ratio × duration the model advertises."""
    model = MODELS[model_id]
    source = SourceJob(task_id="video_1")
    plans = []
    for spec in model.modes:
        for variant in spec.variants:
            for resolution in variant.resolutions:
                for ratio in variant.aspect_ratios:
                    for seconds in _seconds(variant.durations):
                        request = VideoRequest(
                            prompt="x",
                            mode=spec.mode,
                            resolution=resolution,
                            aspect_ratio=ratio,
                            duration=seconds,
                            remix_of=source if spec.mode is Mode.REMIX else None,
                            continue_from=source if spec.mode is Mode.EXTEND else None,
                        )
                        plans.append(
                            Plan(
                                provider="sora",
                                model=model_id,
                                mode=spec.mode,
                                request=request,
                                adjustments=(),
                            )
                        )
    return plans


@pytest.mark.parametrize("model_id", sorted(MODELS))
def test_every_advertised_variant_has_a_rate(model_id: str) -> None:
    price = MODELS[model_id].price
    assert price is not None
    plans = _plans(model_id)
    assert plans
    for plan in plans:
        matched = [r for r in price.rates if r.unit in PRIMARY_UNITS and r.matches(plan)]
        assert matched, (plan.mode, plan.request.resolution)
        known = estimate(price, plan).estimated
        if plan.request.resolution == "720p":
            per_second = 0.30 if "pro" in model_id else 0.10
            assert known == pytest.approx(float(plan.request.duration or 0) * per_second)
        else:
            assert known is None


def test_an_extension_bills_its_own_seconds() -> None:
    plan = Plan(
        provider="sora",
        model="sora-2",
        mode=Mode.EXTEND,
        request=VideoRequest(
            prompt="x",
            mode=Mode.EXTEND,
            resolution="720p",
            duration=16,
            continue_from=SourceJob(task_id="video_1"),
        ),
        adjustments=(),
    )
    assert estimate(MODELS["sora-2"].price, plan).estimated == pytest.approx(16 * 0.10)


def test_a_finished_video_reports_no_charge() -> None:
    # openai-python's types/video.py Video has id, created_at, completed_at, expires_at, error,
    # model, object, progress, remixed_from_video_id, seconds, size, status: no cost or usage.
    body = {
        "id": "video_123",
        "object": "video",
        "model": "sora-2",
        "status": "completed",
        "progress": 100,
        "created_at": 1764904843,
        "completed_at": 1764905043,
        "expires_at": 1764908643,
        "seconds": "8",
        "size": "1280x720",
        # An unknown field is tolerated and not taken for a charge.
        "usage": {"cost": 99},
    }
    request = httpx.Request("GET", "https://api.openai.com/v1/videos/video_123")
    response = httpx.Response(200, json=body, request=request)
    job = JobHandle(provider="sora", model="sora-2", task_id="video_123")
    status = videos.API.parse_poll(job, response)
    assert isinstance(status, Succeeded)
    assert status.charge is None
