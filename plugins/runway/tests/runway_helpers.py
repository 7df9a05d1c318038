"""Helpers of the Runway plugin tests: fixtures, requests, answers.

The JSON fixtures follow the shapes of the official SDK's generated response types
(``runwayml`` 5.24.0, ``types/task_retrieve_response.py``, https://github.com/runwayml/sdk-python)
and Runway's API reference (https://github.com/runwayml/skills, ``rw-api-reference``); they were
written from those, not recorded from a paid account.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from reelkit.capabilities import Mode, ModelInfo
from reelkit.models import JobHandle, Media, ProviderConfig, VideoRequest
from reelkit.testing import png_bytes
from reelkit_runway import MODELS, PROVIDER

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://api.dev.runwayml.com"
TASK_ID = "0b9a4c1e-5d2f-4e8a-9c7b-3f1e2d4a5b6c"
PNG = Media(data=png_bytes(64, 36), width=64, height=36)


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def model(model_id: str) -> ModelInfo:
    return next(m for m in MODELS if m.id == model_id)


def config(base_url: str = BASE) -> ProviderConfig:
    return ProviderConfig(
        name="runway",
        base_url=base_url,
        poll_interval_s=PROVIDER.poll_interval_s,
        timeout_s=PROVIDER.timeout_s,
    )


def request(mode: str, **values: Any) -> VideoRequest:
    base: dict[str, Any] = {
        "prompt": "A lighthouse in a storm",
        "duration": 5,
        "aspect_ratio": "16:9",
        "resolution": "720p",
    }
    base.update(values)
    return VideoRequest(mode=Mode(mode), **base)


def reply(status: int, body: Any, *, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(
        status,
        content=content,
        headers={"content-type": "application/json", **(headers or {})},
        request=httpx.Request("GET", f"{BASE}/v1/tasks/{TASK_ID}"),
    )


def handle() -> JobHandle:
    return JobHandle(provider="runway", model="gen4.5", task_id=TASK_ID)
