"""``reelkit concat``: hard cuts, stream copy when the clips match, a re-encode when not; sound
kept (silence for a silent clip); the output's length checked; nothing half-written left."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from reelkit.errors import InvalidRequest, OutputError
from reelkit_local.concat import join, probe
from reelkit_local.render import RenderSpec, render_mp4

BIN = Path(sys.executable).parent


def clip(path: Path, seconds: float, *, width: int = 320, height: int = 180, fps: int = 24) -> Path:
    render_mp4(
        path, RenderSpec(prompt=path.stem, duration=seconds, fps=fps, width=width, height=height)
    )
    return path


def with_sound(path: Path, seconds: float, *, fps: int = 24) -> Path:
    """A clip with a sine tone, encoded here: the renderer makes silent video only."""
    import av
    import numpy as np

    with av.open(str(path), "w", format="mp4") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = 320, 180, "yuv420p"
        audio = out.add_stream("aac", rate=48_000)
        audio.layout = "stereo"
        for i in range(round(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(
                np.full((180, 320, 3), i % 255, dtype=np.uint8), format="rgb24"
            )
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        total = round(seconds * 48_000)
        for start in range(0, total, 1024):
            n = min(1024, total - start)
            t = (np.arange(start, start + n) / 48_000).astype(np.float32)
            tone = np.sin(2 * np.pi * 440 * t).astype(np.float32)
            frame = av.AudioFrame.from_ndarray(
                np.stack([tone, tone]), format="fltp", layout="stereo"
            )
            frame.sample_rate = 48_000
            frame.pts = start
            out.mux(audio.encode(frame))
        out.mux(audio.encode(None))
    return path


def test_matching_clips_are_stream_copied(tmp_path: Path) -> None:
    a, b = clip(tmp_path / "a.mp4", 2.0), clip(tmp_path / "b.mp4", 1.5)
    joined = join([a, b], tmp_path / "ab.mp4")
    assert joined.copied
    info = probe(joined.path)
    assert info.duration == pytest.approx(3.5, abs=0.05)
    assert (info.width, info.height, info.fps) == (320, 180, 24)


def test_clips_that_differ_are_reencoded_to_the_first_ones_parameters(tmp_path: Path) -> None:
    a = clip(tmp_path / "a.mp4", 2.0)
    b = clip(tmp_path / "b.mp4", 1.0, width=640, height=360, fps=30)
    joined = join([a, b, a], tmp_path / "aba.mp4")
    assert not joined.copied
    info = probe(joined.path)
    assert info.duration == pytest.approx(5.0, abs=0.1)
    assert (info.codec, info.width, info.height, info.fps) == ("h264", 320, 180, 24)


def test_sound_is_kept_and_a_silent_clip_becomes_silence(tmp_path: Path) -> None:
    loud = with_sound(tmp_path / "loud.mp4", 1.5)
    quiet = clip(tmp_path / "quiet.mp4", 1.0)
    both = join([loud, loud], tmp_path / "both.mp4")
    assert both.copied and probe(both.path).audio == "aac"
    mixed = join([loud, quiet], tmp_path / "mixed.mp4")
    assert not mixed.copied
    info = probe(mixed.path)
    assert info.audio == "aac" and info.duration == pytest.approx(2.5, abs=0.1)


def test_bad_inputs_are_typed_and_leave_nothing_behind(tmp_path: Path) -> None:
    a = clip(tmp_path / "a.mp4", 1.0)
    (tmp_path / "notes.mp4").write_text("not a video")
    with pytest.raises(InvalidRequest, match=r"notes\.mp4 is not a readable video"):
        join([a, tmp_path / "notes.mp4"], tmp_path / "out.mp4")
    with pytest.raises(OutputError, match="one of the clips"):
        join([a], a)
    with pytest.raises(InvalidRequest, match="at least one clip"):
        join([], tmp_path / "out.mp4")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp4", "notes.mp4"]


def test_the_command_joins_clips_or_a_manifest(tmp_path: Path) -> None:
    a, b = clip(tmp_path / "a.mp4", 1.0), clip(tmp_path / "b.mp4", 1.0)
    done = subprocess.run(
        [str(BIN / "reelkit"), "concat", str(tmp_path / "ab.mp4"), str(a), str(b), "--json"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["stream_copy"] and data["duration"] == pytest.approx(2.0, abs=0.05)
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps({"shots": [{"id": "a", "path": "a.mp4"}, {"id": "b", "path": None}]})
    )
    refused = subprocess.run(
        [str(BIN / "reelkit"), "concat", str(tmp_path / "m.mp4"), "--manifest", str(manifest)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert refused.returncode == 2 and "not delivered yet: b" in refused.stderr
