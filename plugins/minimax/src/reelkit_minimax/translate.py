"""Build MiniMax v1 video requests: one endpoint for every kind of task [t2v].

``POST /v1/video_generation`` takes ``model`` and ``prompt`` plus, by task: ``first_frame_image``
(image-to-video), ``first_frame_image`` + ``last_frame_image`` (start/end frames, Hailuo-02) or
``subject_reference: [{"type": "character", "image": [url]}]`` (S2V-01). Every body carries
``duration`` (6 or 10 on the Hailuo models) and ``resolution`` ("768P", ...); the 01 models make
6 s 720P clips and ignore both [3P], which are sent anyway so the request says what it asks. Then ``GET /v1/query/video_generation?task_id=`` until the status is
``Success`` (with a ``file_id``) or ``Fail``; the bytes come from
``GET /v1/files/retrieve_content?file_id=`` [files].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from reelkit.capabilities import Mode, ModelInfo
from reelkit.errors import InvalidRequest, UnsupportedMode
from reelkit.models import Media, VideoRequest

from .capabilities import MAX_PROMPT_CHARS, V2_MODELS, WIRE_RESOLUTIONS

if TYPE_CHECKING:
    import httpx

    from reelkit.models import ProviderConfig

PROVIDER_NAMES = frozenset({"minimax", "hailuo"})


def api_root(base_url: str) -> str:
    """The host part: a base URL given with ``/v1`` (as MINIMAX_API_HOST often is) works too."""
    base = base_url.rstrip("/")
    return base.removesuffix("/v1")


def submit_url(base_url: str) -> str:
    return f"{api_root(base_url)}/v1/video_generation"


def poll_request(base_url: str, task_id: str) -> httpx.Request:
    import httpx

    return httpx.Request(
        "GET",
        f"{api_root(base_url)}/v1/query/video_generation",
        params={"task_id": task_id},
        headers={"accept": "application/json"},
    )


def content_url(base_url: str, file_id: str) -> str:
    """Where the file's bytes are served, on the API's own origin (so the core signs it)."""
    import httpx

    url = httpx.URL(f"{api_root(base_url)}/v1/files/retrieve_content", params={"file_id": file_id})
    return str(url)


def build_request(model: ModelInfo, request: VideoRequest, config: ProviderConfig) -> httpx.Request:
    from reelkit.wire import json_request

    if model.id in V2_MODELS:
        from .v2 import build_v2_body, submit_v2_url

        return json_request("POST", submit_v2_url(config.base_url), build_v2_body(model, request))
    return json_request("POST", submit_url(config.base_url), build_body(model, request))


def build_body(model: ModelInfo, request: VideoRequest) -> dict[str, Any]:
    """The JSON body for a clamped request (``json_request`` drops the ``None`` values)."""
    mode = request.mode or Mode.T2V
    if model.mode(mode) is None:
        raise UnsupportedMode("mode", f"{model.id} does not offer {mode}", allowed=model.mode_names)
    prompt = request.prompt.strip()
    if mode is Mode.T2V and not prompt:
        raise InvalidRequest("prompt", f"{model.id} needs a prompt to make a video from text")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InvalidRequest(
            "prompt", f"{len(prompt)} characters", allowed=f"≤{MAX_PROMPT_CHARS} characters"
        )
    body: dict[str, Any] = {"model": model.id, "prompt": prompt or None}
    body["duration"] = None if request.duration is None else round(request.duration)
    body["resolution"] = wire_resolution(request.resolution)
    if mode in (Mode.I2V, Mode.FIRST_LAST):
        if request.first_frame is None:
            raise InvalidRequest("first_frame", f"{mode} needs a first frame")
        body["first_frame_image"] = image_value(request.first_frame, "first_frame")
    if mode is Mode.FIRST_LAST:
        if request.last_frame is None:
            raise InvalidRequest("last_frame", "first_last needs a last frame")
        body["last_frame_image"] = image_value(request.last_frame, "last_frame")
    elif request.last_frame is not None:
        raise InvalidRequest(
            "last_frame", f"{model.id} takes no last frame in {mode}", allowed=["MiniMax-Hailuo-02"]
        )
    if mode is Mode.REFERENCE:
        refs = request.reference_images
        if len(refs) != 1:
            raise InvalidRequest(
                "reference_images", f"S2V-01 takes one subject image, got {len(refs)}", allowed="1"
            )
        # [t2v] subject_reference: [{"type": "character", "image": [<one image>]}]
        image = image_value(refs[0], "reference_images[0]")
        body["subject_reference"] = [{"type": "character", "image": [image]}]
    elif request.reference_images:
        raise InvalidRequest(
            "reference_images", f"{model.id} takes no reference images", allowed=["S2V-01"]
        )
    body.update(params_of(request.params, model))
    return body


def wire_resolution(resolution: str | None) -> str | None:
    if resolution is None:
        return None
    wire = WIRE_RESOLUTIONS.get(resolution.lower())
    if wire is None:  # the core clamps first, so only a new capability row gets here
        raise InvalidRequest("resolution", resolution, allowed=list(WIRE_RESOLUTIONS))
    return wire


def image_value(medium: Media, field: str) -> str:
    """A public URL, or a ``data:image/...;base64,`` URL for bytes and local files [t2v]."""
    if medium.url is not None:
        return medium.url
    from reelkit.media import sniff

    mime = medium.mime_type or sniff(medium.data or b"")[0]
    if mime is None or not mime.startswith("image/"):
        raise InvalidRequest(
            field,
            "cannot tell the image type; give its MIME type",
            allowed="image/jpeg, image/png, image/webp",
        )
    return f"data:{mime};base64,{medium.base64()}"


def params_of(params: Mapping[str, Any], model: ModelInfo) -> dict[str, Any]:
    """``--param`` values (the core has checked their names and types against the model)."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        prefix, _, rest = key.partition(".")
        name = rest if rest and prefix in PROVIDER_NAMES else key
        if name not in {p.name for p in model.params}:
            raise InvalidRequest(
                f"params.{key}",
                f"unknown MiniMax parameter for {model.id}",
                allowed=[p.name for p in model.params],
            )
        if name == "callback_url" and not str(value).startswith(("https://", "http://")):
            raise InvalidRequest(f"params.{key}", "must be an http(s) URL", allowed="https://…")
        out[name] = value
    return out
