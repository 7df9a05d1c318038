"""Build Runway requests: one endpoint per kind of input [sdk], every one with the version header.

- ``POST /v1/text_to_video``: ``promptText``, ``ratio``, ``duration`` (t2v);
- ``POST /v1/image_to_video``: ``promptImage`` as one URI (i2v) or a list of
  ``{uri, position: first|last}`` (first and last frame, Veo 3.1 only);
- ``POST /v1/video_to_video``: ``videoUri`` (edit, Aleph 2) — no ratio or duration, the output
  follows the source;
- ``GET`` / ``DELETE /v1/tasks/{id}``: poll, and cancel (or delete a finished task).

Sources are those of ``capabilities`` ([sdk], [ref]).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from reelkit.capabilities import Mode, ModelInfo
from reelkit.errors import InvalidRequest, UnsupportedMode
from reelkit.models import Adjustment, Media, VideoRequest

from .capabilities import (
    API_VERSION,
    DATA_URI_MAX_BYTES,
    GEN4_I2V_SIZES,
    GEN45_T2V_SIZES,
    MAX_PROMPT_CHARS,
    VEO_SIZES,
    VERSION_HEADER,
)

if TYPE_CHECKING:
    import httpx

    from reelkit.models import ProviderConfig

ENDPOINTS = {
    Mode.T2V: "text_to_video",
    Mode.I2V: "image_to_video",
    Mode.FIRST_LAST: "image_to_video",
    Mode.EDIT: "video_to_video",
}
#: Models whose bodies carry Veo's fields (audio, negativePrompt) rather than Gen-4's (seed).
VEO_MODELS = frozenset({"veo3.1", "veo3.1_fast"})
#: Models whose ``promptText`` is required [sdk] (text and image to video); elsewhere optional.
PROMPT_REQUIRED = frozenset({"gen4.5"})
#: [ref] Runway fetches inputs over HTTPS only; ``runway://`` names an upload.
URI_SCHEMES = ("https://", "runway://")


def version_headers() -> dict[str, str]:
    return {VERSION_HEADER: API_VERSION}


def api_root(base_url: str) -> str:
    """``{base}/v1``, accepting a base URL that already ends in ``/v1``."""
    base = base_url.rstrip("/")
    return base if base.endswith("/v1") else base + "/v1"


def task_url(base_url: str, task_id: str) -> str:
    return f"{api_root(base_url)}/tasks/{quote(task_id, safe='')}"


def task_request(method: str, base_url: str, task_id: str) -> httpx.Request:
    """``GET`` (poll) or ``DELETE`` (cancel) of one task, with the version header."""
    import httpx

    accept = "application/json" if method == "GET" else "*/*"  # [sdk] tasks.delete: Accept */*
    return httpx.Request(
        method, task_url(base_url, task_id), headers={"accept": accept, **version_headers()}
    )


def build_request(model: ModelInfo, request: VideoRequest, config: ProviderConfig) -> httpx.Request:
    from reelkit.wire import json_request, not_sent

    endpoint, body = build_body(model, request)
    http = json_request(
        "POST", f"{api_root(config.base_url)}/{endpoint}", body, headers=version_headers()
    )
    return not_sent(http, _follows_source(request))


def build_body(model: ModelInfo, request: VideoRequest) -> tuple[str, dict[str, Any]]:
    """The endpoint name and the JSON body for a clamped request."""
    mode = request.mode or Mode.T2V
    if model.mode(mode) is None or mode not in ENDPOINTS:
        raise UnsupportedMode("mode", f"{model.id} does not offer {mode}", allowed=model.mode_names)
    prompt = request.prompt.strip()
    if model.id in PROMPT_REQUIRED and not prompt:
        raise InvalidRequest("prompt", f"{model.id} needs a prompt (promptText is required)")
    if len(prompt.encode("utf-16-le")) // 2 > MAX_PROMPT_CHARS:
        raise InvalidRequest(
            "prompt",
            f"Runway takes at most {MAX_PROMPT_CHARS} UTF-16 code units",
            allowed=f"≤{MAX_PROMPT_CHARS} characters",
        )
    body: dict[str, Any] = {"model": model.id, "promptText": prompt or None}
    if mode is Mode.EDIT:
        if request.video is None:
            raise InvalidRequest("video", "an edit needs the video to edit")
        body["videoUri"] = media_uri(request.video, "video", "video/mp4")
    else:
        body["ratio"] = ratio(model, mode, request)
        body["duration"] = None if request.duration is None else round(request.duration)
        if mode is Mode.I2V:
            body["promptImage"] = _frame(request.first_frame, "first_frame")
        elif mode is Mode.FIRST_LAST:
            body["promptImage"] = [
                {"uri": _frame(request.first_frame, "first_frame"), "position": "first"},
                {"uri": _frame(request.last_frame, "last_frame"), "position": "last"},
            ]
    if model.id in VEO_MODELS:
        # Always said, so the price row (with or without sound) is the one that applies.
        body["audio"] = bool(request.audio)
        body["negativePrompt"] = request.negative_prompt or None
    elif model.supports_seed:
        body["seed"] = request.seed
    threshold = _params(request.params, model).get("public_figure_threshold")
    if threshold is not None:
        body["contentModeration"] = {"publicFigureThreshold": threshold}
    return ENDPOINTS[mode], body


def ratio(model: ModelInfo, mode: Mode, request: VideoRequest) -> str:
    """Runway's pixel ``ratio`` ("1280:720") for the applied resolution and aspect ratio."""
    if model.id in VEO_MODELS:
        table = VEO_SIZES
    elif mode is Mode.T2V:
        table = GEN45_T2V_SIZES
    else:
        table = GEN4_I2V_SIZES
    key = (request.resolution or "", request.aspect_ratio or "")
    size = table.get(key)
    if size is None:
        raise InvalidRequest(
            "aspect_ratio",
            f"{model.id} has no {key[0]} {key[1]} output in {mode}",
            allowed=[f"{r} {a}" for r, a in table],
        )
    return size.replace("x", ":")


def _frame(medium: Media | None, field: str) -> str:
    if medium is None:
        raise InvalidRequest(field, f"{field.replace('_', ' ')} is needed for this mode")
    return media_uri(medium, field, None)


def media_uri(medium: Media, field: str, fallback_mime: str | None) -> str:
    """An https (or ``runway://``) URL as given, or bytes as a base64 data URI of at most 5 MB."""
    if medium.url is not None:
        if not medium.url.startswith(URI_SCHEMES):
            raise InvalidRequest(
                field,
                "Runway fetches inputs over HTTPS only",
                allowed="an https:// URL, a runway:// upload URI, or a local file",
            )
        return medium.url
    from reelkit.media import sniff

    mime = medium.mime_type or sniff(medium.data or b"")[0] or fallback_mime
    if mime is None:
        raise InvalidRequest(
            field,
            "cannot tell the file type; give its MIME type",
            allowed="image/jpeg, image/png, image/webp",
        )
    uri = f"data:{mime};base64,{medium.base64()}"
    if len(uri) > DATA_URI_MAX_BYTES:
        raise InvalidRequest(
            field,
            f"as a data URI it is {len(uri) / 1024 / 1024:.1f} MB; Runway takes data URIs of at "
            f"most {DATA_URI_MAX_BYTES // (1024 * 1024)} MB",
            allowed="a data URI of at most 5 MB, or an https URL",
        )
    return uri


def _follows_source(request: VideoRequest) -> list[Adjustment]:
    """[sdk] video_to_video takes no ratio or duration: asked-for values are reported, not sent."""
    if request.mode is not Mode.EDIT:
        return []
    out = []
    for name in ("duration", "aspect_ratio", "resolution"):
        value = getattr(request, name)
        if value is None or name in request.unset:
            continue
        out.append(
            Adjustment(
                field=name,
                requested=value,
                applied=None,
                reason=f"an edit follows its source video's {name.replace('_', ' ')}; not sent",
            )
        )
    return out


def _params(params: Mapping[str, Any], model: ModelInfo) -> dict[str, Any]:
    out: dict[str, Any] = {}
    declared = {p.name: p for p in model.params}
    for key, value in params.items():
        prefix, _, rest = key.partition(".")
        name = rest if rest and prefix in ("runway", "runwayml") else key
        param = declared.get(name)
        if param is None:
            raise InvalidRequest(
                f"params.{key}", f"unknown Runway parameter for {model.id}", allowed=list(declared)
            )
        if param.choices and value not in param.choices:
            raise InvalidRequest(
                f"params.{key}", f"not one of {param.choices}", allowed=list(param.choices)
            )
        out[name] = value
    return out
