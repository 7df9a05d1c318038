"""Build Kling submit and query requests ([volcengine-kling §4.2, §4.3] in
``docs/reference/volcengine-kling.md``).

- ``POST /v1/videos/text2video``: ``model_name, prompt, negative_prompt, cfg_scale, mode,
  aspect_ratio, duration ("5"), camera_control, sound, callback_url, external_task_id``;
- ``POST /v1/videos/image2video``: ``image`` (a URL or raw base64, no ``data:`` prefix),
  ``image_tail`` (the last frame), and the same fields without ``aspect_ratio`` (the output
  follows the image);
- ``GET /v1/videos/{text2video|image2video}/{task_id}``: a task is queried on the family it was
  created on, so the handle keeps the endpoint.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from reelkit.capabilities import Audio, Mode, ModelInfo
from reelkit.errors import ConfigurationError, InvalidRequest, UnsupportedMode
from reelkit.models import Adjustment, Media, VideoRequest

from .capabilities import (
    BASE_URL,
    CAMERA_AXES,
    CAMERA_RANGE,
    CAMERA_TYPES,
    MAX_PROMPT,
    MODE_BY_RESOLUTION,
    OMNI_MODELS,
    REGIONS,
)

if TYPE_CHECKING:
    import httpx

    from reelkit.models import ProviderConfig

ENDPOINTS = {Mode.T2V: "text2video", Mode.I2V: "image2video", Mode.FIRST_LAST: "image2video"}
OMNI = "omni-video"


def endpoint_for(model_id: str, mode: Mode) -> str:
    """The path family of a job: the unified omni endpoint for its models, else by mode."""
    return OMNI if model_id in OMNI_MODELS else ENDPOINTS.get(mode, "text2video")


V1 = "kling-v1"
#: Models whose sound is made only in pro mode ([volcengine-kling §4.4] v2-6: "std has no audio").
SOUND_NEEDS_PRO = frozenset({"kling-v2-6"})


def api_root(config: ProviderConfig) -> str:
    """``{host}/v1``: the configured base URL, or the ``region`` option's host in its place."""
    base = config.base_url.rstrip("/")
    region = config.options.get("region")
    if region is not None and base == BASE_URL:
        host = REGIONS.get(str(region).lower())
        if host is None:
            raise ConfigurationError(
                "providers.kling.region", f"unknown region {region!r}", allowed=sorted(REGIONS)
            )
        base = host
    return base if base.endswith("/v1") else base + "/v1"


def poll_url(config: ProviderConfig, endpoint: str, task_id: str) -> str:
    return f"{api_root(config)}/videos/{endpoint}/{quote(task_id, safe='')}"


def build_request(model: ModelInfo, request: VideoRequest, config: ProviderConfig) -> httpx.Request:
    from reelkit.callbacks import CALLBACK_OPTION
    from reelkit.wire import json_request, not_sent

    endpoint, body = build_body(model, request)
    if body.get("callback_url") is None and config.options.get(CALLBACK_OPTION):
        # A reelkit service's per-job callback (reelkit.callbacks); the caller's own param wins.
        body["callback_url"] = str(config.options[CALLBACK_OPTION])
    http = json_request("POST", f"{api_root(config)}/videos/{endpoint}", body)
    unsent = []
    framed = (request.mode or Mode.T2V) in (Mode.I2V, Mode.FIRST_LAST)
    if framed and request.aspect_ratio and "aspect_ratio" not in request.unset:
        unsent.append(
            Adjustment(
                field="aspect_ratio",
                requested=request.aspect_ratio,
                applied=None,
                reason="Kling's image-to-video has no aspect_ratio: the video keeps the image's",
            )
        )
    return not_sent(http, unsent)


def build_body(model: ModelInfo, request: VideoRequest) -> tuple[str, dict[str, Any]]:
    """The endpoint name and the JSON body of a clamped request."""
    mode = request.mode or Mode.T2V
    omni = model.id in OMNI_MODELS
    if model.mode(mode) is None or (mode not in ENDPOINTS and not omni):
        raise UnsupportedMode("mode", f"{model.id} does not offer {mode}", allowed=model.mode_names)
    params = check_params(request.params)
    endpoint = endpoint_for(model.id, mode)
    prompt = request.prompt.strip()
    if endpoint == "text2video" and not prompt:
        raise InvalidRequest(
            "prompt", "text-to-video needs a prompt", allowed=f"1–{MAX_PROMPT} characters"
        )
    quality = _quality(model, request, params)
    body: dict[str, Any] = {"model_name": model.id}
    if endpoint == OMNI:
        if not prompt:
            raise InvalidRequest("prompt", "the omni endpoint needs a prompt")
        body["image_list"] = _image_list(request, mode)
    elif endpoint == "image2video":
        if request.first_frame is None:
            raise InvalidRequest("first_frame", f"{mode} needs a first frame")
        body["image"] = image_value(request.first_frame, "first_frame")
        if mode is Mode.FIRST_LAST:
            if request.last_frame is None:
                raise InvalidRequest("last_frame", "first_last needs a last frame")
            body["image_tail"] = image_value(request.last_frame, "last_frame")
    elif request.first_frame is not None or request.last_frame is not None:
        raise InvalidRequest("first_frame", "text-to-video takes no frames")
    body["prompt"] = prompt or None
    if request.negative_prompt:
        if len(request.negative_prompt) > MAX_PROMPT:
            raise InvalidRequest(
                "negative_prompt",
                f"{len(request.negative_prompt)} characters",
                allowed=f"≤{MAX_PROMPT} characters",
            )
        body["negative_prompt"] = request.negative_prompt
    body["cfg_scale"] = params.get("cfg_scale")
    body["mode"] = quality
    if mode not in (Mode.I2V, Mode.FIRST_LAST):  # a first frame sets the shape
        body["aspect_ratio"] = request.aspect_ratio
    body["duration"] = None if request.duration is None else str(round(request.duration))
    if "camera_control" in params:
        body["camera_control"] = _camera(params["camera_control"], model, mode, quality, body)
    if request.audio is not None and model.audio is Audio.OPTIONAL:
        if request.audio and model.id in SOUND_NEEDS_PRO and quality != "pro":
            raise InvalidRequest(
                "audio", f"{model.id} makes sound only in pro mode", allowed="1080p (pro)"
            )
        body["sound"] = "on" if request.audio else "off"  # [volcengine-kling §4.3] sound: on | off
    body["callback_url"] = params.get("callback_url")
    body["external_task_id"] = params.get("external_task_id")
    return endpoint, body


def _quality(model: ModelInfo, request: VideoRequest, params: Mapping[str, Any]) -> str:
    """``std`` or ``pro``: the resolution's mode, except on kling-v1 (720p in both)."""
    if model.id == V1:
        return str(params.get("mode", "std"))
    if "mode" in params:
        raise InvalidRequest(
            "params.mode",
            f"{model.id} takes its mode from the resolution",
            allowed=["--resolution 720p (std)", "--resolution 1080p (pro)"],
        )
    return MODE_BY_RESOLUTION.get(request.resolution or "720p", "std")


def _image_list(request: VideoRequest, mode: Mode) -> list[dict[str, str]] | None:
    """[omni] ``image_list``: frames typed first_frame / end_frame, references untyped."""
    items: list[dict[str, str]] = []
    if mode in (Mode.I2V, Mode.FIRST_LAST):
        if request.first_frame is None:
            raise InvalidRequest("first_frame", f"{mode} needs a first frame")
        first = image_value(request.first_frame, "first_frame")
        items.append({"image_url": first, "type": "first_frame"})
    if mode is Mode.FIRST_LAST:
        if request.last_frame is None:
            raise InvalidRequest("last_frame", "first_last needs a last frame")
        items.append(
            {"image_url": image_value(request.last_frame, "last_frame"), "type": "end_frame"}
        )
    for i, ref in enumerate(request.reference_images):
        items.append({"image_url": image_value(ref, f"reference_images[{i}]")})
    if mode is Mode.REFERENCE and not request.reference_images:
        raise InvalidRequest("reference_images", "reference mode needs images", allowed="1–7")
    return items or None


def image_value(medium: Media, field: str) -> str:
    """A URL as given, bytes as raw base64 without a ``data:`` prefix [volcengine-kling §4.3]."""
    if medium.url is not None:
        if medium.url.startswith("data:"):
            return medium.url.split(",", 1)[-1]
        return medium.url
    if not medium.data:
        raise InvalidRequest(field, "the image is empty", allowed="a JPEG or PNG, URL or bytes")
    return medium.base64()


# --- params ------------------------------------------------------------------------------------


def check_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The values the core already type-checked, checked against Kling's own rules."""
    out = dict(params)
    if "cfg_scale" in out:
        value = float(out["cfg_scale"])
        if not (math.isfinite(value) and 0.0 <= value <= 1.0):
            raise InvalidRequest("params.cfg_scale", f"{value:g}", allowed="0–1 (default 0.5)")
        out["cfg_scale"] = value
    url = out.get("callback_url")
    if url is not None and not str(url).startswith(("https://", "http://")):
        raise InvalidRequest(
            "params.callback_url", f"{url!r} is not a URL", allowed="an http(s) URL"
        )
    task_id = out.get("external_task_id")
    if task_id is not None and not str(task_id).strip():
        raise InvalidRequest("params.external_task_id", "is empty", allowed="a non-empty id")
    return out


def _camera(
    value: Any, model: ModelInfo, mode: Mode, quality: str, body: Mapping[str, Any]
) -> dict[str, Any]:
    """[volcengine-kling §4.3] ``{type, config?}``: ``config`` only for ``simple``, with exactly one
    non-zero axis in [-10, 10]; in text-to-video only kling-v1, std, 5 s supports it."""
    field = "params.camera_control"
    if not (
        model.id == V1 and mode is Mode.T2V and quality == "std" and body.get("duration") == "5"
    ):
        raise InvalidRequest(
            field,
            f"not supported for {model.id} {mode} {quality} {body.get('duration')} s",
            allowed="kling-v1, text-to-video, mode std, 5 s",
        )
    if not isinstance(value, Mapping):
        raise InvalidRequest(
            field, "must be an object", allowed='{"type": "simple", "config": {...}}'
        )
    kind = value.get("type")
    if kind not in CAMERA_TYPES:
        raise InvalidRequest(f"{field}.type", f"{kind!r}", allowed=CAMERA_TYPES)
    unknown = sorted(set(value) - {"type", "config"})
    if unknown:
        raise InvalidRequest(f"{field}.{unknown[0]}", "unknown key", allowed=["type", "config"])
    config = value.get("config")
    if kind != "simple":
        if config is not None:
            raise InvalidRequest(
                f"{field}.config", f"only the simple type takes a config, not {kind}"
            )
        return {"type": kind}
    if not isinstance(config, Mapping):
        raise InvalidRequest(
            f"{field}.config", "the simple type needs a config", allowed=CAMERA_AXES
        )
    axes: dict[str, float] = {}
    low, high = CAMERA_RANGE
    for key, raw in config.items():
        if key not in CAMERA_AXES:
            raise InvalidRequest(f"{field}.config.{key}", "unknown axis", allowed=CAMERA_AXES)
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not low <= raw <= high:
            raise InvalidRequest(
                f"{field}.config.{key}", f"{raw!r}", allowed=f"a number in [{low:g}, {high:g}]"
            )
        axes[key] = raw
    moving = [k for k, v in axes.items() if v != 0]
    if len(moving) != 1:
        raise InvalidRequest(
            f"{field}.config", f"{len(moving)} non-zero axes", allowed="exactly one non-zero axis"
        )
    return {"type": "simple", "config": {axis: axes.get(axis, 0) for axis in CAMERA_AXES}}
