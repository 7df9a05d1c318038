"""Fake of xAI Grok Imagine video over REST (``/v1/videos/generations|edits|extensions``).

Facts: https://docs.x.ai/developers/model-capabilities/video/generation (and its extension,
editing and reference pages) as summarised in ``docs/reference/veo-grok.md`` §0.8-9 and §2
(endpoints, request fields, polling statuses, errors, moderation, checklist). No official REST
SDK exists (``xai-sdk`` is gRPC only), so the tests use the documented request and response
examples.

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
- ``[emulator:expire]``: ends ``expired`` (as does any request 24 h after it finished);
- injected faults: ``429`` and ``500`` answer ``{"code", "error"}`` with that status.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Mapping
from typing import Any

import attrs
from starlette.requests import Request
from starlette.responses import Response

from reelkit_emulator.errors import XAI, ApiError
from reelkit_emulator.provider import Endpoint, ProviderContext, ProviderFake
from reelkit_emulator.responses import BodyError, bearer_token, json_body, json_response
from reelkit_emulator.spec import Field, Problem, Schema, check
from reelkit_emulator.tasks import Outcome, Phase, VideoSpec

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
INVALID_ARGUMENT = "Client specified an invalid argument"

# --------------------------------------------------------------------------------------------
# Errors (reference §2.3: ``{"code": "<gRPC status text>", "error": "<message>"}``)
# --------------------------------------------------------------------------------------------


def invalid(message: str) -> ApiError:
    """A body that does not parse: the POST itself fails (reference §2.3)."""
    return ApiError(status=400, code=INVALID_ARGUMENT, message=message)


def later(message: str, code: str = "invalid_argument") -> ApiError:
    """A request the API accepts and then fails: polling answers ``failed`` with ``code``
    (bad durations, media, prompts, conflicting modes; unavailable modes are
    ``failed_precondition``, reference §2.3)."""
    return ApiError(status=400, code=INVALID_ARGUMENT, message=message, extra={"deferred": code})


def not_found(message: str) -> ApiError:
    return ApiError(status=404, code="Some requested entity was not found", message=message)


# --------------------------------------------------------------------------------------------
# Models and what each endpoint accepts (reference §2.2, §2.5)
# --------------------------------------------------------------------------------------------


@attrs.frozen
class GrokModel:
    v15: bool  # grok-imagine-video-1.5: 1080p, last_frame, keyframes, reference_audios


MODELS: dict[str, GrokModel] = {
    "grok-imagine-video": GrokModel(v15=False),
    "grok-imagine-video-1.5": GrokModel(v15=True),
    "grok-imagine-video-1.5-preview": GrokModel(v15=True),
}

_MODEL = Field("model", required=True, blank_is_missing=True, choices=tuple(MODELS))
_PROMPT = Field("prompt", default="")
_AUDIO = Field("generate_audio", type="boolean", default=True)
_MEDIA = Schema(
    [Field("url", type="string"), Field("file_id", type="string", min_len=1)],
    exclusive=(("url", "file_id"),),
)
#: Parsing the body: wrong types and unknown enum values fail the POST.
GENERATION = Schema(
    [
        _MODEL,
        _PROMPT,
        Field("duration", type="integer", default=8),
        Field("aspect_ratio", choices=ASPECT_RATIOS, default="16:9"),
        Field("resolution", choices=RESOLUTIONS, default="480p"),
        _AUDIO,
        Field("image", type="object"),
        Field("last_frame", type="object"),
        Field("reference_images", type="array"),
        Field("keyframes", type="array"),
        Field("reference_audios", type="array"),
    ],
    reject_unknown=False,
)
#: Then the request's limits: a request outside them is accepted and fails (reference §2.3).
LIMITS = Schema(
    [
        Field("duration", type="integer", min=1, max=15),
        Field("reference_images", type="array", min_len=1, max_len=7),
        Field("keyframes", type="array", min_len=1, max_len=4),
        Field("reference_audios", type="array", min_len=1, max_len=3),
    ],
    reject_unknown=False,
)
EDIT = Schema(
    [_MODEL, _PROMPT, Field("video", type="object", required=True), _AUDIO], reject_unknown=False
)
EXTENSION = Schema(
    [
        _MODEL,
        _PROMPT,
        Field("video", type="object", required=True),
        Field("duration", type="integer", default=6),
        _AUDIO,
    ],
    reject_unknown=False,
)
_NOUNS = {"reference_images": "images", "keyframes": "entries", "reference_audios": "voices"}


def wording(p: Problem) -> ApiError:
    name = p.field
    if p.kind == "choice" and name == "model":
        return not_found(
            f"The model {p.value} does not exist or your team does not have access to it."
        )
    if p.kind == "missing":
        return invalid(
            f"{name} is required"
            + ("" if name == "model" else f" for an {p.values.get('_kind', 'edit')}")
        )
    if p.kind == "type" and name == "duration":
        return invalid(f"duration must be an integer number of seconds, got {p.value!r}")
    if p.kind == "type" and p.spec is not None and p.spec.type[0] == "object":
        return invalid(f'{name} must be an object such as {{"url": "https://..."}}')
    if p.kind == "type":
        return invalid(
            f"{name} must be {'a boolean' if name == 'generate_audio' else 'a ' + p.spec.type[0] if p.spec else 'valid'}"
        )
    if p.kind == "choice":
        return invalid(f"{name} must be one of {', '.join(map(str, p.names))}, got {p.value!r}")
    if p.kind == "range":
        return later(f"duration must be from 1 to 15 seconds, got {p.value}")
    if p.kind in ("too_short", "too_long") and p.spec is not None:
        return later(
            f"{name} must hold {p.spec.min_len} to {p.spec.max_len} {_NOUNS.get(name, 'items')}"
        )
    return invalid(f"{name} is invalid")


def frame_size(resolution: str, aspect_ratio: str) -> tuple[int, int]:
    """The short side is the resolution's height."""
    a, b = (int(x) for x in aspect_ratio.split(":"))
    short = {"480p": 480, "720p": 720, "1080p": 1080}[resolution]
    if a >= b:
        return _even(short * a / b), short
    return short, _even(short * b / a)


def _even(x: float) -> int:
    return int(round(x / 2)) * 2


@attrs.frozen
class KnownVideo:
    """A video this emulator generated (edit and extension sources)."""

    duration: float
    aspect_ratio: str
    resolution: str


@attrs.frozen
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
    ref = check(_MEDIA, value, lambda p: invalid(f"{where} needs exactly one of url and file_id"))
    if ref["url"] is None and ref["file_id"] is None:
        raise invalid(f"{where} needs exactly one of url and file_id")
    url = ref["url"]
    if url is not None:
        if not url.startswith(("https://", "http://", "data:")):
            raise invalid(f"{where}.url must be an https URL or a base64 data URI")
        if url.startswith("data:") and ";base64," not in url:
            raise invalid(f"{where}.url data URI must be base64-encoded")
    return url  # type: ignore[no-any-return]


def _known(url: str | None, videos: Mapping[str, KnownVideo] | None) -> KnownVideo | None:
    for key, video in (videos or {}).items():
        if url is not None and key in url:
            return video
    return None


def validate_generation(body: Mapping[str, Any]) -> VideoJob:
    """``POST /v1/videos/generations``: text, image, reference (and 1.5 frame) inputs."""
    v = check(GENERATION, body, wording)
    model = MODELS[v["model"]]
    image, refs, last, keyframes, audios = (
        v["image"], v["reference_images"], v["last_frame"], v["keyframes"], v["reference_audios"]
    )  # fmt: skip
    for where, value in (("image", image), ("last_frame", last)):
        if value is not None:
            _media(where, value)
    for i, ref in enumerate(refs or ()):
        _media(f"reference_images[{i}]", ref)
    if image is not None and refs is not None and not model.v15:
        raise invalid(f"image and reference_images cannot be combined on {v['model']}")
    for i, frame in enumerate(keyframes or ()):
        if not isinstance(frame, dict):
            raise invalid(f"keyframes[{i}] must be an object")
        _media(f"keyframes[{i}].image", frame.get("image"))
    for i, voice in enumerate(audios or ()):
        if not isinstance(voice, dict) or not isinstance(voice.get("voice_id"), str):
            raise invalid(f"reference_audios[{i}] must be an object with a voice_id")
    # The body parsed: from here on, a problem fails the request when it is polled.
    check(LIMITS, body, wording)
    for name, value in (
        ("last_frame", last),
        ("keyframes", keyframes),
        ("reference_audios", audios),
    ):
        if value is not None and not model.v15:
            raise later(
                f"{name} is only supported by grok-imagine-video-1.5", "failed_precondition"
            )
    pinned = image is not None or last is not None or bool(keyframes)
    if not v["prompt"].strip() and not (model.v15 and pinned):
        raise later("Prompt cannot be empty")
    duration = v["duration"]
    times = []
    for i, frame in enumerate(keyframes or ()):
        t = frame.get("timestamp_s")
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 < t < duration:
            raise later(f"keyframes[{i}].timestamp_s must lie strictly inside (0, {duration})")
        times.append(float(t))
    if any(b - a < 1 / 3 for a, b in itertools.pairwise(sorted(times))):
        raise later("keyframes must be at least 1/3 s apart")
    if audios is not None and refs is None:
        raise later("reference_audios need reference_images (reference-to-video)")
    if refs is not None:
        mode = "reference"
    elif last is not None and image is not None:
        mode = "interpolation"
    elif pinned:
        mode = "i2v"
    else:
        mode = "t2v"
    if v["resolution"] == "1080p":
        if not model.v15:
            raise later(
                f"1080p is only available on grok-imagine-video-1.5, not {v['model']}",
                "failed_precondition",
            )
        if mode == "reference":
            raise later("reference-to-video is limited to 720p", "failed_precondition")
    return _job("generation", v, mode, float(duration), v["aspect_ratio"], v["resolution"])


def _job(
    kind: str, v: Mapping[str, Any], mode: str, duration: float, aspect: str, resolution: str
) -> VideoJob:
    width, height = frame_size(resolution, aspect)
    return VideoJob(
        kind=kind,
        model_id=v["model"],
        mode=mode,
        prompt=v["prompt"],
        duration=duration,
        aspect_ratio=aspect,
        resolution=resolution,
        generate_audio=v["generate_audio"],
        width=width,
        height=height,
    )


def _no_geometry(body: Mapping[str, Any], endpoint: str, names: tuple[str, ...]) -> None:
    for name in names:
        if body.get(name) is not None:
            raise later(f"{name} is not supported on {endpoint}")


def validate_edit(
    body: Mapping[str, Any], videos: Mapping[str, KnownVideo] | None = None
) -> VideoJob:
    """``POST /v1/videos/edits``: a source video and a prompt; geometry follows the input."""
    v = check(EDIT, body, lambda p: wording(attrs.evolve(p, values={**p.values, "_kind": "edit"})))
    url = _media("video", v["video"])
    _no_geometry(body, "/v1/videos/edits", ("duration", "aspect_ratio", "resolution"))
    if not v["prompt"].strip():
        raise later("Prompt cannot be empty")
    source = _known(url, videos)
    if source is not None and source.duration > MAX_EDIT_INPUT_SECONDS:
        raise later(
            f"The input video is {source.duration:g} s; edits accept at most "
            f"{MAX_EDIT_INPUT_SECONDS} s"
        )
    # The edit keeps the input's length and aspect, at most 720p.
    resolution = "480p" if source is not None and source.resolution == "480p" else "720p"
    return _job(
        "edit",
        v,
        "edit",
        source.duration if source else 6.0,
        source.aspect_ratio if source else "16:9",
        resolution,
    )


def validate_extension(
    body: Mapping[str, Any], videos: Mapping[str, KnownVideo] | None = None
) -> VideoJob:
    """``POST /v1/videos/extensions``: ``duration`` is the added length (1-10 s, default 6)."""
    v = check(
        EXTENSION,
        body,
        lambda p: wording(attrs.evolve(p, values={**p.values, "_kind": "extension"})),
    )
    url = _media("video", v["video"])
    _no_geometry(body, "/v1/videos/extensions", ("aspect_ratio", "resolution"))
    if not 1 <= v["duration"] <= 10:
        raise later(f"duration (the extension length) must be 1 to 10 seconds, got {v['duration']}")
    source = _known(url, videos)
    low, high = EXTENSION_INPUT_SECONDS
    if source is not None and not low <= source.duration <= high:
        raise later(f"The input video must be {low:g} to {high:g} s long")
    return _job(
        "extension",
        v,
        "extension",
        (source.duration if source else 6.0) + v["duration"],
        source.aspect_ratio if source else "16:9",
        source.resolution if source else "720p",
    )


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


def _authorise(request: Request) -> None:
    if not bearer_token(request):
        raise ApiError(
            status=401,
            code="Unauthenticated",
            message="No API key provided. Pass it as a bearer token in the Authorization header.",
        )


def _videos(ctx: ProviderContext) -> dict[str, KnownVideo]:
    """Videos this fake generated, keyed by a piece of their result URL."""
    out = {}
    for task in ctx.store:
        if task.succeeded and task.extra.get("job") is not None:
            job: VideoJob = task.extra["job"]
            out[f"/_media/{task.id}/"] = KnownVideo(
                task.video.duration, job.aspect_ratio, job.resolution
            )
    return out


async def _submit(request: Request, ctx: ProviderContext, kind: str) -> Response:
    _authorise(request)
    try:
        body = await json_body(request)
    except BodyError as exc:
        raise invalid(str(exc)) from None
    if not isinstance(body, dict):
        raise invalid("the request body must be a JSON object")
    try:
        if kind == "generation":
            job = validate_generation(body)
        elif kind == "edit":
            job = validate_edit(body, _videos(ctx))
        else:
            job = validate_extension(body, _videos(ctx))
    except ApiError as exc:
        if not exc.extra.get("deferred"):
            raise
        return _failed_request(request, ctx, body, exc)
    task = ctx.create_task(
        request,
        model=job.model_id,
        prompt=job.prompt,
        video=VideoSpec(duration=job.duration, width=job.width, height=job.height),
        params=body,
        id_factory=lambda: str(uuid.uuid4()),  # "d97415a1-...": a UUID
        extra={"job": job},
    )
    return json_response({"request_id": task.id})


def _failed_request(request: Request, ctx: ProviderContext, body: Any, exc: ApiError) -> Response:
    """Accept the POST, but the request is already ``failed`` with the deferred error."""
    task = ctx.create_task(
        request,
        model=str(body.get("model")),
        prompt=str(body.get("prompt") or ""),
        video=VideoSpec(duration=1, width=640, height=480),
        params=body,
        id_factory=lambda: str(uuid.uuid4()),
        extra={"job": None, "error": {"code": exc.extra["deferred"], "message": exc.message}},
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


async def _get(request: Request, ctx: ProviderContext) -> Response:
    _authorise(request)
    request_id = request.path_params["request_id"]
    task = ctx.store.poll(request_id)
    if task is None:
        raise not_found(f"No video request with id {request_id} was found.")
    if task.extra.get("error"):
        return json_response(
            {"status": "failed", "model": task.model, "error": task.extra["error"]}
        )
    job: VideoJob = task.extra["job"]
    if not task.phase.terminal:
        return json_response(
            {"status": "pending", "model": job.model_id, "progress": task.progress}
        )
    # Results are kept as long as their URL works (24 h); then the request expires.
    if ctx.expired(task):
        return json_response({"status": "expired", "model": job.model_id})
    if task.outcome is Outcome.FAILED:
        error = {
            "code": "internal_error",
            "message": "Video generation failed. Quote the request_id to support.",
        }
        return json_response({"status": "failed", "model": job.model_id, "error": error})
    video: dict[str, Any] = {"duration": _seconds(task.video.duration)}
    if task.outcome is Outcome.MODERATION:
        video["respect_moderation"] = False  # done, but no URL (reference §2.3)
    else:
        video = {"url": ctx.media_link(request, task).url, **video, "respect_moderation": True}
    usage = {"cost_in_usd_ticks": job.cost_in_usd_ticks}
    return json_response({"status": "done", "video": video, "model": job.model_id, "usage": usage})


FAKE = ProviderFake(
    name="grok",
    endpoints=[
        Endpoint("/v1/videos/generations", _generations, ("POST",), "submit"),
        Endpoint("/v1/videos/edits", _edits, ("POST",), "submit"),
        Endpoint("/v1/videos/extensions", _extensions, ("POST",), "submit"),
        Endpoint("/v1/videos/{request_id}", _get, ("GET",), "poll"),
    ],
    credentials={"XAI_API_KEY": "reelkit-emulator"},
    dialect=XAI,
    rate_limited=ApiError(
        status=429, code="Too many requests", message="Rate limit exceeded. Please retry later."
    ),
    server_error=ApiError(
        status=500, code="Internal error", message="The service encountered an internal error."
    ),
    url_ttl=URL_TTL_SECONDS,
    natural_fps=24,
    description="xAI Grok Imagine video (REST)",
)
