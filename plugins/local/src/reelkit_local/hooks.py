"""What the ``local`` provider's hooks do: pure request builders and response parsers.

They speak to ``transport.LocalTransport`` exactly as a remote plugin speaks to a vendor's API.
The ``@hookimpl`` wrappers live in ``reelkit_local/__init__.py`` and import this module on first
use, so importing the plugin does not import httpx.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import httpx

from reelkit.capabilities import ModelInfo, dimensions, parse_size
from reelkit.errors import InvalidRequest, ProviderError, UnsupportedMode
from reelkit.models import (
    Asset,
    Failed,
    JobHandle,
    JobStatus,
    Media,
    ProviderConfig,
    Queued,
    Running,
    Succeeded,
    VideoRequest,
)
from reelkit.wire import error_for_status, json_request, read_json, require

from . import protocol
from .capabilities import BASE_URL, NAME

_MODES = ("t2v", "i2v", "first_last")


def translate(
    provider: str, model: ModelInfo, request: VideoRequest, config: ProviderConfig
) -> httpx.Request:
    mode = request.mode.value if request.mode is not None else _infer_mode(request)
    if mode not in _MODES:
        raise UnsupportedMode("mode", f"{model.id} cannot do {mode}", allowed=_MODES)
    for name, present in (
        ("reference_images", bool(request.reference_images)),
        ("video", request.video is not None),
        ("continue_from", request.continue_from is not None),
        ("remix_of", request.remix_of is not None),
    ):
        if present:
            raise UnsupportedMode(name, f"{model.id} takes no {name}", allowed=_MODES)
    if request.params:
        raise InvalidRequest(
            "params",
            f"{model.id} takes no provider parameters (got {', '.join(sorted(request.params))})",
            allowed="none",
        )
    width, height = _size(request, model)
    body: dict[str, Any] = {
        "model": model.id,
        "mode": mode,
        "prompt": request.prompt,
        "duration": float(
            request.duration if request.duration is not None else model.default_duration
        ),
        "fps": int(request.fps or model.default_fps),
        "width": width,
        "height": height,
        "seed": request.seed,
        "first_frame": _image(request.first_frame, "first_frame"),
        "last_frame": _image(request.last_frame, "last_frame"),
    }
    return json_request("POST", _base(config) + protocol.RENDERS, body)


def parse_submit(
    provider: str, model: ModelInfo, request: VideoRequest, response: httpx.Response
) -> JobHandle:
    body = read_json(response, provider)
    if not response.is_success:
        raise _error(response, body, provider)
    render_id = require(body, "id", provider, status=response.status_code)
    return JobHandle(provider=provider, model=model.id, task_id=str(render_id))


def poll_request(provider: str, job: JobHandle, config: ProviderConfig) -> httpx.Request:
    return json_request("GET", _render_url(config, job))


def parse_poll(provider: str, job: JobHandle, response: httpx.Response) -> JobStatus:
    body = read_json(response, provider)
    if not response.is_success:
        raise _error(response, body, provider)
    state = require(body, "status", provider, status=response.status_code)
    progress = body.get("progress")
    progress = float(progress) if isinstance(progress, (int, float)) else None
    if state == "queued":
        return Queued()
    if state == "running":
        return Running(progress=progress)
    if state == "succeeded":
        url = require(body, "content_url", provider, status=response.status_code)
        width, height = body.get("width"), body.get("height")
        metadata = {
            key: body[key]
            for key in ("duration", "fps", "frames", "width", "height", "seed")
            if key in body
        }
        if width and height:
            metadata["size"] = f"{width}x{height}"
        video = Asset(url=url, kind="video", mime_type="video/mp4")
        # cast: mypy cannot type the attrs ``converter=tuple`` of ``Succeeded.assets``.
        return Succeeded(assets=cast(Any, (video,)), metadata=metadata)
    if state == "failed":
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        return Failed(
            message=str(error.get("message") or "the local render failed"),
            code=error.get("code"),
        )
    raise ProviderError(f"unknown render status {state!r}", provider=provider, code="bad_status")


def cancel_request(provider: str, job: JobHandle, config: ProviderConfig) -> httpx.Request:
    return json_request("DELETE", _render_url(config, job))


def transport(provider: str, config: ProviderConfig) -> Any:
    from .transport import LocalTransport

    return LocalTransport(state_dir(config))


# --- helpers ---------------------------------------------------------------------------------


def state_dir(config: ProviderConfig) -> Path:
    """Where renders live: ``options["state_dir"]`` (the core sets it), else ``$REELKIT_HOME/local``."""
    configured = config.options.get("state_dir")
    if configured:
        return Path(str(configured)).expanduser()
    home = os.environ.get("REELKIT_HOME")
    if not home:
        import platformdirs

        home = platformdirs.user_data_dir("reelkit", appauthor=False)
    return Path(home) / NAME


def _infer_mode(request: VideoRequest) -> str:
    """The core sets ``request.mode``; a caller driving the hooks by hand may not."""
    if request.first_frame is None:
        return "t2v"
    return "i2v" if request.last_frame is None else "first_last"


def _base(config: ProviderConfig) -> str:
    return (config.base_url or BASE_URL).rstrip("/")


def _render_url(config: ProviderConfig, job: JobHandle) -> str:
    return f"{_base(config)}{protocol.RENDERS}/{quote(job.task_id, safe='')}"


def _size(request: VideoRequest, model: ModelInfo) -> tuple[int, int]:
    if request.size:
        try:
            width, height = parse_size(request.size)
        except ValueError as exc:
            raise InvalidRequest("size", str(exc)) from None
    else:
        width, height = dimensions(
            request.resolution or model.default_resolution,
            request.aspect_ratio or model.default_aspect_ratio,
        )
    if width % 2 or height % 2:
        raise InvalidRequest("size", f"{width}x{height} has an odd side; H.264 needs even sides")
    return width, height


def _image(medium: Media | None, field: str) -> dict[str, Any] | None:
    if medium is None:
        return None
    data = medium.data
    mime_type = medium.mime_type
    if medium.url is not None:
        if not medium.url.startswith("data:"):
            raise InvalidRequest(
                field,
                f"the local provider works offline and cannot fetch {medium.url!r}; "
                "pass a local file or bytes",
                allowed="local file path or bytes (no URLs)",
            )
        data, mime_type = _data_url(medium.url, field)
    assert data is not None  # Media holds a url or data
    return {"data": base64.b64encode(data).decode("ascii"), "mime_type": mime_type}


def _data_url(url: str, field: str) -> tuple[bytes, str | None]:
    """A ``data:`` URL carries its bytes, so even offline it is fine."""
    header, _, payload = url.partition(",")
    if ";base64" not in header:
        raise InvalidRequest(field, "data URLs must be base64-encoded")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest(field, "the data URL's base64 is malformed") from None
    return data, header[5:].split(";")[0] or None


def _error(response: httpx.Response, body: Any, provider: str) -> Exception:
    """The typed error for a failure answer from the transport."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    message = str(error.get("message") or response.reason_phrase or "error")
    if response.status_code == 400 and error.get("field"):
        return InvalidRequest(str(error["field"]), message, allowed=error.get("allowed"))
    if error.get("code") == "corrupt_state":  # a damaged file stays damaged: polling won't help
        return ProviderError(
            message, provider=provider, code="corrupt_state", status=response.status_code
        )
    return error_for_status(response, provider, message=message, code=error.get("code"))
