"""End to end through ``reelkit.Client`` against the emulator's MiniMax fake, for every mode.

The ``reelkit_emulator`` fixture serves the fakes on a loopback port, points
``REELKIT_MINIMAX_BASE_URL`` at it, sets a dummy ``MINIMAX_API_KEY`` and a short poll interval.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

reelkit = pytest.importorskip("reelkit.client", reason="the core client is not there yet")
pytest.importorskip("reelkit_emulator.providers.minimax")

from reelkit.errors import (  # noqa: E402
    ContentFiltered,
    InvalidRequest,
    JobFailed,
    ProviderError,
    RateLimited,
    SubmitOutcomeUnknown,
)
from reelkit.testing import assert_video, png_bytes  # noqa: E402


@pytest.fixture
def client(reelkit_emulator: Any) -> Any:
    with reelkit.Client() as c:
        yield c


@pytest.fixture
def frame(tmp_path: Path) -> str:
    path = tmp_path / "frame.png"
    path.write_bytes(png_bytes(64, 36))
    return str(path)


def last_task(emulator: Any) -> Any:
    return emulator.tasks("minimax")[0]  # newest first


def counts(emulator: Any) -> tuple[int, int, int]:
    stats = emulator.stats()["minimax"]
    return stats["submits"], stats["downloads"], stats["rejected"]


def test_text_to_video(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    result = client.generate(
        "A lighthouse at dusk", provider="hailuo", duration=10, resolution="1080p", output=tmp_path
    )
    assert_video(result)
    assert (result.model, result.mode) == ("MiniMax-Hailuo-2.3", "t2v")
    # 1080P is 6 s only: the duration is snapped and said so.
    assert [(a.field, a.applied) for a in result.adjustments] == [("duration", 6)]
    task = last_task(reelkit_emulator)
    assert (task.params["duration"], task.params["resolution"]) == (6, "1080P")
    assert task.video.size == "1920x1080"
    assert counts(reelkit_emulator) == (1, 1, 0)


def test_image_to_video_at_512p(
    client: Any, reelkit_emulator: Any, frame: str, tmp_path: Path
) -> None:
    result = client.generate(
        "The sea moves",
        provider="minimax",
        model="MiniMax-Hailuo-02",
        first_frame=frame,
        resolution="512p",
        duration=10,
        output=tmp_path,
    )
    assert_video(result)
    assert result.mode == "i2v"
    params = last_task(reelkit_emulator).params
    assert params["first_frame_image"].startswith("data:image/png;base64,")
    assert (params["resolution"], params["duration"]) == ("512P", 10)


def test_fast_model_is_image_only(
    client: Any, reelkit_emulator: Any, frame: str, tmp_path: Path
) -> None:
    result = client.generate(
        "", provider="minimax", model="MiniMax-Hailuo-2.3-Fast", first_frame=frame, output=tmp_path
    )
    assert_video(result)
    with pytest.raises(InvalidRequest):
        client.generate("a cat", provider="minimax", model="MiniMax-Hailuo-2.3-Fast")
    assert counts(reelkit_emulator)[0] == 1  # the refused one never reached the service


def test_first_and_last_frame(
    client: Any, reelkit_emulator: Any, frame: str, tmp_path: Path
) -> None:
    result = client.generate(
        "Day turns to night",
        provider="minimax",
        model="MiniMax-Hailuo-02",
        first_frame=frame,
        last_frame=frame,
        output=tmp_path,
    )
    assert_video(result)
    assert result.mode == "first_last"
    params = last_task(reelkit_emulator).params
    assert params["last_frame_image"].startswith("data:image/png;base64,")


def test_subject_reference(client: Any, reelkit_emulator: Any, frame: str, tmp_path: Path) -> None:
    result = client.generate(
        "She walks through the rain",
        provider="minimax",
        model="S2V-01",
        reference_images=[frame],
        output=tmp_path,
    )
    assert_video(result)
    assert result.mode == "reference"
    (subject,) = last_task(reelkit_emulator).params["subject_reference"]
    assert subject["type"] == "character" and len(subject["image"]) == 1


def test_moderation_and_failure(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    with pytest.raises(ContentFiltered) as err:
        client.generate("[emulator:moderation] x", provider="minimax", output=tmp_path)
    assert err.value.reasons
    with pytest.raises(JobFailed):
        client.generate("[emulator:fail] x", provider="minimax", output=tmp_path)
    assert counts(reelkit_emulator)[:2] == (2, 0)


def test_rate_limit_at_http_200_on_the_poll_backs_off(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    reelkit_emulator.inject("429", provider="minimax", endpoint="poll", times=2)
    reelkit_emulator.inject("500", provider="minimax", endpoint="poll")
    result = client.generate("Clouds", provider="minimax", output=tmp_path)
    assert_video(result)
    stats = reelkit_emulator.stats()["minimax"]
    assert stats["fault_kinds"] == {"429": 2, "500": 1}
    assert stats["submits"] == 1


@pytest.mark.parametrize("fault", ["reset", "malformed"])
def test_a_faulted_submit_is_never_sent_twice(
    client: Any, reelkit_emulator: Any, tmp_path: Path, fault: str
) -> None:
    """An answer reelkit cannot read may hide an accepted task: the job stays unknown and is
    never submitted again."""
    reelkit_emulator.inject(fault, provider="minimax", endpoint="submit")
    with pytest.raises(SubmitOutcomeUnknown) as err:
        client.generate("Once only", provider="minimax", output=tmp_path)
    stats = reelkit_emulator.stats()["minimax"]
    assert stats["requests"] == 1 and stats["submits"] == 0
    assert client.job(err.value.job_id).state == "unknown"


@pytest.mark.parametrize(("fault", "error"), [("429", RateLimited), ("500", ProviderError)])
def test_a_refusal_at_http_200_fails_the_job_without_a_task(
    client: Any, reelkit_emulator: Any, tmp_path: Path, fault: str, error: type[Exception]
) -> None:
    """MiniMax refuses with HTTP 200 and a ``base_resp`` code: that is a refusal (no task was
    made, nothing billed), so the job fails with the typed error instead of staying unknown."""
    reelkit_emulator.inject(fault, provider="minimax", endpoint="submit")
    with pytest.raises(error) as err:
        client.generate("Once only", provider="minimax", output=tmp_path)
    assert not isinstance(err.value, SubmitOutcomeUnknown)
    stats = reelkit_emulator.stats()["minimax"]
    assert stats["requests"] == 1 and stats["submits"] == 0
    (job,) = client.jobs()
    assert job.state == "failed"


def test_a_lost_download_is_fetched_again_not_paid_again(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    reelkit_emulator.inject("reset", provider="minimax", endpoint="download")
    result = client.generate("A fox in snow", provider="minimax", output=tmp_path)
    assert_video(result)
    stats = reelkit_emulator.stats()["minimax"]
    assert (stats["submits"], stats["downloads"], stats["fault_kinds"]) == (1, 1, {"reset": 1})


def test_a_job_resumes_by_polling(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    job = client.submit("Resumed later", provider="minimax", output=tmp_path)
    with reelkit.Client() as other:  # another process, the same journal
        result = other.resume(job.id).wait()
    assert_video(result)
    assert reelkit_emulator.stats()["minimax"]["submits"] == 1


def test_the_secret_never_shows_in_a_dry_run(client: Any, reelkit_emulator: Any) -> None:
    plan = client.plan("x", provider="minimax")
    assert plan.http is not None
    assert "reelkit-emulator" not in repr(plan.http)
    assert plan.http.headers["authorization"] == "Bearer ***"


# --- v2: MiniMax-H3 ---------------------------------------------------------------------------


def test_h3_text_to_video(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    result = client.generate(
        "A lighthouse at dusk",
        provider="minimax",
        model="MiniMax-H3",
        aspect_ratio="9:16",
        resolution="768p",
        duration=8,
        output=tmp_path,
    )
    assert_video(result)
    task = last_task(reelkit_emulator)
    assert (task.params["ratio"], task.params["duration"]) == ("9:16", 8)
    assert task.video.size == "768x1366"


def test_h3_first_and_last_frame(
    client: Any, reelkit_emulator: Any, frame: str, tmp_path: Path
) -> None:
    result = client.generate(
        "Day turns to night",
        provider="minimax",
        model="MiniMax-H3",
        first_frame=frame,
        last_frame=frame,
        output=tmp_path,
    )
    assert_video(result)
    assert result.mode == "first_last"
    roles = [item.get("role") for item in last_task(reelkit_emulator).params["content"]]
    assert roles == [None, "first_frame", "last_frame"]


def test_h3_image_to_video(client: Any, reelkit_emulator: Any, frame: str, tmp_path: Path) -> None:
    result = client.generate(
        "The sea moves", provider="minimax", model="MiniMax-H3", first_frame=frame, output=tmp_path
    )
    assert_video(result)
    assert last_task(reelkit_emulator).params["ratio"] == "adaptive"


def test_h3_references(client: Any, reelkit_emulator: Any, frame: str, tmp_path: Path) -> None:
    result = client.generate(
        "The two of them dance",
        provider="minimax",
        model="MiniMax-H3",
        reference_images=[frame, frame],
        params={"reference_audios": ["https://example.com/voice.mp3"]},
        output=tmp_path,
    )
    assert_video(result)
    roles = [item.get("role") for item in last_task(reelkit_emulator).params["content"]]
    assert roles == [None, "reference_image", "reference_image", "reference_audio"]


def test_h3_moderation_and_a_faulted_submit(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    with pytest.raises(ContentFiltered):
        client.generate("[emulator:moderation] x", provider="minimax", model="MiniMax-H3")
    reelkit_emulator.inject("reset", provider="minimax", endpoint="submit")
    with pytest.raises(SubmitOutcomeUnknown):
        client.generate("Once", provider="minimax", model="MiniMax-H3", output=tmp_path)
    assert reelkit_emulator.stats()["minimax"]["submits"] == 1  # the moderated one only
