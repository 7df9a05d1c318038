"""What the emulator serves as results: real MP4s (and still images), and signed expiring links.

Videos are rendered by ``reelkit_local.render`` (the ``local`` provider's engine) once per
(duration, frame size, fps) and cached on disk, so every download is a genuine, playable H.264
file whose duration and frame size match what the request asked for.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import anyio.to_thread
import attrs
from starlette.responses import FileResponse, Response, StreamingResponse

from .tasks import VideoSpec

#: Still images a fake can serve next to the video (thumbnails, last frames, sprite sheets).
IMAGE_TYPES: dict[str, tuple[str, str]] = {
    "webp": ("WEBP", "image/webp"),
    "jpg": ("JPEG", "image/jpeg"),
    "jpeg": ("JPEG", "image/jpeg"),
    "png": ("PNG", "image/png"),
}


class MediaCache:
    """Renders and caches result media under ``directory``. Thread-safe, one render per key."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def video_path(self, spec: VideoSpec, fps: int) -> Path:
        """The cached MP4 for ``spec`` at ``fps`` (rendered on first use; blocking)."""
        from reelkit_local.render import RenderSpec, render_mp4

        # Renders need even sides; a request's size is kept exactly whenever it already is even.
        width, height = spec.width + spec.width % 2, spec.height + spec.height % 2
        path = self.directory / f"video-{width}x{height}-{spec.duration:g}s-{fps}fps.mp4"
        if path.exists():
            return path
        with self._lock(path.name):
            if not path.exists():
                render_mp4(
                    path,
                    RenderSpec(
                        prompt="reelkit emulator",
                        duration=spec.duration,
                        fps=fps,
                        width=width,
                        height=height,
                        seed=0,
                    ),
                )
        return path

    def image_path(self, spec: VideoSpec, ext: str) -> Path:
        """A still image of the video's frame size in format ``ext`` (webp, jpg, png)."""
        fmt, _ = IMAGE_TYPES[ext]
        path = self.directory / f"still-{spec.width}x{spec.height}.{ext}"
        if path.exists():
            return path
        with self._lock(path.name):
            if not path.exists():
                from PIL import Image

                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f".{path.name}.part")
                Image.new("RGB", (spec.width, spec.height), (40, 60, 110)).save(tmp, fmt)
                tmp.replace(path)
        return path

    async def video_response(
        self, spec: VideoSpec, fps: int, filename: str = "video.mp4"
    ) -> Response:
        path = await anyio.to_thread.run_sync(self.video_path, spec, fps)
        return FileResponse(path, media_type="video/mp4", filename=filename)

    async def image_response(self, spec: VideoSpec, ext: str) -> Response:
        path = await anyio.to_thread.run_sync(self.image_path, spec, ext)
        return FileResponse(path, media_type=IMAGE_TYPES[ext][1])


@attrs.frozen
class MediaLink:
    """A result URL and the unix time it stops working."""

    url: str
    expires_at: int


class LinkSigner:
    """Signs ``path?e=<expiry>&token=<mac>`` links, like Qiniu/Kodo and S3 presigned URLs."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def _mac(self, path: str, expires_at: int) -> str:
        message = f"{path}\n{expires_at}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def sign(self, base: str, path: str, expires_at: int) -> MediaLink:
        query = urlencode({"e": expires_at, "token": self._mac(path, expires_at)})
        return MediaLink(url=f"{base}{path}?{query}", expires_at=expires_at)

    def check(self, path: str, expiry: str | None, token: str | None, now: float) -> str | None:
        """None when the link is good, else ``"invalid"`` or ``"expired"``."""
        if not expiry or not token or not expiry.isdigit():
            return "invalid"
        if not hmac.compare_digest(self._mac(path, int(expiry)), token):
            return "invalid"
        return "expired" if now >= int(expiry) else None


async def _blob_chunks(size: int, chunk: int = 1 << 20) -> AsyncIterator[bytes]:
    block = bytes(range(256)) * (chunk // 256)
    sent = 0
    while sent < size:
        n = min(chunk, size - sent)
        yield block[:n]
        sent += n


def blob_response(size: int) -> Response:
    """``size`` bytes streamed without touching the disk (for download benchmarks)."""
    return StreamingResponse(
        _blob_chunks(size),
        media_type="application/octet-stream",
        headers={"content-length": str(size)},
    )
