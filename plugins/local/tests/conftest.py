"""Shared helpers for the local provider's tests: test images and an MP4 probe."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@attrs.frozen
class Probe:
    """What a decoder measures in a video file."""

    frames: int
    fps: Fraction
    width: int
    height: int
    duration: float  # the container's, seconds
    codec: str
    pix_fmt: str
    first: Any  # numpy RGB arrays of the first and last frames
    last: Any


def probe(path: Path) -> Probe:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        decoded = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
        assert container.duration is not None
        return Probe(
            frames=len(decoded),
            fps=Fraction(stream.average_rate),
            width=stream.codec_context.width,
            height=stream.codec_context.height,
            duration=container.duration / 1_000_000,
            codec=stream.codec_context.name,
            pix_fmt=stream.codec_context.pix_fmt,
            first=decoded[0],
            last=decoded[-1],
        )


def make_image(width: int, height: int, colour: tuple[int, int, int], fmt: str = "PNG") -> bytes:
    """A test picture: a flat colour with a white disc and a dark bar, so motion is measurable."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    r = min(width, height) // 4
    draw.ellipse((width // 2 - r, height // 2 - r, width // 2 + r, height // 2 + r), fill="white")
    draw.rectangle((0, height - height // 8, width, height), fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def fixture_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text("utf-8"))


# --import-mode=importlib keeps conftest unimportable from tests: hand the helpers out as fixtures.


@pytest.fixture
def make_image_bytes() -> Callable[..., bytes]:
    return make_image


@pytest.fixture
def probe_video() -> Callable[[Path], Probe]:
    return probe


@pytest.fixture
def load_fixture() -> Callable[[str], Any]:
    return fixture_json
