"""Helpers of the Veo plugin tests: recorded JSON, test images, request builders."""

from __future__ import annotations

import json
import struct
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx

from reelkit.capabilities import Mode, ModelInfo
from reelkit.models import JobHandle, Media, ProviderConfig, SourceJob, VideoRequest
from reelkit_veo import MODELS, PROVIDER

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://generativelanguage.googleapis.com"

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + struct.pack(">II", 64, 36) + b"reelkit-first"
JPEG = b"\xff\xd8\xff\xe0" + b"reelkit-last-frame"
IMAGES = {
    "png": Media(data=PNG, mime_type="image/png"),
    # no MIME type given: the plugin sniffs it from the bytes
    "jpeg": Media(data=JPEG),
    **{f"ref{i}": Media(data=PNG[:24] + f"reelkit-ref-{i}".encode()) for i in range(3)},
}


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def model(model_id: str) -> ModelInfo:
    return next(m for m in MODELS if m.id == model_id)


def make_request(spec: dict[str, Any], *, now: datetime | None = None) -> VideoRequest:
    """A clamped ``VideoRequest`` from a golden file's ``request`` description."""
    spec = dict(spec)
    mode = Mode(spec.pop("mode"))
    kwargs: dict[str, Any] = {"mode": mode}
    for role in ("first_frame", "last_frame"):
        if role in spec:
            kwargs[role] = IMAGES[spec.pop(role)]
    if "reference_images" in spec:
        kwargs["reference_images"] = tuple(IMAGES[t] for t in spec.pop("reference_images"))
    if "video_url" in spec:
        kwargs["video"] = Media(url=spec.pop("video_url"))
    if "continue_from" in spec:
        src = dict(spec.pop("continue_from"))
        src.setdefault("expires_at", (now or datetime.now(timezone.utc)) + timedelta(days=1))
        kwargs["continue_from"] = SourceJob(**src)
    return VideoRequest(**spec, **kwargs)


def config(base_url: str = BASE) -> ProviderConfig:
    return ProviderConfig(
        name="veo",
        base_url=base_url,
        poll_interval_s=PROVIDER.poll_interval_s,
        timeout_s=PROVIDER.timeout_s,
    )


def reply(
    status: int,
    body: Any,
    *,
    request: httpx.Request | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(
        status,
        content=content,
        headers={"content-type": "application/json", **(headers or {})},
        request=request or httpx.Request("GET", BASE + "/v1beta/x"),
    )


def handle(**data: Any) -> JobHandle:
    name = "models/veo-3.1-generate-preview/operations/321kvdcepmcg"
    return JobHandle(
        provider="veo",
        model="veo-3.1-generate-preview",
        task_id=name,
        data={"operation": name, **data},
    )
