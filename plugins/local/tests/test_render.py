"""The renderer, measured by decoding what it writes with PyAV."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from reelkit_local.render import RenderSpec, frame_count, render_mp4

pytestmark = pytest.mark.slow


def _mean_abs_diff(a, b) -> float:  # type: ignore[no-untyped-def]
    import numpy as np

    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def _rgb(data: bytes, width: int, height: int):  # type: ignore[no-untyped-def]
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB").resize((width, height)))


@pytest.mark.parametrize(
    ("duration", "fps", "width", "height"),
    [
        (2.0, 24, 640, 360),  # 16:9
        (1.5, 25, 360, 640),  # 9:16, PAL rate, fractional seconds
        (1.0, 30, 480, 480),  # 1:1
        (1.3, 25, 1120, 480),  # 21:9 at 480p; 32.5 frames rounds to 32 (within one frame)
    ],
)
def test_t2v_honours_duration_fps_and_size(
    tmp_path: Path, probe_video, duration: float, fps: int, width: int, height: int
) -> None:
    out = tmp_path / "t2v.mp4"
    render_mp4(out, RenderSpec("A robot walking through a city", duration, fps, width, height))
    video = probe_video(out)
    assert video.frames == frame_count(duration, fps) == round(duration * fps)
    assert video.fps == fps
    assert (video.width, video.height) == (width, height)
    assert abs(video.duration - duration) <= 1 / fps + 1e-6
    assert abs(video.duration - video.frames / fps) < 1e-3  # exactly the frames it holds
    assert (video.codec, video.pix_fmt) == ("h264", "yuv420p")


def test_t2v_is_animated_and_shows_text(tmp_path: Path, probe_video) -> None:
    out = tmp_path / "t2v.mp4"
    render_mp4(out, RenderSpec("Hello world", 2.0, 24, 640, 360, seed=3))
    video = probe_video(out)
    assert _mean_abs_diff(video.first, video.last) > 1.0  # background drifts, text fades in
    # White text on a dark card: the centre holds bright pixels, the frame is mostly dark.
    centre = video.last[120:240, 160:480]
    assert centre.max() > 230
    assert video.last.mean() < 128


def test_mp4_is_faststart(tmp_path: Path) -> None:
    out = tmp_path / "fast.mp4"
    render_mp4(out, RenderSpec("x", 1.0, 24, 320, 240))
    head = out.read_bytes()
    assert 0 <= head.find(b"moov") < head.find(b"mdat")


def test_i2v_starts_on_the_image_then_moves(tmp_path: Path, probe_video, make_image_bytes) -> None:
    image = make_image_bytes(800, 450, (200, 40, 40), "JPEG")
    out = tmp_path / "i2v.mp4"
    render_mp4(out, RenderSpec("pan", 2.0, 24, 640, 360, first_frame=image, seed=1))
    video = probe_video(out)
    assert (video.frames, video.width, video.height) == (48, 640, 360)
    assert abs(video.duration - 2.0) <= 1 / 24
    expected = _rgb(image, 640, 360)
    assert _mean_abs_diff(video.first, expected) < 6  # the first frame is the picture
    assert _mean_abs_diff(video.last, video.first) > 3  # and the camera moved


def test_i2v_covers_a_picture_of_another_shape(
    tmp_path: Path, probe_video, make_image_bytes
) -> None:
    # A portrait picture into a landscape video: cropped to cover, never letterboxed.
    image = make_image_bytes(300, 600, (30, 160, 60), "WEBP")
    out = tmp_path / "cover.mp4"
    render_mp4(out, RenderSpec("", 1.0, 24, 640, 360, first_frame=image))
    video = probe_video(out)
    assert (video.width, video.height, video.frames) == (640, 360, 24)
    left_edge = video.first[:, :8].reshape(-1, 3).mean(axis=0)
    assert abs(left_edge[1] - 160) < 25  # the picture's green reaches the edge


def test_first_last_cross_fades(tmp_path: Path, probe_video, make_image_bytes) -> None:
    first = make_image_bytes(640, 360, (220, 30, 30))
    last = make_image_bytes(1280, 720, (30, 30, 220), "JPEG")
    out = tmp_path / "fl.mp4"
    render_mp4(out, RenderSpec("fade", 2.0, 30, 640, 360, first_frame=first, last_frame=last))
    video = probe_video(out)
    assert (video.frames, video.fps, video.width, video.height) == (60, 30, 640, 360)
    assert abs(video.duration - 2.0) <= 1 / 30
    assert _mean_abs_diff(video.first, _rgb(first, 640, 360)) < 6
    assert _mean_abs_diff(video.last, _rgb(last, 640, 360)) < 6


def test_same_spec_same_picture(tmp_path: Path, probe_video) -> None:
    spec = RenderSpec("determinism", 1.0, 24, 320, 240, seed=42)
    render_mp4(tmp_path / "a.mp4", spec)
    render_mp4(tmp_path / "b.mp4", spec)
    other = RenderSpec("determinism", 1.0, 24, 320, 240, seed=43)
    render_mp4(tmp_path / "c.mp4", other)
    a, b, c = (probe_video(tmp_path / n) for n in ("a.mp4", "b.mp4", "c.mp4"))
    assert _mean_abs_diff(a.last, b.last) < 0.5
    assert _mean_abs_diff(a.last, c.last) > 2  # another seed, another palette


def test_wraps_long_and_wide_prompts(tmp_path: Path, probe_video) -> None:
    prompt = "一个机器人在城市中行走，霓虹灯在湿漉漉的街道上闪烁。 " + "word " * 400
    out = tmp_path / "long.mp4"
    render_mp4(out, RenderSpec(prompt, 1.0, 24, 360, 640))
    assert probe_video(out).frames == 24


@pytest.mark.parametrize("unit", ["x", "国", "lorem ipsum "])
def test_laying_out_a_huge_prompt_costs_what_is_drawn(
    monkeypatch: pytest.MonkeyPatch, unit: str
) -> None:
    """Counted, not timed: the text measured and the characters read are the same for a prompt
    ten or a thousand times longer than the card can show (a 100 KB paste used to take 30 s)."""
    from PIL import ImageFont

    from reelkit_local import render

    measured: list[int] = []
    read = [0]
    getlength, is_wide = ImageFont.FreeTypeFont.getlength, render._is_wide

    def counting_getlength(self: Any, text: str, *args: Any, **kwargs: Any) -> float:
        measured.append(len(text))
        return getlength(self, text, *args, **kwargs)

    def counting_is_wide(char: str) -> bool:
        read[0] += 1
        return is_wide(char)

    monkeypatch.setattr(ImageFont.FreeTypeFont, "getlength", counting_getlength)
    monkeypatch.setattr(render, "_is_wide", counting_is_wide)
    work = {}
    for length in (10_000, 100_000, 1_000_000):
        measured.clear()
        read[0] = 0
        render._Title(unit * (length // len(unit)), 640, 360)
        work[length] = (len(measured), sum(measured), read[0])
    calls, characters, _ = work[10_000]
    assert calls > 0  # the counter saw the layout
    assert work[10_000] == work[100_000] == work[1_000_000]
    # And that work is of the card's size: a few thousand measures of short lines.
    assert calls < 20_000 and characters < 1_000_000


def test_progress_runs_to_one(tmp_path: Path) -> None:
    seen: list[float] = []
    render_mp4(tmp_path / "p.mp4", RenderSpec("x", 1.0, 24, 320, 240), seen.append)
    assert seen[0] == 0.0
    assert seen[-1] == 1.0
    assert seen == sorted(seen)
    assert len(seen) >= 24


def test_an_aborted_render_leaves_nothing(tmp_path: Path) -> None:
    class Stop(Exception):
        pass

    def progress(value: float) -> None:
        if value > 0.3:
            raise Stop

    out = tmp_path / "never.mp4"
    with pytest.raises(Stop):
        render_mp4(out, RenderSpec("x", 2.0, 24, 320, 240), progress)
    assert list(tmp_path.iterdir()) == []  # neither the video nor its temporary file
    assert not [t for t in threading.enumerate() if t.name == "reelkit-local-frames"]


def test_an_unreadable_image_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="first_frame"):
        render_mp4(tmp_path / "x.mp4", RenderSpec("x", 1.0, 24, 320, 240, first_frame=b"junk"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"width": 321}, "width"),
        ({"height": 8}, "height"),
        ({"fps": 0}, "fps"),
        ({"duration": 0.0}, "duration"),
        ({"duration": 0.01}, "less than one frame"),
        ({"last_frame": b"x"}, "last_frame needs a first_frame"),
    ],
)
def test_spec_rejects_what_cannot_render(kwargs: dict[str, object], message: str) -> None:
    values: dict[str, object] = {
        "prompt": "x",
        "duration": 1.0,
        "fps": 24,
        "width": 320,
        "height": 240,
    }
    values.update(kwargs)
    with pytest.raises(ValueError, match=message):
        RenderSpec(**values)  # type: ignore[arg-type]


def test_spec_modes_and_seed() -> None:
    spec = RenderSpec("x", 1.0, 24, 320, 240)
    assert spec.mode == "t2v"
    assert spec.effective_seed() == RenderSpec("x", 2.0, 30, 64, 64).effective_seed()
    assert RenderSpec("x", 1.0, 24, 320, 240, seed=5).effective_seed() == 5
    assert RenderSpec("x", 1, 24, 320, 240, first_frame=b"a").mode == "i2v"
    assert RenderSpec("x", 1, 24, 320, 240, first_frame=b"a", last_frame=b"b").mode == "first_last"
