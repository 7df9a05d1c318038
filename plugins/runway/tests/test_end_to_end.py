"""End to end through ``reelkit.Client`` against the emulator's Runway fake, for every mode.

The ``reelkit_emulator`` fixture serves the fakes on a loopback port, points
``REELKIT_RUNWAY_BASE_URL`` at it, sets a dummy ``RUNWAYML_API_SECRET`` and a short poll
interval. The never-pay-twice cases inject faults on the fake and count the tasks it created.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from reelkit import Client
from reelkit.errors import (
    ContentFiltered,
    InvalidRequest,
    JobFailed,
    ProviderError,
    ReelkitError,
    UnsupportedMode,
)
from reelkit.testing import assert_video, png_bytes

PNG = png_bytes(36, 64)  # a real 9:16 PNG: inputs are checked by content before sending


@pytest.fixture
def client(reelkit_emulator: Any) -> Any:
    with Client() as c:
        yield c


@pytest.fixture
def portrait(tmp_path: Path) -> str:
    path = tmp_path / "portrait.png"
    path.write_bytes(PNG)
    return str(path)


def last_task(emulator: Any) -> Any:
    return emulator.tasks("runway")[0]  # newest first


def test_text_to_video_on_gen45_is_clamped_and_sent_as_pixels(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    result = client.generate(
        "A timelapse of clouds", provider="runway", duration=14, seed=7, output=tmp_path
    )
    assert_video(result)
    assert (result.model, result.mode, result.duration) == ("gen4.5", "t2v", 10)
    assert [(a.field, a.applied) for a in result.adjustments] == [("duration", 10)]
    body = last_task(reelkit_emulator).params
    assert body == {
        "model": "gen4.5",
        "promptText": "A timelapse of clouds",
        "ratio": "1280:720",
        "duration": 10,
        "seed": 7,
    }


def test_image_to_video_on_gen4_turbo_sends_a_data_uri(
    client: Any, reelkit_emulator: Any, portrait: str, tmp_path: Path
) -> None:
    result = client.generate(
        "Animate",
        provider="runwayml",
        model="gen4_turbo",
        first_frame=portrait,
        aspect_ratio="9:16",
        params={"public_figure_threshold": "low"},
        output=tmp_path,
    )
    assert_video(result)
    body = last_task(reelkit_emulator).params
    assert body["promptImage"].startswith("data:image/png;base64,")
    assert body["ratio"] == "720:1280"
    assert body["contentModeration"] == {"publicFigureThreshold": "low"}


def test_first_and_last_frame_on_veo31_with_sound(
    client: Any, reelkit_emulator: Any, portrait: str, tmp_path: Path
) -> None:
    result = client.generate(
        "Morph",
        provider="runway",
        model="veo3.1",
        first_frame=portrait,
        last_frame=portrait,
        resolution="1080p",
        aspect_ratio="16:9",
        duration=5,
        audio=True,
        output=tmp_path,
    )
    assert_video(result)
    assert (result.mode, result.duration) == ("first_last", 6)  # 5 ties to the longer 6
    body = last_task(reelkit_emulator).params
    assert [p["position"] for p in body["promptImage"]] == ["first", "last"]
    assert (body["ratio"], body["audio"]) == ("1920:1080", True)
    with pytest.raises(UnsupportedMode):
        client.plan("x", provider="runway", first_frame=portrait, last_frame=portrait)


def test_edit_on_aleph2_takes_the_video_as_a_data_uri(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    source = client.generate("A paper boat", provider="runway", output=tmp_path / "a.mp4")
    edited = client.generate(
        "Make it snow",
        provider="runway",
        model="aleph2",
        video=source.path,
        output=tmp_path / "b.mp4",
    )
    assert_video(edited)
    assert edited.mode == "edit"
    body = last_task(reelkit_emulator).params
    assert body["videoUri"].startswith("data:video/mp4;base64,")
    assert "ratio" not in body and "duration" not in body


def test_an_http_source_url_is_refused_before_anything_is_sent(
    client: Any, reelkit_emulator: Any
) -> None:
    with pytest.raises(InvalidRequest) as err:
        client.generate("x", provider="runway", model="aleph2", video="http://example.com/a.mp4")
    assert err.value.field == "video"
    assert reelkit_emulator.stats()["runway"]["submits"] == 0


def test_a_data_uri_over_5_mb_is_refused_naming_the_field(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(png_bytes(64, 36) + bytes(4 * 1024 * 1024))  # 5.3 MB once base64-encoded
    with pytest.raises(InvalidRequest) as err:
        client.generate("x", provider="runway", model="gen4_turbo", first_frame=str(big))
    assert err.value.field == "first_frame"
    assert reelkit_emulator.stats()["runway"]["submits"] == 0


def test_throttled_is_waiting_not_failing(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    job = client.submit(
        "[emulator:throttle] queued behind others", provider="runway", output=tmp_path
    )
    job.refresh()
    assert job.state == "queued"  # THROTTLED: over the concurrency, queued by Runway
    assert_video(job.wait())


def test_cancel_deletes_the_task(client: Any, reelkit_emulator: Any) -> None:
    job = client.submit("A slow one", provider="runway")
    job.cancel()
    assert job.state == "cancelled"
    assert last_task(reelkit_emulator).phase.value == "cancelled"


def test_moderation_is_content_filtered(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    with pytest.raises(ContentFiltered) as err:
        client.generate("[emulator:moderation] something", provider="runway", output=tmp_path)
    assert "SAFETY.OUTPUT.VIDEO" in err.value.reasons
    assert reelkit_emulator.stats()["runway"]["downloads"] == 0


def test_an_internal_failure_is_a_job_failure(client: Any, reelkit_emulator: Any) -> None:
    with pytest.raises(JobFailed) as err:
        client.generate("[emulator:fail] something", provider="runway")
    assert err.value.code == "INTERNAL.BAD_OUTPUT.CODE01"
    assert reelkit_emulator.stats()["runway"]["submits"] == 1  # failed once, never resubmitted


def test_the_version_header_is_required(reelkit_emulator: Any) -> None:
    url = reelkit_emulator.url("runway") + "/v1/text_to_video"
    body = {"model": "gen4.5", "promptText": "x", "ratio": "1280:720", "duration": 5}
    auth = {"authorization": "Bearer k"}
    missing = httpx.post(url, json=body, headers=auth)
    wrong = httpx.post(url, json=body, headers={**auth, "x-runway-version": "2023-01-01"})
    assert (missing.status_code, wrong.status_code) == (400, 400)
    assert "X-Runway-Version" in missing.json()["error"]
    assert reelkit_emulator.stats()["runway"]["submits"] == 0


# --- never pay twice ----------------------------------------------------------------------------


def test_a_rate_limited_submit_is_sent_again_and_pays_once(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    reelkit_emulator.inject("429", provider="runway", endpoint="submit")
    assert_video(client.generate("Clouds", provider="runway", output=tmp_path))
    stats = reelkit_emulator.stats()["runway"]
    assert (stats["submits"], stats["faults"]) == (1, 1)


def test_a_server_error_on_submit_is_not_retried(client: Any, reelkit_emulator: Any) -> None:
    reelkit_emulator.inject("500", provider="runway", endpoint="submit", times=5)
    with pytest.raises(ProviderError):
        client.generate("Clouds", provider="runway")
    assert reelkit_emulator.stats()["runway"]["fault_kinds"] == {"500": 1}


def test_a_dropped_submit_is_unknown_and_never_resubmitted(
    client: Any, reelkit_emulator: Any
) -> None:
    reelkit_emulator.inject("reset", provider="runway", endpoint="submit")
    with pytest.raises(ReelkitError):
        client.generate("Clouds", provider="runway")
    assert reelkit_emulator.stats()["runway"]["fault_kinds"] == {"reset": 1}
    assert [r.state.value for r in client.records()] == ["unknown"]


def test_faulty_polls_are_polled_again_and_pay_once(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    for fault in ("429", "500", "reset", "malformed"):
        reelkit_emulator.inject(fault, provider="runway", endpoint="poll")
    assert_video(client.generate("Clouds", provider="runway", output=tmp_path))
    stats = reelkit_emulator.stats()["runway"]
    assert (stats["submits"], stats["faults"]) == (1, 4)


def test_the_billed_amount_is_the_credits_runway_reports(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    result = client.generate("Clouds", provider="runway", duration=5, output=tmp_path)
    assert result.cost["estimated"] == pytest.approx(0.60)  # 5 s × 12 credits × $0.01
    assert result.billed is not None
    assert result.billed["amount"] == pytest.approx(0.60)  # the task's cost.credits


def test_resume_in_another_client_polls_and_never_resubmits(
    reelkit_emulator: Any, tmp_path: Path
) -> None:
    with Client() as first:
        job_id = first.submit("Clouds", provider="runway", output=tmp_path).id
    with Client() as second:
        assert_video(second.resume(job_id).wait())
    assert reelkit_emulator.stats()["runway"]["submits"] == 1
