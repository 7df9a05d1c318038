"""Fake of xAI Grok Imagine video over REST (``/v1/videos/generations|edits|extensions``).

Facts: ``docs/reference/veo-grok.md`` §0.8-9 and §2 (endpoints, request fields, polling
statuses, errors, moderation, checklist); seed ``000_8ec806ccbffdb229.txt`` (priority, 1-15 s).
No official REST SDK exists (``xai-sdk`` is gRPC only), so the tests use the documented
request and response examples.

Served at ``/grok/v1/videos/...`` with ``Authorization: Bearer <any non-empty key>`` (else 401).
Each POST answers ``{"request_id": "<uuid>"}``; ``GET /v1/videos/{request_id}`` answers
``pending`` (with ``progress``) and then ``done`` with ``video: {url, duration,
respect_moderation}``, ``model`` and ``usage.cost_in_usd_ticks``. The URL needs no auth and
works 24 h; after that the request polls ``expired``.

Where an error shows up follows the docs: authentication, unknown models, rate limits and
bodies that do not parse (wrong types, unknown enum values, ``image`` with
``reference_images`` on the base model) fail the POST with ``{"code", "error"}``; everything
else (empty prompt, duration out of range, too many references, keyframe timing, geometry on
edits/extensions, edit input over 8.7 s, 1.5-only features or 1080p on the base model) is
accepted and then polls ``failed`` with ``error.code`` ``invalid_argument`` or
``failed_precondition``.

Triggers (prompt markers):

- ``[emulator:moderation]``: ends ``done`` with ``respect_moderation: false`` and no ``url``;
- ``[emulator:fail]``: ends ``failed`` with ``internal_error``;
- ``[emulator:expire]``: ends ``expired``;
- injected faults: ``429`` and ``500`` answer ``{"code", "error"}`` with that status.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from reelkit_emulator.provider import Endpoint, ProviderContext, ProviderFake
from reelkit_emulator.responses import BodyError, Reject, bearer_token, json_body, json_response
from reelkit_emulator.tasks import Outcome, Phase, Task, VideoSpec

#: ``video.url`` is temporary: "valid for 24 hours" (SDK docstring, reference §2.3).
URL_TTL_SECONDS = 24 * 3600
ASPECT_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3")
RESOLUTIONS = ("480p", "720p", "1080p")
#: Price per second by resolution (third-party figures, reference §2.1; 1080p is assumed).
USD_PER_SECOND = {"480p": 0.05, "720p": 0.07, "1080p": 0.10}
TICKS_PER_USD = 10**10
#: Edit inputs are effectively at most 8.7 s; extension inputs 2-30 s (reference §2.2).
MAX_EDIT_INPUT_SECONDS = 8.7
EXTENSION_INPUT_SECONDS = (2.0, 30.0)


# --------------------------------------------------------------------------------------------
# Errors (reference §2.3: ``{"code": "<gRPC status text>", "error": "<message>"}``)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class XaiError(Exception):
    """A rejection. With ``deferred`` set, the POST still answers a ``request_id`` and the
    request then polls as ``failed`` with ``error.code == deferred``: the docs list bad
    durations, media, prompts and conflicting modes as ``invalid_argument`` failures of the
    request, and unavailable modes as ``failed_precondition``; only authentication, unknown
    models, rate limits and malformed bodies fail the POST itself (reference §2.3)."""

    http_status: int
    code: str
    message: str
    deferred: str = ""


def error_body(error: XaiError) -> dict[str, Any]:
    return {"code": error.code, "error": error.message}


def invalid(message: str) -> XaiError:
    return XaiError(400, "Client specified an invalid argument", message)


def later(message: str, code: str = "invalid_argument") -> XaiError:
    """A validation failure reported by polling (``status: failed``), not by the POST."""
    return XaiError(400, "Client specified an invalid argument", message, deferred=code)


def not_found(message: str) -> XaiError:
    return XaiError(404, "Some requested entity was not found", message)


def bad_key(key: str) -> XaiError:
    shown = (key[:4] + "***" + key[-4:]) if len(key) > 8 else "***"
    return invalid(
        f"Incorrect API key provided: {shown}. You can obtain an API key from https://console.x.ai."
    )


def no_key() -> XaiError:
    return XaiError(
        401,
        "Unauthenticated",
        "No API key provided. Pass it as a bearer token in the Authorization header.",
    )


# --------------------------------------------------------------------------------------------
# Models and request validation (reference §2.2, §2.5)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrokModel:
    v15: bool  # grok-imagine-video-1.5: 1080p, last_frame, keyframes, reference_audios


MODELS: dict[str, GrokModel] = {
    "grok-imagine-video": GrokModel(v15=False),
    "grok-imagine-video-1.5": GrokModel(v15=True),
    "grok-imagine-video-1.5-preview": GrokModel(v15=True),
}

#: Frame sizes per (resolution, aspect ratio): the short side is the resolution's height.
_SHORT = {"480p": 480, "720p": 720, "1080p": 1080}


def frame_size(resolution: str, aspect_ratio: str) -> tuple[int, int]:
    a, b = (int(x) for x in aspect_ratio.split(":"))
    short = _SHORT[resolution]
    if a >= b:
        return _even(short * a / b), short
    return short, _even(short * b / a)


def _even(x: float) -> int:
    return int(round(x / 2)) * 2


@dataclass(frozen=True)
class KnownVideo:
    """A video this emulator generated (edit and extension sources)."""

    duration: float
    aspect_ratio: str
    resolution: str


@dataclass(frozen=True)
class VideoJob:
    kind: str  # generation, edit, extension
    model_id: str
    mode: str  # t2v, i2v, reference, interpolation, edit, extension
    prompt: str
    duration: float
    aspect_ratio: str
    resolution: str
    generate_audio: bool
    width: int
    height: int

    @property
    def cost_in_usd_ticks(self) -> int:
        return int(round(USD_PER_SECOND[self.resolution] * self.duration * TICKS_PER_USD))


def _media(where: str, value: Any) -> str | None:
    """An ``{"url": ...}`` or ``{"file_id": ...}`` object; returns the url (None for a file)."""
    if not isinstance(value, dict):
        raise invalid(f'{where} must be an object such as {{"url": "https://..."}}')
    url, file_id = value.get("url"), value.get("file_id")
    if (url is None) == (file_id is None):
        raise invalid(f"{where} needs exactly one of url and file_id")
    if url is not None:
        if not isinstance(url, str) or not url.startswith(("https://", "http://", "data:")):
            raise invalid(f"{where}.url must be an https URL or a base64 data URI")
        if url.startswith("data:") and ";base64," not in url:
            raise invalid(f"{where}.url data URI must be base64-encoded")
        return url
    if not isinstance(file_id, str) or not file_id:
        raise invalid(f"{where}.file_id must be a non-empty string")
    return None


def _model(body: Mapping[str, Any]) -> tuple[str, GrokModel]:
    model_id = body.get("model")
    if not isinstance(model_id, str) or not model_id:
        raise invalid("model is required")
    model = MODELS.get(model_id)
    if model is None:
        raise not_found(
            f"The model {model_id} does not exist or your team does not have access to it."
        )
    return model_id, model


def _prompt(body: Mapping[str, Any], *, required: bool) -> str:
    prompt = body.get("prompt")
    if prompt is None:
        prompt = ""
    if not isinstance(prompt, str):
        raise invalid("prompt must be a string")
    if required and not prompt.strip():
        raise later("Prompt cannot be empty")
    return prompt


def _audio(body: Mapping[str, Any]) -> bool:
    value = body.get("generate_audio", True)
    if not isinstance(value, bool):
        raise invalid("generate_audio must be a boolean")
    return value


def _known(url: str | None, videos: Mapping[str, KnownVideo] | None) -> KnownVideo | None:
    if url is None:
        return None
    for key, video in (videos or {}).items():
        if key in url:
            return video
    return None


def validate_generation(body: Any) -> VideoJob:
    """``POST /v1/videos/generations``: text, image, reference (and 1.5 frame) inputs."""
    if not isinstance(body, dict):
        raise invalid("the request body must be a JSON object")
    model_id, model = _model(body)
    image = body.get("image")
    refs = body.get("reference_images")
    last = body.get("last_frame")
    keyframes = body.get("keyframes")
    audios = body.get("reference_audios")
    if image is not None:
        _media("image", image)
    if refs is not None:
        if not isinstance(refs, list) or not 1 <= len(refs) <= 7:
            raise later("reference_images must hold 1 to 7 images")
        for i, ref in enumerate(refs):
            _media(f"reference_images[{i}]", ref)
        if image is not None and not model.v15:
            raise invalid(f"image and reference_images cannot be combined on {model_id}")
    for name, value in (
        ("last_frame", last),
        ("keyframes", keyframes),
        ("reference_audios", audios),
    ):
        if value is not None and not model.v15:
            raise later(
                f"{name} is only supported by grok-imagine-video-1.5", "failed_precondition"
            )
    if last is not None:
        _media("last_frame", last)
    pinned = image is not None or last is not None or bool(keyframes)
    prompt = _prompt(body, required=not (model.v15 and pinned))

    duration = body.get("duration", 8)
    if isinstance(duration, bool) or not isinstance(duration, int):
        raise invalid(f"duration must be an integer number of seconds, got {duration!r}")
    if not 1 <= duration <= 15:
        raise later(f"duration must be from 1 to 15 seconds, got {duration}")
    if keyframes is not None:
        if not isinstance(keyframes, list) or not 1 <= len(keyframes) <= 4:
            raise later("keyframes must hold 1 to 4 entries")
        times: list[float] = []
        for i, frame in enumerate(keyframes):
            if not isinstance(frame, dict):
                raise invalid(f"keyframes[{i}] must be an object")
            _media(f"keyframes[{i}].image", frame.get("image"))
            t = frame.get("timestamp_s")
            if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 < t < duration:
                raise later(f"keyframes[{i}].timestamp_s must lie strictly inside (0, {duration})")
            times.append(float(t))
        times.sort()
        if any(b - a < 1 / 3 for a, b in itertools.pairwise(times)):
            raise later("keyframes must be at least 1/3 s apart")
    if audios is not None:
        if refs is None:
            raise later("reference_audios need reference_images (reference-to-video)")
        if not isinstance(audios, list) or not 1 <= len(audios) <= 3:
            raise later("reference_audios must hold 1 to 3 voices")
        for i, voice in enumerate(audios):
            if not isinstance(voice, dict) or not isinstance(voice.get("voice_id"), str):
                raise invalid(f"reference_audios[{i}] must be an object with a voice_id")

    if refs is not None:
        mode = "reference"
    elif last is not None and image is not None:
        mode = "interpolation"
    elif image is not None or last is not None or keyframes:
        mode = "i2v"
    else:
        mode = "t2v"

    aspect = body.get("aspect_ratio", "16:9")
    if aspect not in ASPECT_RATIOS:
        raise invalid(f"aspect_ratio must be one of {', '.join(ASPECT_RATIOS)}, got {aspect!r}")
    resolution = body.get("resolution", "480p")
    if resolution not in RESOLUTIONS:
        raise invalid(f"resolution must be one of {', '.join(RESOLUTIONS)}, got {resolution!r}")
    if resolution == "1080p":
        if not model.v15:
            raise later(
                f"1080p is only available on grok-imagine-video-1.5, not {model_id}",
                "failed_precondition",
            )
        if mode == "reference":
            raise later("reference-to-video is limited to 720p", "failed_precondition")
    audio = _audio(body)
    width, height = frame_size(resolution, aspect)
    return VideoJob(
        kind="generation",
        model_id=model_id,
        mode=mode,
        prompt=prompt,
        duration=float(duration),
        aspect_ratio=aspect,
        resolution=resolution,
        generate_audio=audio,
        width=width,
        height=height,
    )


def _no_geometry(body: Mapping[str, Any], endpoint: str, *, duration_ok: bool) -> None:
    names = (
        ("aspect_ratio", "resolution")
        if duration_ok
        else ("duration", "aspect_ratio", "resolution")
    )
    for name in names:
        if body.get(name) is not None:
            raise later(f"{name} is not supported on {endpoint}")


def validate_edit(body: Any, videos: Mapping[str, KnownVideo] | None = None) -> VideoJob:
    """``POST /v1/videos/edits``: a source video and a prompt; geometry follows the input."""
    if not isinstance(body, dict):
        raise invalid("the request body must be a JSON object")
    model_id, _ = _model(body)
    prompt = _prompt(body, required=True)
    if body.get("video") is None:
        raise invalid("video is required for an edit")
    url = _media("video", body["video"])
    _no_geometry(body, "/v1/videos/edits", duration_ok=False)
    source = _known(url, videos)
    if source is not None and source.duration > MAX_EDIT_INPUT_SECONDS:
        raise later(
            f"The input video is {source.duration:g} s; edits accept at most "
            f"{MAX_EDIT_INPUT_SECONDS} s"
        )
    duration = source.duration if source else 6.0
    aspect = source.aspect_ratio if source else "16:9"
    resolution = source.resolution if source and source.resolution != "1080p" else "720p"
    if source is not None and source.resolution == "480p":
        resolution = "480p"
    width, height = frame_size(resolution, aspect)
    return VideoJob(
        kind="edit",
        model_id=model_id,
        mode="edit",
        prompt=prompt,
        duration=duration,
        aspect_ratio=aspect,
        resolution=resolution,
        generate_audio=_audio(body),
        width=width,
        height=height,
    )


def validate_extension(body: Any, videos: Mapping[str, KnownVideo] | None = None) -> VideoJob:
    """``POST /v1/videos/extensions``: ``duration`` is the added length (1-10 s, default 6)."""
    if not isinstance(body, dict):
        raise invalid("the request body must be a JSON object")
    model_id, _ = _model(body)
    prompt = _prompt(body, required=False)
    if body.get("video") is None:
        raise invalid("video is required for an extension")
    url = _media("video", body["video"])
    _no_geometry(body, "/v1/videos/extensions", duration_ok=True)
    added = body.get("duration", 6)
    if isinstance(added, bool) or not isinstance(added, int):
        raise invalid(f"duration must be an integer number of seconds, got {added!r}")
    if not 1 <= added <= 10:
        raise later(f"duration (the extension length) must be 1 to 10 seconds, got {added}")
    source = _known(url, videos)
    low, high = EXTENSION_INPUT_SECONDS
    if source is not None and not low <= source.duration <= high:
        raise later(f"The input video must be {low:g} to {high:g} s long")
    aspect = source.aspect_ratio if source else "16:9"
    resolution = source.resolution if source else "720p"
    width, height = frame_size(resolution, aspect)
    return VideoJob(
        kind="extension",
        model_id=model_id,
        mode="extension",
        prompt=prompt,
        duration=(source.duration if source else 6.0) + added,
        aspect_ratio=aspect,
        resolution=resolution,
        generate_audio=_audio(body),
        width=width,
        height=height,
    )


def new_request_id() -> str:
    """``d97415a1-...``: a UUID."""
    return str(uuid.uuid4())


# --------------------------------------------------------------------------------------------
# The fake: routes on the framework (FRAMEWORK.md)
# --------------------------------------------------------------------------------------------

#: A request whose prompt has this marker polls as ``expired``.
EXPIRE_MARKER = "[emulator:expire]"


def _reject(error: XaiError, headers: Mapping[str, str] | None = None) -> Reject:
    return Reject(_error_response(error, headers))


def _error_response(error: XaiError, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return json_response(error_body(error), error.http_status, headers)


def _authorise(request: Request) -> None:
    if not bearer_token(request):
        raise _reject(no_key())


def _videos(ctx: ProviderContext) -> dict[str, KnownVideo]:
    """Videos this fake generated, keyed by a piece of their result URL."""
    out = {}
    for task in ctx.store:
        if task.succeeded and task.extra.get("job") is not None:
            job: VideoJob = task.extra["job"]
            out[f"/_media/{task.id}/"] = KnownVideo(
                duration=task.video.duration,
                aspect_ratio=job.aspect_ratio,
                resolution=job.resolution,
            )
    return out


async def _submit(request: Request, ctx: ProviderContext, kind: str) -> Response:
    _authorise(request)
    try:
        body = await json_body(request)
    except BodyError as exc:
        raise _reject(invalid(str(exc))) from None
    try:
        if kind == "generation":
            job = validate_generation(body)
        elif kind == "edit":
            job = validate_edit(body, _videos(ctx))
        else:
            job = validate_extension(body, _videos(ctx))
    except XaiError as exc:
        if not exc.deferred:
            raise _reject(exc) from None
        return _failed_request(request, ctx, body, exc)
    task = ctx.create_task(
        request,
        model=job.model_id,
        prompt=job.prompt,
        video=VideoSpec(duration=job.duration, width=job.width, height=job.height),
        params=body,
        id_factory=new_request_id,
        extra={"job": job, "expire": EXPIRE_MARKER in job.prompt},
    )
    return json_response({"request_id": task.id})


def _failed_request(request: Request, ctx: ProviderContext, body: Any, exc: XaiError) -> Response:
    """Accept the POST, but the request is already ``failed`` with the deferred error."""
    model_id = str(body.get("model"))
    task = ctx.create_task(
        request,
        model=model_id,
        prompt=str(body.get("prompt") or ""),
        video=VideoSpec(duration=1, width=640, height=480),
        params=body,
        id_factory=new_request_id,
        extra={"job": None, "error": {"code": exc.deferred, "message": exc.message}},
    )
    task.outcome, task.phase = Outcome.FAILED, Phase.FAILED
    task.finished_at = task.updated_at = ctx.now()
    return json_response({"request_id": task.id})


async def _generations(request: Request, ctx: ProviderContext) -> Response:
    return await _submit(request, ctx, "generation")


async def _edits(request: Request, ctx: ProviderContext) -> Response:
    return await _submit(request, ctx, "edit")


async def _extensions(request: Request, ctx: ProviderContext) -> Response:
    return await _submit(request, ctx, "extension")


def _seconds(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 3)


def _expired(ctx: ProviderContext, task: Task) -> bool:
    if task.extra.get("expire"):
        return True
    # Results are kept as long as their URL works (24 h); then the request expires.
    return task.finished_at is not None and ctx.now() - task.finished_at > ctx.url_ttl


async def _get(request: Request, ctx: ProviderContext) -> Response:
    _authorise(request)
    request_id = request.path_params["request_id"]
    task = ctx.store.poll(request_id)
    if task is None:
        raise _reject(not_found(f"No video request with id {request_id} was found."))
    if task.extra.get("error"):
        model_id = task.model
        return json_response({"status": "failed", "model": model_id, "error": task.extra["error"]})
    job: VideoJob = task.extra["job"]
    if not task.phase.terminal:
        return json_response(
            {"status": "pending", "model": job.model_id, "progress": task.progress}
        )
    if _expired(ctx, task):
        return json_response({"status": "expired", "model": job.model_id})
    if task.phase is Phase.FAILED and task.outcome is Outcome.FAILED:
        return json_response(
            {
                "status": "failed",
                "model": job.model_id,
                "error": {
                    "code": "internal_error",
                    "message": "Video generation failed. Quote the request_id to support.",
                },
            }
        )
    video: dict[str, Any] = {"duration": _seconds(task.video.duration)}
    if task.outcome is Outcome.MODERATION:
        video["respect_moderation"] = False  # done, but no URL (reference §2.3)
    else:
        video = {"url": ctx.media_link(request, task).url, **video, "respect_moderation": True}
    return json_response(
        {
            "status": "done",
            "video": video,
            "model": job.model_id,
            "usage": {"cost_in_usd_ticks": job.cost_in_usd_ticks},
        }
    )


def _fault(status: int, headers: Mapping[str, str]) -> Response:
    if status == 429:
        error = XaiError(429, "Too many requests", "Rate limit exceeded. Please retry later.")
    else:
        error = XaiError(500, "Internal error", "The service encountered an internal error.")
    return _error_response(error, headers)


FAKE = ProviderFake(
    name="grok",
    endpoints=[
        Endpoint("/v1/videos/generations", _generations, ("POST",), "submit"),
        Endpoint("/v1/videos/edits", _edits, ("POST",), "submit"),
        Endpoint("/v1/videos/extensions", _extensions, ("POST",), "submit"),
        Endpoint("/v1/videos/{request_id}", _get, ("GET",), "poll"),
    ],
    credentials={"XAI_API_KEY": "reelkit-emulator"},
    fault_response=_fault,
    url_ttl=URL_TTL_SECONDS,
    natural_fps=24,
    description="xAI Grok Imagine video (REST)",
)
