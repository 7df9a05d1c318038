"""Helpers of the Wan plugin tests: recorded JSON, request builders, canned answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from reelkit.capabilities import ModelInfo
from reelkit.models import JobHandle, ProviderConfig
from reelkit_wan import MODELS, PROVIDER

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://dashscope.aliyuncs.com"
TASK_ID = "0385dc79-5ff8-4d82-bcb6-xxxxxx"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def model(model_id: str) -> ModelInfo:
    return next(m for m in MODELS if model_id in m.names())


def config(base_url: str = BASE, **options: Any) -> ProviderConfig:
    return ProviderConfig(
        name="wan",
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
        request=httpx.Request("GET", f"{BASE}/api/v1/tasks/{TASK_ID}"),
    )


def handle(model_id: str = "wan2.5") -> JobHandle:
    return JobHandle(provider="wan", model=model_id, task_id=TASK_ID)
