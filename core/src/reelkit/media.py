"""Turn what a caller passes as media (a path, a URL, a data URL or bytes) into ``Media``.

Content decides, never a name: local bytes are identified and checked by ``reelkit.sniffing``
(PNG, JPEG, WebP, GIF, BMP, TIFF, HEIC/HEIF/AVIF images; MP4, MOV, WebM videos) and images are
measured from their headers, so every check runs before any network call. Empty, truncated,
unrecognised and mislabelled inputs (a name or a data-URL type that says one format while the
bytes are another), URL schemes other than http(s) and ``data:``, directories and unreadable
files are all ``InvalidRequest`` naming the field and what is allowed.

``to_media(value, field, kind=None)``: ``kind`` is ``"image"``, ``"video"`` or ``None``; when
``None`` it follows the field (``video`` is a video; ``first_frame``, ``last_frame`` and
``reference_images``, with or without an ``[index]``, are images; anything else may be either).
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import os
import re
import stat
from pathlib import Path, PurePosixPath
from typing import Union
from urllib.parse import urlsplit

import attrs

from .errors import InvalidRequest
from .models import Media
from .sniffing import IMAGE_FORMATS, MIME_TYPES, VIDEO_FORMATS, MalformedMedia, identify, probe

MediaInput = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, Media]

SOURCES = "a local file path, an http(s) URL, a data: URL or bytes"
IMAGE_FIELDS = ("first_frame", "last_frame", "reference_images")

# What a file name's extension or a declared MIME type claims, for the mislabelling check.
_EXTENSIONS = {
    **{f".{fmt}": fmt for fmt in (*IMAGE_FORMATS, "mp4", "mov", "webm")},
    **{".jpg": "jpeg", ".jpe": "jpeg", ".jfif": "jpeg", ".tif": "tiff", ".dib": "bmp"},
    **{".hif": "heif", ".m4v": "mp4", ".qt": "mov"},
}
_MIME_ALIASES = {"image/jpg": "jpeg", "image/pjpeg": "jpeg", "image/x-ms-bmp": "bmp"}
_MIME_ALIASES |= {"image/heic-sequence": "heic", "image/heif-sequence": "heif"}
# Formats that are one thing under two names: an MP4 named .mov (or the reverse) is common.
_FAMILY = {"mov": "mp4", "heif": "heic"}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")  # two letters at least: C:\ is a drive


def to_media(value: MediaInput, field: str, kind: str | None = None) -> Media:
    """``value`` as ``Media``: local bytes read, identified and checked; a URL checked by shape."""
    kind = kind or _kind_of(field)
    if isinstance(value, Media):
        return _checked_media(value, field, kind)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _from_bytes(bytes(value), field, kind)
    if isinstance(value, str):
        text = value
    elif isinstance(value, os.PathLike):
        try:
            text = os.fsdecode(value)
        except (TypeError, UnicodeError):
            raise InvalidRequest(
                field, f"{value!r} is not a usable path", allowed=SOURCES
            ) from None
        return _from_path(text, field, kind)
    else:
        raise InvalidRequest(
            field,
            f"a value of type {type(value).__name__} is not an image or video input",
            allowed=SOURCES,
        )
    if not text.strip():
        raise InvalidRequest(field, "is an empty string", allowed=SOURCES)
    scheme = _scheme(text)
    if scheme in ("http", "https"):
        return _from_url(text, field, kind)
    if scheme == "data":
        return _from_data_url(text, field, kind)
    if scheme is not None and not os.path.lexists(text):
        hint = "; pass the path itself" if scheme == "file" else ""
        raise InvalidRequest(field, f"scheme {scheme!r} is not supported{hint}", allowed=SOURCES)
    return _from_path(text, field, kind)


def sniff(data: bytes | bytearray | memoryview) -> tuple[str | None, tuple[int, int] | None]:
    """The MIME type and, for images, (width, height) read from the header bytes; never raises.

    By magic bytes only: use ``reelkit.sniffing.probe`` to also check the structure.
    """
    found = identify(data if isinstance(data, bytes) else bytes(data))
    return (MIME_TYPES[found.format], found.size) if found else (None, None)


def _scheme(text: str) -> str | None:
    match = _SCHEME.match(text)
    return match.group(1).lower() if match else None


def _kind_of(field: str) -> str | None:
    base = field.split("[", 1)[0]
    return "video" if base == "video" else "image" if base in IMAGE_FIELDS else None


def _allowed(kind: str | None) -> str:
    formats = {"image": IMAGE_FORMATS, "video": VIDEO_FORMATS}.get(kind or "")
    return ", ".join(formats or (*IMAGE_FORMATS, *VIDEO_FORMATS))


def _from_path(text: str, field: str, kind: str | None) -> Media:
    try:
        path = Path(text).expanduser()
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise InvalidRequest(field, f"no such file: {_clip(text)}", allowed=SOURCES) from None
    except (OSError, ValueError, RuntimeError) as exc:  # a NUL in the path, ENAMETOOLONG, ~nobody
        raise InvalidRequest(
            field, f"cannot read {_clip(text)}: {_reason(exc)}", allowed=SOURCES
        ) from None
    if stat.S_ISDIR(mode):
        raise InvalidRequest(field, f"is a directory: {_clip(text)}", allowed="a file")
    if not stat.S_ISREG(mode):  # a FIFO or a device would block or never end
        raise InvalidRequest(field, f"is not a regular file: {_clip(text)}", allowed="a file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidRequest(
            field, f"cannot read {_clip(text)}: {_reason(exc)}", allowed=SOURCES
        ) from None
    claim = _EXTENSIONS.get(path.suffix.lower())
    return _from_bytes(data, field, kind, name=path.name, claim=(f"the name {path.name!r}", claim))


def _clip(text: str) -> str:
    return text if len(text) <= 200 else text[:100] + "…" + text[-60:]


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__


def _from_url(text: str, field: str, kind: str | None) -> Media:
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in text):
        raise InvalidRequest(
            field, "the URL contains spaces or control characters", allowed="a percent-encoded URL"
        )
    try:
        parts = urlsplit(text)
        host, path = parts.hostname, parts.path
    except ValueError:  # e.g. an unclosed IPv6 bracket
        host, path = None, ""
    if not host:
        raise InvalidRequest(
            field, f"not a valid URL: {text[:80]!r}", allowed="http(s)://host/path"
        )
    fmt = _EXTENSIONS.get(PurePosixPath(path).suffix.lower())
    if fmt is not None and kind is not None and _kind(fmt) != kind:
        raise InvalidRequest(
            field, f"the URL names {_a(fmt)}, not {_a_kind(kind)}", allowed=_allowed(kind)
        )
    mime = MIME_TYPES[fmt] if fmt else mimetypes.guess_type(path)[0]
    return Media(url=text, mime_type=mime)


def _from_data_url(text: str, field: str, kind: str | None) -> Media:
    header, comma, payload = text[5:].partition(",")
    params = [p.strip().lower() for p in header.split(";")]
    if not comma or "base64" not in params[1:]:
        raise InvalidRequest(
            field, "data URLs must be base64-encoded", allowed="data:<type>;base64,<data>"
        )
    try:
        data = base64.b64decode("".join(payload.split()), validate=True)
    except (ValueError, binascii.Error):
        raise InvalidRequest(
            field, "the data URL's base64 is malformed", allowed="data:<type>;base64,<data>"
        ) from None
    claim = _format_of_mime(params[0])
    return _from_bytes(data, field, kind, claim=(f"the data URL's type {params[0]!r}", claim))


def _format_of_mime(mime: str | None) -> str | None:
    mime = (mime or "").split(";", 1)[0].strip().lower()
    return _MIME_ALIASES.get(mime) or next((f for f, m in MIME_TYPES.items() if m == mime), None)


def _from_bytes(
    data: bytes,
    field: str,
    kind: str | None,
    *,
    name: str | None = None,
    claim: tuple[str, str | None] = ("", None),
) -> Media:
    fmt, size = _checked(data, field, kind, name, claim)
    width, height = size if size else (None, None)
    return Media(data=data, mime_type=MIME_TYPES[fmt], name=name, width=width, height=height)


def _checked(
    data: bytes, field: str, kind: str | None, name: str | None, claim: tuple[str, str | None]
) -> tuple[str, tuple[int, int] | None]:
    """The format and size of ``data``; refuses it when empty, malformed, mislabelled or wrong."""
    what = f"{name}: " if name else ""
    try:
        found = probe(data)
    except MalformedMedia as exc:
        raise InvalidRequest(field, f"{what}{exc}", allowed=_allowed(kind)) from None
    fmt = found.format
    if kind is not None and _kind(fmt) != kind:
        raise InvalidRequest(field, f"{what}{_a(fmt)}, not {_a_kind(kind)}", allowed=_allowed(kind))
    source, claimed = claim
    if claimed is not None and _FAMILY.get(claimed, claimed) != _FAMILY.get(fmt, fmt):
        raise InvalidRequest(
            field,
            f"mislabelled: {source} says {claimed.upper()} but the content is {fmt.upper()}",
            allowed=f"{fmt} content under a {fmt} name or type",
        )
    return fmt, found.size


def _checked_media(media: Media, field: str, kind: str | None) -> Media:
    """A ``Media`` the caller built: its URL checked like a string, its bytes like bytes."""
    if media.url is not None:
        if media.url.lower().startswith("data:"):
            decoded = _from_data_url(media.url, field, kind)
            return attrs.evolve(decoded, name=media.name)
        scheme = _scheme(media.url)
        if scheme not in ("http", "https"):
            problem = f"scheme {scheme!r} is not supported" if scheme else "not a URL"
            raise InvalidRequest(field, f"{problem}: {media.url[:80]!r}", allowed=SOURCES)
        checked = _from_url(media.url, field, kind)
        return media if media.mime_type else attrs.evolve(media, mime_type=checked.mime_type)
    assert media.data is not None
    claim = _format_of_mime(media.mime_type)
    if claim is None and media.name:
        claim = _EXTENSIONS.get(PurePosixPath(media.name).suffix.lower())
    source = f"the MIME type {media.mime_type!r}" if media.mime_type else f"the name {media.name!r}"
    fmt, size = _checked(media.data, field, kind, media.name, (source, claim))
    width, height = size if size else (media.width, media.height)
    return attrs.evolve(media, mime_type=MIME_TYPES[fmt], width=width, height=height)


def _kind(fmt: str) -> str:
    return "video" if fmt in VIDEO_FORMATS else "image"


def _a(fmt: str) -> str:
    return f"{_a_kind(_kind(fmt))} ({fmt.upper()})"


def _a_kind(kind: str) -> str:
    return "a video" if kind == "video" else "an image"
