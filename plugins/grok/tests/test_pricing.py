"""Prices as data: estimates from xAI's per-second list, and the charge xAI reports.

Expected values are computed by hand from https://docs.x.ai/developers/pricing (read 2026-12-02):
grok-imagine-video $0.05/s at 480p and $0.07/s at 720p; grok-imagine-video-1.5 $0.08/s at 480p,
$0.14/s at 720p and $0.25/s at 1080p. Ticks: 1 USD = 10^10 (xai-proto ``usage.proto``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from grok_helpers import handle, load, reply

import reelkit
import reelkit_grok
from reelkit.capabilities import Mode
from reelkit.models import Charge, Failed, Plan, Succeeded, VideoRequest
from reelkit.pricing import PRIMARY_UNITS, estimate
from reelkit.testing import png_bytes
from reelkit_grok import MODELS
from reelkit_grok.capabilities import DEFAULT_MODEL, MODEL_15

USD = "USD"
SOURCE = "https://docs.x.ai/developers/pricing"


@pytest.fixture
def client(tmp_path: Path) -> Any:
    with reelkit.Client(home=tmp_path / "home", env={"XAI_API_KEY": "xai-test"}) as c:
        yield c


@pytest.fixture
def image(tmp_path: Path) -> str:
    path = tmp_path / "frame.png"
    path.write_bytes(png_bytes(64, 36))
    return str(path)


def cost(client: Any, **options: Any) -> Any:
    return client.plan("A lighthouse in a storm", provider="grok", **options).cost


# --- estimates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "resolution", "duration", "expected"),
    [
        (DEFAULT_MODEL, "480p", 5, 5 * 0.05),
        (DEFAULT_MODEL, "720p", 10, 10 * 0.07),
        (DEFAULT_MODEL, "720p", 15, 15 * 0.07),
        (MODEL_15, "480p", 8, 8 * 0.08),
        (MODEL_15, "720p", 6, 6 * 0.14),
        (MODEL_15, "1080p", 6, 6 * 0.25),
        (MODEL_15, "1080p", 15, 15 * 0.25),
    ],
)
def test_text_to_video_is_seconds_times_the_resolution_rate(
    client: Any, model: str, resolution: str, duration: int, expected: float
) -> None:
    estimate_ = cost(client, model=model, resolution=resolution, duration=duration)
    assert estimate_.estimated == pytest.approx(expected)
    assert estimate_.currency == USD
    assert estimate_.source == SOURCE
    assert estimate_.as_of.isoformat() == "2026-12-02"


def test_the_defaults_are_priced(client: Any) -> None:
    # The base model's defaults: 5 s at 480p.
    assert cost(client).estimated == pytest.approx(5 * 0.05)


def test_sound_does_not_change_the_price(client: Any) -> None:
    with_sound = cost(client, resolution="720p", duration=6, audio=True).estimated
    silent = cost(client, resolution="720p", duration=6, audio=False).estimated
    assert with_sound == silent == pytest.approx(6 * 0.07)


def test_image_modes_have_no_image_fee(client: Any, image: str) -> None:
    # No per-input-image fee is on xAI's list: one image or seven, the seconds decide.
    i2v = cost(client, first_frame=image, duration=6)
    assert i2v.estimated == pytest.approx(6 * 0.05)
    refs = cost(client, model=MODEL_15, reference_images=[image] * 3, resolution="720p", duration=4)
    assert refs.estimated == pytest.approx(4 * 0.14)
    interp = cost(
        client, model=MODEL_15, first_frame=image, last_frame=image, resolution="1080p", duration=3
    )
    assert interp.estimated == pytest.approx(3 * 0.25)


def test_a_clamped_resolution_is_priced_as_applied(client: Any) -> None:
    # 1080p is 1.5 only: the base model applies 720p, and 720p is what is priced.
    plan = client.plan("x", provider="grok", resolution="1080p", duration=4)
    assert plan.request.resolution == "720p"
    assert plan.cost.estimated == pytest.approx(4 * 0.07)


def test_an_edit_is_unknown(client: Any) -> None:
    plan = client.plan("Make it snow", provider="grok", video="https://example.com/in.mp4")
    assert plan.mode is Mode.EDIT
    assert plan.cost.estimated is None
    assert "no published price" in plan.cost.basis


def _plan(model_id: str, mode: Mode, resolution: str, **request: Any) -> Plan:
    applied = VideoRequest(prompt="x", mode=mode, resolution=resolution, duration=4, **request)
    return Plan(provider="grok", model=model_id, mode=mode, request=applied, adjustments=())


@pytest.mark.parametrize("mode", [Mode.EDIT, Mode.REMIX, Mode.EXTEND])
@pytest.mark.parametrize("model_id", [DEFAULT_MODEL, MODEL_15])
def test_video_input_modes_are_unknown(model_id: str, mode: Mode) -> None:
    model = next(m for m in MODELS if m.id == model_id)
    assert estimate(model.price, _plan(model_id, mode, "480p")).estimated is None


def test_every_variant_matches_a_primary_rate() -> None:
    for model in MODELS:
        assert model.price is not None
        for spec in model.modes:
            for variant in spec.variants:
                for resolution in variant.resolutions:
                    for audio in (True, False):
                        plan = _plan(model.id, spec.mode, resolution, audio=audio)
                        rates = [
                            r
                            for r in model.price.rates
                            if r.unit in PRIMARY_UNITS and r.matches(plan)
                        ]
                        assert rates, (model.id, spec.mode, resolution, audio)
                        known = spec.mode not in (Mode.EDIT, Mode.REMIX, Mode.EXTEND)
                        assert (rates[0].amount is not None) is known


# --- what xAI reports it billed -------------------------------------------------------------


def poll_body(body: Any) -> Any:
    return reelkit_grok.reelkit_parse_poll(job=handle(), response=reply(200, body))


def test_the_done_answer_carries_the_charge() -> None:
    status = poll_body(load("poll_done.json"))  # usage.cost_in_usd_ticks: 4,000,000,000
    assert isinstance(status, Succeeded)
    assert status.charge == Charge(
        amount=4_000_000_000 / 10**10, currency=USD, basis="usage.cost_in_usd_ticks"
    )
    assert status.charge.amount == pytest.approx(0.40)  # 8 s × $0.05/s at 480p


def test_ticks_written_as_a_string_are_read() -> None:
    body = {**load("poll_done.json"), "usage": {"cost_in_usd_ticks": "5600000000"}}
    status = poll_body(body)
    assert isinstance(status, Succeeded)
    assert status.charge is not None
    assert status.charge.amount == pytest.approx(8 * 0.07)


def test_no_usage_no_charge() -> None:
    body = {k: v for k, v in load("poll_done.json").items() if k != "usage"}
    status = poll_body(body)
    assert isinstance(status, Succeeded)
    assert status.charge is None


@pytest.mark.parametrize(
    "usage",
    [
        {"cost_in_usd_ticks": "a lot"},
        {"cost_in_usd_ticks": -1},
        {"cost_in_usd_ticks": True},
        {"cost_in_usd_ticks": {"ticks": 1}},
        {"cost_in_usd_ticks": "²"},
        {"cost_in_usd_ticks": float("nan")},
        "not an object",
    ],
)
def test_a_malformed_charge_never_fails_a_finished_job(
    usage: Any, caplog: pytest.LogCaptureFixture
) -> None:
    body = {**load("poll_done.json"), "usage": usage}
    with caplog.at_level(logging.DEBUG, logger="reelkit_grok"):
        status = poll_body(body)
    assert isinstance(status, Succeeded)
    assert status.charge is None
    assert status.video is not None
    if isinstance(usage, dict):  # a value that is there but unreadable is logged
        assert "cost_in_usd_ticks" in caplog.text


def test_a_moderated_video_keeps_what_xai_reports_but_billing_stays_unknown() -> None:
    body = {**load("poll_done_moderated.json"), "usage": {"cost_in_usd_ticks": 2_500_000_000}}
    status = poll_body(body)
    assert isinstance(status, Failed)
    assert status.filtered
    assert status.billed is None  # no xAI page says a moderated video is billed
    assert status.charge == Charge(amount=0.25, currency=USD, basis="usage.cost_in_usd_ticks")


def test_a_failed_job_without_usage_has_no_charge() -> None:
    status = poll_body(load("poll_failed.json"))
    assert isinstance(status, Failed)
    assert status.charge is None
