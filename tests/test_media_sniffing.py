"""Media are identified and checked by content before anything is sent: ``reelkit.sniffing``
(format detection, structure, ``check_iso_bmff``) and ``reelkit.media.to_media``."""

from __future__ import annotations

import base64
import contextlib
import io
import os
import random
import struct
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

from reelkit import sniffing
from reelkit.errors import InvalidRequest
from reelkit.media import sniff, to_media
from reelkit.models import Media
from reelkit.sniffing import MalformedMedia, check_iso_bmff, identify, probe

# --- builders: minimal valid files, made in code -------------------------------------------


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 4, height: int = 3) -> bytes:
    raw = (b"\x00" + b"\x10\x20\x30" * width) * height
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def segment(marker: int, body: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(body) + 2) + body


def jpeg(width: int = 8, height: int = 6) -> bytes:
    app0 = segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    sof0 = segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
    sos = segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    return b"\xff\xd8" + app0 + sof0 + sos + b"\x12\x34\xff\x00\x56" + b"\xff\xd9"


def riff(*chunks: bytes) -> bytes:
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def webp_chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + (b"\x00" if len(data) % 2 else b"")


def vp8(width: int, height: int) -> bytes:
    frame = b"\x10\x02\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height) + b"\x00" * 8
    return webp_chunk(b"VP8 ", frame)


def webp_lossy(width: int = 16, height: int = 9) -> bytes:
    return riff(vp8(width, height))


def webp_lossless(width: int = 5, height: int = 7) -> bytes:
    bits = (width - 1) | (height - 1) << 14
    return riff(webp_chunk(b"VP8L", b"\x2f" + struct.pack("<I", bits) + b"\x00" * 5))


def webp_extended(width: int = 300, height: int = 200) -> bytes:
    vp8x = (
        b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    )
    return riff(webp_chunk(b"VP8X", vp8x), vp8(width, height))


def gif(width: int = 3, height: int = 2) -> bytes:
    screen = struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    control = b"\x21\xf9\x04\x00\x00\x00\x00\x00"  # a graphic control extension
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x02\x02\x44\x01\x00"
    return b"GIF89a" + screen + control + image + b"\x3b"


def bmp(width: int = 3, height: int = 2) -> bytes:
    stride = (width * 3 + 3) // 4 * 4
    pixels = b"\x7f" * stride * height
    dib = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    header = b"BM" + struct.pack("<IHHI", 14 + len(dib) + len(pixels), 0, 0, 14 + len(dib))
    return header + dib + pixels


def tiff(width: int = 10, height: int = 20) -> bytes:
    entries = struct.pack("<HHIHH", 256, 3, 1, width, 0) + struct.pack("<HHII", 257, 4, 1, height)
    ifd = struct.pack("<H", 2) + entries + b"\x00\x00\x00\x00"
    return b"II*\x00" + struct.pack("<I", 8) + ifd + b"\x00" * 200


def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def ftyp(brand: bytes = b"isom", *compatible: bytes) -> bytes:
    return box(b"ftyp", brand + b"\x00\x00\x02\x00" + b"".join(compatible or (b"isom", b"mp41")))


MOOV = box(b"moov", box(b"mvhd", b"\x00" * 100))
MDAT = box(b"mdat", b"\x00" * 1000)


def mp4(*boxes: bytes) -> bytes:
    return b"".join(boxes or (ftyp(), MOOV, MDAT))


def ebml(eid: int, data: bytes, unknown: bool = False) -> bytes:
    size = (
        b"\x01\xff\xff\xff\xff\xff\xff\xff" if unknown else b"\x01" + len(data).to_bytes(7, "big")
    )
    return eid.to_bytes((eid.bit_length() + 7) // 8, "big") + size + data


def webm(doctype: bytes = b"webm", cluster: bool = True, unknown: bool = False) -> bytes:
    header = ebml(0x1A45DFA3, ebml(0x4286, b"\x01") + ebml(0x4282, doctype))
    body = ebml(0x1549A966, ebml(0x2AD7B1, b"\x0f\x42\x40")) + ebml(0x1654AE6B, ebml(0xAE, b""))
    if cluster:
        body += ebml(
            0x1F43B675, ebml(0xE7, b"\x00") + ebml(0xA3, b"\x81\x00\x00\x80" + b"\x00" * 20)
        )
    return header + ebml(0x18538067, body, unknown=unknown)


SAMPLES: dict[str, tuple[bytes, tuple[int, int] | None]] = {
    "png": (png(4, 3), (4, 3)),
    "jpeg": (jpeg(8, 6), (8, 6)),
    "webp": (webp_lossy(16, 9), (16, 9)),
    "webp-lossless": (webp_lossless(5, 7), (5, 7)),
    "webp-extended": (webp_extended(300, 200), (300, 200)),
    "gif": (gif(3, 2), (3, 2)),
    "bmp": (bmp(3, 2), (3, 2)),
    "tiff": (tiff(10, 20), (10, 20)),
    "mp4": (mp4(), None),
    "mov": (mp4(ftyp(b"qt  ", b"qt  "), MOOV, MDAT), None),
    "heic": (mp4(ftyp(b"heic", b"mif1", b"heic"), box(b"meta", b"\x00" * 4)), None),
    "avif": (mp4(ftyp(b"avif", b"mif1", b"avif"), box(b"meta", b"\x00" * 4)), None),
    "webm": (webm(), None),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_valid_samples_are_identified_and_measured(name: str) -> None:
    data, size = SAMPLES[name]
    found = probe(data)
    assert found.format == name.split("-")[0]
    assert found.size == size
    assert identify(data) == found
    assert sniff(data) == (sniffing.MIME_TYPES[found.format], size)


@pytest.mark.parametrize("name", [n for n in SAMPLES if n not in ("tiff",)])
def test_every_truncation_is_refused(name: str) -> None:
    data, _ = SAMPLES[name]
    cuts = (
        range(len(data)) if len(data) < 400 else [*range(0, 300), *range(len(data) - 50, len(data))]
    )
    for cut in cuts:
        with pytest.raises(MalformedMedia):
            probe(data[:cut])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"junk", "text"),
        (b"hello, I am a text file\n", "text"),
        (b"\x00\x01\x02\x03garbage", "not a recognised image or video"),
        (png()[:-12], "no IEND"),
        (png()[:45], "truncated PNG"),
        (png().replace(b"IDAT", b"IDAX"), "CRC"),  # a critical chunk that fails its CRC
        (jpeg()[:-2], "FFD9"),
        (jpeg()[:30], "truncated JPEG"),
        (b"\xff\xd8" + segment(0xE0, b"JFIF\x00") + b"\xff\xd9", "no SOS"),
        (
            b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 0, 5, 8, 2, 0, 0, 0)),
            "0x5",
        ),
        (riff(webp_chunk(b"ABCD", b"x" * 20)), "unknown first chunk"),
        (webp_lossy()[:-4], "truncated WebP"),
        (gif()[:-1], "trailer"),
        (bmp()[:-3], "truncated BMP"),
        (b"II*\x00" + struct.pack("<I", 5000), "TIFF"),
        (mp4(ftyp(), MOOV, MDAT[:-100]), "truncated: box 'mdat' declares 1008 bytes, 908 remain"),
        (mp4(ftyp(), MDAT), "no 'moov'"),
        (webm(b"matroska"), "doctype 'matroska'"),
        (webm(cluster=False), "no Cluster"),
        (webm()[:-10], "truncated WebM"),
    ],
)
def test_malformed_data_is_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(MalformedMedia, match=message.replace("(", r"\(").replace(")", r"\)")):
        probe(data)


def test_jpeg_with_fill_bytes_restart_markers_and_trailing_data() -> None:
    data = jpeg()
    padded = data[:2] + b"\xff\xff" + data[2:] + b"trailing bytes after EOI"
    assert probe(padded).size == (8, 6)
    assert probe(data.replace(b"\xff\xda", b"\xff\xd0\xff\xda", 1)).size == (8, 6)


def test_unknown_size_webm_segment_and_heif_brands() -> None:
    assert probe(webm(unknown=True)).format == "webm"
    heif = mp4(ftyp(b"mif1", b"mif1"), box(b"meta", b"\x00" * 4))
    assert probe(heif).format == "heif"
    assert probe(mp4(ftyp(b"mif1", b"mif1", b"heic"), box(b"meta"))).format == "heic"
    assert probe(mp4(ftyp(b"mif1", b"mif1", b"avif"), box(b"meta"))).format == "avif"


def test_lenient_sniff_keeps_header_only_answers() -> None:
    """``sniff``, which plugins call, reads magic and headers and never raises."""
    header_only = png(36, 64)[:33]
    assert sniff(header_only) == ("image/png", (36, 64))
    assert sniff(b"\xff\xd8jpeg") == ("image/jpeg", None)
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == ("image/webp", None)
    assert sniff(b"\x00\x00\x00\x18ftypmp42") == ("video/mp4", None)
    assert sniff(b"") == (None, None)
    assert sniff(b"BM" + b"\x00" * 64) == (None, None)  # not a BMP header: left to the plugin
    assert sniff(memoryview(png(2, 2))) == ("image/png", (2, 2))


@pytest.mark.parametrize("name", SAMPLES)
def test_hostile_mutations_never_crash(name: str) -> None:
    """Flipped bytes, cuts and garbage: MalformedMedia or a result, never another exception."""
    data, _ = SAMPLES[name]
    rng = random.Random(f"mutate-{name}")
    for _ in range(300):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(mutated))
            mutated[at] = rng.choice((0, 0xFF, 0x7F, rng.randrange(256)))
        if rng.random() < 0.3:
            mutated = mutated[: rng.randrange(1, len(mutated) + 1)]
        blob = bytes(mutated)
        identify(blob)
        sniff(blob)
        with contextlib.suppress(MalformedMedia):
            probe(blob)


def test_fuzzed_bytes_never_crash() -> None:
    hypothesis = pytest.importorskip("hypothesis")
    strategies = pytest.importorskip("hypothesis.strategies")
    prefixes = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8", b"RIFF\x00\x00\x00\x00WEBP", b"GIF89a"]
    prefixes += [b"BM", b"II*\x00", b"MM\x00*", b"\x00\x00\x00\x10ftyp", b"\x1a\x45\xdf\xa3"]

    @hypothesis.settings(max_examples=300, deadline=None, database=None)
    @hypothesis.given(strategies.sampled_from(prefixes), strategies.binary(max_size=200))
    def run(prefix: bytes, tail: bytes) -> None:
        identify(prefix + tail)
        with contextlib.suppress(MalformedMedia):
            probe(prefix + tail)
        check_iso_bmff(prefix + tail)

    run()


# --- real encoders (optional) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("PNG", {}),
        ("JPEG", {}),
        ("JPEG", {"progressive": True, "quality": 40}),
        ("WEBP", {"lossless": True}),
        ("WEBP", {"quality": 50}),
        ("GIF", {}),
        ("BMP", {}),
        ("TIFF", {}),
    ],
)
def test_images_from_a_real_encoder(fmt: str, options: dict[str, Any]) -> None:
    image_module = pytest.importorskip("PIL.Image")
    buffer = io.BytesIO()
    image_module.new("RGB", (37, 21), (200, 30, 90)).save(buffer, fmt, **options)
    data = buffer.getvalue()
    assert probe(data) == (fmt.lower(), (37, 21))
    if fmt != "TIFF":  # a TIFF's directory may come first: its pixels are not checked
        for cut in (len(data) // 3, len(data) // 2, len(data) - 1):
            with pytest.raises(MalformedMedia):
                probe(data[:cut])


def encode_video(path: Path, container: str, codec: str, **options: str) -> bytes:
    av = pytest.importorskip("av")
    numpy = pytest.importorskip("numpy")
    with av.open(str(path), "w", format=container, container_options=options) as out:
        stream = out.add_stream(codec, rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(
                numpy.full((32, 32, 3), i * 40, dtype=numpy.uint8), format="rgb24"
            )
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path.read_bytes()


@pytest.mark.parametrize(
    ("suffix", "container", "codec", "options", "fmt"),
    [
        (".mp4", "mp4", "mpeg4", {}, "mp4"),
        (".mp4", "mp4", "mpeg4", {"movflags": "frag_keyframe+empty_moov"}, "mp4"),
        (".mov", "mov", "mpeg4", {}, "mov"),
        (".webm", "webm", "libvpx", {}, "webm"),
    ],
)
def test_videos_from_a_real_muxer(
    tmp_path: Path, suffix: str, container: str, codec: str, options: dict[str, str], fmt: str
) -> None:
    path = tmp_path / f"clip{suffix}"
    data = encode_video(path, container, codec, **options)
    assert probe(data).format == fmt
    if fmt != "webm":
        assert check_iso_bmff(path) is None
        assert check_iso_bmff(data) is None
        assert "truncated" in (check_iso_bmff(data[:-7]) or "")
    media = to_media(str(path), "video")
    assert (media.mime_type, media.name, media.data) == (sniffing.MIME_TYPES[fmt], path.name, data)
    with pytest.raises(MalformedMedia):
        probe(data[: len(data) - 7])


# --- check_iso_bmff ---------------------------------------------------------------------------


def test_check_iso_bmff_accepts_sound_structures() -> None:
    assert check_iso_bmff(mp4()) is None
    assert check_iso_bmff(bytearray(mp4())) is None
    assert check_iso_bmff(memoryview(mp4())) is None
    to_end = b"\x00\x00\x00\x00mdat" + b"\x00" * 500  # size 0: "to the end of the file"
    assert check_iso_bmff(mp4(ftyp(), MOOV, to_end)) is None
    large = struct.pack(">I4sQ", 1, b"mdat", 16 + 300) + b"\x00" * 300  # a 64-bit largesize
    assert check_iso_bmff(mp4(ftyp(), large, MOOV, box(b"free"))) is None


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty (0 bytes)"),
        (MOOV + ftyp() + MDAT, "does not start with an 'ftyp' box"),
        (mp4(ftyp(), MOOV, MDAT[:-7]), "truncated: box 'mdat' declares 1008 bytes, 1001 remain"),
        (mp4(ftyp(), MOOV), "incomplete: no 'mdat' box"),
        (mp4(ftyp(), MDAT), "incomplete: no 'moov' box"),
        (mp4() + b"\x00\x00\x00", "truncated: 3 stray bytes after box 'mdat'"),
        (mp4() + b"\x00\x00\x00\x10\x00\x01\x02\x03" + b"\x00" * 8, "corrupt: no box header"),
        (mp4(ftyp(), MOOV, b"\x00\x00\x00\x04mdat"), "less than its own header"),
        (mp4(ftyp(), MOOV, struct.pack(">I4s", 1, b"mdat") + b"\x00" * 4), "64-bit size"),
        (
            mp4(ftyp(), MOOV, struct.pack(">I4sQ", 1, b"mdat", 2**40)),
            "truncated: box 'mdat' declares 1099511627776 bytes, 16 remain",
        ),
    ],
)
def test_check_iso_bmff_describes_each_problem(data: bytes, problem: str) -> None:
    found = check_iso_bmff(data)
    assert found is not None and problem in found
    assert "\n" not in found


def test_check_iso_bmff_seeks_box_headers_without_loading_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.mp4"
    size = 600 * 1024 * 1024  # sparse: the test writes a few hundred bytes
    with path.open("wb") as f:
        f.write(ftyp() + MOOV + struct.pack(">I4s", 0, b"mdat"))
        f.truncate(size)
    read: list[int] = []
    real_open = open

    class Counting(io.BufferedReader):
        def read(self, n: int | None = -1) -> bytes:
            data = super().read(n)
            read.append(len(data))
            return data

    def counting_open(file: Any, mode: str = "rb") -> Any:
        assert mode == "rb"
        return Counting(real_open(file, "rb", buffering=0))

    monkeypatch.setattr(sniffing, "open", counting_open, raising=False)
    assert check_iso_bmff(path) is None
    assert sum(read) < 1024
    monkeypatch.undo()
    cut = tmp_path / "cut.mp4"
    with cut.open("wb") as f:
        f.write(ftyp() + MOOV + struct.pack(">I4s", 5242880, b"mdat"))
        f.truncate(len(ftyp() + MOOV) + 1747627)
    assert check_iso_bmff(cut) == "truncated: box 'mdat' declares 5242880 bytes, 1747627 remain"


def test_check_iso_bmff_on_paths(tmp_path: Path) -> None:
    good = tmp_path / "good.mp4"
    good.write_bytes(mp4())
    assert check_iso_bmff(good) is None
    assert check_iso_bmff(str(good)) is None
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(mp4()[:-500])
    assert check_iso_bmff(cut) == "truncated: box 'mdat' declares 1008 bytes, 508 remain"
    assert (check_iso_bmff(tmp_path / "missing.mp4") or "").startswith("unreadable")
    assert (check_iso_bmff(tmp_path) or "").startswith("unreadable")


# --- to_media ----------------------------------------------------------------------------------


def refused(value: Any, field: str = "first_frame", **kwargs: Any) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        to_media(value, field, **kwargs)
    assert caught.value.field == field
    assert caught.value.allowed
    return caught.value


def test_local_images_are_read_and_measured(tmp_path: Path) -> None:
    path = tmp_path / "frame.png"
    path.write_bytes(png(64, 36))
    for value in (str(path), path, png(64, 36), bytearray(png(64, 36)), memoryview(png(64, 36))):
        media = to_media(value, "first_frame")
        assert (media.mime_type, media.width, media.height) == ("image/png", 64, 36)
    assert to_media(path, "first_frame").name == "frame.png"
    odd = tmp_path / "upload.bin"  # an extension that names no format: the content decides
    odd.write_bytes(jpeg(8, 6))
    assert to_media(str(odd), "reference_images").mime_type == "image/jpeg"
    plain = tmp_path / "frame"
    plain.write_bytes(gif())
    assert to_media(str(plain), "last_frame").format == "gif"


def test_bad_local_files_are_refused_naming_the_field(tmp_path: Path) -> None:
    text = tmp_path / "notes.png"
    text.write_text("not an image at all\n")
    assert "text" in str(refused(str(text)))
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    assert "empty (0 bytes)" in str(refused(str(empty)))
    cut = tmp_path / "cut.png"
    cut.write_bytes(png()[:-12])
    assert "no IEND" in str(refused(str(cut)))
    no_eoi = tmp_path / "no_eoi.jpg"
    no_eoi.write_bytes(jpeg()[:-2])
    error = refused(str(no_eoi), "reference_images[1]")
    assert "no_eoi.jpg" in str(error) and "FFD9" in str(error) and "png" in str(error.allowed)


def test_mislabelled_files_are_refused(tmp_path: Path) -> None:
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(png())
    error = refused(str(fake))
    assert "mislabelled" in str(error) and "JPEG" in str(error) and "PNG" in str(error)
    clip = tmp_path / "clip.mov"  # an MP4 named .mov (and the reverse) is one family: fine
    clip.write_bytes(mp4())
    assert to_media(str(clip), "video").mime_type == "video/mp4"
    still = tmp_path / "still.webm"
    still.write_bytes(webp_lossy())
    assert "an image (WEBP), not a video" in str(refused(str(still), "video"))


def test_the_kind_of_medium_follows_the_field() -> None:
    assert "a video (MP4), not an image" in str(refused(mp4(), "first_frame"))
    assert "an image (PNG), not a video" in str(refused(png(), "video"))
    assert "an image" in str(refused(png(), "video"))
    assert to_media(png(), "anything").format == "png"  # an unknown field takes either
    assert to_media(mp4(), "anything").format == "mp4"
    assert to_media(mp4(), "first_frame", kind="video").format == "mp4"


def test_paths_that_are_not_files(tmp_path: Path) -> None:
    assert "is a directory" in str(refused(str(tmp_path)))
    assert "is a directory" in str(refused(tmp_path))
    assert "no such file" in str(refused(str(tmp_path / "missing.png")))
    assert "no such file" in str(refused("C:\\frames\\a.png"))  # a drive letter, not a scheme
    assert "no such file" in str(refused(str(tmp_path / "missing.png" / "below")))
    assert "cannot read" in str(refused(str(tmp_path / "nul\x00.png")))
    assert "cannot read" in str(refused("x" * 5000 + ".png"))  # ENAMETOOLONG
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.png"
        os.mkfifo(fifo)
        assert "not a regular file" in str(refused(str(fifo)))  # reading it would block


def test_an_unreadable_file_names_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.png"
    path.write_bytes(png())

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    error = refused(str(path))
    assert str(path) in str(error) and "permission denied" in str(error)


@pytest.mark.skipif(
    sys.platform == "win32" or (hasattr(os, "geteuid") and os.geteuid() == 0),
    reason="permission bits do not stop root",
)
def test_an_unreadable_file_by_permission_bits(tmp_path: Path) -> None:
    path = tmp_path / "locked.png"
    path.write_bytes(png())
    path.chmod(0)
    try:
        assert "permission denied" in str(refused(str(path)))
    finally:
        path.chmod(0o600)


@pytest.mark.parametrize(
    ("value", "scheme"),
    [
        ("ftp://example.com/a.png", "ftp"),
        ("file:///srv/a.png", "file"),
        ("javascript:alert(1)", "javascript"),
        ("s3://bucket/a.png", "s3"),
        ("blob:https://example.com/1234", "blob"),
    ],
)
def test_other_url_schemes_are_refused_by_name(value: str, scheme: str) -> None:
    error = refused(value)
    assert f"scheme {scheme!r} is not supported" in str(error)
    assert error.allowed == "a local file path, an http(s) URL, a data: URL or bytes"
    assert "scheme" in str(refused(Media(url=value)))


def test_a_file_whose_name_looks_like_a_scheme_is_still_a_file(tmp_path: Path) -> None:
    (tmp_path / "shot:1.png").write_bytes(png())
    assert to_media("shot:1.png", "first_frame").format == "png"  # tests run in tmp_path


def test_http_urls_are_checked_by_shape_only() -> None:
    media = to_media("https://example.com/cat.png?x=1", "first_frame")
    assert (media.url, media.mime_type, media.data) == (
        "https://example.com/cat.png?x=1",
        "image/png",
        None,
    )
    assert to_media("HTTPS://EXAMPLE.COM/a.jpg", "first_frame").mime_type == "image/jpeg"
    assert to_media("https://cdn.example.com/get?id=3", "video").mime_type is None
    assert "not a valid URL" in str(refused("http://"))
    assert "not a valid URL" in str(refused("https://[::1/a.png"))
    assert "spaces" in str(refused("https://example.com/a b.png"))
    assert "a video (MP4), not an image" in str(refused("https://example.com/clip.mp4"))
    given = Media(url="https://example.com/a.png", mime_type="image/png", width=10, height=10)
    assert to_media(given, "first_frame") is given


def test_data_urls_are_decoded_and_checked() -> None:
    encoded = base64.b64encode(png(5, 4)).decode()
    media = to_media(f"data:image/png;base64,{encoded}", "first_frame")
    assert (media.data, media.width, media.height) == (png(5, 4), 5, 4)
    wrapped = "\n".join(encoded[i : i + 20] for i in range(0, len(encoded), 20))
    assert to_media(f"data:image/png;base64,{wrapped}", "first_frame").data == png(5, 4)
    assert to_media(f"data:;base64,{encoded}", "first_frame").format == "png"
    assert to_media(f"data:application/octet-stream;base64,{encoded}", "x").format == "png"
    junk = base64.b64encode(b"junk junk junk").decode()
    assert "text" in str(refused(f"data:image/png;base64,{junk}"))
    assert "base64" in str(refused("data:image/png;base64,@@@"))
    assert "base64-encoded" in str(refused("data:image/png,plain"))
    assert "empty" in str(refused("data:image/png;base64,"))
    error = refused(f"data:image/jpeg;base64,{encoded}")
    assert "mislabelled" in str(error) and "'image/jpeg'" in str(error)
    from_media = to_media(Media(url=f"data:image/png;base64,{encoded}", name="x"), "first_frame")
    assert (from_media.data, from_media.name) == (png(5, 4), "x")


def test_media_objects_are_checked_like_bytes() -> None:
    assert "text" in str(refused(Media(data=b"junk")))
    assert "mislabelled" in str(refused(Media(data=png(), mime_type="image/jpeg")))
    assert "mislabelled" in str(refused(Media(data=png(), name="a.webp")))
    assert "not a URL" in str(refused(Media(url="frame.png")))
    media = to_media(Media(data=png(6, 2), mime_type="image/png", width=999), "first_frame")
    assert (media.width, media.height, media.mime_type) == (6, 2, "image/png")
    assert to_media(Media(data=jpeg(), mime_type="image/jpg"), "first_frame").format == "jpeg"


@pytest.mark.parametrize("value", [12, 1.5, None, True, ["a.png"], {"url": "x"}, object()])
def test_values_that_are_no_medium(value: Any) -> None:
    error = refused(value)
    assert "is not an image or video input" in str(error)


def test_empty_strings_are_refused() -> None:
    assert "empty string" in str(refused(""))
    assert "empty string" in str(refused("   "))
