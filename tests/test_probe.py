"""`reelkit.probe`: what a delivered file holds, read from real MP4s, and how it is compared."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reelkit.probe import Delivered, compare, probe

av = pytest.importorskip("av")
render = pytest.importorskip("reelkit_local.render")


# --- fixtures: tiny real files ----------------------------------------------------------------


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("probe")


@pytest.fixture(scope="module")
def rendered(media: Path) -> Path:
    """What the local provider (and the emulator) delivers: 1 s, 320x180, 8 fps, no audio."""
    path = media / "rendered.mp4"
    render.render_mp4(
        path, render.RenderSpec(prompt="probe", duration=1, fps=8, width=320, height=180, seed=0)
    )
    return path


def _mux(
    path: Path, *, rate: Fraction | int, frames: int, audio_seconds: float | None = None
) -> Path:
    """A small H.264 MP4 of flat grey frames, with an AAC stream when ``audio_seconds`` is set."""
    import numpy as np

    with av.open(str(path), mode="w", format="mp4") as out:
        video = out.add_stream("libx264", rate=rate)
        video.width, video.height, video.pix_fmt = 160, 96, "yuv420p"
        video.options = {"preset": "ultrafast"}
        sound = None
        if audio_seconds is not None:
            sound = out.add_stream("aac", rate=44100)
            sound.layout = "mono"
        picture = np.full((96, 160, 3), 128, dtype=np.uint8)
        for index in range(frames):
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = index
            frame.time_base = 1 / Fraction(rate)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        if sound is not None:
            assert audio_seconds is not None
            samples, chunk = round(audio_seconds * 44100), 1024
            tone = np.sin(np.arange(samples) * 2 * np.pi * 440 / 44100).astype(np.float32)
            for start in range(0, samples, chunk):
                block = tone[None, start : start + chunk]
                frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="mono")
                frame.sample_rate, frame.pts = 44100, start
                out.mux(sound.encode(frame))
            out.mux(sound.encode(None))
    return path


@pytest.fixture(scope="module")
def with_audio(media: Path) -> Path:
    # The soundtrack outlasts the picture, so the container lasts 1.5 s and the video 1 s.
    return _mux(media / "audio.mp4", rate=8, frames=8, audio_seconds=1.5)


@pytest.fixture(scope="module")
def ntsc(media: Path) -> Path:
    return _mux(media / "ntsc.mp4", rate=Fraction(24000, 1001), frames=24)


# --- probe ------------------------------------------------------------------------------------


def test_probe_reads_a_rendered_clip(rendered: Path) -> None:
    delivered = probe(rendered)
    assert delivered == Delivered(
        duration=1.0, width=320, height=180, fps=8.0, audio=False, codec="h264"
    )
    assert delivered.size == "320x180"
    assert isinstance(delivered.fps, float)
    assert delivered.to_dict() == {
        "duration": 1.0,
        "width": 320,
        "height": 180,
        "size": "320x180",
        "fps": 8.0,
        "audio": False,
        "codec": "h264",
    }
    assert probe(str(rendered)) == delivered  # str and PathLike alike


def test_probe_finds_an_audio_stream(with_audio: Path) -> None:
    delivered = probe(with_audio)
    assert delivered is not None
    assert delivered.audio is True
    assert (delivered.size, delivered.fps, delivered.codec) == ("160x96", 8.0, "h264")
    # The video stream's own duration, not the container's (the longer soundtrack's).
    assert delivered.duration == 1.0
    with av.open(str(with_audio)) as container:
        assert container.duration / av.time_base == pytest.approx(1.5, abs=0.05)


def test_ntsc_rate_is_kept_as_a_fraction_of_a_frame(ntsc: Path) -> None:
    delivered = probe(ntsc)
    assert delivered is not None
    assert delivered.fps == 23.976
    assert delivered.duration == pytest.approx(24 * 1001 / 24000, abs=0.002)
    assert compare({"fps": 24, "duration": 1}, delivered) == []


def test_probe_decodes_nothing(rendered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_decoding(*args: object, **kwargs: object) -> None:
        raise AssertionError("probe must not decode")

    from av.container.input import InputContainer

    monkeypatch.setattr(InputContainer, "decode", no_decoding)
    monkeypatch.setattr(InputContainer, "demux", no_decoding)
    assert probe(rendered) is not None


@pytest.fixture
def through_av(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the pure MP4 reader miss, so the PyAV path is the one tested."""
    import reelkit.mp4info

    monkeypatch.setattr(reelkit.mp4info, "read", lambda path: None)


def test_the_pure_mp4_reader_agrees_with_pyav(
    rendered: Path, with_audio: Path, ntsc: Path, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reelkit.mp4info
    from reelkit_local.render import RenderSpec, render_mp4

    # x264 with B-frames: an edit list shifts the track, which is not playing time.
    shifted = media / "shifted.mp4"
    render_mp4(shifted, RenderSpec(prompt="shift", duration=2.0, fps=25, width=480, height=854))
    for clip in (rendered, with_audio, ntsc, shifted):
        pure = probe(clip)
        with monkeypatch.context() as patch:
            patch.setattr(reelkit.mp4info, "read", lambda path: None)
            by_av = probe(clip)
        assert pure is not None and by_av is not None
        assert (pure.size, pure.fps, pure.audio, pure.codec) == (
            by_av.size,
            by_av.fps,
            by_av.audio,
            by_av.codec,
        )
        assert pure.duration == pytest.approx(by_av.duration, abs=0.01)


@pytest.mark.usefixtures("through_av")
def test_stream_analysis_skips_every_picture(
    rendered: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[object] = []
    real_open = av.open

    def spy(*args: object, **kwargs: object) -> object:
        opened.append(kwargs.get("options"))
        return real_open(*args, **kwargs)

    monkeypatch.setattr(av, "open", spy)
    assert probe(rendered) is not None
    assert opened == [{"skip_frame": "all"}]  # one open, and FFmpeg decodes no picture


@pytest.mark.usefixtures("through_av")
def test_a_size_only_decoding_reveals_is_read_by_an_ordinary_open(
    rendered: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reelkit.probe

    real = reelkit.probe._open
    headers_only = Delivered(duration=1.0, width=None, height=None, fps=8.0, audio=False, codec="x")

    def fake(av: object, name: str, options: dict[str, str] | None) -> Delivered | None:
        return headers_only if options else real(av, name, options)

    monkeypatch.setattr(reelkit.probe, "_open", fake)
    got = probe(rendered)
    assert got is not None
    assert got.size == "320x180"


def test_unreadable_files_probe_as_none(media: Path, rendered: Path) -> None:
    """The documented choice: None means "nothing to compare"; the structural check judges."""
    from PIL import Image

    html = media / "error.mp4"
    html.write_text("<html><body>403 Forbidden</body></html>")
    empty = media / "empty.mp4"
    empty.write_bytes(b"")
    header_only = media / "header.mp4"
    header_only.write_bytes(rendered.read_bytes()[:200])
    still = media / "still.png"
    Image.new("RGB", (64, 32)).save(still)
    for path in (html, empty, header_only, still, media / "missing.mp4"):
        assert probe(path) is None, path


def test_index_first_file_cut_short_still_probes(media: Path, rendered: Path) -> None:
    # Rendered with +faststart: the index comes first, so metadata survives a truncated body.
    # Telling a whole file from a cut one is the download check's job, not the probe's.
    data = rendered.read_bytes()
    cut = media / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    assert probe(cut) == probe(rendered)


# --- the lazy import --------------------------------------------------------------------------


def _run(code: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_an_mp4_is_probed_without_importing_av(rendered: Path) -> None:
    seen = _run(
        f"""
        import json, sys
        import reelkit, reelkit.probe
        before = sorted(m for m in ("av", "numpy") if m in sys.modules)
        delivered = reelkit.probe.probe({str(rendered)!r})
        print(json.dumps({{"before": before, "after": "av" in sys.modules,
                           "size": delivered.size}}))
        """
    )
    assert seen == {"before": [], "after": False, "size": "320x180"}


def test_without_av_an_mp4_is_still_read_and_anything_else_is_none(
    rendered: Path, media: Path
) -> None:
    other = media / "clip.webm"
    other.write_bytes(b"\x1a\x45\xdf\xa3" + bytes(64))
    seen = _run(
        f"""
        import json, sys
        sys.modules["av"] = None  # as if PyAV were not installed: `import av` fails
        from reelkit.probe import probe
        print(json.dumps({{"mp4": probe({str(rendered)!r}).size,
                           "other": probe({str(other)!r})}}))
        """
    )
    assert seen == {"mp4": "320x180", "other": None}


# --- compare ----------------------------------------------------------------------------------


def delivered(**fields: object) -> Delivered:
    base: dict[str, object] = dict(
        duration=5.0, width=1280, height=720, fps=24.0, audio=False, codec="h264"
    )
    return Delivered(**{**base, **fields})  # type: ignore[arg-type]


def test_jimeng_720p_reports_the_delivered_size() -> None:
    requested = {"duration": 5, "size": "1280x720", "fps": 24, "audio": None}
    got = delivered(duration=5.042, width=1248, height=704)
    assert compare(requested, got) == [("size", "1280x720", "1248x704")]


def test_everything_that_differs_is_named_with_both_values() -> None:
    requested = {"duration": 5, "size": "1280x720", "fps": 30, "audio": True}
    got = delivered(duration=10.0, width=720, height=1280, fps=24.0, audio=False)
    assert compare(requested, got) == [
        ("duration", 5, 10.0),
        ("size", "1280x720", "720x1280"),
        ("fps", 30, 24.0),
        ("audio", True, False),
    ]


@pytest.mark.parametrize(
    ("want", "got", "fps", "differs"),
    [
        (5, 5.042, 24.0, False),  # one extra frame (121 at 24 fps)
        (5, 5.25, 24.0, False),  # the 0.25 s floor, inclusive
        (5, 5.3, 24.0, True),
        (5, 4.7, 24.0, True),
        (1.3, 1.25, 8.0, False),  # the emulator's 8 fps: 10 frames for 1.3 s
        (5, 5.9, 1.0, False),  # at 1 fps a frame is a whole second
        (5, 6.1, 1.0, True),
    ],
)
def test_duration_tolerance(want: float, got: float, fps: float, differs: bool) -> None:
    found = compare({"duration": want}, delivered(duration=got, fps=fps))
    assert found == ([("duration", want, got)] if differs else [])


def test_the_frame_tolerance_falls_back_to_the_requested_rate() -> None:
    assert compare({"duration": 5, "fps": 1}, delivered(duration=5.9, fps=None)) == []
    assert compare({"duration": 5}, delivered(duration=5.9, fps=None)) == [("duration", 5, 5.9)]


@pytest.mark.parametrize(
    ("want", "got", "differs"),
    [(24, 23.976, False), (30, 29.97, False), (60, 59.94, False), (24, 25.0, True), (8, 7.4, True)],
)
def test_fps_tolerance(want: int, got: float, differs: bool) -> None:
    assert compare({"fps": want}, delivered(fps=got)) == ([("fps", want, got)] if differs else [])


def test_audio_is_compared_only_when_both_are_known() -> None:
    assert compare({"audio": False}, delivered(audio=True)) == [("audio", False, True)]
    assert compare({"audio": True}, delivered(audio=None)) == []
    assert compare({"audio": None}, delivered(audio=True)) == []


def test_unknown_and_unusable_requested_values_are_skipped() -> None:
    nothing = Delivered(duration=None, width=None, height=None, fps=None, audio=None, codec=None)
    requested = {"duration": 5, "size": "1280x720", "fps": 24, "audio": True}
    assert nothing.size is None
    assert compare(requested, nothing) == []
    odd = {"duration": True, "size": "720p", "fps": "24", "audio": "yes"}
    assert compare(odd, delivered(duration=1.0, fps=8.0, audio=False)) == []
    assert compare({}, delivered()) == []


def test_size_spellings() -> None:
    got = delivered(width=1280, height=720)
    for same in ("1280x720", "1280*720", "1280×720", " 1280 x 720 "):
        assert compare({"size": same}, got) == []
    assert compare({"size": "720*1280"}, got) == [("size", "720*1280", "1280x720")]


def test_a_real_clip_matches_its_request_and_not_another(rendered: Path) -> None:
    got = probe(rendered)
    assert got is not None
    assert compare({"duration": 1, "size": "320x180", "fps": 8, "audio": False}, got) == []
    assert compare({"duration": 5, "size": "1280x720", "fps": 24}, got) == [
        ("duration", 5, 1.0),
        ("size", "1280x720", "320x180"),
        ("fps", 24, 8.0),
    ]


@given(
    duration=st.floats(0.1, 600),
    width=st.integers(16, 4096),
    height=st.integers(16, 4096),
    fps=st.floats(1, 120),
    audio=st.booleans(),
)
def test_a_file_that_is_what_was_asked_raises_no_warning(
    duration: float, width: int, height: int, fps: float, audio: bool
) -> None:
    got = Delivered(
        duration=round(duration, 3),
        width=width,
        height=height,
        fps=round(fps, 3),
        audio=audio,
        codec="h264",
    )
    requested = {"duration": duration, "size": f"{width}x{height}", "fps": fps, "audio": audio}
    assert compare(requested, got) == []


def test_bytes_no_video_container_begins_with_never_reach_ffmpeg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    junk = tmp_path / "blob.bin"
    junk.write_bytes(bytes(range(256)) * 4096)  # 1 MiB that no container starts with
    opened: list[str] = []
    monkeypatch.setattr("reelkit.probe._open", lambda av, name, options: opened.append(name))
    assert probe(junk) is None
    assert opened == []  # decided from the first bytes, without FFmpeg


@pytest.mark.parametrize(
    "head",
    [
        b"\x00\x00\x00\x18ftypisom",  # MP4
        b"\x00\x00\x00\x08wide\x00\x00\x00\x00mdat",  # QuickTime
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81",  # Matroska / WebM
        b"RIFF\x00\x00\x00\x00AVI LIST",
        b"\x00\x00\x01\xba\x44\x00",  # MPEG-PS
        b"FLV\x01\x05",
        b"OggS\x00\x02",
        (b"\x47" + b"\x00" * 187) * 3,  # MPEG-TS
    ],
    ids=["mp4", "mov", "mkv", "avi", "mpeg-ps", "flv", "ogg", "mpeg-ts"],
)
def test_every_video_container_still_goes_to_ffmpeg(tmp_path: Path, head: bytes) -> None:
    from reelkit.probe import _may_be_video

    path = tmp_path / "video"
    path.write_bytes(head + b"\x00" * 400)
    assert _may_be_video(path)
