"""Fake of Google Veo on the Gemini API (``models/{model}:predictLongRunning``).

Facts: ``docs/reference/veo-grok.md`` §0 and §1 (request shape as google-genai 2.34
sends it, models, coupled rules, operation lifecycle, RAI-filtered results, download with a
redirect); seed ``000_8ec806ccbffdb229.txt`` (defaults, extension constraints).

Served at ``/veo/v1beta/...``. The key is ``x-goog-api-key`` or ``?key=`` (any non-empty value;
none: 403 ``PERMISSION_DENIED``; blank: 400 ``API_KEY_INVALID``). Errors are Google's
``{"error": {"code", "message", "status"}}``. The body is checked as the Gemini API checks it:
one instance with ``prompt``, ``image``/``lastFrame`` as ``{bytesBase64Encoded, mimeType}``
(``inlineData`` answers 400 "inlineData isn't supported by this model."), ``referenceImages``
(1-3 assets, 3.1 and 3.1 Fast, prompt required, 8 s), ``video: {uri}`` (extension of a video
this fake generated in the last two days: 3.1/3.1 Fast, 720p, 8 s, same aspect ratio; the result
is input + 7 s); ``parameters`` limited to what google-genai sends in Gemini-API mode (Vertex-only
``seed``, ``generateAudio``, ``fps``, ``storageUri``, ... answer 400), with each model's
resolutions, durations (4/6/8; 8 with 1080p, 4k, references and extension), aspect ratios,
``personGeneration`` per mode and ``sampleCount``. Polls (``GET /v1beta/{operation name}``)
answer ``{"name"}`` until done, then ``response.generateVideoResponse.generatedSamples``.

Downloads: ``GET /v1beta/files/{id}:download?alt=media`` needs the API key and answers ``302``
to the *other* loopback host name on the same port (``127.0.0.1`` <-> ``localhost``), where the
bytes are served without a key. The redirect target behaves like another server: it answers 404
unless the ``Host`` header names the host it was redirected to, and it records whether a key
arrived there anyway (``GET /veo/_emulator/downloads``: ``redirects``, ``served``,
``key_forwarded`` and the events), so a client can prove it does not forward its key to
another host. Files expire two days after generation (or after an extension last used them).

Triggers (prompt markers):

- ``[emulator:moderation]``: the operation ends ``done`` with ``raiMediaFilteredCount`` and
  ``raiMediaFilteredReasons`` and no ``generatedSamples``;
- ``[emulator:fail]``: the operation ends ``done`` with ``error: {"code": 13, ...}``;
- injected faults: ``429`` answers ``RESOURCE_EXHAUSTED``, ``500`` answers ``INTERNAL``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from reelkit_emulator.provider import Endpoint, ProviderContext, ProviderFake
from reelkit_emulator.responses import BodyError, Reject, json_body, json_response
from reelkit_emulator.tasks import Outcome, Task, VideoSpec, random_id

#: Generated files live for two days (reference §0.6).
FILE_TTL_SECONDS = 2 * 24 * 3600
#: The redirect target (a short-lived signed URL, like a storage bucket's).
REDIRECT_TTL_SECONDS = 600
#: Each extension adds about 7 s; the input may be at most 141 s (reference §1.5).
EXTENSION_SECONDS = 7
MAX_EXTENSION_INPUT_SECONDS = 141
MAX_IMAGE_BYTES = 20 * 1024 * 1024
#: Veo 3.x prompts are limited to 1,024 tokens; the emulator counts ~4 characters per token.
MAX_PROMPT_TOKENS = 1024
RAI_REASON = (
    "Veo could not generate 1 videos based on the prompt provided. You will not be charged "
    "for blocked videos. Support codes: 42237218 [reelkit emulator]"
)
OPERATION_TYPE = (
    "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse"
)


# --------------------------------------------------------------------------------------------
# Google's error shape: {"error": {"code", "message", "status"}} (reference §1.6)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoogleError(Exception):
    code: int
    status: str
    message: str
    details: tuple[Mapping[str, Any], ...] = ()


def error_body(error: GoogleError) -> dict[str, Any]:
    err: dict[str, Any] = {"code": error.code, "message": error.message, "status": error.status}
    if error.details:
        err["details"] = [dict(d) for d in error.details]
    return {"error": err}


def invalid(message: str) -> GoogleError:
    return GoogleError(400, "INVALID_ARGUMENT", message)


def not_found(message: str) -> GoogleError:
    return GoogleError(404, "NOT_FOUND", message)


def missing_key() -> GoogleError:
    return GoogleError(
        403,
        "PERMISSION_DENIED",
        "Method doesn't allow unregistered callers (callers without established identity). "
        "Please use API Key or other form of API consumer identity to call this API.",
    )


def invalid_key() -> GoogleError:
    return GoogleError(
        400,
        "INVALID_ARGUMENT",
        "API key not valid. Please pass a valid API key.",
        (
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            },
        ),
    )


def api_key(headers: Mapping[str, str], query: Mapping[str, str]) -> str:
    """The key from ``x-goog-api-key`` or ``?key=``; raises the error Google answers with."""
    key = headers.get("x-goog-api-key")
    if key is None:
        key = query.get("key")
    if key is None:
        raise missing_key()
    if not key.strip():
        raise invalid_key()
    return key


# --------------------------------------------------------------------------------------------
# Models (reference §1.3, §1.4)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VeoModel:
    family: str  # "3.1", "3.1-lite", "3.0", "2.0"
    resolutions: tuple[str, ...]  # () = the parameter is not supported (Veo 2)
    durations: tuple[int, ...]
    last_frame: bool = False
    references: bool = False
    extension: bool = False
    max_samples: int = 1
    #: Resolutions that require 8 s.
    eight_seconds_for: tuple[str, ...] = ("1080p", "4k")


_V31 = VeoModel("3.1", ("720p", "1080p", "4k"), (4, 6, 8), True, True, True)
_V31_LITE = VeoModel("3.1-lite", ("720p", "1080p"), (4, 6, 8), last_frame=True)
_V30 = VeoModel("3.0", ("720p", "1080p"), (4, 6, 8))
_V20 = VeoModel("2.0", (), (5, 6, 7, 8), max_samples=2)

MODELS: dict[str, VeoModel] = {
    "veo-3.1-generate-preview": _V31,
    "veo-3.1-fast-generate-preview": _V31,
    "veo-3.1-lite-generate-preview": _V31_LITE,
    "veo-3.0-generate-001": _V30,
    "veo-3.0-fast-generate-001": _V30,
    "veo-3.0-generate-preview": _V30,
    "veo-3.0-fast-generate-preview": _V30,
    "veo-2.0-generate-001": _V20,
}

ASPECT_RATIOS = ("16:9", "9:16")
#: Sizes of the served MP4 per resolution and aspect ratio.
SIZES = {
    ("720p", "16:9"): (1280, 720),
    ("720p", "9:16"): (720, 1280),
    ("1080p", "16:9"): (1920, 1080),
    ("1080p", "9:16"): (1080, 1920),
    ("4k", "16:9"): (3840, 2160),
    ("4k", "9:16"): (2160, 3840),
}

#: Vertex-only parameters that google-genai 2.34 refuses in Gemini-API mode (reference §1.2).
VERTEX_ONLY = {
    "seed": "seed",
    "generateAudio": "generate_audio",
    "fps": "fps",
    "storageUri": "output_gcs_uri",
    "resizeMode": "resize_mode",
    "compressionQuality": "compression_quality",
    "pubsubTopic": "pubsub_topic",
}
PARAMETERS = (
    "sampleCount",
    "numberOfVideos",
    "durationSeconds",
    "aspectRatio",
    "resolution",
    "personGeneration",
    "negativePrompt",
    "enhancePrompt",
)
INSTANCE_FIELDS = ("prompt", "image", "lastFrame", "referenceImages", "video")


@dataclass(frozen=True)
class SourceVideo:
    """What the emulator knows of a file it generated (for extension requests)."""

    duration: float
    aspect_ratio: str
    resolution: str
    expired: bool = False


@dataclass(frozen=True)
class GenerateSpec:
    model_id: str
    model: VeoModel
    mode: str  # t2v, i2v, interpolation, reference, extension
    prompt: str
    aspect_ratio: str
    resolution: str
    duration: int
    #: Seconds of the served MP4 (an extension returns input + extension).
    output_seconds: float
    samples: int
    width: int
    height: int


def _image(where: str, value: Any) -> None:
    if not isinstance(value, dict):
        raise invalid(f"{where} must be an object with bytesBase64Encoded and mimeType.")
    if "inlineData" in value:
        raise invalid("inlineData isn't supported by this model.")
    if "gcsUri" in value:
        raise invalid(f"{where}.gcsUri isn't supported by the Gemini API; use bytesBase64Encoded.")
    data = value.get("bytesBase64Encoded")
    if not isinstance(data, str) or not data:
        raise invalid(f"{where}.bytesBase64Encoded is required.")
    mime = value.get("mimeType")
    if not isinstance(mime, str) or not mime.startswith("image/"):
        raise invalid(f"{where}.mimeType must be an image MIME type, e.g. image/png.")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(f"{where}.bytesBase64Encoded is not valid base64.") from None
    if len(raw) > MAX_IMAGE_BYTES:
        raise invalid(f"{where} exceeds the 20 MB limit.")
    extra = set(value) - {"bytesBase64Encoded", "mimeType"}
    if extra:
        raise invalid(
            f'Invalid JSON payload received. Unknown name "{sorted(extra)[0]}" at {where}.'
        )


def _int_like(value: Any) -> int | None:
    """``durationSeconds`` arrives as an int (SDK) or a digit string (docs)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def validate_generate(
    model_id: str,
    body: Any,
    *,
    source_for: Mapping[str, SourceVideo] | None = None,
) -> GenerateSpec:
    """Validate a ``predictLongRunning`` body; raise :class:`GoogleError` like the API.

    ``source_for`` maps a file id the emulator generated to what it knows of that video.
    """
    model = MODELS.get(model_id)
    if model is None:
        raise not_found(
            f"models/{model_id} is not found for API version v1beta, or is not supported for "
            "predictLongRunning. Call ListModels to see the list of available models and their "
            "supported methods."
        )
    if not isinstance(body, dict):
        raise invalid("Invalid JSON payload received. Expected an object.")
    for key in body:
        if key not in ("instances", "parameters", "webhookConfig"):
            raise invalid(
                f'Invalid JSON payload received. Unknown name "{key}": Cannot find field.'
            )
    instances = body.get("instances")
    if not isinstance(instances, list) or len(instances) != 1 or not isinstance(instances[0], dict):
        raise invalid("instances must hold exactly one instance.")
    inst: dict[str, Any] = instances[0]
    for key in inst:
        if key not in INSTANCE_FIELDS:
            raise invalid(f"instances[0].{key} isn't supported by this model.")
    params = body.get("parameters") or {}
    if not isinstance(params, dict):
        raise invalid("parameters must be an object.")
    for key in params:
        if key in VERTEX_ONLY:
            raise invalid(f"`{key}` isn't supported by the Gemini API (Vertex AI only).")
        if key not in PARAMETERS:
            raise invalid(f"`{key}` isn't supported by this model.")

    prompt = inst.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        raise invalid("instances[0].prompt must be a string.")
    prompt = prompt or ""
    if len(prompt) > MAX_PROMPT_TOKENS * 4:
        raise invalid(f"The prompt is longer than {MAX_PROMPT_TOKENS} tokens.")

    has_image = "image" in inst and inst["image"] is not None
    has_last = "lastFrame" in inst and inst["lastFrame"] is not None
    refs = inst.get("referenceImages")
    video = inst.get("video")
    if has_image:
        _image("instances[0].image", inst["image"])
    if has_last:
        if not model.last_frame:
            raise invalid(f"lastFrame isn't supported by {model_id}.")
        if not has_image:
            raise invalid("lastFrame must be used in combination with the image parameter.")
        _image("instances[0].lastFrame", inst["lastFrame"])
    if refs is not None:
        if not model.references:
            raise invalid(f"referenceImages isn't supported by {model_id}.")
        if not isinstance(refs, list) or not 1 <= len(refs) <= 3:
            raise invalid("referenceImages must hold 1 to 3 asset images.")
        if has_image or has_last or video is not None:
            raise invalid("referenceImages cannot be combined with image, lastFrame or video.")
        for i, ref in enumerate(refs):
            where = f"instances[0].referenceImages[{i}]"
            if not isinstance(ref, dict):
                raise invalid(f"{where} must be an object.")
            kind = ref.get("referenceType", "asset")
            if not isinstance(kind, str) or kind.lower() != "asset":
                raise invalid(f"{where}.referenceType must be asset; style isn't supported.")
            _image(f"{where}.image", ref.get("image"))
        if not prompt.strip():
            raise invalid("A prompt is required with referenceImages.")
    source: SourceVideo | None = None
    if video is not None:
        if not model.extension:
            raise invalid(f"Video extension isn't supported by {model_id}.")
        if has_image or has_last:
            raise invalid("video cannot be combined with image or lastFrame.")
        if not isinstance(video, dict):
            raise invalid("instances[0].video must be an object with a uri.")
        if any(k in video for k in ("encodedVideo", "bytesBase64Encoded", "inlineData")):
            raise invalid(
                "Video bytes aren't supported by the Gemini API; pass the uri of a video "
                "Veo generated."
            )
        uri = video.get("uri")
        if not isinstance(uri, str) or not uri:
            raise invalid("instances[0].video.uri is required.")
        source = (source_for or {}).get(file_id_of(uri) or "")
        if source is None or source.expired:
            raise invalid(
                "Only videos generated by Veo in the last two days can be extended "
                f"(unknown or expired: {uri})."
            )
        if source.duration > MAX_EXTENSION_INPUT_SECONDS:
            raise invalid(f"The input video must be at most {MAX_EXTENSION_INPUT_SECONDS} s.")
        if source.resolution != "720p":
            raise invalid("Only 720p videos can be extended.")

    if video is not None:
        mode = "extension"
    elif refs is not None:
        mode = "reference"
    elif has_last:
        mode = "interpolation"
    elif has_image:
        mode = "i2v"
    else:
        mode = "t2v"
        if not prompt.strip():
            raise invalid("instances[0].prompt is required for text-to-video.")

    aspect = params.get("aspectRatio")
    if aspect is None:
        aspect = source.aspect_ratio if source else "16:9"
    if aspect not in ASPECT_RATIOS:
        raise invalid(f"aspectRatio must be one of {', '.join(ASPECT_RATIOS)}.")
    if source and aspect != source.aspect_ratio:
        raise invalid(f"aspectRatio must match the input video ({source.aspect_ratio}).")

    resolution = params.get("resolution")
    if resolution is not None and not model.resolutions:
        raise invalid(f"resolution isn't supported by {model_id}.")
    resolution = resolution or "720p"
    if model.resolutions and resolution not in model.resolutions:
        raise invalid(f"resolution must be one of {', '.join(model.resolutions)} for {model_id}.")
    if model.family == "3.0" and resolution == "1080p" and aspect != "16:9":
        raise invalid("1080p is only supported with aspectRatio 16:9 for Veo 3.")
    if mode == "extension" and resolution != "720p":
        raise invalid("Video extension only supports 720p.")

    raw_duration = params.get("durationSeconds")
    if raw_duration is None:
        duration = 8
    else:
        duration_or_none = _int_like(raw_duration)
        if duration_or_none is None or duration_or_none not in model.durations:
            allowed = ", ".join(str(d) for d in model.durations)
            raise invalid(f"durationSeconds must be one of {allowed} for {model_id}.")
        duration = duration_or_none
    if duration != 8:
        if resolution in model.eight_seconds_for and model.resolutions:
            raise invalid(f"durationSeconds must be 8 with resolution {resolution}.")
        if mode in ("reference", "extension"):
            raise invalid(f"durationSeconds must be 8 with {mode}.")

    person = params.get("personGeneration")
    if person is not None:
        allowed_people: tuple[str, ...]
        if model.family == "2.0":
            allowed_people = (
                ("allow_all", "allow_adult", "dont_allow")
                if mode == "t2v"
                else ("allow_adult", "dont_allow")
            )
        else:
            allowed_people = ("allow_all",) if mode in ("t2v", "extension") else ("allow_adult",)
        if person not in allowed_people:
            raise invalid(
                f"personGeneration {person!r} isn't supported for {mode} with {model_id}; "
                f"use {' or '.join(allowed_people)}."
            )
    if params.get("negativePrompt") is not None and not isinstance(params["negativePrompt"], str):
        raise invalid("negativePrompt must be a string.")
    if params.get("enhancePrompt") is not None and not isinstance(params["enhancePrompt"], bool):
        raise invalid("enhancePrompt must be a boolean.")

    raw_samples = params.get("sampleCount", params.get("numberOfVideos", 1))
    samples = _int_like(raw_samples)
    if samples is None or not 1 <= samples <= model.max_samples:
        raise invalid(f"sampleCount must be between 1 and {model.max_samples} for {model_id}.")

    output = float(duration)
    if source is not None:
        output = source.duration + EXTENSION_SECONDS
    width, height = SIZES[(resolution, aspect)]
    return GenerateSpec(
        model_id=model_id,
        model=model,
        mode=mode,
        prompt=prompt,
        aspect_ratio=aspect,
        resolution=resolution,
        duration=duration,
        output_seconds=output,
        samples=samples,
        width=width,
        height=height,
    )


def file_id_of(uri: str) -> str | None:
    """``.../files/abc123:download?alt=media`` -> ``abc123`` (the SDK's ``t_file_name`` rule)."""
    marker = "files/"
    start = uri.find(marker)
    if start < 0:
        return None
    rest = uri[start + len(marker) :]
    end = 0
    while end < len(rest) and (rest[end].islower() or rest[end].isdigit()):
        end += 1
    return rest[:end] or None


def swap_loopback_host(netloc: str) -> str:
    """``127.0.0.1:8765`` <-> ``localhost:8765``: the same server under another host name."""
    host, sep, port = netloc.rpartition(":")
    if not sep:
        host, port = netloc, ""
    other = "localhost" if host in ("127.0.0.1", "[::1]") else "127.0.0.1"
    return f"{other}:{port}" if port else other


# --------------------------------------------------------------------------------------------
# The fake: routes on the framework (FRAMEWORK.md)
# --------------------------------------------------------------------------------------------

#: Where the download redirect lands (on the other loopback host name).
REDIRECT_PATH = "/_download/{task_id}/{file_id}.mp4"


def _reject(error: GoogleError) -> Reject:
    return Reject(_error_response(error))


def _error_response(error: GoogleError, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return json_response(error_body(error), error.code, headers)


def _key(request: Request) -> str:
    try:
        return api_key(request.headers, request.query_params)
    except GoogleError as exc:
        raise _reject(exc) from None


def _alnum_id() -> str:
    """Operation and file ids look like ``321kvdcepmcg``: lowercase letters and digits."""
    return random_id("", 12)


def _file_ids(task: Task) -> list[str]:
    ids: list[str] = task.extra["files"]
    return ids


def _files(ctx: ProviderContext) -> dict[str, Task]:
    return {fid: t for t in ctx.store for fid in _file_ids(t)}


def _file_expired(ctx: ProviderContext, task: Task) -> bool:
    """Files live two days from generation, or from when an extension last referenced them."""
    start = max(task.finished_at or task.created_at, float(task.extra.get("touched_at", 0.0)))
    return ctx.now() - start > FILE_TTL_SECONDS


def _sources(ctx: ProviderContext) -> dict[str, SourceVideo]:
    sources = {}
    for fid, task in _files(ctx).items():
        if task.succeeded:
            spec: GenerateSpec = task.extra["spec"]
            sources[fid] = SourceVideo(
                duration=task.video.duration,
                aspect_ratio=spec.aspect_ratio,
                resolution=spec.resolution,
                expired=_file_expired(ctx, task),
            )
    return sources


async def _generate(request: Request, ctx: ProviderContext) -> Response:
    _key(request)
    model_id = request.path_params["model"]
    try:
        body = await json_body(request)
    except BodyError as exc:
        raise _reject(invalid(f"Invalid JSON payload received. {exc}")) from None
    try:
        spec = validate_generate(model_id, body, source_for=_sources(ctx))
    except GoogleError as exc:
        raise _reject(exc) from None
    if spec.mode == "extension":
        source = _files(ctx)[file_id_of(body["instances"][0]["video"]["uri"]) or ""]
        source.extra["touched_at"] = ctx.now()  # referencing a video resets its 2-day timer
    task = ctx.create_task(
        request,
        model=model_id,
        prompt=spec.prompt,
        video=VideoSpec(duration=spec.output_seconds, width=spec.width, height=spec.height),
        params=body,
        id_factory=_alnum_id,
        extra={"spec": spec, "files": [_alnum_id() for _ in range(spec.samples)]},
    )
    return json_response({"name": f"models/{model_id}/operations/{task.id}"})


async def _operation(request: Request, ctx: ProviderContext) -> Response:
    _key(request)
    model_id, op = request.path_params["model"], request.path_params["op"]
    name = f"models/{model_id}/operations/{op}"
    known = ctx.store.get(op)
    task = ctx.store.poll(op) if known is not None and known.model == model_id else None
    if task is None:
        raise _reject(not_found(f"Operation {name} not found."))
    body: dict[str, Any] = {"name": name}
    if not task.phase.terminal:
        return json_response(body)  # ``done`` is absent while the operation runs
    body["done"] = True
    if task.outcome is Outcome.FAILED:
        body["error"] = {
            "code": 13,
            "message": "Video generation failed due to an internal error. [reelkit emulator]",
        }
        return json_response(body)
    result: dict[str, Any]
    if task.outcome is Outcome.MODERATION:
        # RAI-filtered: done, no samples, the count and reasons instead (reference §1.6).
        result = {
            "raiMediaFilteredCount": len(_file_ids(task)),
            "raiMediaFilteredReasons": [RAI_REASON],
        }
    else:
        base = ctx.base_url(request)
        result = {
            "generatedSamples": [
                {"video": {"uri": f"{base}/v1beta/files/{fid}:download?alt=media"}}
                for fid in _file_ids(task)
            ]
        }
    body["response"] = {"@type": OPERATION_TYPE, "generateVideoResponse": result}
    return json_response(body)


def _log(task: Task) -> dict[str, Any]:
    log: dict[str, Any] = task.extra.setdefault(
        "download_log", {"redirects": 0, "served": 0, "key_forwarded": 0, "events": []}
    )
    return log


async def _download(request: Request, ctx: ProviderContext) -> Response:
    """Authenticated ``files/{id}:download?alt=media``: 302 to another host, no key needed."""
    _key(request)
    file_id = request.path_params["file_id"]
    if request.query_params.get("alt") != "media":
        raise _reject(invalid("Only alt=media downloads are supported for generated files."))
    task = _files(ctx).get(file_id)
    if task is None or not task.succeeded or _file_expired(ctx, task):
        raise _reject(not_found(f"File files/{file_id} does not exist or has expired."))
    netloc = swap_loopback_host(request.url.netloc)
    root = request.scope.get("root_path", "").rstrip("/")
    path = ctx.prefix + REDIRECT_PATH.format(task_id=task.id, file_id=file_id)
    link = ctx.signer.sign(
        f"{request.url.scheme}://{netloc}{root}", path, int(ctx.now() + REDIRECT_TTL_SECONDS)
    )
    log = _log(task)
    log["redirects"] += 1
    log["events"].append({"event": "redirect", "from": request.url.netloc, "to": netloc})
    return RedirectResponse(link.url, status_code=302)


async def _redirected(request: Request, ctx: ProviderContext) -> Response:
    """The redirect target: serves the bytes without a key and records if one arrived anyway."""
    task = ctx.store.get(request.path_params["task_id"])
    root = request.scope.get("root_path", "").rstrip("/")
    problem = ctx.signer.check(
        request.url.path.removeprefix(root),
        request.query_params.get("e"),
        request.query_params.get("token"),
        ctx.now(),
    )
    if problem == "invalid":
        raise _reject(GoogleError(403, "PERMISSION_DENIED", "The download link is not valid."))
    if problem == "expired":
        raise Reject(_expired())
    if task is None or request.path_params["file_id"] not in _file_ids(task):
        raise _reject(not_found("The requested file was not found."))
    log = _log(task)
    expected = {e["to"] for e in log["events"] if e["event"] == "redirect"}
    if request.url.netloc not in expected:
        # Another host name is another server: a request that still carries the API host's
        # ``Host`` header (e.g. headers copied from the first request) would not reach it.
        log["events"].append(
            {"event": "wrong_host", "host": request.url.netloc, "expected": sorted(expected)}
        )
        raise _reject(
            not_found(
                f"Host {request.url.netloc!r} does not serve this file; the redirect pointed to "
                f"{' or '.join(sorted(expected)) or 'another host'} (check the Host header)."
            )
        )
    via = [
        name
        for name, present in (
            ("x-goog-api-key", "x-goog-api-key" in request.headers),
            ("key", "key" in request.query_params),
            ("authorization", "authorization" in request.headers),
        )
        if present
    ]
    log["served"] += 1
    log["key_forwarded"] += bool(via)
    log["events"].append({"event": "served", "host": request.url.netloc, "credentials": via})
    return await ctx.video_response(task)


async def _download_log(request: Request, ctx: ProviderContext) -> Response:
    """``GET /veo/_emulator/downloads``: what every redirect target saw (for client tests)."""
    totals = {"redirects": 0, "served": 0, "key_forwarded": 0}
    events: list[dict[str, Any]] = []
    for task in reversed(list(ctx.store)):  # oldest first
        log = task.extra.get("download_log")
        if log:
            for k in totals:
                totals[k] += log[k]
            events.extend({"operation": task.id, **e} for e in log["events"])
    return json_response({**totals, "events": events})


def _fault(status: int, headers: Mapping[str, str]) -> Response:
    if status == 429:
        error = GoogleError(
            429,
            "RESOURCE_EXHAUSTED",
            "You exceeded your current quota, please check your plan and billing details.",
        )
    else:
        error = GoogleError(500, "INTERNAL", "An internal error has occurred. Please retry.")
    return _error_response(error, headers)


def _expired() -> Response:
    return _error_response(GoogleError(403, "PERMISSION_DENIED", "The download link has expired."))


FAKE = ProviderFake(
    name="veo",
    endpoints=[
        Endpoint("/v1beta/models/{model}:predictLongRunning", _generate, ("POST",), "submit"),
        Endpoint("/v1beta/models/{model}/operations/{op}", _operation, ("GET",), "poll"),
        Endpoint("/v1beta/files/{file_id}:download", _download, ("GET",), "download"),
        Endpoint(REDIRECT_PATH, _redirected, ("GET",), "download"),
        Endpoint("/_emulator/downloads", _download_log, ("GET",), "other"),
    ],
    credentials={"GEMINI_API_KEY": "reelkit-emulator"},
    fault_response=_fault,
    expired_response=_expired,
    url_ttl=FILE_TTL_SECONDS,
    natural_fps=24,
    description="Google Veo on the Gemini API (predictLongRunning, operations, files download)",
)
