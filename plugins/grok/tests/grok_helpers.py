"""Helpers of the Grok plugin tests: recorded JSON, test images, request builders."""

from __future__ import annotations

import json
import struct
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx

from reelkit.capabilities import Mode, ModelInfo
from reelkit.models import JobHandle, Media, ProviderConfig, SourceJob, VideoRequest
from reelkit_grok import MODELS, PROVIDER

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://api.x.ai"
REQUEST_ID = "d97415a1-5796-b7ec-379f-4e6819e08fdf"

_IHDR = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
IMAGES = {
    # 64x36 (16:9) and 36x64 (9:16): the core's Media loader reads these sizes from the header.
    "png169": Media(
        data=_IHDR + struct.pack(">II", 64, 36) + b"reelkit-first", width=64, height=36
    ),
    "png916": Media(data=_IHDR + struct.pack(">II", 36, 64) + b"reelkit-last", width=36, height=64),
}


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def model(model_id: str) -> ModelInfo:
    return next(m for m in MODELS if m.id == model_id)


def medium(spec: Any) -> Media:
    return IMAGES[spec] if isinstance(spec, str) else Media(url=spec["url"])


def make_request(spec: dict[str, Any]) -> VideoRequest:
    """A clamped ``VideoRequest`` from a golden file's ``request`` description."""
    spec = dict(spec)
    kwargs: dict[str, Any] = {"mode": Mode(spec.pop("mode"))}
    for role in ("first_frame", "last_frame", "video"):
        if role in spec:
            kwargs[role] = medium(spec.pop(role))
    if "reference_images" in spec:
        kwargs["reference_images"] = tuple(medium(m) for m in spec.pop("reference_images"))
    for role in ("continue_from", "remix_of"):
        if role in spec:
            src = dict(spec.pop(role))
            if src.get("provider") == "grok":
                src.setdefault("expires_at", datetime.now(timezone.utc) + timedelta(hours=2))
            kwargs[role] = SourceJob(**src)
    return VideoRequest(**spec, **kwargs)


def config(base_url: str = BASE) -> ProviderConfig:
    return ProviderConfig(
        name="grok",
        base_url=base_url,
        poll_interval_s=PROVIDER.poll_interval_s,
        timeout_s=PROVIDER.timeout_s,
    )


def reply(status: int, body: Any, *, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(
        status,
        content=content,
        headers={"content-type": "application/json", **(headers or {})},
        request=httpx.Request("GET", f"{BASE}/v1/videos/{REQUEST_ID}"),
    )


def handle(**data: Any) -> JobHandle:
    return JobHandle(provider="grok", model="grok-imagine-video", task_id=REQUEST_ID, data=data)
