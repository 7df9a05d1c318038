"""What an MP4/MOV holds, read from its ``moov`` box in pure Python: duration, picture size,
frame rate, sound and codec — no decoding, no PyAV (and none of its memory).

Only the boxes needed are read: ``mvhd`` (the movie's duration), and for each ``trak`` its
``tkhd`` (picture size), ``mdia/hdlr`` (video or sound), ``mdia/mdhd`` (the track's time scale
and duration), ``minf/stbl/stts`` (how many frames, for the rate) and ``stsd`` (the codec).
A fragmented MP4 keeps its samples in ``moof`` boxes; its missing values are left ``None``.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

import attrs

MAX_MOOV = 64 << 20  # a moov this large is not a clip's; refuse to read it into memory


@attrs.frozen(kw_only=True)
class Info:
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    audio: bool = False
    codec: str | None = None


def read(path: str | os.PathLike[str]) -> Info | None:
    """The header values of the MP4 at ``path``, or None when it has no readable ``moov``."""
    try:
        with open(path, "rb") as f:
            moov = _find_moov(f, os.fstat(f.fileno()).st_size)
            return None if moov is None else _parse(moov)
    except (OSError, ValueError, struct.error, IndexError):
        return None


def _find_moov(f: BinaryIO, length: int) -> bytes | None:
    pos = 0
    while pos + 8 <= length:
        f.seek(pos)
        header = f.read(16)
        size, kind = struct.unpack(">I4s", header[:8])
        start = 8
        if size == 1:
            size = struct.unpack(">Q", header[8:16])[0]
            start = 16
        elif size == 0:
            size = length - pos
        if size < start:
            return None
        if kind == b"moov":
            if size > MAX_MOOV:
                return None
            f.seek(pos + start)
            return f.read(size - start)
        pos += size
    return None


def _boxes(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[bytes, int, int]]:
    """(type, content start, content end) of each box in ``data[start:end]``."""
    end = len(data) if end is None else end
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        head = 8
        if size == 1:
            size = struct.unpack_from(">Q", data, pos + 8)[0]
            head = 16
        elif size == 0:
            size = end - pos
        if size < head or pos + size > end:
            return
        yield kind, pos + head, pos + size
        pos += size


def _child(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    for found, s, e in _boxes(data, start, end):
        if found == kind:
            return s, e
    return None


def _path(data: bytes, start: int, end: int, *kinds: bytes) -> tuple[int, int] | None:
    span: tuple[int, int] | None = (start, end)
    for kind in kinds:
        if span is None:
            return None
        span = _child(data, span[0], span[1], kind)
    return span


def _parse(moov: bytes) -> Info:
    duration: float | None = None
    mvhd = _child(moov, 0, len(moov), b"mvhd")
    if mvhd is not None:
        duration = _scaled(moov, mvhd[0], 12, 16)
    video: Info | None = None
    audio = False
    for kind, start, end in _boxes(moov):
        if kind != b"trak":
            continue
        hdlr = _path(moov, start, end, b"mdia", b"hdlr")
        handler = moov[hdlr[0] + 8 : hdlr[0] + 12] if hdlr else b""
        if handler == b"soun":
            audio = True
        elif handler == b"vide" and video is None:
            video = _video(moov, start, end)
    if video is None:
        return Info(duration=duration, audio=audio)
    return attrs.evolve(video, duration=video.duration or duration, audio=audio)


def _scaled(data: bytes, content: int, v0_at: int, v1_at: int) -> float | None:
    """A (timescale, duration) pair after the version/flags of an mvhd or mdhd box."""
    if data[content] == 1:
        scale, length = struct.unpack_from(">IQ", data, content + 4 + v1_at)
    else:
        scale, length = struct.unpack_from(">II", data, content + 4 + v0_at)
    if not scale or length in (0, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
        return None
    return round(float(length) / float(scale), 3)


def _video(data: bytes, start: int, end: int) -> Info:
    width = height = None
    tkhd = _child(data, start, end, b"tkhd")
    if tkhd is not None:
        at = tkhd[0] + (88 if data[tkhd[0]] == 1 else 76)
        w, h = struct.unpack_from(">II", data, at)
        width, height = (w >> 16) or None, (h >> 16) or None
    mdhd = _path(data, start, end, b"mdia", b"mdhd")
    duration = _scaled(data, mdhd[0], 8, 16) if mdhd else None
    scale = _timescale(data, mdhd[0]) if mdhd else None
    stbl = _path(data, start, end, b"mdia", b"minf", b"stbl")
    fps = codec = None
    if stbl is not None:
        stts = _child(data, stbl[0], stbl[1], b"stts")
        if stts is not None and scale:
            (count,) = struct.unpack_from(">I", data, stts[0] + 4)
            runs = [struct.unpack_from(">II", data, stts[0] + 8 + 8 * i) for i in range(count)]
            frames = sum(n for n, _ in runs)
            if frames:
                # The samples' own durations: mdhd's may include an edit list's shift (the
                # encoder's B-frame delay), which is not playing time.
                duration = round(sum(n * d for n, d in runs) / scale, 3)
                _, delta = max(runs)  # the commonest frame duration sets the rate
                fps = _round_fps(scale / delta) if delta else None
        stsd = _child(data, stbl[0], stbl[1], b"stsd")
        if stsd is not None and stsd[1] - stsd[0] >= 16:
            codec = data[stsd[0] + 12 : stsd[0] + 16].decode("latin-1").strip() or None
    return Info(duration=duration, width=width, height=height, fps=fps, codec=codec)


def _timescale(data: bytes, content: int) -> int | None:
    at = content + 4 + (16 if data[content] == 1 else 8)
    (scale,) = struct.unpack_from(">I", data, at)
    return int(scale) or None


def _round_fps(rate: float) -> float:
    whole = round(rate)
    return float(whole) if abs(rate - whole) < 0.01 else round(rate, 3)
