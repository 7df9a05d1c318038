"""Build Ark's create / get / delete requests (ref §3.1–§3.3).

Output settings go in the body as strictly validated params (``resolution``, ``ratio``,
``duration``, ...), never as the lenient ``--flags`` in the prompt text (ref §0.7), and unset
fields are omitted rather than sent as ``null`` (what the official SDK does, ref §0.6).
``ref §n`` cites ``docs/reference/volcengine-kling.md`` section n.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from reelkit import infer_mode
from reelkit.capabilities import Audio, Mode, ModelInfo
from reelkit.errors import InvalidRequest
from reelkit.media import sniff, to_media
from reelkit.models import JobHandle, Media, ProviderConfig, VideoRequest
from reelkit.wire import json_request

from .capabilities import (
    API_PREFIX,
    BYTEPLUS_IDS,
    MAX_IMAGE_RATIO,
    MIN_IMAGE_RATIO,
    TASKS_PATH,
)
from .params import Params, parse_params

SEED_RANGE = (-1, 2**32 - 1)  # ref §3.2
#: ref §3.1: list ``page_size`` is at most 500; one page of the newest tasks is what
#: ``reelkit jobs reconcile`` reads.
LIST_PAGE_SIZE = 500


def tasks_url(base_url: str, task_id: str | None = None) -> str:
    base = base_url.rstrip("/")
    if not base.endswith(API_PREFIX):  # accept the SDK-style base ".../api/v3" as well
        base += API_PREFIX
    url = base + TASKS_PATH
    return url if task_id is None else f"{url}/{quote(task_id, safe='')}"


def is_byteplus(base_url: str) -> bool:
    host = urlsplit(base_url).hostname or ""
    return host.endswith(".bytepluses.com")


def wire_model(model: ModelInfo, config: ProviderConfig, params: Params) -> str:
    if params.endpoint_id:
        return params.endpoint_id
    if is_byteplus(config.base_url):
        return BYTEPLUS_IDS.get(model.id, model.id)
    return model.id


# --- images ------------------------------------------------------------------------------------


def _format_of(data: bytes, media: Media) -> str | None:
    # Formats the core's sniffer does not know (ref §3.2 accepts them): BMP, TIFF, HEIC/HEIF.
    if data[:2] == b"BM":
        return "bmp"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"hevc", b"heim", b"heis"):
        return "heic"
    if data[4:8] == b"ftyp" and data[8:12] in (b"mif1", b"msf1"):
        return "heif"
    mime, _ = sniff(data)
    fmt = (mime or media.mime_type or "").split("/")[-1].lower()
    return {"jpg": "jpeg", "tif": "tiff"}.get(fmt, fmt) or None


def image_url(media: Media, field: str, model: ModelInfo) -> str:
    """A public URL, or the bytes as ``data:image/<fmt>;base64,...`` (ref §3.2: prefix required)."""
    limits = model.images
    width, height = media.width, media.height
    if media.url is not None and media.url.startswith("data:"):
        media = to_media(media.url, field)  # decoded, so its format and size are checked
    if media.url is not None:
        if not media.url.startswith(("https://", "http://")):
            raise InvalidRequest(
                field, f"not an http(s) URL: {media.url[:80]!r}", allowed="http(s) URL, local file"
            )
        value = media.url
    else:
        assert media.data is not None
        fmt = _format_of(media.data, media)
        if fmt not in limits.formats:
            raise InvalidRequest(
                field, f"image format {fmt or 'unknown'} is not accepted", allowed=limits.formats
            )
        if limits.max_bytes is not None and len(media.data) > limits.max_bytes:
            raise InvalidRequest(
                field, f"image is {len(media.data)} bytes", allowed="smaller than 30 MB"
            )
        _, size = sniff(media.data)
        if size:
            width, height = size
        value = f"data:image/{fmt};base64,{base64.b64encode(media.data).decode('ascii')}"
    if width and height:
        long_side, short_side = max(width, height), min(width, height)
        if limits.min_side and short_side < limits.min_side:
            raise InvalidRequest(
                field, f"image is {width}x{height}", allowed="short side over 300 px"
            )
        if limits.max_side and long_side > limits.max_side:
            raise InvalidRequest(
                field, f"image is {width}x{height}", allowed="long side under 6000 px"
            )
        if not MIN_IMAGE_RATIO <= width / height <= MAX_IMAGE_RATIO:
            raise InvalidRequest(
                field,
                f"image is {width}x{height}, a width:height of {width / height:.2f}",
                allowed=f"width:height from {MIN_IMAGE_RATIO} to {MAX_IMAGE_RATIO}",
            )
    return value


def _image_item(media: Media, role: str, field: str, model: ModelInfo) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": image_url(media, field, model)}, "role": role}


def content(model: ModelInfo, mode: Mode, request: VideoRequest) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    prompt = request.prompt.strip()
    if prompt:
        items.append({"type": "text", "text": prompt})
    elif mode is Mode.T2V:
        raise InvalidRequest("prompt", "text-to-video needs a prompt")
    if mode in (Mode.I2V, Mode.FIRST_LAST):
        if request.first_frame is None:
            raise InvalidRequest("first_frame", f"{mode.value} needs a first frame")
        items.append(_image_item(request.first_frame, "first_frame", "first_frame", model))
    if mode is Mode.FIRST_LAST:
        if request.last_frame is None:
            raise InvalidRequest("last_frame", "first_last needs a last frame")
        items.append(_image_item(request.last_frame, "last_frame", "last_frame", model))
    if mode is Mode.REFERENCE:
        if not request.reference_images:
            raise InvalidRequest("reference_images", "reference mode needs at least one image")
        for image in request.reference_images:
            items.append(_image_item(image, "reference_image", "reference_images", model))
    return items


# --- the create body ---------------------------------------------------------------------------


def _mode_of(model: ModelInfo, request: VideoRequest) -> Mode:
    # The core sets the mode when it clamps; a direct caller gets the core's own inference.
    return request.mode or infer_mode(request, model).mode


def _check_combinations(mode: Mode, request: VideoRequest, params: Params) -> None:
    if params.camera_fixed is not None and mode is Mode.REFERENCE:
        raise InvalidRequest(
            "params.camera_fixed",
            "reference-image mode does not take it",
            allowed="t2v, i2v, first_last",
        )
    if params.draft:
        if (request.resolution or "").lower() != "480p":
            raise InvalidRequest("resolution", "a draft renders at 480p only", allowed="480p")
        if params.return_last_frame:
            raise InvalidRequest(
                "params.return_last_frame", "drafts cannot return a last frame", allowed="false"
            )
        if params.service_tier == "flex":
            raise InvalidRequest("params.service_tier", "drafts cannot use flex", allowed="default")
    if request.seed is not None and not SEED_RANGE[0] <= request.seed <= SEED_RANGE[1]:
        raise InvalidRequest("seed", f"{request.seed} is out of range", allowed="-1 to 4294967295")


def build_create_body(
    model: ModelInfo, request: VideoRequest, config: ProviderConfig
) -> dict[str, Any]:
    params = parse_params(model.id, request.params)
    mode = _mode_of(model, request)
    _check_combinations(mode, request, params)
    duration = request.duration if request.duration is not None else model.default_duration
    if not float(duration).is_integer():
        raise InvalidRequest(
            "duration", f"{duration:g} s is not whole seconds", allowed="whole seconds"
        )
    # Keys in the SDK's order (ref §3.3), so a body reads like the official client's.
    return {
        "model": wire_model(model, config, params),
        "content": content(model, mode, request),
        # The caller's own callback_url wins; a reelkit service's (per job) is in the options.
        "callback_url": params.callback_url or _service_callback(config),
        "return_last_frame": params.return_last_frame,
        "service_tier": params.service_tier,
        "execution_expires_after": params.execution_expires_after,
        "generate_audio": request.audio if model.audio is Audio.OPTIONAL else None,
        "draft": params.draft,
        "camera_fixed": params.camera_fixed,
        "watermark": params.watermark,
        "seed": request.seed if model.supports_seed else None,
        "resolution": request.resolution.lower() if request.resolution else None,
        "ratio": request.aspect_ratio,
        "duration": int(duration),
    }


def _service_callback(config: ProviderConfig) -> str | None:
    from reelkit.callbacks import CALLBACK_OPTION

    url = config.options.get(CALLBACK_OPTION)
    return str(url) if url else None


def create_request(
    model: ModelInfo, request: VideoRequest, config: ProviderConfig
) -> httpx.Request:
    return json_request(
        "POST", tasks_url(config.base_url), build_create_body(model, request, config)
    )


def get_request(job: JobHandle, config: ProviderConfig) -> httpx.Request:
    return json_request("GET", tasks_url(config.base_url, job.task_id))


def list_request(config: ProviderConfig) -> httpx.Request:
    """``GET …/tasks?page_num=1&page_size=500``: the account's newest tasks (ref §3.1, §3.3).

    Ark's list has no time filter (only ``filter.status|task_ids|model|service_tier``) and keeps
    the last 7 days, so the caller picks tasks by their ``created_at``. The query spelling is the
    official SDK's ``tasks.list`` (volcengine-ark-runtime 5.0.54).
    """
    return json_request(
        "GET", tasks_url(config.base_url), params={"page_num": 1, "page_size": LIST_PAGE_SIZE}
    )


def delete_request(job: JobHandle, config: ProviderConfig) -> httpx.Request:
    # ref §3.1: DELETE cancels a queued task (the SDK sends "{}"; no body is needed).
    return json_request("DELETE", tasks_url(config.base_url, job.task_id))
