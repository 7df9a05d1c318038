"""Prices as data: estimates from the Gemini API's per-second table, and what Veo reports.

Expected values are computed by hand from https://ai.google.dev/gemini-api/docs/pricing (read
2026-12-02), "video with audio" per second: Veo 3.1 $0.40 (720p, 1080p) and $0.60 (4k); Veo 3.1
Fast $0.10 (720p), $0.12 (1080p), $0.30 (4k); Veo 3.1 Lite $0.05 (720p), $0.08 (1080p). Veo 3,
Veo 3 Fast and Veo 2 were shut down on 2026-06-30 and have no current price.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from veo_helpers import handle, load, reply

import reelkit
import reelkit_veo
from reelkit.capabilities import Audio, Mode
from reelkit.models import Failed, Plan, Succeeded, VideoRequest
from reelkit.pricing import PRIMARY_UNITS, estimate
from reelkit.testing import png_bytes
from reelkit_veo import MODELS

SOURCE = "https://ai.google.dev/gemini-api/docs/pricing"
V31 = "veo-3.1-generate-preview"
FAST = "veo-3.1-fast-generate-preview"
LITE = "veo-3.1-lite-generate-preview"
SHUT_DOWN = ("veo-3.0-generate-001", "veo-3.0-fast-generate-001", "veo-2.0-generate-001")


@pytest.fixture
def client(tmp_path: Path) -> Any:
    with reelkit.Client(home=tmp_path / "home", env={"GEMINI_API_KEY": "AIza-test"}) as c:
        yield c


@pytest.fixture
def image(tmp_path: Path) -> str:
    path = tmp_path / "frame.png"
    path.write_bytes(png_bytes(64, 36))
    return str(path)


def plan(client: Any, **options: Any) -> Any:
    return client.plan("Waves on a rocky shore", provider="veo", **options)


# --- estimates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "resolution", "duration", "expected"),
    [
        (V31, "720p", 4, 4 * 0.40),
        (V31, "720p", 8, 8 * 0.40),
        (V31, "1080p", 8, 8 * 0.40),
        (V31, "4k", 8, 8 * 0.60),
        (FAST, "720p", 6, 6 * 0.10),
        (FAST, "1080p", 8, 8 * 0.12),
        (FAST, "4k", 8, 8 * 0.30),
        (LITE, "720p", 4, 4 * 0.05),
        (LITE, "1080p", 8, 8 * 0.08),
    ],
)
def test_text_to_video_is_seconds_times_the_resolution_rate(
    client: Any, model: str, resolution: str, duration: int, expected: float
) -> None:
    cost = plan(client, model=model, resolution=resolution, duration=duration).cost
    assert cost.estimated == pytest.approx(expected)
    assert cost.currency == "USD"
    assert cost.source == SOURCE
    assert cost.as_of.isoformat() == "2026-12-02"
    assert "audio" in cost.basis  # the page prices video with audio


def test_the_default_plan_is_priced(client: Any) -> None:
    # veo-3.1-generate-preview at its defaults: 8 s, 720p, sound on.
    p = plan(client)
    assert (p.model, p.request.duration, p.request.resolution, p.request.audio) == (
        V31,
        8,
        "720p",
        True,
    )
    assert p.cost.estimated == pytest.approx(8 * 0.40)


def test_asking_for_silence_does_not_change_the_price(client: Any) -> None:
    # Audio is always on with Veo 3.x on the Gemini API: the request is clamped to sound.
    p = plan(client, audio=False, duration=6)
    assert p.request.audio is True
    assert p.cost.estimated == pytest.approx(6 * 0.40)


def test_clamped_values_are_priced_as_applied(client: Any) -> None:
    # 1080p needs 8 s: a 4 s request is sent as 8 s, and 8 s is what Google bills.
    p = plan(client, model=FAST, resolution="1080p", duration=4)
    assert p.request.duration == 8
    assert p.cost.estimated == pytest.approx(8 * 0.12)
    # Lite has no 4k; the nearest is reported and priced.
    lite = plan(client, model=LITE, resolution="4k", duration=8)
    assert lite.request.resolution == "1080p"
    assert lite.cost.estimated == pytest.approx(8 * 0.08)


def test_image_modes_cost_the_same_per_second(client: Any, image: str) -> None:
    i2v = plan(client, first_frame=image, duration=6)
    assert i2v.mode is Mode.I2V
    assert i2v.cost.estimated == pytest.approx(6 * 0.40)
    interp = plan(client, model=FAST, first_frame=image, last_frame=image, duration=4)
    assert interp.mode is Mode.FIRST_LAST
    assert interp.cost.estimated == pytest.approx(4 * 0.10)
    refs = plan(client, reference_images=[image, image], resolution="4k")
    assert refs.mode is Mode.REFERENCE
    assert refs.cost.estimated == pytest.approx(8 * 0.60)  # references need 8 s


@pytest.mark.parametrize("model", SHUT_DOWN)
def test_shut_down_models_are_unknown(client: Any, model: str) -> None:
    cost = plan(client, model=model).cost
    assert cost.estimated is None
    assert "no published price" in cost.basis


def _plan(model_id: str, mode: Mode, resolution: str, audio: bool, duration: float = 8) -> Plan:
    request = VideoRequest(
        prompt="x", mode=mode, resolution=resolution, duration=duration, audio=audio
    )
    return Plan(provider="veo", model=model_id, mode=mode, request=request, adjustments=())


@pytest.mark.parametrize(("model_id", "rate"), [(V31, 0.40), (FAST, 0.10)])
def test_an_extension_is_priced_on_the_8_seconds_it_asks_for(model_id: str, rate: float) -> None:
    model = next(m for m in MODELS if m.id == model_id)
    cost = estimate(model.price, _plan(model_id, Mode.EXTEND, "720p", audio=True))
    assert cost.estimated == pytest.approx(8 * rate)


def test_every_variant_matches_a_primary_rate() -> None:
    for model in MODELS:
        assert model.price is not None
        for spec in model.modes:
            for variant in spec.variants:
                for resolution in variant.resolutions:
                    # Audio.ALWAYS: sound; Audio.NONE (Veo 2): silence. Clamping applies it.
                    audio = model.audio is not Audio.NONE
                    p = _plan(model.id, spec.mode, resolution, audio=audio)
                    rates = [
                        r for r in model.price.rates if r.unit in PRIMARY_UNITS and r.matches(p)
                    ]
                    assert rates, (model.id, spec.mode, resolution)
                    assert (rates[0].amount is None) is (model.id in SHUT_DOWN)


# --- what Veo reports it billed -------------------------------------------------------------


def poll(name: str) -> Any:
    return reelkit_veo.reelkit_parse_poll(job=handle(), response=reply(200, load(name)))


def test_a_finished_operation_reports_no_charge() -> None:
    # The Gemini operation carries no usage or cost (google-genai 2.34's GenerateVideosResponse
    # has generated_videos and the RAI fields only), so there is nothing to record.
    status = poll("poll_done.json")
    assert isinstance(status, Succeeded)
    assert status.charge is None


def test_a_filtered_video_is_not_billed() -> None:
    status = poll("poll_rai_filtered.json")
    assert isinstance(status, Failed)
    assert status.billed is False  # "You will only be charged if your video is successfully ..."
    assert status.charge is None
