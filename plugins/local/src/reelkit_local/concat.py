"""Join MP4 clips end to end with hard cuts: the case a production needs no compositor for.

Stream copy when every clip has the same video codec, size and frame rate (and the same audio
layout): packets are re-timed, not re-encoded, so nothing is lost and it takes no CPU. Otherwise
every clip is re-encoded to the first clip's size and frame rate as H.264 (AAC for sound). Sound
is kept when any clip has it; a silent clip contributes silence of its own length. The result is
written beside the output and renamed into place, and its duration is checked against the sum
of the clips'.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from reelkit.errors import InvalidRequest, OutputError

TOLERANCE_S = 0.15  # container rounding per clip; more than this is a join that lost frames
AUDIO_RATE = 48_000


@attrs.frozen
class ClipInfo:
    path: str
    duration: float
    codec: str
    width: int
    height: int
    fps: Fraction
    audio: str | None  # the audio codec, or None when the clip is silent
    sample_rate: int | None
    channels: int | None


@attrs.frozen
class Joined:
    path: str
    duration: float
    copied: bool  # stream copy (True) or re-encoded (False)
    clips: tuple[ClipInfo, ...]


def probe(path: str | os.PathLike[str]) -> ClipInfo:
    import av

    name = os.fspath(path)
    try:
        with av.open(name) as container:
            video = next((s for s in container.streams if s.type == "video"), None)
            if video is None:
                raise InvalidRequest("clips", f"{name} has no video stream")
            audio = next((s for s in container.streams if s.type == "audio"), None)
            duration = _duration(container, video)
            fps = video.average_rate or video.guessed_rate or Fraction(24)
            return ClipInfo(
                path=name,
                duration=duration,
                codec=video.codec_context.name,
                width=video.codec_context.width,
                height=video.codec_context.height,
                fps=Fraction(fps),
                audio=audio.codec_context.name if audio is not None else None,
                sample_rate=audio.codec_context.sample_rate if audio is not None else None,
                channels=audio.codec_context.channels if audio is not None else None,
            )
    except (av.error.FFmpegError, OSError) as exc:
        raise InvalidRequest("clips", f"{name} is not a readable video: {exc}") from None


def _duration(container: Any, video: Any) -> float:
    if video.duration is not None and video.time_base is not None:
        return float(video.duration * video.time_base)
    if container.duration is not None:
        return float(container.duration) / 1_000_000
    return 0.0


def join(clips: Sequence[str | os.PathLike[str]], output: str | os.PathLike[str]) -> Joined:
    """Join ``clips`` into ``output`` (see the module docstring); raises typed errors."""
    if not clips:
        raise InvalidRequest("clips", "name at least one clip")
    infos = tuple(probe(c) for c in clips)
    target = Path(output)
    if target.resolve() in {Path(c.path).resolve() for c in infos}:
        raise OutputError(f"{target}: the output is one of the clips", path=str(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{target.parent}: cannot create it: {exc}", path=str(target)) from None
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.part")
    copied = _matching(infos)
    try:
        if copied:
            _copy(infos, temp)
        else:
            _reencode(infos, temp)
        got = probe(temp).duration
        want = sum(c.duration for c in infos)
        if abs(got - want) > TOLERANCE_S * len(infos):
            raise OutputError(
                f"{target}: the joined video lasts {got:.2f} s, not the clips' {want:.2f} s; "
                "not saved",
                path=str(target),
            )
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return Joined(path=str(target), duration=got, copied=copied, clips=infos)


def _matching(infos: Sequence[ClipInfo]) -> bool:
    first = infos[0]
    return all(
        (c.codec, c.width, c.height, c.fps, c.audio, c.sample_rate, c.channels)
        == (first.codec, first.width, first.height, first.fps, first.audio, first.sample_rate,
            first.channels)
        for c in infos
    )  # fmt: skip


def _copy(infos: Sequence[ClipInfo], temp: Path) -> None:
    """Re-time every packet by the clips before it; no decoding."""
    import av

    with (
        av.open(infos[0].path) as first,
        av.open(str(temp), mode="w", format="mp4", options={"movflags": "+faststart"}) as out,
    ):
        kinds = [s.type for s in first.streams if s.type in ("video", "audio")]
        streams = {
            s.type: out.add_stream_from_template(s)
            for s in first.streams
            if s.type in ("video", "audio")
        }
        offset = 0.0
        last_dts: dict[str, int] = {}  # per output stream: decode times must keep rising
        for info in infos:
            with av.open(info.path) as source:
                inputs = {s.type: s for s in source.streams if s.type in kinds}
                last_end = {kind: 0.0 for kind in inputs}
                shifts: dict[str, int] = {}
                for packet in source.demux(*inputs.values()):
                    if packet.dts is None:
                        continue  # a flush packet
                    kind = packet.stream.type
                    base = packet.stream.time_base
                    if kind not in shifts:
                        # Start at the previous clips' end; B-frames' negative decode times
                        # at a clip's start must still land after the last packet written.
                        shifts[kind] = max(
                            round(offset / base), last_dts.get(kind, -(2**62)) + 1 - packet.dts
                        )
                    shift = shifts[kind]
                    packet.pts = (packet.pts if packet.pts is not None else packet.dts) + shift
                    packet.dts = packet.dts + shift
                    last_dts[kind] = packet.dts
                    end = float((packet.pts + (packet.duration or 0)) * base)
                    last_end[kind] = max(last_end[kind], end)
                    packet.stream = streams[kind]
                    out.mux(packet)
                offset = max(offset + info.duration, last_end.get("video", 0.0))


def _reencode(infos: Sequence[ClipInfo], temp: Path) -> None:
    """Decode every clip and encode one H.264 (+ AAC) stream at the first clip's geometry."""
    import av
    import numpy as np

    first = infos[0]
    fps = first.fps if first.fps > 0 else Fraction(24)
    width, height = first.width - first.width % 2, first.height - first.height % 2
    with_audio = any(c.audio for c in infos)
    with av.open(str(temp), mode="w", format="mp4", options={"movflags": "+faststart"}) as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "veryfast", "crf": "20"}
        audio = out.add_stream("aac", rate=AUDIO_RATE) if with_audio else None
        if audio is not None:
            audio.layout = "stereo"
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
        frame_index = 0
        samples = 0
        for info in infos:
            start_frames = frame_index
            with av.open(info.path) as source:
                streams = [s for s in source.streams if s.type in ("video", "audio")]
                for frame in source.decode(*streams):
                    if isinstance(frame, av.VideoFrame):
                        # Keep the clip's timing: frames land at their own time, at our rate.
                        due = start_frames + round(float(frame.time or 0) * fps)
                        image = frame.reformat(width=width, height=height, format="yuv420p")
                        while frame_index <= due:
                            image.pts = frame_index
                            image.time_base = 1 / fps
                            out.mux(video.encode(image))
                            frame_index += 1
                    elif audio is not None:
                        for chunk in resampler.resample(frame):
                            chunk.pts = samples
                            samples += chunk.samples
                            out.mux(audio.encode(chunk))
            clip_end = start_frames + round(info.duration * fps)
            if audio is not None:
                # Silence pads a silent clip (or a short track) to its clip's end.
                end_samples = round(clip_end / fps * AUDIO_RATE)
                while samples < end_samples:
                    n = min(1024, end_samples - samples)
                    silence = av.AudioFrame.from_ndarray(
                        np.zeros((2, n), dtype=np.float32), format="fltp", layout="stereo"
                    )
                    silence.sample_rate = AUDIO_RATE
                    silence.pts = samples
                    samples += n
                    out.mux(audio.encode(silence))
            frame_index = max(frame_index, clip_end)
        out.mux(video.encode(None))
        if audio is not None:
            out.mux(audio.encode(None))
