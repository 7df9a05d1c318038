"""Build the unsigned CVSync2AsyncSubmitTask / CVSync2AsyncGetResult requests (ref §1.1–§1.4).

``ref §n`` cites ``docs/reference/volcengine-kling.md`` section n.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from reelkit import infer_mode
from reelkit.capabilities import Mode, ModelInfo
from reelkit.errors import InvalidRequest
from reelkit.models import JobHandle, ProviderConfig, VideoRequest
from reelkit.wire import json_request

from .capabilities import (
    API_VERSION,
    AUTO_MODEL,
    AUTO_REQ_KEYS,
    CAMERA_STRENGTHS,
    FRAMES_BY_SECONDS,
    MAX_PROMPT_CHARS,
    POLL_ACTION,
    PRO_REQ_KEY,
    RECAMERA_PARAMS,
    RECAMERA_REQ_KEY,
    RECAMERA_TEMPLATES,
    SUBMIT_ACTION,
    T2V_RATIOS,
)
from .images import ImageInput, prepare_image

#: ``--param`` names this provider understands (ref §1.3, recamera only); each model declares
#: the ones it takes (``ModelInfo.params``).
KNOWN_PARAMS = tuple(p.name for p in RECAMERA_PARAMS)


def action_url(base_url: str, action: str) -> tuple[str, dict[str, str]]:
    """``POST {base}/?Action=...&Version=2022-08-31``; a base with a path prefix keeps it."""
    return base_url.rstrip("/") + "/", {"Action": action, "Version": API_VERSION}


def _string_param(params: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or value not in allowed:
        raise InvalidRequest(f"params.{name}", f"{value!r} is not accepted", allowed=allowed)
    return value


def choose_req_key(model: ModelInfo, mode: Mode, resolution: str | None, recamera: bool) -> str:
    """The req_key for a model: its own id, or for the default model the inferred one."""
    if model.id != AUTO_MODEL:
        return model.id
    res = (resolution or model.default_resolution).lower()
    if recamera:
        if mode is not Mode.I2V or res != "720p":
            raise InvalidRequest(
                "params.template_id",
                f"camera-motion templates need one first frame at 720p, not {mode.value} at {res}",
                allowed="a first frame with --resolution 720p, or model i2v_recamera_720p",
            )
        return RECAMERA_REQ_KEY
    key = AUTO_REQ_KEYS.get((mode, res))
    if key is None:
        allowed = sorted({r for (m, r) in AUTO_REQ_KEYS if m is mode})
        raise InvalidRequest(
            "resolution", f"{res} is not offered for {mode.value}", allowed=allowed
        )
    return key


def _mode_of(model: ModelInfo, request: VideoRequest) -> Mode:
    # The core sets the mode when it clamps; a direct caller gets the core's own inference.
    return request.mode or infer_mode(request, model).mode


def _images(model: ModelInfo, mode: Mode, request: VideoRequest) -> list[ImageInput]:
    if mode is Mode.T2V:
        return []
    if request.first_frame is None:
        raise InvalidRequest("first_frame", f"{mode.value} needs a first frame")
    images = [prepare_image(request.first_frame, "first_frame", model.images)]
    if mode is Mode.FIRST_LAST:
        if request.last_frame is None:
            raise InvalidRequest("last_frame", "first_last needs a last frame")
        last = prepare_image(request.last_frame, "last_frame", model.images)
        if last.kind != images[0].kind:
            # ref §1.3: image_urls *or* binary_data_base64, never both in one request.
            raise InvalidRequest(
                "last_frame",
                "both frames must be URLs or both local files",
                allowed="two URLs, or two local files",
            )
        first = images[0]
        if first.width and first.height and last.width and last.height:
            ratio_first, ratio_last = first.width / first.height, last.width / last.height
            if abs(ratio_first / ratio_last - 1) > 0.02:  # ref §1.2: same aspect ratio required
                raise InvalidRequest(
                    "last_frame",
                    f"{last.width}x{last.height} does not match the first frame's "
                    f"{first.width}x{first.height} aspect ratio",
                    allowed="a last frame with the first frame's aspect ratio",
                )
        images.append(last)
    return images


def _recamera_params(model: ModelInfo, request: VideoRequest) -> tuple[str | None, str | None]:
    """``(template_id, camera_strength)`` from ``request.params``; any other key is refused."""
    params = dict(request.params)
    unknown = sorted(set(params) - set(KNOWN_PARAMS))
    if unknown:
        declared = [p.name for p in model.params]
        raise InvalidRequest(
            f"params.{unknown[0]}",
            f"unknown parameter for jimeng model {model.id}",
            allowed=declared or "none (this model takes no --param)",
        )
    return (
        _string_param(params, "template_id", RECAMERA_TEMPLATES),
        _string_param(params, "camera_strength", CAMERA_STRENGTHS),
    )


def req_key_of(model: ModelInfo, request: VideoRequest) -> str:
    """The req_key a submit of ``request`` uses (and its poll must repeat, ref §1.4)."""
    return _plan(model, request)[0]


def _plan(model: ModelInfo, request: VideoRequest) -> tuple[str, Mode, str | None, str | None]:
    template_id, camera_strength = _recamera_params(model, request)
    mode = _mode_of(model, request)
    recamera = (
        template_id is not None or camera_strength is not None or model.id == RECAMERA_REQ_KEY
    )
    req_key = choose_req_key(model, mode, request.resolution, recamera)
    return req_key, mode, template_id, camera_strength


def build_submit_body(model: ModelInfo, request: VideoRequest) -> dict[str, Any]:
    """The submit body: only documented fields, unset ones omitted (ref §1.3)."""
    req_key, mode, template_id, camera_strength = _plan(model, request)
    if req_key == RECAMERA_REQ_KEY:
        if template_id is None:
            raise InvalidRequest(
                "params.template_id",
                "the camera-motion mode needs a template",
                allowed=RECAMERA_TEMPLATES,
            )
        if camera_strength is None:
            raise InvalidRequest(
                "params.camera_strength",
                "the camera-motion mode needs a strength",
                allowed=CAMERA_STRENGTHS,
            )
    elif template_id is not None or camera_strength is not None:
        name = "template_id" if template_id is not None else "camera_strength"
        raise InvalidRequest(
            f"params.{name}",
            f"only the camera-motion mode takes it, not {req_key}",
            allowed="model i2v_recamera_720p, or jimeng-video-3.0 with a first frame at 720p",
        )

    prompt = request.prompt.strip()
    # ref §1.3: the prompt is required except for Pro with a first frame ("image or prompt").
    if not prompt and not (req_key == PRO_REQ_KEY and mode is Mode.I2V):
        raise InvalidRequest("prompt", f"{req_key} needs a prompt")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InvalidRequest(
            "prompt",
            f"{len(prompt)} characters is too long",
            allowed=f"≤ {MAX_PROMPT_CHARS} characters",
        )

    seconds = float(request.duration if request.duration is not None else model.default_duration)
    frames = FRAMES_BY_SECONDS.get(seconds)
    if frames is None:
        raise InvalidRequest("duration", f"{seconds:g} s is not offered", allowed=("5", "10"))

    aspect_ratio = None
    if mode is Mode.T2V and request.aspect_ratio is not None:
        if request.aspect_ratio not in T2V_RATIOS:
            raise InvalidRequest(
                "aspect_ratio", f"{request.aspect_ratio} is not offered", allowed=T2V_RATIOS
            )
        aspect_ratio = request.aspect_ratio

    images = _images(model, mode, request)
    kind = images[0].kind if images else None
    return {
        "req_key": req_key,
        "prompt": prompt or None,
        "image_urls": [i.value for i in images] if kind == "url" else None,
        "binary_data_base64": [i.value for i in images] if kind == "base64" else None,
        "seed": request.seed,
        "frames": frames,
        "aspect_ratio": aspect_ratio,
        "template_id": template_id if req_key == RECAMERA_REQ_KEY else None,
        "camera_strength": camera_strength if req_key == RECAMERA_REQ_KEY else None,
    }


def submit_request(
    model: ModelInfo, request: VideoRequest, config: ProviderConfig
) -> httpx.Request:
    url, query = action_url(config.base_url, SUBMIT_ACTION)
    return json_request("POST", url, build_submit_body(model, request), params=query)


def poll_request(job: JobHandle, config: ProviderConfig) -> httpx.Request:
    """ref §1.4: the poll repeats the submit's req_key (a wrong one answers ``not_found``)."""
    req_key = job.data.get("req_key") or (job.model if job.model != AUTO_MODEL else None)
    if not isinstance(req_key, str):
        raise InvalidRequest("job", "the job handle lacks the req_key its poll needs")
    url, query = action_url(config.base_url, POLL_ACTION)
    body = {"req_key": req_key, "task_id": job.task_id}
    return json_request("POST", url, body, params=query)
