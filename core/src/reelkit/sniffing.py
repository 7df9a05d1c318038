"""What bytes are, decided by their content: format detection and structural checks.

Pure, stdlib only. ``probe(data)`` recognises PNG, JPEG, WebP, GIF, BMP, TIFF, HEIC/HEIF/AVIF
images and MP4/MOV (ISO BMFF) and WebM videos, reads image sizes from the headers and checks
the structure (truncation, sizes that do not fit, missing end markers): anything empty,
unrecognised or malformed raises ``MalformedMedia`` with a one-line reason. ``identify(data)``
only reads magic bytes and never raises. ``check_iso_bmff(path_or_bytes)`` checks an MP4/MOV's
top-level boxes, seeking from box header to box header in a file (never loading it whole).
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Callable
from typing import BinaryIO, NamedTuple

Size = tuple[int, int]

IMAGE_FORMATS = ("png", "jpeg", "webp", "gif", "bmp", "tiff", "heic", "heif", "avif")
VIDEO_FORMATS = ("mp4", "mov", "webm")
MIME_TYPES = {f: f"image/{f}" for f in IMAGE_FORMATS} | {
    **{"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm"}
}


class MalformedMedia(ValueError):
    """Bytes that are empty, unrecognised, truncated or internally inconsistent."""


class Probe(NamedTuple):
    format: str  # one of IMAGE_FORMATS or VIDEO_FORMATS (its MIME type: MIME_TYPES[format])
    size: Size | None  # (width, height) of an image; None for videos


def identify(data: bytes) -> Probe | None:
    """The format by magic bytes, with the header's size where it is readable; never raises."""
    fmt = _magic(data)
    if fmt is None:
        return None
    try:
        size = _PARSERS[fmt](data, False)
    except (ValueError, struct.error, IndexError):
        size = None
    return Probe(fmt, size)


def probe(data: bytes) -> Probe:
    """The format and size of ``data``, after checking its structure; raises ``MalformedMedia``."""
    if not data:
        raise MalformedMedia("empty (0 bytes)")
    fmt = _magic(data)
    if fmt is None:
        head = data[:64]
        if all(32 <= b < 127 or b in b"\t\r\n" for b in head):
            raise MalformedMedia(f"text ({head[:24].decode('ascii')!r}…), not an image or video")
        raise MalformedMedia(f"not a recognised image or video (it starts with {data[:8]!r})")
    try:
        size = _PARSERS[fmt](data, True)
    except (struct.error, IndexError) as exc:  # a parser bug must still be a clean refusal
        raise MalformedMedia(f"malformed {fmt.upper()} header") from exc
    return Probe(fmt, size)


def _magic(d: bytes) -> str | None:
    if d[4:8] == b"ftyp":
        return _brand(d)
    if d[:4] == b"RIFF" and d[8:12] == b"WEBP":
        return "webp"
    if d[:2] == b"BM" and len(d) >= 18 and _u32le(d, 14) in _BMP_HEADERS:
        return "bmp"
    return next((fmt for fmt, magic in _SIGNATURES if d.startswith(magic)), None)


_SIGNATURES = (
    *(("png", b"\x89PNG\r\n\x1a\n"), ("jpeg", b"\xff\xd8"), ("webm", b"\x1a\x45\xdf\xa3")),
    *(("gif", b"GIF87a"), ("gif", b"GIF89a"), ("tiff", b"II*\x00"), ("tiff", b"MM\x00*")),
)


def _brand(d: bytes) -> str:
    major = d[8:12]
    end = min(len(d), int.from_bytes(d[:4], "big"), 256)
    brands = {d[i : i + 4] for i in range(16, end, 4)}
    if major in (b"mif1", b"msf1"):  # the generic HEIF brands: compatible brands tell more
        return "avif" if b"avif" in brands else "heic" if brands & _HEIC_BRANDS else "heif"
    mov = "mov" if major == b"qt  " else "mp4"
    return "heic" if major in _HEIC_BRANDS else "avif" if major in (b"avif", b"avis") else mov


_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"}
_BMP_HEADERS = (12, 40, 52, 56, 64, 108, 124)


def _u32le(d: bytes, i: int) -> int:
    return int.from_bytes(d[i : i + 4], "little")


def _need(d: bytes, n: int, what: str) -> None:
    if len(d) < n:
        raise MalformedMedia(f"truncated {what}: {len(d)} bytes, its header needs {n}")


def _cut(what: str, part: str, n: int | None, remain: int) -> MalformedMedia:
    return MalformedMedia(f"truncated {what}: {part} declares {n} bytes, {remain} remain")


def _positive(what: str, w: int, h: int) -> Size:
    if w <= 0 or h <= 0:
        raise MalformedMedia(f"malformed {what}: its header declares {w}x{h} pixels")
    return w, h


# --- images ------------------------------------------------------------------------------


def _png(d: bytes, strict: bool) -> Size:
    _need(d, 33, "PNG")
    if d[12:16] != b"IHDR" or d[8:12] != b"\0\0\0\x0d":
        raise MalformedMedia("malformed PNG: the first chunk is not a 13-byte IHDR")
    size = _positive("PNG", *struct.unpack_from(">ii", d, 16))
    pos, seen = 8, set()
    while strict and b"IEND" not in seen:
        if pos + 12 > len(d):
            raise MalformedMedia("truncated PNG: no IEND chunk")
        n, kind = struct.unpack_from(">I4s", d, pos)
        if not kind.isalpha():
            raise MalformedMedia(f"corrupt PNG: no chunk header at byte {pos}")
        if pos + 12 + n > len(d):
            raise _cut("PNG", f"chunk {kind.decode()!r}", n, len(d) - pos - 12)
        crc = struct.unpack_from(">I", d, pos + 8 + n)[0]
        if kind[0] < 0x61 and zlib.crc32(d[pos + 4 : pos + 8 + n]) != crc:  # critical chunks only
            raise MalformedMedia(f"corrupt PNG: chunk {kind.decode()!r} fails its CRC check")
        seen.add(kind)
        pos += 12 + n
    if strict and b"IDAT" not in seen:
        raise MalformedMedia("malformed PNG: no image data (IDAT chunk)")
    return size


def _jpeg(d: bytes, strict: bool) -> Size:
    i, size = 2, None
    while True:
        marker = d[i + 1] if i + 2 <= len(d) and d[i] == 0xFF else -1
        if marker == 0xFF or marker == 0x01 or 0xD0 <= marker <= 0xD8:
            i += 1 if marker == 0xFF else 2  # fill byte, or a marker without a length
            continue
        if marker == 0xD9:
            raise MalformedMedia("malformed JPEG: it ends before any image data (no SOS)")
        if marker < 0 or i + 4 > len(d):
            what = "it ends inside its headers" if i + 4 > len(d) else f"no marker at byte {i}"
            raise MalformedMedia(f"truncated or corrupt JPEG: {what}")
        (n,) = struct.unpack_from(">H", d, i + 2)
        if n < 2 or i + 2 + n > len(d):
            raise _cut("JPEG", f"segment FF{marker:02X}", n, len(d) - i - 2)
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # SOFn: the frame size
            if n < 7:
                raise MalformedMedia("malformed JPEG: a frame header (SOF) is too short")
            height, width = struct.unpack_from(">HH", d, i + 5)
            size = _positive("JPEG", width, height)
            if not strict:
                return size
        if marker == 0xDA:  # SOS: entropy-coded data follows, up to the EOI marker
            if size is None:
                raise MalformedMedia("malformed JPEG: image data without a frame header (SOF)")
            if d.rfind(b"\xff\xd9") < i + 2 + n:
                raise MalformedMedia("truncated JPEG: no end-of-image marker (FFD9)")
            return size
        i += 2 + n


def _webp(d: bytes, strict: bool) -> Size:
    _need(d, 30, "WebP")
    end = 8 + _u32le(d, 4)
    if strict and end > len(d):
        raise MalformedMedia(f"truncated WebP: RIFF declares {end} bytes, {len(d)} present")
    chunk = d[12:16]
    if chunk == b"VP8X":
        size = 1 + int.from_bytes(d[24:27], "little"), 1 + int.from_bytes(d[27:30], "little")
    elif chunk == b"VP8 ":
        if d[23:26] != b"\x9d\x01\x2a":
            raise MalformedMedia("corrupt WebP: the VP8 frame has no start code")
        w, h = struct.unpack_from("<HH", d, 26)
        size = _positive("WebP", w & 0x3FFF, h & 0x3FFF)
    elif chunk == b"VP8L":
        if d[20] != 0x2F:
            raise MalformedMedia("corrupt WebP: the VP8L stream has no signature")
        bits = _u32le(d, 21)
        size = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    else:
        raise MalformedMedia(f"malformed WebP: unknown first chunk {chunk!r}")
    pos, image = 12, False
    while strict and pos < end:
        kind, n = d[pos : pos + 4], _u32le(d, pos + 4)
        if pos + 8 + n > end:
            raise _cut("WebP", f"chunk {kind.decode('latin-1')!r}", n, end - pos - 8)
        image = image or kind in (b"VP8 ", b"VP8L", b"ANMF")
        pos += 8 + n + (n & 1)
    if strict and not image:
        raise MalformedMedia("malformed WebP: no image data")
    return size


def _gif(d: bytes, strict: bool) -> Size:
    _need(d, 13, "GIF")
    size = _positive("GIF", *struct.unpack_from("<HH", d, 6))
    pos, frames = 13 + _table(d[10]), 0
    while strict:
        if pos >= len(d):
            raise MalformedMedia("truncated GIF: no trailer (3B)")
        block = d[pos]
        if block == 0x3B:
            break
        if block == 0x21:  # extension: label, then data sub-blocks
            pos = _sub_blocks(d, pos + 2)
        elif block == 0x2C:  # image descriptor, local colour table, LZW code size, data
            _need(d, pos + 10, "GIF")
            pos = _sub_blocks(d, pos + 11 + _table(d[pos + 9]))
            frames += 1
        else:
            raise MalformedMedia(f"corrupt GIF: unexpected byte {block:02X} at byte {pos}")
    if strict and not frames:
        raise MalformedMedia("malformed GIF: no image")
    return size


def _table(flags: int) -> int:
    return 3 << ((flags & 7) + 1) if flags & 0x80 else 0


def _sub_blocks(d: bytes, pos: int) -> int:
    while pos < len(d):
        n = d[pos]
        pos += 1 + n
        if n == 0:
            return pos
    raise MalformedMedia("truncated GIF: it ends inside an image or extension")


def _bmp(d: bytes, strict: bool) -> Size:
    header = _u32le(d, 14)
    _need(d, 14 + header, "BMP")
    w, h = struct.unpack_from("<HH" if header == 12 else "<ii", d, 18)
    size = _positive("BMP", w, abs(h))
    stride = (w * d[28] + 31) // 32 * 4 if header >= 40 and _u32le(d, 30) == 0 else 0
    need = _u32le(d, 10) + stride * abs(h)  # uncompressed: the pixel array's exact size
    if strict and need > len(d):
        raise MalformedMedia(f"truncated BMP: its pixels need {need} bytes, {len(d)} present")
    return size


def _tiff(d: bytes, strict: bool) -> Size:
    order = "<" if d[:2] == b"II" else ">"
    _need(d, 8, "TIFF")
    (ifd,) = struct.unpack_from(order + "I", d, 4)
    if ifd < 8 or ifd + 2 > len(d):
        raise MalformedMedia(f"truncated TIFF: its first directory is at byte {ifd} of {len(d)}")
    (count,) = struct.unpack_from(order + "H", d, ifd)
    if ifd + 2 + 12 * count > len(d):
        raise MalformedMedia("truncated TIFF: it ends inside its first directory")
    entries = [struct.unpack_from(order + "HHII", d, ifd + 2 + 12 * k) for k in range(count)]
    short = 16 if order == ">" else 0  # a SHORT value sits in the field's first two bytes
    tags = {t: v >> short & 0xFFFF if kind == 3 else v for t, kind, n, v in entries if n == 1}
    if 256 not in tags or 257 not in tags:
        raise MalformedMedia("malformed TIFF: no image width and height")
    return _positive("TIFF", tags[256], tags[257])


# --- ISO BMFF (MP4, MOV, HEIF) -----------------------------------------------------------


def check_iso_bmff(source: str | os.PathLike[str] | bytes | bytearray | memoryview) -> str | None:
    """None if an MP4/MOV's top-level boxes are sound, else a one-line description of the problem.

    Sound: ``ftyp`` first, every box's size fits the data, ``moov`` and ``mdat`` present, and the
    sizes add up to the length exactly (a last box of size 0 runs to the end; 64-bit sizes are
    read). A path is read by seeking from box header to box header, never loaded whole.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _bmff_problem(io.BytesIO(source), ("moov", "mdat"))
    try:
        with open(source, "rb") as file:
            return _bmff_problem(file, ("moov", "mdat"))
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"


def _bmff_problem(file: BinaryIO, required: tuple[str, ...]) -> str | None:
    length = file.seek(0, os.SEEK_END)
    if length == 0:
        return "empty (0 bytes)"
    file.seek(0)
    if file.read(8)[4:] != b"ftyp":
        return "not an ISO BMFF (MP4/MOV) file: it does not start with an 'ftyp' box"
    boxes: list[str] = []
    pos = 0  # every box: size (u32; 1: a u64 follows; 0: to the end), type, then its body
    while pos < length:
        remain = length - pos
        file.seek(pos)
        head = file.read(16)
        if remain < 8:
            return f"truncated: {remain} stray bytes after box '{boxes[-1]}'"
        size, kind = struct.unpack_from(">I4s", head)
        name = kind.decode("latin-1")
        if not all(0x20 <= b < 0x7F or b == 0xA9 for b in kind):
            return f"corrupt: no box header at byte {pos} (type {kind!r})"
        header = 8
        if size == 1:
            if remain < 16:
                return f"truncated: box '{name}' has a 64-bit size but only {remain} bytes remain"
            size, header = struct.unpack_from(">Q", head, 8)[0], 16
        elif size == 0:
            size = remain  # the last box runs to the end of the file
        if size < header:
            return f"corrupt: box '{name}' declares {size} bytes, less than its own header"
        if size > remain:
            return f"truncated: box '{name}' declares {size} bytes, {remain} remain"
        boxes.append(name)
        pos += size
    missing = [box for box in required if box not in boxes]
    if missing:
        return f"incomplete: no '{missing[0]}' box (top-level boxes: {', '.join(boxes)})"
    return None


def _bmff(required: tuple[str, ...]) -> Callable[[bytes, bool], Size | None]:
    def parse(d: bytes, strict: bool) -> Size | None:
        problem = strict and _bmff_problem(io.BytesIO(d), required)
        if problem:
            raise MalformedMedia(problem)
        return None  # a HEIF's size is in its item properties, not read here

    return parse


# --- WebM (EBML) ------------------------------------------------------------------------

_EBML_DOCTYPE, _SEGMENT, _TRACKS, _CLUSTER = 0x4282, 0x18538067, 0x1654AE6B, 0x1F43B675


def _vint(d: bytes, pos: int, marker: bool) -> tuple[int, int]:
    n = 9 - d[pos].bit_length() if pos < len(d) else 0
    if not 0 < n <= 8 or pos + n > len(d):
        raise MalformedMedia(f"truncated or corrupt WebM: no element header at byte {pos}")
    value = int.from_bytes(d[pos : pos + n], "big")
    return (value if marker else value & ((1 << 7 * n) - 1)), n


def _element(d: bytes, pos: int) -> tuple[int, int, int | None]:
    """(id, data start, size or None when unknown) of the EBML element at ``pos``."""
    eid, a = _vint(d, pos, True)
    size, b = _vint(d, pos + a, False)
    return eid, pos + a + b, None if size == (1 << 7 * b) - 1 else size


def _webm(d: bytes, strict: bool) -> None:
    _, start, size = _element(d, 0)
    if size is None or start + size > len(d):
        raise MalformedMedia("truncated WebM: it ends inside its EBML header")
    doctype, pos = b"", start
    while pos < start + size:
        eid, body, n = _element(d, pos)
        if n is None or body + n > start + size:
            raise MalformedMedia("corrupt WebM: an EBML header element does not fit")
        doctype = d[body : body + n].rstrip(b"\x00") if eid == _EBML_DOCTYPE else doctype
        pos = body + n
    if doctype != b"webm":
        raise MalformedMedia(f"an EBML file of doctype {doctype.decode('latin-1')!r}, not WebM")
    if not strict:
        return None
    eid, body, n = _element(d, pos)
    if eid != _SEGMENT:
        raise MalformedMedia("malformed WebM: no Segment after the EBML header")
    end = len(d) if n is None else body + n
    if end > len(d):
        raise _cut("WebM", "the Segment", n, len(d) - body)
    seen, pos = set(), body
    while pos < end:
        eid, body, n = _element(d, pos)
        seen.add(eid)
        if n is None:
            break  # a live stream's Cluster of unknown size runs to the end
        if body + n > end:
            raise _cut("WebM", f"the element at byte {pos}", n, end - body)
        pos = body + n
    if _TRACKS not in seen or _CLUSTER not in seen:
        raise MalformedMedia(f"malformed WebM: no {'Tracks' if _TRACKS not in seen else 'Cluster'}")
    return None


_HEIF, _MP4 = _bmff(("meta",)), _bmff(("moov", "mdat"))
_PARSERS: dict[str, Callable[[bytes, bool], Size | None]] = {"png": _png, "jpeg": _jpeg}
_PARSERS.update(webp=_webp, gif=_gif, bmp=_bmp, tiff=_tiff, webm=_webm, mp4=_MP4, mov=_MP4)
_PARSERS.update(heic=_HEIF, heif=_HEIF, avif=_HEIF)
