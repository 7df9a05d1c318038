"""Build DashScope video-synthesis requests [t2v], [i2v], [kf2v] (see ``capabilities``).

- ``POST {host}/api/v1/services/aigc/video-generation/video-synthesis``: text (``size``
  "W*H") and first frame (``img_url`` + ``resolution`` "720P");
- ``POST {host}/api/v1/services/aigc/image2video/video-synthesis``: the ``kf2v`` models,
  ``first_frame_url`` + ``last_frame_url`` ([sdk]: "kf2v" in the model name → task image2video);
- every submit carries ``X-DashScope-Async: enable`` (HTTP calls are asynchronous only);
- ``GET {host}/api/v1/tasks/{task_id}`` polls.

The host is the region's ([providers.wan] region), unless a base URL was set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from reelkit.capabilities import Audio, Mode, ModelInfo, aspect_distance
from reelkit.errors import InvalidRequest, UnsupportedMode
from reelkit.models import Adjustment, Media, VideoRequest

from .capabilities import BASE_URL, IMAGE_ASPECTS, REGION_IDS, REGIONS, WIRE_MODELS

if TYPE_CHECKING:
    import httpx

    from reelkit.models import ProviderConfig

PROVIDER_NAMES = frozenset({"wan", "dashscope", "alibaba"})
ASYNC_HEADER = "X-DashScope-Async"
SYNTHESIS = "/services/aigc/video-generation/video-synthesis"
KEYFRAMES = "/services/aigc/image2video/video-synthesis"
PARAMS = ("prompt_extend", "watermark", "audio_url")


def region_host(config: ProviderConfig) -> str:
    """The configured base URL, or the host of ``[providers.wan] region`` when none was set."""
    region = config.options.get("region")
    if region is None or config.base_url.rstrip("/") != BASE_URL:
        return config.base_url
    key = str(region).strip().lower()
    key = REGION_IDS.get(key, key)
    if key not in REGIONS:
        raise InvalidRequest(
            "providers.wan.region",
            f"unknown DashScope region {region!r}",
            allowed=[*REGIONS, *REGION_IDS],
        )
    return REGIONS[key]


def api_root(config: ProviderConfig) -> str:
    """``{host}/api/v1``, accepting a base URL that already ends in ``/api/v1`` (the SDK's form)."""
    base = region_host(config).rstrip("/")
    return base if base.endswith("/api/v1") else base + "/api/v1"


def poll_url(config: ProviderConfig, task_id: str) -> str:
    return f"{api_root(config)}/tasks/{quote(task_id, safe='')}"


def wire_model(model: ModelInfo, mode: Mode) -> str:
    return WIRE_MODELS.get((model.id, mode), model.id)


def submit_path(wire: str) -> str:
    return KEYFRAMES if "kf2v" in wire else SYNTHESIS


def build_request(model: ModelInfo, request: VideoRequest, config: ProviderConfig) -> httpx.Request:
    from reelkit.wire import json_request, not_sent

    path, body = build_body(model, request)
    http = json_request("POST", api_root(config) + path, body, headers={ASYNC_HEADER: "enable"})
    return not_sent(http, _unsent(request))


def build_body(model: ModelInfo, request: VideoRequest) -> tuple[str, dict[str, Any]]:
    """The path under ``/api/v1`` and the JSON body for a clamped request."""
    mode = request.mode or Mode.T2V
    if model.mode(mode) is None:
        raise UnsupportedMode("mode", f"{model.id} does not offer {mode}", allowed=model.mode_names)
    wire = wire_model(model, mode)
    params = _params(request.params, model)
    prompt = request.prompt.strip()
    inputs: dict[str, Any] = {"prompt": prompt or None, "negative_prompt": request.negative_prompt}
    parameters: dict[str, Any] = {}
    if mode is Mode.T2V:
        if not prompt:
            raise InvalidRequest("prompt", "text-to-video needs a prompt")
        parameters["size"] = _size(request)
    else:
        # [i2v] the resolution *tier*: the output keeps the image's own shape.
        parameters["resolution"] = (request.resolution or model.default_resolution).upper()
        frame = _frame(request.first_frame, "first_frame", mode)
        if mode is Mode.I2V:
            inputs["img_url"] = frame
        else:
            inputs["first_frame_url"] = frame
            inputs["last_frame_url"] = _frame(request.last_frame, "last_frame", mode)
    if request.last_frame is not None and mode is not Mode.FIRST_LAST:
        raise InvalidRequest("last_frame", f"{mode} takes no last frame")
    if request.reference_images:
        raise InvalidRequest("reference_images", f"{model.id} takes no reference images")
    if request.duration is not None:
        parameters["duration"] = round(request.duration)  # [t2v] an integer
    parameters["seed"] = request.seed
    if model.audio is Audio.OPTIONAL and request.audio is not None:
        parameters["audio"] = request.audio  # [t2v] wan2.5: false gives a silent video
    for name in ("prompt_extend", "watermark"):
        parameters[name] = params.get(name)
    if "audio_url" in params:
        if request.audio is False:
            raise InvalidRequest("params.audio_url", "a soundtrack was given for a silent video")
        inputs["audio_url"] = params["audio_url"]
    return submit_path(wire), {"model": wire, "input": inputs, "parameters": parameters}


def _size(request: VideoRequest) -> str:
    """ "1280*720": clamping applied a size from the variant's table (``"1280x720"``)."""
    from reelkit.capabilities import parse_size

    if request.size is None:
        raise InvalidRequest("size", "no size was applied")  # clamping always sets one
    width, height = parse_size(request.size)
    return f"{width}*{height}"


def _frame(medium: Media | None, field: str, mode: Mode) -> str:
    """A public URL as is, or bytes as ``data:{mime};base64,…`` [i2v]."""
    if medium is None:
        raise InvalidRequest(field, f"{mode} needs a {field.replace('_', ' ')}")
    if medium.url is not None:
        return medium.url
    from reelkit.media import sniff

    mime = medium.mime_type or sniff(medium.data or b"")[0]
    if mime is None or not mime.startswith("image/"):
        raise InvalidRequest(
            field, "cannot tell the image type; give its MIME type", allowed="image/jpeg, image/png"
        )
    return f"data:{mime};base64,{medium.base64()}"


def _unsent(request: VideoRequest) -> list[Adjustment]:
    """Image-led jobs follow the image's shape: a requested ratio that is not the image's own
    is reported, never silently dropped."""
    mode = request.mode or Mode.T2V
    ratio = request.aspect_ratio
    if mode is Mode.T2V or ratio is None or "aspect_ratio" in request.unset:
        return []
    frame = request.first_frame
    if frame is not None and frame.width and frame.height:
        own = min(IMAGE_ASPECTS, key=lambda a: aspect_distance(a, f"{frame.width}:{frame.height}"))
        if own == ratio:
            return []
    return [
        Adjustment(
            field="aspect_ratio",
            requested=ratio,
            applied=None,
            reason="Wan keeps the first frame's own shape; no aspect ratio is sent",
        )
    ]


def _params(params: Mapping[str, Any], model: ModelInfo) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        prefix, _, rest = key.partition(".")
        name = rest if rest and prefix in PROVIDER_NAMES else key
        if name not in {p.name for p in model.params}:
            raise InvalidRequest(
                f"params.{key}",
                f"unknown Wan parameter for {model.id}",
                allowed=[p.name for p in model.params],
            )
        if name in ("prompt_extend", "watermark"):
            if isinstance(value, str) and value.lower() in ("true", "false"):
                value = value.lower() == "true"
            if not isinstance(value, bool):
                raise InvalidRequest(
                    f"params.{key}", "must be true or false", allowed="true, false"
                )
        if name == "audio_url" and not (
            isinstance(value, str) and value.startswith(("https://", "http://"))
        ):
            raise InvalidRequest(f"params.{key}", "must be an http(s) URL of a wav or mp3 file")
        out[name] = value
    return out
