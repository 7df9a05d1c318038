"""Recorded answers and the requests they answer, for the hook unit tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from reelkit.capabilities import ModelInfo
from reelkit.clamping import clamp
from reelkit.models import ProviderConfig, VideoRequest
from reelkit_minimax import MODELS

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://api.minimax.io"
CONFIG = ProviderConfig(name="minimax", base_url=BASE, poll_interval_s=1.0, timeout_s=60.0)
QUERY = httpx.Request("GET", f"{BASE}/v1/query/video_generation?task_id=106916112212032")
SUBMIT = httpx.Request("POST", f"{BASE}/v1/video_generation")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def answer(name: str, *, request: httpx.Request = QUERY, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=fixture(name), request=request)


def model(model_id: str) -> ModelInfo:
    return next(m for m in MODELS if m.id == model_id)


def clamped(model_id: str, **fields: Any) -> VideoRequest:
    """A request as the core hands it to translate: mode set, values inside the model."""
    info = model(model_id)
    return clamp(VideoRequest(**fields), info)[0]
