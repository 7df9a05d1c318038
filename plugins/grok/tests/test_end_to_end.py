"""End to end through ``reelkit.Client`` against the emulator's Grok fake, for every mode.

The ``reelkit_emulator`` fixture serves the fakes on a loopback port, points
``REELKIT_GROK_BASE_URL`` at it, sets a dummy ``XAI_API_KEY`` and a short poll interval.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

reelkit = pytest.importorskip("reelkit.client", reason="the core client is not there yet")
_fake = pytest.importorskip("reelkit_emulator.providers.grok")
if not hasattr(_fake, "FAKE"):
    pytest.skip("the emulator's Grok fake is not finished", allow_module_level=True)

from reelkit.errors import ContentFiltered, InvalidRequest, UnsupportedMode  # noqa: E402
from reelkit.testing import assert_video, png_bytes  # noqa: E402

PNG = png_bytes(36, 64)  # a real PNG: inputs are checked by content before sending


@pytest.fixture
def client(reelkit_emulator: Any) -> Any:
    with reelkit.Client() as c:
        yield c


@pytest.fixture
def portrait(tmp_path: Path) -> str:
    path = tmp_path / "portrait.png"
    path.write_bytes(PNG)
    return str(path)


def last_task(emulator: Any) -> Any:
    return emulator.tasks("grok")[0]  # newest first


def test_text_to_video_is_clamped_like_the_seed_says(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    result = client.generate(
        "A timelapse of clouds", provider="grok", aspect_ratio="16:9", duration=20, output=tmp_path
    )
    assert_video(result)
    assert result.model == "grok-imagine-video"
    assert result.duration == 15
    assert [(a.field, a.applied) for a in result.adjustments] == [("duration", 15)]
    assert result.resolution == "480p"
    task = last_task(reelkit_emulator)
    assert task.params["duration"] == 15


def test_alias_and_1080p_on_15(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    result = client.generate(
        "A city at night",
        provider="xai",
        model="grok-imagine-video-1.5",
        resolution="1080p",
        duration=6,
        output=tmp_path,
    )
    assert_video(result)
    assert result.resolution == "1080p"
    base = client.plan("A city at night", provider="grok", resolution="1080p")
    assert base.request.resolution == "720p"  # 1080p is 1.5 only: the nearest is reported
    assert [a.field for a in base.adjustments] == ["resolution"]


def test_image_to_video_keeps_the_image_shape(
    client: Any, reelkit_emulator: Any, portrait: str, tmp_path: Path
) -> None:
    result = client.generate(
        "Animate", provider="grok", first_frame=portrait, aspect_ratio="9:16", output=tmp_path
    )
    assert_video(result)
    body = last_task(reelkit_emulator).params
    assert body["image"]["url"].startswith("data:image/png;base64,")
    assert "aspect_ratio" not in body  # the image's own ratio: not stretched


def test_reference_images(
    client: Any, reelkit_emulator: Any, portrait: str, tmp_path: Path
) -> None:
    result = client.generate(
        "<IMAGE_1> dances", provider="grok", reference_images=[portrait, portrait], output=tmp_path
    )
    assert_video(result)
    assert result.mode == "reference"
    assert len(last_task(reelkit_emulator).params["reference_images"]) == 2


def test_first_frame_with_references_is_refused_on_the_base_model(
    client: Any, reelkit_emulator: Any, portrait: str
) -> None:
    with pytest.raises(InvalidRequest) as err:
        client.generate("x", provider="grok", first_frame=portrait, reference_images=[portrait])
    assert err.value.field in ("first_frame", "reference_images")
    assert reelkit_emulator.stats()["grok"]["submits"] == 0


def test_first_and_last_frame_on_15(
    client: Any, reelkit_emulator: Any, portrait: str, tmp_path: Path
) -> None:
    result = client.generate(
        "",
        provider="grok",
        model="grok-imagine-video-1.5",
        first_frame=portrait,
        last_frame=portrait,
        output=tmp_path,
    )
    assert_video(result)
    assert result.mode == "first_last"
    with pytest.raises(UnsupportedMode):
        client.plan("x", provider="grok", first_frame=portrait, last_frame=portrait)


def test_extension_extends_and_edit_edits(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    first = client.generate(
        "A paper boat on a river", provider="grok", duration=6, output=tmp_path / "a.mp4"
    )
    extended = client.generate(
        "It drifts under a bridge",
        continue_from=first.job_id,
        duration=4,
        output=tmp_path / "b.mp4",
    )
    remixed = client.generate(
        "The same boat, at night", remix_of=first.job_id, output=tmp_path / "c.mp4"
    )
    edited = client.generate(
        "Make it snow", provider="grok", video=first.video_url, output=tmp_path / "d.mp4"
    )
    for result in (first, extended, remixed, edited):
        assert_video(result)
    assert (extended.mode, remixed.mode, edited.mode) == ("extend", "remix", "edit")
    tasks = reelkit_emulator.tasks("grok")
    by_prompt = {t.prompt: t for t in tasks}
    assert by_prompt["It drifts under a bridge"].video.duration == 10  # 6 s + 4 s added
    assert by_prompt["The same boat, at night"].video.duration == 6  # an edit keeps the length
    assert "duration" not in by_prompt["Make it snow"].params


def test_moderation_failure(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    with pytest.raises(ContentFiltered) as err:
        client.generate("[emulator:moderation] something", provider="grok", output=tmp_path)
    assert err.value.reasons
    assert reelkit_emulator.stats()["grok"]["downloads"] == 0


def test_rate_limited_poll_backs_off(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    reelkit_emulator.inject("429", provider="grok", endpoint="poll")
    result = client.generate("Clouds", provider="grok", output=tmp_path)
    assert_video(result)
    assert reelkit_emulator.stats()["grok"]["faults"] >= 1


def test_auto_selection_prefers_grok(client: Any, reelkit_emulator: Any) -> None:
    plan = client.plan("A robot walking through a city")
    assert plan.provider == "grok"
