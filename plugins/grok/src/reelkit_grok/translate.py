"""Build xAI video requests: one endpoint per kind of job, never conflated [veo-grok §2.1].

- ``POST /v1/videos/generations``: text, first frame (``image: {url}``), first+last frame
  (1.5), reference images (``reference_images: [{url}]``);
- ``POST /v1/videos/edits``: ``video`` (edit) and ``remix_of`` (an edit of an earlier job's
  video) — no duration, aspect ratio or resolution [veo-grok §2.2, §2.5];
- ``POST /v1/videos/extensions``: ``continue_from`` — ``duration`` is the length added.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from reelkit.capabilities import Mode, ModelInfo, aspect_distance
from reelkit.errors import InvalidRequest, UnsupportedMode
from reelkit.models import Adjustment, Media, SourceJob, VideoRequest

from .capabilities import (
    ASPECTS,
    EDIT_DURATIONS,
    EXTENSION_INPUT_S,
    MAX_KEYFRAMES,
    MAX_REFERENCE_AUDIOS,
    MAX_REFERENCE_IMAGES,
    MODEL_15,
    PARAMS_15,
)

if TYPE_CHECKING:
    import httpx

    from reelkit.models import ProviderConfig

PROVIDER_NAMES = frozenset({"grok", "xai"})
ENDPOINTS = {
    Mode.T2V: "generations",
    Mode.I2V: "generations",
    Mode.FIRST_LAST: "generations",
    Mode.REFERENCE: "generations",
    Mode.EDIT: "edits",
    Mode.REMIX: "edits",
    Mode.EXTEND: "extensions",
}
#: Every ``--param`` name any Grok model declares (``capabilities.PARAMS_15`` is the widest set);
#: which model and mode may use each is checked below.
PARAMS = tuple(p.name for p in PARAMS_15)


def api_root(base_url: str) -> str:
    """``{base}/v1``, accepting a base URL that already ends in ``/v1``."""
    base = base_url.rstrip("/")
    return base if base.endswith("/v1") else base + "/v1"


def poll_url(base_url: str, request_id: str) -> str:
    return f"{api_root(base_url)}/videos/{quote(request_id, safe='')}"


def build_request(
    model: ModelInfo, request: VideoRequest, config: ProviderConfig, *, now: datetime
) -> httpx.Request:
    from reelkit.wire import json_request, not_sent

    endpoint, body = build_body(model, request, now=now)
    http = json_request("POST", f"{api_root(config.base_url)}/videos/{endpoint}", body)
    return not_sent(http, _inherited(request))


def _inherited(request: VideoRequest) -> list[Adjustment]:
    """[veo-grok §2.2, §2.5] edits (and remixes, which are edits) follow their source's length,
    shape and resolution; an extension takes its length but follows the source's shape: a
    requested value these cannot carry is reported, not dropped."""
    mode = request.mode or Mode.T2V
    fields = {
        Mode.EDIT: ("duration", "aspect_ratio", "resolution"),
        Mode.REMIX: ("duration", "aspect_ratio", "resolution"),
        Mode.EXTEND: ("aspect_ratio", "resolution"),
    }.get(mode, ())
    source = request.continue_from or request.remix_of
    out = []
    for name in fields:
        value = getattr(request, name)
        if value is None or name in request.unset:
            continue
        if source is not None and getattr(source, name, None) == value:
            continue  # the source's own value: what the result has anyway
        out.append(
            Adjustment(
                field=name,
                requested=value,
                applied=None,
                reason=f"a {mode} follows its source video's {name.replace('_', ' ')}; not sent",
            )
        )
    return out


def build_body(
    model: ModelInfo, request: VideoRequest, *, now: datetime
) -> tuple[str, dict[str, Any]]:
    """The endpoint name and the JSON body for a clamped request."""
    mode = request.mode or Mode.T2V
    if model.mode(mode) is None or mode not in ENDPOINTS:
        raise UnsupportedMode("mode", f"{model.id} does not offer {mode}", allowed=model.mode_names)
    is_15 = model.id == MODEL_15
    params = _params(request.params, model)
    prompt = request.prompt.strip()
    body: dict[str, Any] = {"model": model.id, "prompt": prompt}
    if request.audio is not None:
        body["generate_audio"] = request.audio  # [veo-grok §2.2] false gives a silent video
    body["user"] = params.get("user")
    body["storage_options"] = params.get("storage_options")

    endpoint = ENDPOINTS[mode]
    if endpoint == "generations":
        _generation(body, model, request, mode, params, is_15=is_15)
    else:
        if "keyframes" in params or "reference_audios" in params:
            raise InvalidRequest(
                "params", f"keyframes and reference_audios apply to generations, not {mode}"
            )
        source = _source_url(request, mode, now=now)
        body["video"] = {"url": source}
        if mode is Mode.EXTEND:
            body["duration"] = _seconds(request.duration)  # the length added, 1–10 s
        # Edits and extensions take no aspect_ratio/resolution (edits no duration either): the
        # output follows the source [veo-grok §2.2, §2.5].

    pinned = body.get("image") is not None or body.get("last_frame") is not None
    if not prompt and not (is_15 and pinned):
        raise InvalidRequest(
            "prompt",
            f"{model.id} needs a prompt for {mode}"
            + (
                "" if is_15 else " (only grok-imagine-video-1.5 may omit it when a frame is pinned)"
            ),
        )
    if not prompt:
        del body["prompt"]
    return endpoint, body


def _generation(
    body: dict[str, Any],
    model: ModelInfo,
    request: VideoRequest,
    mode: Mode,
    params: Mapping[str, Any],
    *,
    is_15: bool,
) -> None:
    body["duration"] = _seconds(request.duration)
    body["resolution"] = request.resolution
    implicit = "aspect_ratio" in request.unset and "aspect_ratio" in model.implicit_defaults
    if not implicit:  # unasked, xAI keeps the first frame's own shape (URL or bytes alike)
        body["aspect_ratio"] = request.aspect_ratio
    frame = request.first_frame
    if mode in (Mode.I2V, Mode.FIRST_LAST) and frame is None:
        raise InvalidRequest("first_frame", f"{mode} needs a first frame")
    if frame is not None:
        if mode is Mode.REFERENCE and not is_15:
            # [veo-grok §2.2] image + reference_images → 400 on the base model: say so, never drop.
            raise InvalidRequest(
                "first_frame",
                f"{model.id} does not accept a first frame together with reference images",
                allowed=[
                    f"{MODEL_15} (pins the first frame)",
                    "first_frame alone",
                    "references alone",
                ],
            )
        body["image"] = image_object(frame, "first_frame")
        # [veo-grok §2.2] an explicit aspect_ratio *stretches* the image; when the applied ratio is
        # the image's own (nearest supported) one, leave it to the API, which keeps the image's
        # exact shape.
        if "aspect_ratio" in body and request.aspect_ratio == _own_aspect(frame):
            del body["aspect_ratio"]
    if request.last_frame is not None:
        if not is_15:
            raise InvalidRequest(
                "last_frame", f"{model.id} takes no last frame", allowed=[MODEL_15]
            )
        body["last_frame"] = image_object(request.last_frame, "last_frame")
    if mode is Mode.REFERENCE:
        refs = request.reference_images
        if not refs or len(refs) > MAX_REFERENCE_IMAGES:
            raise InvalidRequest(
                "reference_images",
                f"xAI takes 1–{MAX_REFERENCE_IMAGES} reference images, got {len(refs)}",
                allowed=f"1–{MAX_REFERENCE_IMAGES}",
            )
        body["reference_images"] = [
            image_object(img, f"reference_images[{i}]") for i, img in enumerate(refs)
        ]
    elif request.reference_images:
        raise InvalidRequest("reference_images", f"{mode} takes no reference images")
    if "keyframes" in params:
        if not is_15:
            raise InvalidRequest(
                "params.keyframes", f"{model.id} takes no keyframes", allowed=[MODEL_15]
            )
        body["keyframes"] = _keyframes(params["keyframes"], float(body["duration"] or 0))
    if "reference_audios" in params:
        if not (is_15 and mode is Mode.REFERENCE):
            raise InvalidRequest(
                "params.reference_audios",
                "reference audios need grok-imagine-video-1.5 with reference images",
                allowed=[f"{MODEL_15} + reference_images"],
            )
        body["reference_audios"] = _voices(params["reference_audios"])


def image_object(medium: Media, field: str) -> dict[str, str]:
    """``{"url": "https://…"}`` or ``{"url": "data:image/…;base64,…"}`` [veo-grok §2.2]."""
    if medium.url is not None:
        return {"url": medium.url}
    from reelkit.media import sniff

    mime = medium.mime_type or sniff(medium.data or b"")[0]
    if mime is None or not mime.startswith("image/"):
        raise InvalidRequest(
            field,
            "cannot tell the image type; give its MIME type",
            allowed="image/jpeg, image/png, image/webp",
        )
    return {"url": f"data:{mime};base64,{medium.base64()}"}


def _own_aspect(frame: Media) -> str | None:
    if not (frame.width and frame.height):
        return None
    own = f"{frame.width}:{frame.height}"
    return min(ASPECTS, key=lambda a: aspect_distance(a, own))


def _seconds(duration: float | None) -> int | None:
    return None if duration is None else round(duration)  # [veo-grok §2.2] duration is an int


# --- sources of edits and extensions -------------------------------------------------------


def _source_url(request: VideoRequest, mode: Mode, *, now: datetime) -> str:
    if mode is Mode.EDIT:
        if request.video is None:
            raise InvalidRequest("video", "an edit needs the video to edit")
        return _video_url(request.video)
    field = "remix_of" if mode is Mode.REMIX else "continue_from"
    source = request.remix_of if mode is Mode.REMIX else request.continue_from
    if source is None:
        if mode is Mode.EXTEND and request.video is not None:
            return _video_url(request.video)
        raise InvalidRequest(
            field, f"{mode} needs an earlier job", allowed="a reelkit job id or a video URL"
        )
    url = _job_video(source, field, now=now)
    duration = _known_duration(source)
    if duration is not None:
        if mode is Mode.REMIX and duration > EDIT_DURATIONS.max:
            raise InvalidRequest(
                field,
                f"the video of job {_label(source)} is {duration:g} s; xAI edits videos up to "
                f"{EDIT_DURATIONS.max:g} s",
                allowed=f"≤{EDIT_DURATIONS.max:g} s (use continue_from to extend instead)",
            )
        low, high = EXTENSION_INPUT_S
        if mode is Mode.EXTEND and not low <= duration <= high:
            raise InvalidRequest(
                field,
                f"the video of job {_label(source)} is {duration:g} s; xAI extends videos of "
                f"{low:g}–{high:g} s",
                allowed=f"{low:g}–{high:g} s",
            )
    return url


def _video_url(video: Media) -> str:
    if video.url is None:
        raise InvalidRequest(
            "video",
            "xAI takes a source video as a URL, not as uploaded bytes",
            allowed="an https URL of the video",
        )
    return video.url


def _job_video(source: SourceJob, field: str, *, now: datetime) -> str:
    url = source.video_url
    if url is None and source.task_id.startswith(("https://", "http://")):
        url = source.task_id  # `--continue-from https://…/video.mp4`: the video itself
    if url is None:
        raise InvalidRequest(
            field,
            f"job {_label(source)} has no video URL (unknown to the journal, or not finished)",
            allowed="a finished reelkit job id or a video URL",
        )
    if source.expires_at is not None and source.expires_at <= now:
        raise InvalidRequest(
            field,
            f"the video of job {_label(source)} expired at {source.expires_at.isoformat()} "
            "(xAI result URLs last 24 h); use a fresh video URL",
            allowed="a job from the last 24 h or a video URL",
        )
    return url


def _known_duration(source: SourceJob) -> float | None:
    data = source.data or {}
    total = data.get("total_duration")
    if total is not None:
        return float(total)
    if source.provider is not None and source.provider not in PROVIDER_NAMES:
        return source.duration
    # A grok edit's or extension's own request duration is not its length; only trust it for
    # generations.
    if data.get("endpoint") in ("edits", "extensions"):
        return None
    return source.duration


def _label(source: SourceJob) -> str:
    return source.job_id or source.task_id


# --- params ----------------------------------------------------------------------------------


def _params(params: Mapping[str, Any], model: ModelInfo) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        prefix, _, rest = key.partition(".")
        name = rest if rest and prefix in PROVIDER_NAMES else key
        if name not in PARAMS:
            raise InvalidRequest(
                f"params.{key}",
                f"unknown Grok parameter for {model.id}",
                allowed=[p.name for p in model.params],
            )
        if name in ("keyframes", "storage_options", "reference_audios") and isinstance(value, str):
            value = _json_or_text(value)  # `--param keyframes='[{"url": …}]'`
        if name == "user" and not isinstance(value, str):
            raise InvalidRequest(f"params.{key}", "must be a string")
        if name == "storage_options" and not isinstance(value, Mapping):
            raise InvalidRequest(
                f"params.{key}", "must be an object", allowed='{"filename": …, "public_url": true}'
            )
        out[name] = value
    return out


def _json_or_text(value: str) -> Any:
    import json

    try:
        return json.loads(value)
    except ValueError:
        return value


def _keyframes(value: Any, duration: float) -> list[dict[str, Any]]:
    # [veo-grok §2.2] ≤4 entries, 0 < t < duration, at least 1/3 s apart; REST name timestamp_s.
    field = "params.keyframes"
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise InvalidRequest(field, "must be a list of {url, timestamp_s}")
    if not 1 <= len(value) <= MAX_KEYFRAMES:
        raise InvalidRequest(field, f"{len(value)} keyframes", allowed=f"1–{MAX_KEYFRAMES}")
    frames: list[dict[str, Any]] = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise InvalidRequest(f"{field}[{i}]", "must be an object with url and timestamp_s")
        image = item.get("image")
        url = image.get("url") if isinstance(image, Mapping) else item.get("url")
        stamp = item.get("timestamp_s", item.get("timestamp"))
        if not isinstance(url, str) or not url:
            raise InvalidRequest(f"{field}[{i}].url", "missing image URL (https or data URI)")
        try:
            t = float(stamp)
        except (TypeError, ValueError):
            raise InvalidRequest(f"{field}[{i}].timestamp_s", f"not a number: {stamp!r}") from None
        if not 0 < t < duration:
            raise InvalidRequest(
                f"{field}[{i}].timestamp_s",
                f"{t:g} s is outside the video",
                allowed=f"0 < t < {duration:g}",
            )
        frames.append({"image": {"url": url}, "timestamp_s": t})
    stamps = sorted(f["timestamp_s"] for f in frames)
    if any(b - a < 1 / 3 for a, b in itertools.pairwise(stamps)):
        raise InvalidRequest(field, "keyframes must be at least 1/3 s apart")
    return frames


def _voices(value: Any) -> list[dict[str, str]]:
    field = "params.reference_audios"
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Sequence) or not 1 <= len(items) <= MAX_REFERENCE_AUDIOS:
        raise InvalidRequest(
            field, "1–3 preset voice ids", allowed=f"1–{MAX_REFERENCE_AUDIOS} voice ids"
        )
    voices = []
    for i, item in enumerate(items):
        voice = item.get("voice_id") if isinstance(item, Mapping) else item
        if not isinstance(voice, str) or not voice:
            raise InvalidRequest(f"{field}[{i}]", "needs a voice id, e.g. 'eve'")
        voices.append({"voice_id": voice})
    return voices
