"""Shared helpers for the seedance plugin tests: fixture loading, config, tiny real images."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from reelkit.models import ProviderConfig

FIXTURES = Path(__file__).parent / "fixtures"
BASE_URL = "https://ark.cn-beijing.volces.com"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def make_png(width: int, height: int) -> bytes:
    """A valid, solid-colour PNG (deterministic bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = zlib.compress((b"\x00" + b"\x10\x80\xf0" * width) * height, 9)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def provider_config(base_url: str = BASE_URL) -> ProviderConfig:
    return ProviderConfig(name="seedance", base_url=base_url, poll_interval_s=5.0, timeout_s=900.0)


@pytest.fixture
def config() -> ProviderConfig:
    return provider_config()
