"""The local provider through ``reelkit.Client``: the same pipeline every provider runs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import reelkit
import reelkit_local
from reelkit.errors import InvalidRequest

pytestmark = pytest.mark.slow


def client(home: Path) -> reelkit.Client:
    # Only this plugin: other providers' state must not decide what these tests see.
    return reelkit.Client(home=home, env={}, plugins=[reelkit_local], entry_points=False)


def test_generate_offline_writes_a_playable_mp4(
    tmp_path: Path, probe_video: Callable[[Path], Any]
) -> None:
    with client(tmp_path / "home") as rk:
        result = rk.generate(
            "A robot walking through a city",
            duration=2,
            resolution="480p",
            aspect_ratio="9:16",
            fps=25,
            output=tmp_path / "videos",
        )
    assert (result.provider, result.model, result.mode) == ("local", "local-title-card", "t2v")
    assert (result.size, result.fps, result.duration) == ("480x854", 25, 2.0)
    assert result.video_url is not None and result.video_url.startswith("local://render/")
    assert result.path is not None
    video = probe_video(Path(result.path))
    assert (video.width, video.height, video.fps, video.frames) == (480, 854, 25, 50)
    assert abs(video.duration - 2.0) <= 1 / 25
    # The render itself lives in the provider's state directory under REELKIT_HOME.
    assert (tmp_path / "home" / "local" / f"{result.task_id}.mp4").exists()


def test_generate_i2v_and_first_last(
    tmp_path: Path, probe_video: Callable[[Path], Any], make_image_bytes: Callable[..., bytes]
) -> None:
    first = tmp_path / "first.png"
    first.write_bytes(make_image_bytes(640, 480, (200, 40, 40)))
    last = make_image_bytes(640, 480, (40, 40, 200), "JPEG")
    with client(tmp_path / "home") as rk:
        i2v = rk.generate("", first_frame=first, duration=1, output=tmp_path / "i2v.mp4")
        both = rk.generate(
            "", first_frame=first, last_frame=last, duration=1, output=tmp_path / "fl.mp4"
        )
    assert (i2v.mode, both.mode) == ("i2v", "first_last")
    for result in (i2v, both):
        assert result.path is not None
        video = probe_video(Path(result.path))
        # No aspect ratio asked for: the video follows the 4:3 first frame instead of stretching it.
        assert (video.width, video.height, video.frames) == (960, 720, 24)


def test_clamping_adjusts_and_urls_are_refused(tmp_path: Path) -> None:
    with client(tmp_path / "home") as rk:
        plan = rk.plan("x", duration=45, fps=60, negative_prompt="blur")
        fields = {a.field for a in plan.adjustments}
        assert {"duration", "fps", "negative_prompt"} <= fields
        assert plan.request.duration == 30 and plan.request.fps == 30
        # No network for local: a URL input is refused by the core's clamp, naming the field.
        with pytest.raises(InvalidRequest) as caught:
            rk.plan("x", provider="local", first_frame="https://example.com/cat.png")
        assert caught.value.field == "first_frame"
        assert "local file or bytes" in str(caught.value)
        with pytest.raises(InvalidRequest):  # auto-selection: nothing can serve it
            rk.plan("x", first_frame="https://example.com/cat.png")


def test_submit_then_resume_from_another_client(
    tmp_path: Path, probe_video: Callable[[Path], Any]
) -> None:
    home = tmp_path / "home"
    with client(home) as first:
        job = first.submit("resume me", duration=1, resolution="480p", output=tmp_path)
        job_id = job.id
    with client(home) as second:  # a new client, as another process would be
        result = second.resume(job_id).wait(timeout=60, download=True)
    assert result.status == "downloaded"
    assert result.path is not None
    assert probe_video(Path(result.path)).frames == 24


def test_async_client(tmp_path: Path, probe_video: Callable[[Path], Any]) -> None:
    async def main() -> reelkit.Result:
        async with reelkit.AsyncClient(
            home=tmp_path / "home", env={}, plugins=[reelkit_local], entry_points=False
        ) as rk:
            return await rk.generate("async robot", duration=1, output=tmp_path / "a.mp4")

    result = asyncio.run(main())
    assert result.path is not None
    assert probe_video(Path(result.path)).frames == 24


def test_local_is_chosen_only_when_nothing_else_qualifies(tmp_path: Path) -> None:
    # Every installed plugin, no credentials at all: the embedded default, with a notice.
    rk = reelkit.Client(home=tmp_path / "home", env={})
    plan = rk.plan("A robot walking through a city")
    assert plan.provider == "local"
    assert plan.notice is not None and "using local" in plan.notice
    assert plan.http is not None and plan.http.url == "local://render/v1/renders"
