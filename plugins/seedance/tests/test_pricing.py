"""Seedance prices: token estimates against the official Ark tables, and billed tokens.

Hand-computed values come from https://www.volcengine.com/docs/82379/1544106 (tokens ≈ width ×
height × fps × seconds / 1024; 1.0 pro 15, pro fast 4.2, lite 10 CNY per million tokens) and
https://www.volcengine.com/docs/82379/1366799 (service_tier=flex at 50 %).
"""

from __future__ import annotations

import copy
import itertools
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

import reelkit
import reelkit_seedance
from reelkit.capabilities import Audio, ModelInfo
from reelkit.models import Charge, Failed, JobHandle, Plan, Succeeded, VideoRequest
from reelkit.pricing import PRIMARY_UNITS, estimate, video_tokens
from reelkit_seedance.capabilities import (
    LITE_I2V,
    LITE_T2V,
    MODELS,
    PRO,
    PRO_15,
    PRO_FAST,
    V2,
    V2_FAST,
)

from .conftest import fixture

URL = "https://ark.cn-beijing.volces.com/api/v3/contents/generations/tasks/cgt-1"
FRAME = "https://example.com/frame.png"


@pytest.fixture
def client(tmp_path: Path) -> Any:
    with reelkit.Client(home=tmp_path / "home", env={"ARK_API_KEY": "test-key"}) as c:
        yield c


def cost(client: Any, model: ModelInfo, **options: Any) -> Any:
    return client.plan("a cat", provider="seedance", model=model.id, **options).cost


# --- the token count ------------------------------------------------------------------------


def test_token_count_matches_the_official_examples() -> None:
    # The price page's 计费示例: 5 s and 10 s at 24 fps, Seedance 1.0 pixel sizes.
    assert video_tokens(1248, 704, 24, 5) == 1248 * 704 * 24 * 5 // 1024 == 102_960
    assert video_tokens(864, 480, 24, 5) == 48_600
    assert video_tokens(1920, 1088, 24, 10) == 489_600


# --- estimates --------------------------------------------------------------------------------


def test_pro_720p_uses_the_1_0_pixel_table(client: Any) -> None:
    estimate_ = cost(client, PRO, resolution="720p", aspect_ratio="16:9", duration=5)
    # 1248x704 (not 1280x720) for Seedance 1.0: 102,960 tokens at 15 CNY per million.
    assert estimate_.estimated == pytest.approx(1248 * 704 * 24 * 5 / 1024 / 1e6 * 15)
    assert estimate_.estimated == pytest.approx(1.5444)
    assert estimate_.currency == "CNY"
    assert estimate_.source == "https://www.volcengine.com/docs/82379/1544106"
    assert "102,960 tokens" in estimate_.basis


def test_pro_default_is_1080p_online(client: Any) -> None:
    estimate_ = cost(client, PRO, duration=10)
    assert estimate_.estimated == pytest.approx(1920 * 1088 * 24 * 10 / 1024 / 1e6 * 15)


def test_flex_is_half_price(client: Any) -> None:
    online = cost(client, PRO, resolution="480p", aspect_ratio="16:9", duration=5)
    flex = cost(
        client,
        PRO,
        resolution="480p",
        aspect_ratio="16:9",
        duration=5,
        params={"service_tier": "flex"},
    )
    explicit = cost(
        client,
        PRO,
        resolution="480p",
        aspect_ratio="16:9",
        duration=5,
        params={"service_tier": "default"},
    )
    assert online.estimated == pytest.approx(864 * 480 * 24 * 5 / 1024 / 1e6 * 15)
    assert flex.estimated == pytest.approx(864 * 480 * 24 * 5 / 1024 / 1e6 * 7.5)
    assert explicit.estimated == online.estimated


def test_pro_fast(client: Any) -> None:
    t2v = cost(client, PRO_FAST, resolution="1080p", aspect_ratio="9:16", duration=4)
    assert t2v.estimated == pytest.approx(1088 * 1920 * 24 * 4 / 1024 / 1e6 * 4.2)
    flex = cost(
        client,
        PRO_FAST,
        resolution="720p",
        aspect_ratio="1:1",
        duration=12,
        params={"service_tier": "flex"},
    )
    assert flex.estimated == pytest.approx(960 * 960 * 24 * 12 / 1024 / 1e6 * 2.1)


def test_lite_text_and_image_cost_the_same(client: Any) -> None:
    t2v = cost(client, LITE_T2V, resolution="720p", aspect_ratio="4:3", duration=5)
    assert t2v.estimated == pytest.approx(1120 * 832 * 24 * 5 / 1024 / 1e6 * 10)
    # Reference mode (1-4 images, lite i2v only) at 720p 4:3: the same tokens, the same price.
    reference = cost(
        client,
        LITE_I2V,
        resolution="720p",
        aspect_ratio="4:3",
        duration=5,
        reference_images=[FRAME, FRAME],
    )
    assert reference.estimated == t2v.estimated
    first_last = cost(
        client,
        LITE_I2V,
        resolution="480p",
        aspect_ratio="21:9",
        duration=2,
        first_frame=FRAME,
        last_frame=FRAME,
    )
    assert first_last.estimated == pytest.approx(960 * 416 * 24 * 2 / 1024 / 1e6 * 10)


@pytest.mark.parametrize("model", [PRO_15, V2, V2_FAST], ids=lambda m: m.id)
@pytest.mark.parametrize("audio", [None, True, False])
def test_unpublished_models_estimate_to_none(client: Any, model: ModelInfo, audio: Any) -> None:
    estimate_ = cost(client, model, resolution="720p", duration=5, audio=audio)
    assert estimate_.estimated is None
    assert estimate_.currency == "CNY"
    assert "no published price" in estimate_.basis


def test_every_variant_matches_a_primary_rate() -> None:
    for model in MODELS:
        assert model.price is not None, model.id
        audios = (None, True, False) if model.audio is Audio.OPTIONAL else (None,)
        tiers = (None, "default", "flex")
        for spec in model.modes:
            for variant in spec.variants:
                for resolution, audio, tier in itertools.product(
                    variant.resolutions, audios, tiers
                ):
                    params = {} if tier is None else {"service_tier": tier}
                    plan = Plan(
                        provider="seedance",
                        model=model.id,
                        mode=spec.mode,
                        request=VideoRequest(
                            prompt="x",
                            duration=5,
                            resolution=resolution,
                            audio=audio,
                            fps=24,
                            params=params,
                            mode=spec.mode,
                        ),
                        adjustments=(),
                    )
                    rates = [r for r in model.price.rates if r.unit in PRIMARY_UNITS]
                    assert any(r.matches(plan) for r in rates), (model.id, plan.request)
                    known = estimate(model.price, plan).estimated is not None
                    assert known is (model in (PRO, PRO_FAST, LITE_T2V, LITE_I2V))


# --- billed tokens --------------------------------------------------------------------------

JOB = JobHandle(provider="seedance", model=PRO.id, task_id="cgt-1")


def poll(body: Any) -> Any:
    response = httpx.Response(200, json=body, request=httpx.Request("GET", URL))
    return reelkit_seedance.reelkit_parse_poll(provider="seedance", job=JOB, response=response)


def succeeded(usage: Any) -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(fixture("get_statuses.json")["succeeded"])
    if usage is ...:
        del body["usage"]
    else:
        body["usage"] = usage
    return body


def test_completion_tokens_are_the_charge() -> None:
    status = poll(fixture("get_statuses.json")["succeeded"])  # usage 108,900 (Ark's example)
    assert isinstance(status, Succeeded)
    assert status.charge == Charge(tokens=108_900, basis="usage.completion_tokens")
    assert status.charge.amount is None  # tokens only: the core prices them


@pytest.mark.parametrize(
    "usage",
    [
        ...,
        None,
        "lots",
        {},
        {"completion_tokens": "108900"},
        {"completion_tokens": True},
        {"completion_tokens": -1},
        {"completion_tokens": 1.5},
        [108900],
    ],
)
def test_a_missing_or_malformed_usage_is_ignored(
    usage: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="reelkit_seedance")
    status = poll(succeeded(usage))
    assert isinstance(status, Succeeded)  # the video was made: never a failure
    assert status.charge is None
    assert status.video is not None
    if usage is not ... and usage is not None:
        assert "ignoring unreadable usage" in caplog.text


def test_zero_tokens_are_reported_as_zero() -> None:
    status = poll(succeeded({"completion_tokens": 0, "total_tokens": 0}))
    assert isinstance(status, Succeeded)
    assert status.charge == Charge(tokens=0, basis="usage.completion_tokens")


@pytest.mark.parametrize("name", ["failed", "failed_moderation", "cancelled", "expired"])
def test_failed_tasks_are_not_billed(name: str) -> None:
    # The price page: "仅对成功生成的视频计费。因审核等原因导致生成失败的，不收取费用".
    status = poll(fixture("get_statuses.json")[name])
    assert isinstance(status, Failed)
    assert status.billed is False
    assert status.charge is None
