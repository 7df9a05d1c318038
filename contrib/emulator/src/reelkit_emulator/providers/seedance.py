"""Fake of Volcengine Ark / BytePlus ModelArk Seedance video tasks (``/api/v3/contents/...``).

Facts: ``docs/reference/volcengine-kling.md`` §3 (endpoints, create body, per-model
limits, get/list/delete, error codes, what the official SDK sends); seed
``003_f461b3432fdd20d8.txt`` (the model ids).

Served at ``/seedance/api/v3/contents/generations/tasks``: ``POST`` creates (``{"id":
"cgt-<time>-<5>"}``), ``GET /{id}`` polls (``queued`` -> ``running`` -> ``succeeded``, with
``content.video_url`` valid 24 h and ``usage``), ``GET`` lists (``page_num``/``page_size`` in
[1, 500], ``filter.status|task_ids|model|service_tier``, last 7 days, newest first) and
``DELETE /{id}`` cancels a queued task, deletes a finished one and refuses running or cancelled
ones. Every answer needs ``Authorization: Bearer <any non-empty key>`` (else 401
``AuthenticationError``); errors are ``{"error": {"code", "message", "param", "type"}}``.

The official SDK sends every optional field as explicit ``null``: null means "not set" here.
Body parameters are validated strictly per model (reference §0.7, §3.2, §3.5: modes and roles,
resolutions, ratios, durations or ``frames``, ``seed``/``camera_fixed`` where allowed,
``generate_audio`` and ``draft`` on 1.5 pro, reference images/videos/audios on 2.x); the legacy
``--flags`` in the prompt text are parsed leniently for 1.x models (a bad value silently
becomes the default). Model ids are accepted with the ``doubao-`` (Volcengine) or ``dreamina-``
(BytePlus 2.x) prefix or none (BytePlus 1.x); ``ep-...`` endpoint ids count as 1.0 pro.

Triggers (prompt markers):

- ``[emulator:moderation]``: ends ``failed`` with ``OutputVideoSensitiveContentDetected``;
- ``[emulator:fail]``: ends ``failed`` with ``InternalServiceError``;
- ``[emulator:expire]``: ends ``expired``; a task still unfinished ``execution_expires_after``
  seconds after creation (emulator clock) also polls ``expired``;
- ``[emulator:input-moderation]``: the create answers 400 ``InputTextSensitiveContentDetected``;
- injected faults: ``429`` answers ``RateLimitExceeded.EndpointRPMExceeded``, ``500``
  ``InternalServiceError``.

Not emulated: ``callback_url`` is validated but never called; ``QuotaExceeded`` for too many
queued tasks.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import random
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from reelkit_emulator.provider import Endpoint, ProviderContext, ProviderFake
from reelkit_emulator.responses import BodyError, Reject, bearer_token, json_body, json_response
from reelkit_emulator.tasks import Outcome, Phase, Task, VideoSpec

#: ``content.video_url`` and ``last_frame_url`` lifetime (reference §3.4: 24 h).
URL_TTL_SECONDS = 24 * 3600
#: ``list`` only returns tasks from the last 7 days (reference §3.1).
LIST_WINDOW_SECONDS = 7 * 24 * 3600
STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "expired")
RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive")
FPS = 24


# --------------------------------------------------------------------------------------------
# Errors: ``{"error": {"code", "message", "param", "type"}}`` (reference §3.3, §3.6)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArkError(Exception):
    http_status: int
    code: str
    message: str
    param: str | None = None

    @property
    def type(self) -> str:
        return _ERROR_TYPES.get(self.http_status, "BadRequest")


_ERROR_TYPES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    429: "TooManyRequests",
    500: "InternalServiceError",
}


def error_body(error: ArkError, request_id: str) -> dict[str, Any]:
    """Ark's error envelope; the message ends with the request id as the service's do."""
    return {
        "error": {
            "code": error.code,
            "message": f"{error.message} Request id: {request_id}",
            "param": error.param,
            "type": error.type,
        }
    }


def invalid(param: str, detail: str) -> ArkError:
    return ArkError(
        400,
        f"InvalidParameter.{_camel(param)}" if param else "InvalidParameter",
        f"The parameter `{param}` specified in the request is not valid: {detail}.",
        param,
    )


def missing(param: str) -> ArkError:
    return ArkError(
        400,
        "MissingParameter",
        f"The request failed because it is missing one or multiple required parameters: {param}.",
        param,
    )


def _camel(param: str) -> str:
    head = param.split(".")[0].split("[")[0]
    return "".join(part.capitalize() for part in head.split("_"))


def authentication_error() -> ArkError:
    return ArkError(
        401,
        "AuthenticationError",
        "The API key or AK/SK in the request is missing or invalid.",
    )


def model_not_found(model: str) -> ArkError:
    return ArkError(
        404,
        "InvalidEndpointOrModel.NotFound",
        f"The model or endpoint {model} does not exist or you do not have access to it.",
        "model",
    )


def task_not_found(task_id: str) -> ArkError:
    return ArkError(404, "ResourceNotFound", f"The specified task {task_id} is not found.", "id")


def new_request_id(rng: random.Random | None = None) -> str:
    r = rng or random
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
    return stamp + "".join(r.choice("0123456789abcdef") for _ in range(20))


def new_task_id(now: float, rng: random.Random | None = None) -> str:
    """``cgt-20250331175019-abcde``: a timestamp and five random characters."""
    r = rng or random
    stamp = datetime.fromtimestamp(now, timezone.utc).strftime("%Y%m%d%H%M%S")
    tail = "".join(r.choice(string.ascii_lowercase + string.digits) for _ in range(5))
    return f"cgt-{stamp}-{tail}"


# --------------------------------------------------------------------------------------------
# Models (reference §3.5; 2.x rows are third-party reports)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedanceModel:
    family: str
    version: str  # "1.0", "1.5" or "2.x": which pixel table and which body params apply
    t2v: bool
    first_frame: bool
    first_last: bool
    #: Maximum reference images / videos / audios (0: the mode is not supported).
    ref_images: int = 0
    ref_videos: int = 0
    ref_audios: int = 0
    audio_only_refs: bool = False
    resolutions: tuple[str, ...] = ("480p", "720p", "1080p")
    default_resolution: str = "720p"
    min_duration: int = 2
    max_duration: int = 12
    auto_duration: bool = False  # duration -1 lets the model choose
    frames: bool = True  # the ``frames`` parameter (25 + 4n)
    seed: bool = True
    camera_fixed: bool = True
    generate_audio: bool = False
    draft: bool = False
    extra_formats: tuple[str, ...] = ()

    @property
    def legacy_flags(self) -> bool:
        return self.version in ("1.0", "1.5")


_V2 = {"ref_images": 9, "ref_videos": 3, "ref_audios": 3, "min_duration": 4, "max_duration": 15}

#: Keyed by the model id without its platform prefix (``doubao-`` on Volcengine, ``dreamina-``
#: for BytePlus 2.x, none for BytePlus 1.x).
MODELS: dict[str, SeedanceModel] = {
    "seedance-1-0-lite-t2v-250428": SeedanceModel("lite-t2v", "1.0", True, False, False),
    "seedance-1-0-lite-i2v-250428": SeedanceModel(
        "lite-i2v", "1.0", False, True, True, ref_images=4
    ),
    "seedance-1-0-pro-250528": SeedanceModel(
        "pro", "1.0", True, True, True, default_resolution="1080p"
    ),
    "seedance-1-0-pro-fast-251015": SeedanceModel(
        "pro-fast", "1.0", True, True, False, default_resolution="1080p"
    ),
    # 1080p: newer BytePlus pixel tables list it (the older text says unsupported).
    "seedance-1-5-pro-251215": SeedanceModel(
        "1.5-pro",
        "1.5",
        True,
        True,
        True,
        min_duration=4,
        auto_duration=True,
        frames=False,
        generate_audio=True,
        draft=True,
        extra_formats=("heic", "heif"),
    ),
    "seedance-2-0-260128": SeedanceModel(
        "2.0",
        "2.x",
        True,
        True,
        True,
        resolutions=("480p", "720p", "1080p", "4k"),
        frames=False,
        seed=False,
        camera_fixed=False,
        generate_audio=True,
        **_V2,  # type: ignore[arg-type]
    ),
    "seedance-2-0-fast-260128": SeedanceModel(
        "2.0-fast",
        "2.x",
        True,
        True,
        True,
        resolutions=("480p", "720p"),
        frames=False,
        seed=False,
        camera_fixed=False,
        generate_audio=True,
        **_V2,  # type: ignore[arg-type]
    ),
    "seedance-2-0-mini-260615": SeedanceModel(
        "2.0-mini",
        "2.x",
        True,
        True,
        True,
        resolutions=("480p", "720p"),
        frames=False,
        seed=False,
        camera_fixed=False,
        generate_audio=True,
        **_V2,  # type: ignore[arg-type]
    ),
    "seedance-2-5-260628": SeedanceModel(
        "2.5",
        "2.x",
        True,
        True,
        True,
        ref_images=30,
        ref_videos=10,
        ref_audios=10,
        audio_only_refs=True,
        resolutions=("480p", "720p"),
        min_duration=4,
        max_duration=30,
        frames=False,
        seed=False,
        camera_fixed=False,
        generate_audio=True,
    ),
}
#: What an endpoint id (``ep-...``) stands for: the emulator cannot know, so it assumes 1.0 pro.
ENDPOINT_MODEL = "seedance-1-0-pro-250528"


def resolve_model(model: str, endpoints: Mapping[str, str] | None = None) -> SeedanceModel | None:
    if model.startswith("ep-"):
        return MODELS.get((endpoints or {}).get(model, ENDPOINT_MODEL))
    for prefix in ("doubao-", "dreamina-"):
        if model.startswith(prefix):
            model = model[len(prefix) :]
            break
    return MODELS.get(model)


# Pixel sizes (reference §3.5); 2.x is assumed to use the 1.5 table. 4k is 16:9-scaled 2160p.
_SIZES_10 = {
    "480p": {
        "16:9": (864, 480),
        "4:3": (736, 544),
        "1:1": (640, 640),
        "3:4": (544, 736),
        "9:16": (480, 864),
        "21:9": (960, 416),
    },
    "720p": {
        "16:9": (1248, 704),
        "4:3": (1120, 832),
        "1:1": (960, 960),
        "3:4": (832, 1120),
        "9:16": (704, 1248),
        "21:9": (1504, 640),
    },
    "1080p": {
        "16:9": (1920, 1088),
        "4:3": (1664, 1248),
        "1:1": (1440, 1440),
        "3:4": (1248, 1664),
        "9:16": (1088, 1920),
        "21:9": (2176, 928),
    },
}
_SIZES_15 = {
    "480p": {
        "16:9": (864, 496),
        "4:3": (752, 560),
        "1:1": (640, 640),
        "3:4": (560, 752),
        "9:16": (496, 864),
        "21:9": (992, 432),
    },
    "720p": {
        "16:9": (1280, 720),
        "4:3": (1112, 834),
        "1:1": (960, 960),
        "3:4": (834, 1112),
        "9:16": (720, 1280),
        "21:9": (1470, 630),
    },
    "1080p": {
        "16:9": (1920, 1080),
        "4:3": (1664, 1248),
        "1:1": (1440, 1440),
        "3:4": (1248, 1664),
        "9:16": (1080, 1920),
        "21:9": (2206, 946),
    },
    "4k": {
        "16:9": (3840, 2160),
        "4:3": (3328, 2496),
        "1:1": (2880, 2880),
        "3:4": (2496, 3328),
        "9:16": (2160, 3840),
        "21:9": (4412, 1892),
    },
}


def frame_size(model: SeedanceModel, resolution: str, ratio: str) -> tuple[int, int]:
    table = _SIZES_10 if model.version == "1.0" else _SIZES_15
    return table[resolution][ratio]


# --------------------------------------------------------------------------------------------
# Create-body validation (reference §3.2)
# --------------------------------------------------------------------------------------------

_IMAGE_FORMATS = ("jpeg", "jpg", "png", "webp", "bmp", "tiff", "gif")
_DATA_URI = re.compile(r"^data:image/([a-z0-9.+-]+);base64,(.*)$", re.DOTALL)
_FLAG = re.compile(r"--(\w+)\s+(\S+)")
_FLAG_NAMES = {
    "resolution": "resolution",
    "rs": "resolution",
    "ratio": "ratio",
    "rt": "ratio",
    "duration": "duration",
    "dur": "duration",
    "frames": "frames",
    "framespersecond": "fps",
    "fps": "fps",
    "seed": "seed",
    "camerafixed": "camera_fixed",
    "cf": "camera_fixed",
    "watermark": "watermark",
    "wm": "watermark",
}
_ROLES = {
    "image_url": ("first_frame", "last_frame", "reference_image"),
    "video_url": ("reference_video",),
    "audio_url": ("reference_audio",),
}


@dataclass(frozen=True)
class CreateSpec:
    """A validated create body: what the task renders and echoes back."""

    model_id: str
    model: SeedanceModel
    mode: str  # t2v, first_frame, first_last, reference
    prompt: str
    resolution: str
    ratio: str
    duration: int | None
    frames: int | None
    seed: int
    camera_fixed: bool
    watermark: bool
    generate_audio: bool | None
    draft: bool
    return_last_frame: bool
    service_tier: str
    execution_expires_after: int
    callback_url: str | None
    width: int
    height: int

    @property
    def seconds(self) -> float:
        if self.frames is not None:
            return round(self.frames / FPS, 3)
        return float(self.duration or 5)

    @property
    def total_frames(self) -> int:
        return self.frames if self.frames is not None else int(self.seconds) * FPS + 1

    @property
    def tokens(self) -> int:
        # 108900 for 5 s (121 frames) at 1280x720 (reference §3.4): width*height*frames/1024.
        return self.width * self.height * self.total_frames // 1024


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_image_url(index: int, item: dict[str, Any], model: SeedanceModel) -> float | None:
    """Check an ``image_url`` item; return the image's aspect ratio when it can be read."""
    where = f"content[{index}].image_url"
    holder = item.get("image_url")
    if not isinstance(holder, dict) or not isinstance(holder.get("url"), str) or not holder["url"]:
        raise invalid(where, "must be an object with a non-empty url")
    url: str = holder["url"]
    if url.startswith(("http://", "https://", "asset://")):
        return None
    match = _DATA_URI.match(url)
    if not match:
        raise invalid(
            where,
            "url must be http(s) or data:image/<format>;base64,<data> with a lowercase format",
        )
    fmt = match.group(1)
    if fmt not in _IMAGE_FORMATS + model.extra_formats:
        allowed = ", ".join(_IMAGE_FORMATS + model.extra_formats)
        raise invalid(where, f"image format {fmt!r} is not supported; one of {allowed}")
    try:
        raw = base64.b64decode(match.group(2), validate=True)
    except (binascii.Error, ValueError):
        raise invalid(where, "the base64 data is not valid") from None
    if len(raw) >= 30 * 1024 * 1024:
        raise invalid(where, "images must be smaller than 30 MB")
    from .jimeng import image_size  # a PNG/JPEG header reader, shared

    info = image_size(raw)
    if info and info[1] and info[2]:
        _, w, h = info
        if not 0.4 <= w / h <= 2.5:
            raise invalid(where, f"aspect ratio {w}x{h} must lie in [0.4, 2.5]")
        if min(w, h) <= 300 or max(w, h) >= 6000:
            raise invalid(where, f"{w}x{h}: short side must be > 300 px, long side < 6000 px")
        return w / h
    return None


def _parse_flags(text: str) -> tuple[str, dict[str, str]]:
    flags = {_FLAG_NAMES[k.lower()]: v for k, v in _FLAG.findall(text) if k.lower() in _FLAG_NAMES}
    prompt = _FLAG.sub(lambda m: "" if m.group(1).lower() in _FLAG_NAMES else m.group(0), text)
    return " ".join(prompt.split()), flags


def _lenient(flags: dict[str, str], model: SeedanceModel) -> dict[str, Any]:
    """Legacy text flags: values that do not fit are dropped (the default applies)."""
    out: dict[str, Any] = {}
    if flags.get("resolution", "").lower() in model.resolutions:
        out["resolution"] = flags["resolution"].lower()
    if flags.get("ratio") in RATIOS:
        out["ratio"] = flags["ratio"]
    for name in ("duration", "frames", "seed"):
        with contextlib.suppress(KeyError, ValueError):
            out[name] = int(flags[name])
    for name in ("camera_fixed", "watermark"):
        if flags.get(name, "").lower() in ("true", "false"):
            out[name] = flags[name].lower() == "true"
    return out


def validate_create(
    body: Any,
    *,
    endpoints: Mapping[str, str] | None = None,
    draft_lookup: Mapping[str, Any] | None = None,
) -> CreateSpec:
    """Validate a create body; raise :class:`ArkError` the way Ark rejects it.

    ``draft_lookup`` maps known task ids to their :class:`CreateSpec` (for ``draft_task``).
    """
    if not isinstance(body, dict):
        raise invalid("body", "the request body must be a JSON object")
    model_id = body.get("model")
    if model_id is None or model_id == "":
        raise missing("model")
    if not isinstance(model_id, str):
        raise invalid("model", "must be a string")
    model = resolve_model(model_id, endpoints)
    if model is None:
        raise model_not_found(model_id)
    content = body.get("content")
    if content is None:
        raise missing("content")
    if not isinstance(content, list) or not content:
        raise invalid("content", "must be a non-empty array")

    texts: list[str] = []
    firsts: list[float | None] = []
    lasts: list[float | None] = []
    refs = {"image_url": 0, "video_url": 0, "audio_url": 0}
    draft_from: Any = None
    for i, item in enumerate(content):
        if not isinstance(item, dict):
            raise invalid(f"content[{i}]", "must be an object")
        kind = item.get("type")
        role = item.get("role")
        if kind == "text":
            if not isinstance(item.get("text"), str):
                raise invalid(f"content[{i}].text", "must be a string")
            texts.append(item["text"])
        elif kind in _ROLES:
            if kind != "image_url" and model.version != "2.x":
                raise invalid(f"content[{i}].type", f"{kind} is only supported by Seedance 2.x")
            if role is not None and role not in _ROLES[kind]:
                raise invalid(
                    f"content[{i}].role", f"must be one of {', '.join(_ROLES[kind])}, got {role!r}"
                )
            if kind == "image_url":
                image_ratio = _check_image_url(i, item, model)
                if role in (None, "first_frame"):
                    firsts.append(image_ratio)
                elif role == "last_frame":
                    lasts.append(image_ratio)
                else:
                    refs["image_url"] += 1
            else:
                holder = item.get(kind)
                if not isinstance(holder, dict) or not isinstance(holder.get("url"), str):
                    raise invalid(f"content[{i}].{kind}", "must be an object with a url")
                if role is None:
                    raise missing(f"content[{i}].role")
                refs[kind] += 1
        elif kind == "draft_task":
            holder = item.get("draft_task")
            if not isinstance(holder, dict) or not isinstance(holder.get("id"), str):
                raise invalid(f"content[{i}].draft_task", "must be an object with an id")
            if not model.draft:
                raise invalid(f"content[{i}].type", "draft_task is only supported by 1.5 pro")
            draft_from = (draft_lookup or {}).get(holder["id"])
            if draft_from is None:
                raise invalid(f"content[{i}].draft_task.id", f"unknown task {holder['id']}")
        else:
            raise invalid(
                f"content[{i}].type",
                f"must be text, image_url, video_url, audio_url or draft_task, got {kind!r}",
            )
    if len(texts) > 1:
        raise invalid("content", "at most one text item")

    text = texts[0] if texts else ""
    flags: dict[str, Any] = {}
    if model.legacy_flags:
        text, raw_flags = _parse_flags(text)
        flags = _lenient(raw_flags, model)

    n_refs = sum(refs.values())
    image_roles = [
        it.get("role") for it in content if isinstance(it, dict) and it.get("type") == "image_url"
    ]
    if len(image_roles) > 1 and None in image_roles:
        # One image may omit its role (first frame); with several, every role is required.
        raise missing("content.role")
    if len(firsts) > 1 or len(lasts) > 1:
        raise invalid("content", "at most one first_frame and one last_frame image")
    if lasts and not firsts:
        raise invalid("content", "a last_frame image needs a first_frame image")
    if n_refs and (firsts or lasts):
        raise invalid("content", "reference media cannot be combined with first/last frames")

    if n_refs:
        mode = "reference"
        if not model.ref_images:
            raise invalid("content", f"model {model_id} does not support reference images")
        for kind, limit in (
            ("image_url", model.ref_images),
            ("video_url", model.ref_videos),
            ("audio_url", model.ref_audios),
        ):
            if refs[kind] > limit:
                raise invalid("content", f"at most {limit} reference {kind.split('_')[0]}s")
        if refs["audio_url"] and not (refs["image_url"] or refs["video_url"]):
            if not model.audio_only_refs:
                raise invalid("content", "reference audio needs a reference image or video")
    elif lasts:
        mode = "first_last"
    elif firsts:
        mode = "first_frame"
    elif draft_from is not None:
        mode = draft_from.mode
    else:
        mode = "t2v"
    supported = {
        "t2v": model.t2v,
        "first_frame": model.first_frame,
        "first_last": model.first_last,
        "reference": bool(model.ref_images),
    }
    if not supported[mode]:
        names = [m for m, ok in supported.items() if ok]
        raise invalid("content", f"model {model_id} does not support {mode}; it supports {names}")
    if mode == "t2v" and not text.strip() and draft_from is None:
        raise missing("content.text")

    def param(name: str) -> Any:
        value = body.get(name)
        return flags.get(name) if value is None else value

    resolution = param("resolution")
    if resolution is None:
        resolution = draft_from.resolution if draft_from is not None else model.default_resolution
    if resolution not in model.resolutions:
        raise invalid("resolution", f"must be one of {', '.join(model.resolutions)}")
    if mode == "reference" and model.version == "1.0" and resolution == "1080p":
        raise invalid("resolution", "reference-image mode does not support 1080p")

    ratio = param("ratio")
    if ratio is None:
        if mode == "reference" or (mode == "t2v" and model.version == "1.0"):
            ratio = "16:9"
        else:
            ratio = "adaptive"
    if ratio not in RATIOS:
        raise invalid("ratio", f"must be one of {', '.join(RATIOS)}")
    if mode == "reference" and model.version == "1.0" and ratio == "adaptive":
        raise invalid("ratio", "reference-image mode does not support adaptive")

    frames = param("frames")
    duration = param("duration")
    if frames is not None:
        if not model.frames:
            raise invalid("frames", f"not supported by {model_id}; use duration")
        if not _is_int(frames) or not 29 <= frames <= 289 or (frames - 25) % 4:
            raise invalid("frames", "must be an integer of the form 25+4n in [29, 289]")
        duration = None  # frames takes priority
    elif duration is not None:
        ok = _is_int(duration) and (
            model.min_duration <= duration <= model.max_duration
            or (duration == -1 and model.auto_duration)
        )
        if not ok:
            allowed = f"{model.min_duration}-{model.max_duration}"
            raise invalid(
                "duration",
                f"must be an integer in {allowed}" + (" or -1" if model.auto_duration else ""),
            )
    else:
        duration = 5

    seed = param("seed")
    if seed is not None:
        if not model.seed:
            raise invalid("seed", f"not supported by {model_id}")
        if not _is_int(seed) or not -1 <= seed <= 2**32 - 1:
            raise invalid("seed", "must be an integer in [-1, 4294967295]")
    camera_fixed = param("camera_fixed")
    if camera_fixed is not None:
        if not isinstance(camera_fixed, bool):
            raise invalid("camera_fixed", "must be a boolean")
        if not model.camera_fixed:
            raise invalid("camera_fixed", f"not supported by {model_id}")
        if mode == "reference":
            raise invalid("camera_fixed", "not supported in reference-image mode")
    watermark = param("watermark")
    if watermark is not None and not isinstance(watermark, bool):
        raise invalid("watermark", "must be a boolean")
    generate_audio = body.get("generate_audio")
    if generate_audio is not None:
        if not isinstance(generate_audio, bool):
            raise invalid("generate_audio", "must be a boolean")
        if not model.generate_audio:
            raise invalid("generate_audio", f"not supported by {model_id}")
    draft = body.get("draft")
    if draft is not None and not isinstance(draft, bool):
        raise invalid("draft", "must be a boolean")
    return_last_frame = body.get("return_last_frame")
    if return_last_frame is not None and not isinstance(return_last_frame, bool):
        raise invalid("return_last_frame", "must be a boolean")
    tier = body.get("service_tier") or "default"
    if tier not in ("default", "flex"):
        raise invalid("service_tier", "must be default or flex")
    if draft:
        if not model.draft:
            raise invalid("draft", f"not supported by {model_id}")
        if resolution != "480p":
            raise invalid("resolution", "draft videos are 480p only")
        if return_last_frame:
            raise invalid("return_last_frame", "not supported for drafts")
        if tier == "flex":
            raise invalid("service_tier", "flex is not supported for drafts")
    expires = body.get("execution_expires_after")
    if expires is None:
        expires = 172800
    if not _is_int(expires) or not 3600 <= expires <= 259200:
        raise invalid("execution_expires_after", "must be an integer in [3600, 259200]")
    callback = body.get("callback_url")
    if callback is not None and (
        not isinstance(callback, str) or not callback.startswith(("http://", "https://"))
    ):
        raise invalid("callback_url", "must be an http(s) URL")

    if ratio == "adaptive":
        known = next((r for r in firsts if r), None)
        applied_ratio = _closest(known) if known else "16:9"
    else:
        applied_ratio = ratio
    if duration == -1:
        duration = 5  # "the model chooses"
    width, height = frame_size(model, resolution, applied_ratio)
    return CreateSpec(
        model_id=model_id,
        model=model,
        mode=mode,
        prompt=text,
        resolution=resolution,
        ratio=ratio,
        duration=duration,
        frames=frames,
        seed=-1 if seed is None else seed,
        camera_fixed=bool(camera_fixed),
        watermark=bool(watermark),
        generate_audio=(generate_audio if generate_audio is not None else True)
        if model.generate_audio
        else None,
        draft=bool(draft),
        return_last_frame=bool(return_last_frame),
        service_tier=tier,
        execution_expires_after=expires,
        callback_url=callback,
        width=width,
        height=height,
    )


def _closest(value: float) -> str:
    def as_float(r: str) -> float:
        a, b = r.split(":")
        return int(a) / int(b)

    return min((r for r in RATIOS if r != "adaptive"), key=lambda r: abs(as_float(r) - value))


@dataclass(frozen=True)
class ListQuery:
    page_num: int
    page_size: int
    status: str | None
    task_ids: tuple[str, ...]
    model: str | None
    service_tier: str | None


def validate_list(params: list[tuple[str, str]]) -> ListQuery:
    """``page_num``/``page_size`` in [1, 500]; ``filter.*`` as documented (reference §3.1)."""
    single: dict[str, str] = {}
    task_ids: list[str] = []
    for key, value in params:
        if key == "filter.task_ids":
            task_ids.append(value)
        else:
            single[key] = value

    def page(name: str, default: int) -> int:
        raw = single.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise invalid(name, "must be an integer in [1, 500]") from None
        if not 1 <= value <= 500:
            raise invalid(name, "must be an integer in [1, 500]")
        return value

    status = single.get("filter.status")
    if status is not None and status not in STATUSES:
        raise invalid("filter.status", f"must be one of {', '.join(STATUSES)}")
    tier = single.get("filter.service_tier")
    if tier is not None and tier not in ("default", "flex"):
        raise invalid("filter.service_tier", "must be default or flex")
    return ListQuery(
        page_num=page("page_num", 1),
        page_size=page("page_size", 10),
        status=status,
        task_ids=tuple(task_ids),
        model=single.get("filter.model"),
        service_tier=tier,
    )


# --------------------------------------------------------------------------------------------
# The fake: routes on the framework (FRAMEWORK.md)
# --------------------------------------------------------------------------------------------

#: A prompt with this marker is refused at create: 400 ``InputTextSensitiveContentDetected``.
INPUT_MODERATION_MARKER = "[emulator:input-moderation]"
#: A task whose prompt has this marker ends ``expired`` instead of ``succeeded``.
EXPIRE_MARKER = "[emulator:expire]"
TASKS = "/api/v3/contents/generations/tasks"

MODERATION_ERROR = {
    "code": "OutputVideoSensitiveContentDetected",
    "message": "The request failed because the output video may contain sensitive information.",
}
FAILURE_ERROR = {
    "code": "InternalServiceError",
    "message": "The service encountered an unexpected internal error.",
}


def _reject(error: ArkError, headers: Mapping[str, str] | None = None) -> Reject:
    return Reject(_error_response(error, headers))


def _error_response(error: ArkError, headers: Mapping[str, str] | None = None) -> JSONResponse:
    request_id = new_request_id()
    return json_response(
        error_body(error, request_id),
        error.http_status,
        {"x-request-id": request_id, **(headers or {})},
    )


def _ok(body: Any) -> JSONResponse:
    return json_response(body, 200, {"x-request-id": new_request_id()})


def _authorise(request: Request) -> None:
    if not bearer_token(request):
        raise _reject(authentication_error())


def _status(task: Task) -> str:
    if task.extra.get("expired"):
        return "expired"
    if task.phase is Phase.SUCCEEDED and task.extra.get("expire"):
        return "expired"
    return {
        Phase.QUEUED: "queued",
        Phase.RUNNING: "running",
        Phase.SUCCEEDED: "succeeded",
        Phase.FAILED: "failed",
        Phase.CANCELLED: "cancelled",
    }[task.phase]


def _task_body(request: Request, ctx: ProviderContext, task: Task) -> dict[str, Any]:
    spec: CreateSpec = task.extra["spec"]
    status = _status(task)
    body: dict[str, Any] = {
        "id": task.id,
        "model": spec.model_id,
        "status": status,
        "error": None,
        "seed": task.extra["seed"],
        "resolution": spec.resolution,
        "ratio": task.extra["ratio"],
    }
    # Only one of duration / frames comes back, matching what was sent (reference §3.4).
    if spec.frames is not None:
        body["frames"] = spec.frames
    else:
        body["duration"] = spec.duration
    body["framespersecond"] = FPS
    if spec.generate_audio is not None:
        body["generate_audio"] = spec.generate_audio
    if spec.model.draft:
        body["draft"] = spec.draft
        if task.extra.get("draft_task_id"):
            body["draft_task_id"] = task.extra["draft_task_id"]
    body["service_tier"] = spec.service_tier
    body["execution_expires_after"] = spec.execution_expires_after
    if status == "succeeded":
        content = {"video_url": ctx.media_link(request, task).url}
        if spec.return_last_frame:
            content["last_frame_url"] = ctx.media_link(request, task, "last_frame.png").url
        body["content"] = content
        body["usage"] = {"completion_tokens": spec.tokens, "total_tokens": spec.tokens}
    elif status == "failed":
        body["error"] = dict(
            MODERATION_ERROR if task.outcome is Outcome.MODERATION else FAILURE_ERROR
        )
    body["created_at"] = int(task.created_at)
    body["updated_at"] = int(task.updated_at)
    return body


def _expire_if_overdue(ctx: ProviderContext, task: Task) -> None:
    """A task still unfinished after ``execution_expires_after`` seconds becomes ``expired``."""
    spec: CreateSpec = task.extra["spec"]
    if not task.phase.terminal and ctx.now() - task.created_at > spec.execution_expires_after:
        ctx.store.cancel(task.id)
        task.extra["expired"] = True


async def _create(request: Request, ctx: ProviderContext) -> Response:
    _authorise(request)
    try:
        body = await json_body(request)
    except BodyError as exc:
        raise _reject(invalid("body", str(exc))) from None
    drafts = {
        t.id: t.extra["spec"]
        for t in ctx.store
        if t.succeeded and t.extra.get("spec") is not None and t.extra["spec"].draft
    }
    try:
        spec = validate_create(body, draft_lookup=drafts)
    except ArkError as exc:
        raise _reject(exc) from None
    if INPUT_MODERATION_MARKER in spec.prompt:
        raise _reject(
            ArkError(
                400,
                "InputTextSensitiveContentDetected",
                "The request failed because the input text may contain sensitive information.",
            )
        )
    ratio = spec.ratio
    if ratio == "adaptive":
        ratio = next(
            r
            for r in RATIOS
            if frame_size(spec.model, spec.resolution, r) == (spec.width, spec.height)
        )
    draft_ids = [
        item["draft_task"]["id"]
        for item in body["content"]
        if isinstance(item, dict) and item.get("type") == "draft_task"
    ]
    task = ctx.create_task(
        request,
        model=spec.model_id,
        prompt=spec.prompt,
        video=VideoSpec(duration=spec.seconds, width=spec.width, height=spec.height),
        params=body,
        id_factory=lambda: new_task_id(ctx.now()),
        extra={
            "spec": spec,
            "ratio": ratio,
            "seed": spec.seed if spec.seed != -1 else random.randrange(2**31),
            "expire": EXPIRE_MARKER in spec.prompt,
            "draft_task_id": draft_ids[0] if draft_ids else None,
        },
    )
    return _ok({"id": task.id})


async def _get(request: Request, ctx: ProviderContext) -> Response:
    _authorise(request)
    task_id = request.path_params["id"]
    known = ctx.store.get(task_id)
    if known is not None:
        _expire_if_overdue(ctx, known)
    task = ctx.store.poll(task_id)
    if task is None:
        raise _reject(task_not_found(task_id))
    return _ok(_task_body(request, ctx, task))


async def _list(request: Request, ctx: ProviderContext) -> Response:
    _authorise(request)
    try:
        query = validate_list(list(request.query_params.multi_items()))
    except ArkError as exc:
        raise _reject(exc) from None
    since = ctx.now() - LIST_WINDOW_SECONDS
    matches = []
    for task in ctx.store:  # newest first
        if task.created_at < since:
            continue
        _expire_if_overdue(ctx, task)
        spec: CreateSpec = task.extra["spec"]
        if query.status and _status(task) != query.status:
            continue
        if query.task_ids and task.id not in query.task_ids:
            continue
        if query.model and spec.model_id != query.model:
            continue
        if query.service_tier and spec.service_tier != query.service_tier:
            continue
        matches.append(task)
    start = (query.page_num - 1) * query.page_size
    page = matches[start : start + query.page_size]
    return _ok({"total": len(matches), "items": [_task_body(request, ctx, t) for t in page]})


async def _delete(request: Request, ctx: ProviderContext) -> Response:
    """``queued`` -> cancelled; finished -> record deleted; running/cancelled -> refused."""
    _authorise(request)
    task_id = request.path_params["id"]
    task = ctx.store.get(task_id)
    if task is None:
        raise _reject(task_not_found(task_id))
    _expire_if_overdue(ctx, task)
    status = _status(task)
    if status == "queued":
        ctx.store.cancel(task_id)
    elif status in ("succeeded", "failed", "expired"):
        ctx.store.delete(task_id)
    else:
        raise _reject(
            ArkError(
                400,
                "InvalidParameter",
                f"The task {task_id} is {status} and cannot be cancelled or deleted.",
                "id",
            )
        )
    return _ok({})


def _fault(status: int, headers: Mapping[str, str]) -> Response:
    if status == 429:
        error = ArkError(
            429,
            "RateLimitExceeded.EndpointRPMExceeded",
            "The Requests Per Minute (RPM) limit of the associated endpoint for your account "
            "has been exceeded.",
        )
    else:
        error = ArkError(
            500, "InternalServiceError", "The service encountered an unexpected internal error."
        )
    return _error_response(error, headers)


FAKE = ProviderFake(
    name="seedance",
    endpoints=[
        Endpoint(TASKS, _create, methods=("POST",), kind="submit"),
        Endpoint(TASKS, _list, methods=("GET",), kind="other"),
        Endpoint(TASKS + "/{id}", _get, methods=("GET",), kind="poll"),
        Endpoint(TASKS + "/{id}", _delete, methods=("DELETE",), kind="other"),
    ],
    credentials={"ARK_API_KEY": "reelkit-emulator"},
    fault_response=_fault,
    url_ttl=URL_TTL_SECONDS,
    natural_fps=FPS,
    description="Volcengine Ark / BytePlus ModelArk Seedance video tasks",
)
