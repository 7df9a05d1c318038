"""Turn what a caller passes as media (a path, a URL, a data URL or bytes) into ``Media``.

Local files are read once, and images are measured from their headers (PNG, JPEG, WebP, GIF)
without an imaging library, so capability checks can run before any network call.
"""

from __future__ import annotations

import base64
import mimetypes
import os
import struct
from pathlib import Path
from typing import Union

from .errors import InvalidRequest
from .models import Media

MediaInput = Union[str, "os.PathLike[str]", bytes, Media]


def to_media(value: MediaInput, field: str) -> Media:
    if isinstance(value, Media):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _from_bytes(bytes(value), name=None)
    text = os.fspath(value)
    if text.startswith(("http://", "https://")):
        mime, _ = mimetypes.guess_type(text.split("?", 1)[0])
        return Media(url=text, mime_type=mime)
    if text.startswith("data:"):
        header, _, payload = text.partition(",")
        if ";base64" not in header:
            raise InvalidRequest(field, "data URLs must be base64-encoded")
        try:
            data = base64.b64decode(payload, validate=True)
        except ValueError:
            raise InvalidRequest(field, "the data URL's base64 is malformed") from None
        media = _from_bytes(data, name=None)
        return media
    path = Path(text).expanduser()
    if not path.is_file():
        raise InvalidRequest(
            field, f"no such file: {text}", allowed="a local file, an http(s) URL or bytes"
        )
    return _from_bytes(path.read_bytes(), name=path.name)


def _from_bytes(data: bytes, name: str | None) -> Media:
    mime, size = sniff(data)
    if mime is None and name:
        mime, _ = mimetypes.guess_type(name)
    width, height = size if size else (None, None)
    return Media(data=data, mime_type=mime, name=name, width=width, height=height)


def sniff(data: bytes) -> tuple[str | None, tuple[int, int] | None]:
    """The MIME type and, for images, (width, height) read from the header bytes."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", (width, height)
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg", _jpeg_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", _webp_size(data)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return "image/gif", (width, height)
    if data[4:8] == b"ftyp":
        return ("video/quicktime" if data[8:10] == b"qt" else "video/mp4"), None
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm", None
    return None, None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        # SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC) carry the frame size.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return width, height
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None
