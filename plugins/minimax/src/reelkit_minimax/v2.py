"""MiniMax's v2 video API, for MiniMax-H3 [v2].

``POST /v2/video_generation`` takes ``{model, content, resolution, duration, ratio,
callback_url?}``: ``content`` holds exactly one ``{"type": "text", "text"}`` item plus media
items tagged with a ``role`` — ``image_url`` as ``first_frame``, ``last_frame`` or
``reference_image``, ``video_url`` as ``reference_video``, ``audio_url`` as ``reference_audio``.
Frames and references are never mixed. The answer is ``{"task_id"}``; then
``GET /v2/query/video_generation/{task_id}`` answers ``{"task": {"status": queued | running |
succeeded | failed | cancelled | expired, "content": {"url"}, "error": {"code", "message"},
"usage", ...}}``. The result URL is on MiniMax's CDN and needs no key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, cast
from urllib.parse import quote

import httpx

from reelkit.capabilities import Mode, ModelInfo
from reelkit.errors import InvalidRequest, ProviderError, UnsupportedMode
from reelkit.models import (
    Asset,
    Failed,
    JobStatus,
    Media,
    Queued,
    Running,
    Succeeded,
    VideoRequest,
)
from reelkit.wire import require

from .capabilities import ADAPTIVE, MAX_H3_PROMPT_CHARS, MAX_H3_REFERENCE_MEDIA
from .translate import api_root, image_value, params_of, wire_resolution

PROVIDER = "minimax"
_MODERATION = re.compile(r"sensitive|moderat|violat|safety|risk", re.IGNORECASE)


def submit_v2_url(base_url: str) -> str:
    return f"{api_root(base_url)}/v2/video_generation"


def poll_v2_request(base_url: str, task_id: str) -> httpx.Request:
    url = f"{api_root(base_url)}/v2/query/video_generation/{quote(task_id, safe='')}"
    return httpx.Request("GET", url, headers={"accept": "application/json"})


def build_v2_body(model: ModelInfo, request: VideoRequest) -> dict[str, Any]:
    mode = request.mode or Mode.T2V
    if model.mode(mode) is None:
        raise UnsupportedMode("mode", f"{model.id} does not offer {mode}", allowed=model.mode_names)
    prompt = request.prompt.strip()
    if not prompt:  # [v2] "requires a non-empty text content item", whatever the task
        raise InvalidRequest("prompt", f"{model.id} needs a prompt")
    if len(prompt) > MAX_H3_PROMPT_CHARS:
        raise InvalidRequest(
            "prompt", f"{len(prompt)} characters", allowed=f"≤{MAX_H3_PROMPT_CHARS} characters"
        )
    params = params_of(request.params, model)
    content: list[dict[str, Any]] = [{"type": "text", "text": prompt}]
    if mode in (Mode.I2V, Mode.FIRST_LAST):
        if request.first_frame is None:
            raise InvalidRequest("first_frame", f"{mode} needs a first frame")
        content.append(_image(request.first_frame, "first_frame", "first_frame"))
        if request.last_frame is not None:
            content.append(_image(request.last_frame, "last_frame", "last_frame"))
        if params.get("reference_videos") or params.get("reference_audios"):
            raise InvalidRequest(
                "params", "MiniMax-H3 does not mix first/last frames with reference media"
            )
    for i, image in enumerate(request.reference_images):
        content.append(_image(image, "reference_image", f"reference_images[{i}]"))
    videos = _urls(params.get("reference_videos"), "params.reference_videos")
    audios = _urls(params.get("reference_audios"), "params.reference_audios")
    if audios and not (videos or request.reference_images):
        raise InvalidRequest(
            "params.reference_audios", "reference audio needs reference images or videos"
        )
    content += [
        {"type": "video_url", "video_url": {"url": u}, "role": "reference_video"} for u in videos
    ]
    content += [
        {"type": "audio_url", "audio_url": {"url": u}, "role": "reference_audio"} for u in audios
    ]
    ratio = request.aspect_ratio or ADAPTIVE
    if mode is Mode.T2V and not (videos or audios) and ratio == ADAPTIVE:
        ratio = "16:9"  # [v2] text-to-video needs a concrete ratio
    body: dict[str, Any] = {
        "model": model.id,
        "content": content,
        "resolution": wire_resolution(request.resolution),
        "duration": None if request.duration is None else round(request.duration),
        "ratio": ratio,
        "callback_url": params.get("callback_url"),
    }
    return body


def _image(medium: Media, role: str, field: str) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": image_value(medium, field)}, "role": role}


def _urls(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Sequence) or not 1 <= len(items) <= MAX_H3_REFERENCE_MEDIA:
        raise InvalidRequest(field, "a list of URLs", allowed=f"1–{MAX_H3_REFERENCE_MEDIA} URLs")
    urls = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.startswith(("https://", "http://", "mm_file://")):
            raise InvalidRequest(
                f"{field}[{i}]", "must be a URL", allowed="https://… or mm_file://…"
            )
        urls.append(item)
    return urls


def parse_v2_status(response: httpx.Response) -> JobStatus:
    from .responses import checked

    body = checked(response)
    task = require(body, "task", PROVIDER, status=response.status_code)
    if not isinstance(task, Mapping):
        raise ProviderError("task is not an object", provider=PROVIDER, retryable=True)
    status = str(require(task, "status", PROVIDER, status=response.status_code)).lower()
    if status == "queued":
        return Queued()
    if status == "running":
        return Running()
    if status == "succeeded":
        url = require(task, "content.url", PROVIDER, status=response.status_code)
        metadata = {k: task[k] for k in ("resolution", "duration", "ratio") if task.get(k)}
        asset = Asset(url=str(url), mime_type="video/mp4")
        # cast: Succeeded's converter=tuple leaves mypy an unsolvable Iterable[_T_co].
        return Succeeded(assets=cast(Any, (asset,)), metadata=metadata)
    if status in ("failed", "cancelled", "expired"):
        error = task.get("error") if isinstance(task.get("error"), Mapping) else {}
        assert isinstance(error, Mapping)
        code = error.get("code") or status
        message = str(error.get("message") or f"MiniMax reports the task {status}")
        filtered = bool(_MODERATION.search(f"{code} {message}"))
        return Failed(
            message=message,
            code="cancelled" if status == "cancelled" else code,
            filtered=filtered,
            reasons=(message,) if filtered else (),
        )
    return Running()  # a status added later: keep polling rather than fail a paid job
