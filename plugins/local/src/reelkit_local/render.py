"""Render a real H.264 MP4 offline: a title card, a Ken Burns move or a cross-fade.

This is the engine behind the ``local`` provider (and the emulator's served videos). It knows
nothing about HTTP or reelkit's hooks: ``render_mp4(path, RenderSpec(...))`` writes one file.

PyAV, numpy and Pillow are imported inside the functions that use them, so importing this
module (and ``reelkit_local``) stays cheap.

Guarantees, which the tests measure by decoding the output:

* exactly ``round(duration * fps)`` frames at a constant ``fps``, so the container's duration
  is the requested one (within one frame);
* exactly ``width`` x ``height`` pixels (both must be even: yuv420p halves the chroma planes);
* H.264 (libx264), yuv420p, ``moov`` atom first (``+faststart``), playable everywhere;
* the same spec always renders the same picture (seeded by ``seed``, else by the prompt);
* the file appears atomically: rendered to a temporary file beside it, then renamed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import math
import os
import random
import re
import unicodedata
import uuid
from collections.abc import Callable, Generator, Iterator
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import frozen

if TYPE_CHECKING:
    from PIL import Image as PILImage
    from PIL import ImageFont

__all__ = ["MAX_DIMENSION", "RenderSpec", "frame_count", "render_mp4"]

#: Longest side accepted; 4K-class sizes still encode, anything beyond is a mistake.
MAX_DIMENSION = 4096
#: x264 presets: "superfast" up to 720p (files about half the size of "ultrafast"); above that
#: "ultrafast", which cuts encoding time by ~40% where frames are big and time matters more than
#: bytes. Either keeps 5 s of video to a few seconds on two cores.
PRESET = "superfast"
LARGE_PRESET = "ultrafast"
LARGE_PIXELS = 1280 * 720
CRF = "23"


@frozen
class RenderSpec:
    """What to render. ``first_frame`` / ``last_frame`` are encoded image bytes (JPEG, PNG, WebP)."""

    prompt: str
    duration: float
    fps: int
    width: int
    height: int
    first_frame: bytes | None = None
    last_frame: bytes | None = None
    seed: int | None = None

    def __attrs_post_init__(self) -> None:
        # ValueError (not a reelkit error): this module is also used outside reelkit's hooks.
        if not (isinstance(self.fps, int) and 1 <= self.fps <= 120):
            raise ValueError(f"fps must be an integer in 1..120, got {self.fps!r}")
        if not (math.isfinite(self.duration) and self.duration > 0):
            raise ValueError(
                f"duration must be a positive number of seconds, got {self.duration!r}"
            )
        if frame_count(self.duration, self.fps) < 1:
            raise ValueError(f"duration {self.duration} s at {self.fps} fps is less than one frame")
        for name, value in (("width", self.width), ("height", self.height)):
            if not isinstance(value, int) or value < 16 or value > MAX_DIMENSION or value % 2:
                raise ValueError(
                    f"{name} must be an even integer in 16..{MAX_DIMENSION}, got {value!r}"
                )
        if self.last_frame is not None and self.first_frame is None:
            raise ValueError("a last_frame needs a first_frame")

    @property
    def frames(self) -> int:
        return frame_count(self.duration, self.fps)

    @property
    def mode(self) -> str:
        if self.first_frame is None:
            return "t2v"
        return "i2v" if self.last_frame is None else "first_last"

    def effective_seed(self) -> int:
        """The seed that drives every random choice: ``seed``, else a hash of the prompt."""
        if self.seed is not None:
            return self.seed
        return int.from_bytes(hashlib.sha256(self.prompt.encode()).digest()[:8], "big")


def frame_count(duration: float, fps: int) -> int:
    """Frames for ``duration`` seconds: the nearest whole number, so the file lasts as asked."""
    return round(duration * fps)


def render_mp4(
    path: Path,
    spec: RenderSpec,
    progress: Callable[[float], None] | None = None,
) -> None:
    """Render ``spec`` to an MP4 at ``path`` (atomically). ``progress`` gets 0..1 as frames encode.

    An exception raised by ``progress`` aborts the render (that is how callers cancel); the
    temporary file is removed and ``path`` is left untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A unique name beside the target (same filesystem, so the rename is atomic), created by
    # the muxer itself so the file gets the usual permissions rather than mkstemp's 0600.
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.part")
    try:
        _encode(tmp, spec, progress)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(1.0)


# --- encoding -------------------------------------------------------------------------------


def _encode(path: Path, spec: RenderSpec, progress: Callable[[float], None] | None) -> None:
    import av

    total = spec.frames
    if progress is not None:
        progress(0.0)
    # "+faststart" moves the index to the front so players can start before the end arrives.
    with av.open(str(path), mode="w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("libx264", rate=spec.fps)
        stream.width = spec.width
        stream.height = spec.height
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = Fraction(1, spec.fps)
        stream.codec_context.gop_size = spec.fps * 2  # a keyframe every 2 s keeps seeking cheap
        large = spec.width * spec.height > LARGE_PIXELS
        stream.options = {"preset": LARGE_PRESET if large else PRESET, "crf": CRF}
        # Pillow and x264 both release the GIL: drawing the next frames in a thread while this
        # one encodes roughly halves the wall time on two cores.
        with contextlib.closing(_prefetch(_video_frames(spec))) as frames:
            for index, frame in enumerate(frames):
                frame.pts = index
                frame.time_base = Fraction(1, spec.fps)
                out.mux(stream.encode(frame))
                if progress is not None:
                    # The last few percent belong to the flush and the rename.
                    progress(0.98 * (index + 1) / total)
        out.mux(stream.encode(None))


def _video_frames(spec: RenderSpec) -> Iterator[Any]:
    import av

    for image in _frames(spec):
        yield av.VideoFrame.from_image(image)  # type: ignore[no-untyped-call]


_DONE = object()


def _prefetch(items: Iterator[Any], depth: int = 4) -> Generator[Any, None, None]:
    """Run ``items`` in a helper thread, ``depth`` ahead; errors surface here, in order."""
    import queue
    import threading

    buffer: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(entry: tuple[Any, BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                buffer.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False  # the consumer is gone

    def produce() -> None:
        try:
            for item in items:
                if not offer((item, None)):
                    return
            offer((_DONE, None))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            offer((_DONE, exc))

    worker = threading.Thread(target=produce, name="reelkit-local-frames", daemon=True)
    worker.start()
    try:
        while True:
            item, error = buffer.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        worker.join()


def _frames(spec: RenderSpec) -> Iterator[PILImage.Image]:
    if spec.first_frame is None:
        return _title_card(spec)
    if spec.last_frame is None:
        return _ken_burns(spec, spec.first_frame)
    return _cross_fade(spec, spec.first_frame, spec.last_frame)


def _timeline(total: int) -> Iterator[tuple[int, float]]:
    """(index, t) with t running 0..1 over the clip (0 for a single frame)."""
    for index in range(total):
        yield index, (index / (total - 1) if total > 1 else 0.0)


def _ease(t: float) -> float:
    """Smoothstep: starts and ends at rest, like a camera operator would."""
    t = min(max(t, 0.0), 1.0)
    return t * t * (3 - 2 * t)


# --- text to video: an animated title card --------------------------------------------------


def _title_card(spec: RenderSpec) -> Iterator[PILImage.Image]:
    rng = random.Random(spec.effective_seed())
    width, height = spec.width, spec.height
    backdrop = _Backdrop(rng, width, height)
    title = _Title(spec.prompt, width, height)
    label = _label_mask(spec, width, height)
    fade_frames = max(1, min(int(0.8 * spec.fps), spec.frames // 4))
    for index, t in _timeline(spec.frames):
        frame = backdrop.frame(index / spec.fps)
        # Gentle zoom of the text (96% -> 104%) and a fade-in that never starts from nothing,
        # so a thumbnail taken from the first frame still shows the prompt.
        title.draw(frame, scale=0.96 + 0.08 * t, alpha=0.3 + 0.7 * _ease(index / fade_frames))
        frame.paste((255, 255, 255), (0, height - label.height), label)
        yield frame


def _palette(rng: random.Random) -> tuple[tuple[float, float, float], ...]:
    """Three dark, saturated colours (0..255) around a seeded hue: white text stays readable."""
    import colorsys

    hue = rng.random()
    spread = rng.uniform(0.08, 0.3)
    colours = (
        colorsys.hsv_to_rgb(hue, rng.uniform(0.55, 0.8), rng.uniform(0.3, 0.42)),
        colorsys.hsv_to_rgb((hue + spread) % 1, rng.uniform(0.6, 0.9), rng.uniform(0.14, 0.24)),
        colorsys.hsv_to_rgb((hue - spread / 2) % 1, rng.uniform(0.4, 0.7), rng.uniform(0.5, 0.62)),
    )
    return tuple((r * 255, g * 255, b * 255) for r, g, b in colours)


class _Backdrop:
    """A slowly drifting, breathing gradient.

    Two oversized gradient plates are drawn once; each frame crops both on slow Lissajous paths
    and blends them with a slowly changing weight. Smooth plates hide whole-pixel steps, so
    this looks continuous at a fraction of the cost of drawing every frame afresh.
    """

    MARGIN = 1.25  # plates are this much larger than the frame: room to drift

    def __init__(self, rng: random.Random, width: int, height: int) -> None:
        self.width, self.height = width, height
        palette = _palette(rng)
        self.plates = [self._plate(rng, palette, reverse) for reverse in (False, True)]
        self.paths = [
            (rng.uniform(0.2, 0.35), rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi))
            for _ in self.plates
        ]
        self.phase = rng.uniform(0, 2 * math.pi)

    def _plate(
        self,
        rng: random.Random,
        palette: tuple[tuple[float, float, float], ...],
        reverse: bool,
    ) -> PILImage.Image:
        import numpy as np
        from PIL import Image

        pw, ph = (math.ceil(side * self.MARGIN) for side in (self.width, self.height))
        # Drawn on a grid eight times coarser, then scaled up once: the field is smooth.
        gw, gh = max(2, pw // 8), max(2, ph // 8)
        longest = max(pw, ph)
        x = np.linspace(-1.0, 1.0, gw, dtype=np.float32)[None, :] * (pw / longest)
        y = np.linspace(-1.0, 1.0, gh, dtype=np.float32)[:, None] * (ph / longest)
        angle = rng.uniform(0, 2 * math.pi)
        mix = np.clip(0.5 + 0.6 * (x * math.cos(angle) + y * math.sin(angle)), 0.0, 1.0)
        cx, cy = rng.uniform(-0.5, 0.5), rng.uniform(-0.3, 0.3)
        glow = 0.5 * np.exp(-((x - cx) ** 2) / 0.2) * np.exp(-((y - cy) ** 2) / 0.2)
        a, b, c = (np.asarray(colour, dtype=np.float32) for colour in palette)
        if reverse:
            a, b = b, a
        rgb = a + mix[..., None] * (b - a)
        rgb += glow[..., None] * (c - rgb)
        small = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")
        return small.resize((pw, ph), Image.Resampling.BILINEAR)

    def frame(self, seconds: float) -> PILImage.Image:
        from PIL import Image

        shots = []
        for plate, (speed, phase_x, phase_y) in zip(self.plates, self.paths, strict=True):
            room_x, room_y = plate.width - self.width, plate.height - self.height
            x = round(room_x * (0.5 + 0.5 * math.sin(phase_x + speed * seconds)))
            y = round(room_y * (0.5 + 0.5 * math.sin(phase_y + 0.8 * speed * seconds)))
            shots.append(plate.crop((x, y, x + self.width, y + self.height)))
        weight = 0.5 + 0.4 * math.sin(self.phase + 0.45 * seconds)
        return Image.blend(shots[0], shots[1], weight)


class _Title:
    """The prompt, wrapped and as large as fits, drawn white over a soft shadow.

    Kept as two masks (text, shadow) rather than an RGBA image: resizing and pasting single
    bands is several times cheaper, and the zoom resizes the text every frame.
    """

    def __init__(self, prompt: str, width: int, height: int) -> None:
        from PIL import Image, ImageDraw, ImageFilter

        self.width, self.height = width, height
        text = " ".join(prompt.split()) or " "
        box_w, box_h = int(width * 0.8), int(height * 0.6)
        size = max(12, height // 9)
        minimum = max(10, height // 40)
        glyphs = "国" if _has_wide(text) else ""  # picks the font; scanned once, not per size
        while True:
            font = _font(size, glyphs)
            spacing = round(size * 0.25)
            line_h = _line_height(font)
            max_lines = max(1, (box_h + spacing) // (line_h + spacing))
            # One line more than fits is enough to know the text overflows: the layout costs
            # what can be drawn, not what was pasted (a 100 KB prompt is laid out as fast).
            lines = _wrap(text, font, box_w, limit=max_lines + 1)
            block_h = len(lines) * line_h + (len(lines) - 1) * spacing
            if block_h <= box_h or size <= minimum:
                break
            size = max(minimum, int(size * 0.9))
        if len(lines) > max_lines:  # only the picture is shortened; the request keeps its prompt
            lines = lines[:max_lines]
            lines[-1] = _shorten(lines[-1] + " …", font, box_w)
            block_h = len(lines) * line_h + (len(lines) - 1) * spacing
        pad = max(4, size // 4)
        mask_w = max(round(font.getlength(line)) for line in lines) + 2 * pad
        self.text = Image.new("L", (mask_w, block_h + 2 * pad), 0)
        shadow = Image.new("L", self.text.size, 0)
        offset = max(1, size // 24)
        for number, line in enumerate(lines):
            x = (mask_w - font.getlength(line)) / 2
            y = pad + number * (line_h + spacing)
            ImageDraw.Draw(shadow).text((x + offset, y + offset), line, font=font, fill=190)
            ImageDraw.Draw(self.text).text((x, y), line, font=font, fill=255)
        self.shadow = shadow.filter(ImageFilter.GaussianBlur(max(1, size // 10)))
        self._shadows: dict[int, PILImage.Image] = {}

    def draw(self, frame: PILImage.Image, *, scale: float, alpha: float) -> None:
        from PIL import Image

        size = (max(1, round(self.text.width * scale)), max(1, round(self.text.height * scale)))
        at = ((self.width - size[0]) // 2, (self.height - size[1]) // 2)
        text = self.text.resize(size, Image.Resampling.BILINEAR)
        # The blurred shadow only changes size every quarter percent: nobody sees it step.
        key = round(scale * 400)
        shadow = self._shadows.get(key)
        if shadow is None:
            shadow = self._shadows[key] = self.shadow.resize(size, Image.Resampling.BILINEAR)
        if shadow.size != size:
            shadow = shadow.resize(size, Image.Resampling.NEAREST)
        if alpha < 0.999:
            lut = [round(v * alpha) for v in range(256)]
            text, shadow = text.point(lut), shadow.point(lut)
        frame.paste((0, 0, 0), at, shadow)
        frame.paste((255, 255, 255), at, text)


def _label_mask(spec: RenderSpec, width: int, height: int) -> PILImage.Image:
    """A quiet footer saying what this is, so nobody mistakes it for a model's output."""
    from PIL import Image, ImageDraw

    size = max(10, min(width, height) // 40)
    font = _font(size, "")
    text = f"reelkit local render · {width}x{height} · {spec.fps} fps · {spec.duration:g} s"
    # Only as wide as the text: pasting through a mask costs per pixel, every frame.
    mask = Image.new("L", (min(width, round(font.getlength(text)) + 2 * size), size * 3), 0)
    ImageDraw.Draw(mask).text((size, size), text, font=font, fill=140)
    return mask


def _line_height(font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> int:
    _, top, _, bottom = font.getbbox("Ag国")
    return int(bottom - min(top, 0)) + 2


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _has_wide(text: str) -> bool:
    return any(map(_is_wide, set(text)))


_WORD = re.compile(r"[^ ]+")


def _tokens(text: str, cap: int) -> Iterator[tuple[str, bool, bool]]:
    """Words, with East Asian characters as words of their own, lazily: (token, space before
    it, glued). A run longer than ``cap`` characters comes in pieces of ``cap``, each after the
    first ``glued`` to the one before (no break opportunity between them)."""
    for word_index, match in enumerate(_WORD.finditer(text)):
        space, glued = word_index > 0, False
        run: list[str] = []
        for index in range(match.start(), match.end()):
            char = text[index]
            if _is_wide(char):
                if run:
                    yield "".join(run), space, glued
                    space, run = False, []
                yield char, space, False
                space, glued = False, False
                continue
            run.append(char)
            if len(run) >= cap:
                yield "".join(run), space, glued
                space, glued, run = False, True, []
        if run:
            yield "".join(run), space, glued


def _fits(font: Any, text: str, width: int) -> bool:
    """``font.getlength(text) <= width``, measuring no more than about twice what fits: a prefix
    already too wide settles it."""
    probe = 64
    while probe < len(text):
        if font.getlength(text[:probe]) > width:
            return False
        probe *= 2
    return bool(font.getlength(text) <= width)


def _wrap(text: str, font: Any, width: int, limit: int | None = None) -> list[str]:
    """Greedy word wrap by measured width; a word wider than a line is broken by characters.

    With ``limit``, at most ``limit`` lines: the text beyond them is never measured (nor read).
    """
    lines: list[str] = []
    line = ""
    # A run of `width` characters is wider than `width` pixels (a glyph advances at least one;
    # zero-width marks aside), so longer runs can come in pieces without moving a line break.
    for token, space, glued in _tokens(text, cap=max(1, width)):
        if limit is not None and len(lines) >= limit:
            break
        if not glued:
            candidate = f"{line} {token}" if (line and space) else line + token
            if _fits(font, candidate, width):
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
        for char in token:  # the token alone may still be too wide
            if line and font.getlength(line + char) > width:
                lines.append(line)
                line = ""
                if limit is not None and len(lines) >= limit:
                    break
            line += char
    if line and (limit is None or len(lines) < limit):
        lines.append(line)
    return lines or [""]


def _shorten(line: str, font: Any, width: int) -> str:
    while font.getlength(line) > width and len(line) > 2:
        line = line[:-3].rstrip() + "…"
    return line


_LATIN_FONTS = (
    "DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/Library/Fonts/Arial Bold.ttf",
    "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
)
_WIDE_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:/Windows/Fonts/msyhbd.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


def _font(size: int, text: str) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A bold system font that has the text's glyphs, else Pillow's bundled one."""
    from PIL import ImageFont

    candidates: tuple[str, ...] = _LATIN_FONTS
    if any(map(_is_wide, text)):
        candidates = _WIDE_FONTS + _fontconfig_wide() + _LATIN_FONTS
    for candidate in candidates:
        try:
            return ImageFont.truetype(candidate, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


@functools.lru_cache(maxsize=1)
def _fontconfig_wide() -> tuple[str, ...]:
    """Fonts fontconfig says cover Chinese, Japanese or Korean (bold ones first), if it exists.

    Without one, East Asian prompts render as empty boxes: install e.g. Noto Sans CJK.
    """
    import shutil
    import subprocess

    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ()
    found: list[str] = []
    for lang in ("zh", "ja", "ko"):
        try:
            listed = subprocess.run(
                [fc_list, f":lang={lang}", "file"], capture_output=True, text=True, timeout=5
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return ()
        found += [line.split(":")[0].strip() for line in listed.splitlines() if line.strip()]
    return tuple(sorted(dict.fromkeys(found), key=lambda path: "bold" not in path.lower()))


# --- image to video: Ken Burns and cross-fade -----------------------------------------------

#: How far the camera pushes in, relative to the picture that just covers the frame.
_ZOOM = 1.12


class _Camera:
    """A picture scaled once to cover the frame (with room to zoom), cropped per frame."""

    def __init__(self, data: bytes, width: int, height: int, field: str) -> None:
        from PIL import Image, ImageOps

        try:
            with Image.open(io.BytesIO(data)) as opened:
                picture = ImageOps.exif_transpose(opened).convert("RGB")
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            raise ValueError(f"{field}: not a readable image ({exc})") from None
        cover = max(width / picture.width, height / picture.height) * _ZOOM
        size = (max(1, math.ceil(picture.width * cover)), max(1, math.ceil(picture.height * cover)))
        self.picture = picture.resize(size, Image.Resampling.LANCZOS)
        self.width, self.height = width, height

    def shot(self, zoom: float, pan: tuple[float, float]) -> PILImage.Image:
        """The frame at ``zoom`` (1 = the picture just covers it, up to ``_ZOOM``) and ``pan``.

        ``pan`` is -1..1 per axis: how far toward each edge the window sits within the room the
        zoom leaves, so the window never leaves the picture.
        """
        from PIL import Image

        pw, ph = self.picture.size
        cw, ch = self.width * _ZOOM / zoom, self.height * _ZOOM / zoom
        cx = pw / 2 + pan[0] * (pw - cw) / 2
        cy = ph / 2 + pan[1] * (ph - ch) / 2
        # Clamped: float error must never push the box a hair outside the picture.
        left, top = max(0.0, cx - cw / 2), max(0.0, cy - ch / 2)
        box = (left, top, min(float(pw), left + cw), min(float(ph), top + ch))
        return self.picture.resize((self.width, self.height), Image.Resampling.BILINEAR, box=box)


def _pan_direction(rng: random.Random) -> tuple[float, float]:
    angle = rng.uniform(0, 2 * math.pi)
    return 0.8 * math.cos(angle), 0.8 * math.sin(angle)


def _ken_burns(spec: RenderSpec, data: bytes) -> Iterator[PILImage.Image]:
    """Push in slowly from the full picture while drifting in a seeded direction."""
    camera = _Camera(data, spec.width, spec.height, "first_frame")
    direction = _pan_direction(random.Random(spec.effective_seed()))
    for _, t in _timeline(spec.frames):
        move = _ease(t)
        yield camera.shot(1.0 + (_ZOOM - 1.0) * move, (direction[0] * move, direction[1] * move))


def _cross_fade(spec: RenderSpec, first: bytes, last: bytes) -> Iterator[PILImage.Image]:
    """Start exactly on the first picture, end exactly on the last, dissolving between them.

    The first picture drifts in and the last one settles out of a slight zoom, so the
    dissolve never looks like a slideshow.
    """
    from PIL import Image

    start = _Camera(first, spec.width, spec.height, "first_frame")
    end = _Camera(last, spec.width, spec.height, "last_frame")
    direction = _pan_direction(random.Random(spec.effective_seed()))
    drift = 0.5 * (_ZOOM - 1.0)
    for _, t in _timeline(spec.frames):
        blend = _ease((t - 0.15) / 0.7)  # hold each end briefly
        rest = 1.0 - t
        a = b = None
        if blend < 1.0:
            a = start.shot(1.0 + drift * t, (direction[0] * t, direction[1] * t))
        if blend > 0.0:
            b = end.shot(1.0 + drift * rest, (-direction[0] * rest, -direction[1] * rest))
        if a is not None and b is not None:
            yield Image.blend(a, b, blend)
        else:  # holding on one end: only one picture to draw
            shot = a or b
            assert shot is not None
            yield shot
