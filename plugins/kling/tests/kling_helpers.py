"""Helpers of the Kling plugin tests: recorded JSON, test images, request builders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from reelkit.capabilities import ModelInfo
from reelkit.models import JobHandle, Media, ProviderConfig
from reelkit.testing import png_bytes
from reelkit_kling import MODELS, PROVIDER

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://api-singapore.klingai.com"
TASK_ID = "867283741759111202"
PNG = png_bytes(640, 360)
FRAME = Media(data=PNG, mime_type="image/png", width=640, height=360)


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def model(model_id: str) -> ModelInfo:
    return next(m for m in MODELS if m.id == model_id)


def config(base_url: str = BASE, **options: Any) -> ProviderConfig:
    return ProviderConfig(
        name="kling",
        base_url=base_url,
        poll_interval_s=PROVIDER.poll_interval_s,
        timeout_s=PROVIDER.timeout_s,
        options=options,
    )


def reply(status: int, body: Any, *, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(
        status,
        content=content,
        headers={"content-type": "application/json", **(headers or {})},
        request=httpx.Request("GET", f"{BASE}/v1/videos/text2video/{TASK_ID}"),
    )


def handle(endpoint: str = "text2video") -> JobHandle:
    return JobHandle(
        provider="kling", model="kling-v2-5-turbo", task_id=TASK_ID, data={"endpoint": endpoint}
    )
