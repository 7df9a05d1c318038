"""What a downloaded video actually is: duration, frame size, frame rate, audio, codec.

Providers do not always deliver what was asked (a Jimeng "720p" job is a 1248x704 file), so
after a download the engine can read the file and say so. ``probe(path)`` opens the container
with PyAV and reads only stream metadata — no frame is decoded (FFmpeg's stream analysis is
told to skip every picture), so it costs a few milliseconds whatever the file's length. ``compare(requested, delivered)`` lists the fields that differ
meaningfully; the engine turns each into a warning naming both values.

PyAV is optional for the core: it is imported inside ``probe`` (never by ``import reelkit`` or
``import reelkit.probe``), and without it ``probe`` returns None. It is installed whenever the
``local`` plugin is.

``probe`` never raises. It returns None when PyAV is unavailable, when the file cannot be
opened or parsed as a media container (missing, empty, HTML error page, truncated before its
index), and when the container holds no video stream or is a still image. It does not judge
the file: whether a download is a usable video is the structural check's job (the engine's
download verification), and a None here only means "nothing to compare". A file whose index
is intact but whose media data is cut short (``+faststart`` MP4s put the index first) still
probes as the full video, because nothing is decoded.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from attrs import frozen

__all__ = ["DURATION_TOLERANCE", "FPS_TOLERANCE", "Delivered", "compare", "probe"]

#: Smallest duration difference (seconds) worth a warning; one frame is used when longer.
#: It absorbs what muxers and encoders legitimately add or drop — the half-frame rounding of
#: ``duration * fps`` to whole frames, B-frame delay in edit lists (2 frames at 24 fps is
#: 83 ms), AAC priming and padding (21-46 ms per 1024-sample frame) — while every real
#: mismatch is far larger: providers offer whole seconds, so a wrong duration is >= 1 s off.
DURATION_TOLERANCE = 0.25
#: Frame-rate difference worth a warning: NTSC rates (23.976, 29.97, 59.94) match 24, 30 and
#: 60, while 24 vs 25 or 30 does not.
FPS_TOLERANCE = 0.5

_SIZE = re.compile(r"\s*(\d+)\s*[x×X*]\s*(\d+)\s*")


@frozen(kw_only=True)
class Delivered:
    """What a video file holds, read from its container; None where the file does not say.

    ``width`` x ``height`` are the coded frame size (not adjusted for a rotation matrix or a
    non-square sample aspect ratio); ``audio`` is whether the file has any audio stream;
    ``codec`` is the video codec's FFmpeg name (``h264``, ``hevc``, ``av1``, ``vp9``...).
    """

    duration: float | None
    width: int | None
    height: int | None
    fps: float | None
    audio: bool | None
    codec: str | None

    @property
    def size(self) -> str | None:
        """``"WxH"``, or None unless both sides are known."""
        if self.width is None or self.height is None:
            return None
        return f"{self.width}x{self.height}"

    def to_dict(self) -> dict[str, object]:
        return {
            "duration": self.duration,
            "width": self.width,
            "height": self.height,
            "size": self.size,
            "fps": self.fps,
            "audio": self.audio,
            "codec": self.codec,
        }


def probe(path: str | os.PathLike[str]) -> Delivered | None:
    """Read what the video at ``path`` holds, without decoding a frame; None if unknowable.

    None when PyAV is not installed, when the file cannot be opened as a media container, or
    when it holds no video stream (see the module docstring). Never raises.
    """
    from . import mp4info

    info = mp4info.read(path)  # MP4/MOV: the moov box says it all, without PyAV
    if info is not None and None not in (info.duration, info.width, info.height, info.fps):
        return Delivered(
            duration=info.duration,
            width=info.width,
            height=info.height,
            fps=info.fps,
            audio=info.audio,
            codec=_CODECS.get(info.codec or "", info.codec),
        )
    if not _may_be_video(path):
        return None  # FFmpeg would try every demuxer on it; on 500 MB of junk that is slow
    try:
        import av
    except ImportError:
        return None
    name = os.fspath(path)
    # FFmpeg's stream analysis decodes a few pictures unless told to skip them all; the frame
    # size, rate and duration come from the container and codec headers anyway. Should a
    # codec only reveal its frame size by decoding, the second, ordinary open still finds it.
    delivered = _open(av, name, {"skip_frame": "all"})
    if delivered is not None and None in (delivered.width, delivered.height, delivered.fps):
        delivered = _open(av, name, None) or delivered
    return delivered


#: How the containers a provider delivers video in begin: ISO BMFF (MP4, MOV: a box type at
#: offset 4), Matroska/WebM (EBML), AVI (RIFF), MPEG-PS and MPEG-TS, FLV, Ogg, ASF.
_BOX_TYPES = (b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"styp")
_MAGICS = (b"\x1a\x45\xdf\xa3", b"RIFF", b"\x00\x00\x01\xba", b"FLV", b"OggS", b"\x30\x26\xb2\x75")


def _may_be_video(path: str | os.PathLike[str]) -> bool:
    try:
        with open(path, "rb") as file:
            head = file.read(376)
    except OSError:
        return False
    if head[4:8] in _BOX_TYPES or head.startswith(_MAGICS):
        return True
    # MPEG-TS: a sync byte every 188 bytes.
    return len(head) >= 189 and head[0] == head[188] == 0x47


# Sample-entry codes as the codec names PyAV reports.
_CODECS = {
    "avc1": "h264",
    "avc3": "h264",
    "hvc1": "hevc",
    "hev1": "hevc",
    "av01": "av1",
    "vp09": "vp9",
    "mp4v": "mpeg4",
}


def _open(av: Any, name: str, options: dict[str, str] | None) -> Delivered | None:
    try:
        with av.open(name, mode="r", options=options, metadata_errors="ignore") as container:
            return _read(av, container)
    except Exception:  # advisory only: a file PyAV chokes on has nothing to compare
        return None


def _read(av: Any, container: Any) -> Delivered | None:
    # Still pictures (PNG, JPEG, WebP...) open through the image demuxers: not a video.
    demuxer = (getattr(container.format, "name", None) or "").split(",")[0]
    if demuxer.endswith("_pipe") or demuxer.startswith("image2"):
        return None
    videos = list(container.streams.video)
    if not videos:
        return None
    # The main picture: the first stream not flagged as an attached picture (cover art).
    stream = next((s for s in videos if not _attached_pic(av, s)), videos[0])
    context = stream.codec_context
    width = _positive_int(getattr(context, "width", None))
    height = _positive_int(getattr(context, "height", None))
    # The codec's own name ("av1"), not the decoder's ("libdav1d").
    codec = getattr(getattr(context, "codec", None), "canonical_name", None) or getattr(
        context, "name", None
    )
    rate = _frame_rate(stream)
    return Delivered(
        duration=_duration(av, container, stream, rate),
        width=width,
        height=height,
        fps=None if rate is None else _round_fps(rate),
        audio=len(container.streams.audio) > 0,
        codec=str(codec) if codec else None,
    )


def _attached_pic(av: Any, stream: Any) -> bool:
    try:
        return bool(stream.disposition & av.stream.Disposition.attached_pic)
    except Exception:
        return False


def _positive_int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _positive(value: object) -> float | None:
    """``value`` as a float when it is a finite, positive number, else None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return number if math.isfinite(number) and number > 0 else None


def _frame_rate(stream: Any) -> float | None:
    for name in ("average_rate", "guessed_rate", "base_rate"):
        rate = _positive(getattr(stream, name, None))
        if rate is not None:
            return rate
    return None


def _round_fps(rate: float) -> float:
    """24.0 stays 24.0 (and 23.99998 becomes 24.0); 24000/1001 becomes 23.976."""
    nearest = round(rate)
    if abs(rate - nearest) < 0.005:
        return float(nearest)
    return round(rate, 3)


def _duration(av: Any, container: Any, stream: Any, rate: float | None) -> float | None:
    """The video stream's own duration, else the container's, else frames / fps (seconds)."""
    seconds: float | None = None
    time_base = getattr(stream, "time_base", None)
    if stream.duration is not None and time_base is not None:
        seconds = _positive(stream.duration * Fraction(time_base))
    if seconds is None and container.duration is not None:
        seconds = _positive(Fraction(container.duration, av.time_base))
    if seconds is None and rate is not None:
        frames = _positive(getattr(stream, "frames", None))
        if frames is not None:
            seconds = frames / rate
    return None if seconds is None else round(seconds, 3)


def compare(
    requested: Mapping[str, object], delivered: Delivered
) -> list[tuple[str, object, object]]:
    """``(field, requested, delivered)`` for each field where the file differs meaningfully.

    ``requested`` uses ``Result``'s keys: ``duration`` (seconds), ``size`` (``"WxH"``), ``fps``
    and ``audio``. A field is compared only when both sides are known (a missing, None or
    unparsable requested value is skipped, and so is a value the file does not state):

    * duration: differs by more than ``max(DURATION_TOLERANCE, one frame)``, the frame taken
      at the delivered rate (else the requested one);
    * size: any difference (the requested value is reported as given);
    * fps: differs by more than ``FPS_TOLERANCE``;
    * audio: True versus False, either way.
    """
    found: list[tuple[str, object, object]] = []

    want_duration = _number(requested.get("duration"))
    want_fps = _number(requested.get("fps"))
    if want_duration is not None and delivered.duration is not None:
        frame_rate = delivered.fps or want_fps
        tolerance = max(DURATION_TOLERANCE, 1 / frame_rate if frame_rate else 0.0)
        if abs(delivered.duration - want_duration) > tolerance + 1e-9:
            found.append(("duration", requested["duration"], delivered.duration))

    want_size = requested.get("size")
    if isinstance(want_size, str) and delivered.size is not None:
        match = _SIZE.fullmatch(want_size)
        if match and (int(match[1]), int(match[2])) != (delivered.width, delivered.height):
            found.append(("size", want_size, delivered.size))

    if want_fps is not None and delivered.fps is not None:
        if abs(delivered.fps - want_fps) > FPS_TOLERANCE + 1e-9:
            found.append(("fps", requested["fps"], delivered.fps))

    want_audio = requested.get("audio")
    if isinstance(want_audio, bool) and delivered.audio is not None:
        if want_audio != delivered.audio:
            found.append(("audio", want_audio, delivered.audio))

    return found


def _number(value: object) -> float | None:
    """A requested int/float that is finite and positive, else None (bools are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return _positive(value)
