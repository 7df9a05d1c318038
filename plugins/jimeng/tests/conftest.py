"""Shared helpers for the jimeng plugin tests: fixture loading, responses, tiny real images."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from reelkit.models import ProviderConfig

FIXTURES = Path(__file__).parent / "fixtures"
BASE_URL = "https://visual.volcengineapi.com"


def make_png(width: int, height: int, rgb: tuple[int, int, int] = (200, 120, 40)) -> bytes:
    """A valid, solid-colour PNG (deterministic bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height, 9)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def make_jpeg_header(width: int, height: int) -> bytes:
    """SOI, an APP0 segment and a SOF0 segment: enough for format and size sniffing."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


@pytest.fixture
def load() -> Callable[[str], Any]:
    def _load(name: str) -> Any:
        return json.loads((FIXTURES / name).read_text(encoding="utf-8"))

    return _load


@pytest.fixture
def config() -> ProviderConfig:
    return ProviderConfig(name="jimeng", base_url=BASE_URL, poll_interval_s=5.0, timeout_s=300.0)


@pytest.fixture
def respond() -> Callable[..., httpx.Response]:
    """An ``httpx.Response`` to ``request`` with a JSON body (as the core would hand it over)."""

    def _respond(
        status_code: int,
        body: Any,
        request: httpx.Request | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        request = request or httpx.Request("POST", BASE_URL + "/?Action=CVSync2AsyncGetResult")
        return httpx.Response(status_code, json=body, request=request, headers=headers)

    return _respond
