"""End to end through ``reelkit.Client`` against the emulator's DashScope fake, for every mode,
and the promise that a submit is paid for once: faults never make reelkit submit twice.

The ``reelkit_emulator`` fixture serves the fakes on a loopback port, points
``REELKIT_WAN_BASE_URL`` at it, sets a dummy ``DASHSCOPE_API_KEY`` and a short poll interval.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reelkit import Client
from reelkit.errors import ContentFiltered, JobFailed, SubmitOutcomeUnknown, UnsupportedMode
from reelkit.models import JobState
from reelkit.testing import assert_video, png_bytes

PORTRAIT = png_bytes(360, 640)  # a real PNG: inputs are checked by content before sending
LANDSCAPE = png_bytes(640, 360)


@pytest.fixture
def client(reelkit_emulator: Any) -> Any:
    with Client() as c:
        yield c


@pytest.fixture
def frames(tmp_path: Path) -> tuple[str, str]:
    first, last = tmp_path / "first.png", tmp_path / "last.png"
    first.write_bytes(PORTRAIT)
    last.write_bytes(LANDSCAPE)
    return str(first), str(last)


def stats(emulator: Any) -> dict[str, Any]:
    return emulator.stats()["wan"]  # type: ignore[no-any-return]


def last_task(emulator: Any) -> Any:
    return emulator.tasks("wan")[0]  # newest first


def test_text_to_video(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    result = client.generate(
        "A kitten running in the moonlight",
        provider="wan",
        duration=8,
        resolution="720p",
        aspect_ratio="9:16",
        output=tmp_path,
    )
    assert_video(result)
    assert (result.model, result.mode, result.duration) == ("wan2.5", "t2v", 10)
    assert [a.field for a in result.adjustments] == ["duration"]
    task = last_task(reelkit_emulator)
    assert task.model == "wan2.5-t2v-preview"
    assert task.params["parameters"]["size"] == "720*1280"
    assert (task.video.width, task.video.height, task.video.duration) == (720, 1280, 10)
    assert result.video_url and result.expires_at is not None


def test_image_to_video_keeps_the_image_shape(
    client: Any, reelkit_emulator: Any, frames: tuple[str, str], tmp_path: Path
) -> None:
    result = client.generate(
        "She turns around", provider="dashscope", first_frame=frames[0], output=tmp_path
    )
    assert_video(result)
    assert result.mode == "i2v"
    task = last_task(reelkit_emulator)
    assert task.model == "wan2.5-i2v-preview"
    assert task.params["input"]["img_url"].startswith("data:image/png;base64,")
    assert task.params["parameters"]["resolution"] == "1080P"
    assert task.video.width < task.video.height  # portrait in, portrait out


def test_first_and_last_frame(
    client: Any, reelkit_emulator: Any, frames: tuple[str, str], tmp_path: Path
) -> None:
    result = client.generate(
        "The cat looks up",
        provider="alibaba",
        model="wanx2.1-kf2v-plus",
        first_frame=frames[0],
        last_frame=frames[1],
        output=tmp_path,
    )
    assert_video(result)
    assert result.mode == "first_last"
    task = last_task(reelkit_emulator)
    assert task.model == "wanx2.1-kf2v-plus"
    assert set(task.params["input"]) >= {"first_frame_url", "last_frame_url"}
    with pytest.raises(UnsupportedMode):
        client.plan("x", provider="wan", first_frame=frames[0], last_frame=frames[1])


def test_silent_and_seeded(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    result = client.generate(
        "Waves", provider="wan", audio=False, seed=7, negative_prompt="people", output=tmp_path
    )
    assert_video(result)
    task = last_task(reelkit_emulator)
    assert task.params["parameters"]["audio"] is False
    assert task.params["parameters"]["seed"] == 7
    assert task.params["input"]["negative_prompt"] == "people"


def test_moderation_is_content_filtered(client: Any, reelkit_emulator: Any) -> None:
    with pytest.raises(ContentFiltered) as err:
        client.generate("[emulator:moderation] a scene", provider="wan")
    assert err.value.reasons
    assert stats(reelkit_emulator)["downloads"] == 0


def test_an_expired_task_says_so(client: Any, reelkit_emulator: Any) -> None:
    with pytest.raises(JobFailed) as err:
        client.generate("[emulator:expire] a scene", provider="wan")
    assert "expired" in str(err.value) and "24 hours" in str(err.value)
    assert stats(reelkit_emulator)["downloads"] == 0


# --- never pay twice ---------------------------------------------------------------------------


def test_a_dropped_submit_is_never_resent(client: Any, reelkit_emulator: Any) -> None:
    reelkit_emulator.inject("reset", provider="wan", endpoint="submit")
    with pytest.raises(SubmitOutcomeUnknown) as err:
        client.generate("A lighthouse", provider="wan")
    counters = stats(reelkit_emulator)
    assert counters["fault_kinds"] == {"reset": 1}
    assert counters["requests"] == 1  # one submit went out; none after the drop
    assert client.journal.get(err.value.job_id).state is JobState.UNKNOWN


@pytest.mark.parametrize("fault", ["429", "500", "reset", "malformed"])
def test_poll_faults_are_survived_with_one_submit(
    client: Any, reelkit_emulator: Any, tmp_path: Path, fault: str
) -> None:
    reelkit_emulator.inject(fault, provider="wan", endpoint="poll", times=2)
    result = client.generate("Clouds", provider="wan", output=tmp_path)
    assert_video(result)
    counters = stats(reelkit_emulator)
    assert counters["submits"] == 1
    assert counters["fault_kinds"] == {fault: 2}


def test_resume_polls_the_same_task(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    job = client.submit("A paper boat", provider="wan", output=tmp_path / "boat.mp4")
    resumed = client.resume(job.id)
    result = resumed.wait()
    assert_video(result)
    assert stats(reelkit_emulator)["submits"] == 1
    assert result.task_id == last_task(reelkit_emulator).id
