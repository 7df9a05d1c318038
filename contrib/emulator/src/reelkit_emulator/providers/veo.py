"""Fake of Google Veo on the Gemini API (``models/{model}:predictLongRunning``).

Facts: https://ai.google.dev/gemini-api/docs/video as summarised in ``docs/reference/veo-grok.md``
§0 and §1 (request shape as google-genai 2.34 sends it, models, coupled rules, operation
lifecycle, RAI-filtered results, download with a redirect, defaults, extension constraints).

Served at ``/veo/v1beta/...``. The key is ``x-goog-api-key`` or ``?key=`` (any non-empty value;
none: 403 ``PERMISSION_DENIED``; blank: 400 ``API_KEY_INVALID``); errors are Google's. The body
is checked as the Gemini API checks it: one instance with ``prompt``, ``image``/``lastFrame`` as
``{bytesBase64Encoded, mimeType}`` (``inlineData`` answers 400), ``referenceImages`` (1-3
assets, 3.1 and 3.1 Fast, prompt required, 8 s), ``video: {uri}`` (extension of a video this
fake generated in the last two days: 3.1/3.1 Fast, 720p, 8 s, same aspect ratio; the result is
input + 7 s); ``parameters`` as google-genai sends them in Gemini-API mode (Vertex-only ones
answer 400), with each model's resolutions, durations, aspect ratios, ``personGeneration`` per
mode and ``sampleCount``. Polls answer ``{"name"}`` until done, then the generated samples.

Downloads: ``GET /v1beta/files/{id}:download?alt=media`` needs the API key and answers ``302``
to the bytes on another host, which needs no key (:mod:`reelkit_emulator.redirect`; ``GET
/veo/_emulator/downloads`` shows whether a key arrived there anyway). Files expire two days
after generation, or after an extension last used them (``ProviderContext.renew``).

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
from typing import Any

import attrs
from starlette.requests import Request
from starlette.responses import Response

from reelkit_emulator import redirect
from reelkit_emulator.errors import GOOGLE, ApiError
from reelkit_emulator.provider import Endpoint, ProviderContext, ProviderFake
from reelkit_emulator.responses import BodyError, json_body, json_response
from reelkit_emulator.spec import Field, Problem, Schema, check, int_like
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
# Google's errors: {"error": {"code", "message", "status"}} (reference §1.6)
# --------------------------------------------------------------------------------------------


def invalid(message: str) -> ApiError:
    return ApiError(status=400, code="INVALID_ARGUMENT", message=message)


def not_found(message: str) -> ApiError:
    return ApiError(status=404, code="NOT_FOUND", message=message)


def denied(message: str) -> ApiError:
    return ApiError(status=403, code="PERMISSION_DENIED", message=message)


_API_KEY_INVALID = {
    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
    "reason": "API_KEY_INVALID",
    "domain": "googleapis.com",
    "metadata": {"service": "generativelanguage.googleapis.com"},
}


def api_key(headers: Mapping[str, str], query: Mapping[str, str]) -> str:
    """The key from ``x-goog-api-key`` or ``?key=``; raises the error Google answers with."""
    key = headers.get("x-goog-api-key")
    if key is None:
        key = query.get("key")
    if key is None:
        raise denied(
            "Method doesn't allow unregistered callers (callers without established identity). "
            "Please use API Key or other form of API consumer identity to call this API."
        )
    if not key.strip():
        raise invalid("API key not valid. Please pass a valid API key.").evolve(
            extra={"details": (_API_KEY_INVALID,)}
        )
    return key


# --------------------------------------------------------------------------------------------
# Models (reference §1.3, §1.4)
# --------------------------------------------------------------------------------------------


@attrs.frozen
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

# --------------------------------------------------------------------------------------------
# What predictLongRunning accepts (reference §1.2: what google-genai sends in Gemini-API mode)
# --------------------------------------------------------------------------------------------

#: Vertex-only parameters that google-genai 2.34 refuses in Gemini-API mode (reference §1.2).
VERTEX_ONLY = (
    "seed",
    "generateAudio",
    "fps",
    "storageUri",
    "resizeMode",
    "compressionQuality",
    "pubsubTopic",
)
BODY = Schema(
    [
        Field("instances", type="array", required=True),
        Field("parameters", type="object", default={}),
    ],
    allow={"webhookConfig"},
)
INSTANCE = Schema(
    [
        Field("prompt", default="", max_len=MAX_PROMPT_TOKENS * 4),
        Field("image", type="object"),
        Field("lastFrame", type="object"),
        Field("referenceImages", type="array", min_len=1, max_len=3),
        Field("video", type="object"),
    ]
)


def parameters(model: VeoModel) -> Schema:
    return Schema(
        [
            Field("durationSeconds", type="integer", coerce=int_like, choices=model.durations),
            Field("aspectRatio", choices=ASPECT_RATIOS),
            Field("resolution", choices=model.resolutions),
            Field("personGeneration"),
            Field("negativePrompt"),
            Field("enhancePrompt", type="boolean"),
            Field("sampleCount", type="integer", coerce=int_like, min=1, max=model.max_samples),
            Field("numberOfVideos", type="integer", coerce=int_like, min=1, max=model.max_samples),
        ]
    )


_IMAGE = Schema(
    [
        Field("bytesBase64Encoded", required=True, blank_is_missing=True),
        Field("mimeType", required=True),
    ]
)


def wording(where: str, model_id: str = "this model") -> Any:
    """Google's messages for a problem ``where`` in the body (``instances[0]``, ``parameters``)."""

    def phrase(p: Problem) -> ApiError:
        if p.kind == "unknown" and where == "":
            return invalid(
                f'Invalid JSON payload received. Unknown name "{p.field}": Cannot find field.'
            )
        if p.kind == "unknown" and p.field in VERTEX_ONLY:
            return invalid(f"`{p.field}` isn't supported by the Gemini API (Vertex AI only).")
        if p.kind == "unknown" and where == "parameters":
            return invalid(f"`{p.field}` isn't supported by this model.")
        if p.kind == "unknown":
            return invalid(f"{where}.{p.field} isn't supported by this model.")
        if p.field == "instances":
            return invalid("instances must hold exactly one instance.")
        if p.kind == "too_long" and p.field == "prompt":
            return invalid(f"The prompt is longer than {MAX_PROMPT_TOKENS} tokens.")
        if p.field == "referenceImages":
            return invalid("referenceImages must hold 1 to 3 asset images.")
        if p.kind == "choice" and p.field == "resolution" and not p.names:
            return invalid(f"resolution isn't supported by {model_id}.")
        if p.kind == "choice":
            return invalid(
                f"{p.field} must be one of {', '.join(map(str, p.names))} for {model_id}."
            )
        if p.kind == "range":
            high = p.spec.max if p.spec else 1
            return invalid(f"sampleCount must be between 1 and {high:g} for {model_id}.")
        if p.kind == "missing":
            return invalid(f"{where}.{p.field} is required.")
        kind = p.spec.type[0] if p.spec else "value"
        return invalid(
            f"{where + '.' if where else ''}{p.field} must be {'an' if kind[0] in 'aeio' else 'a'} {kind}."
        )

    return phrase


@attrs.frozen
class SourceVideo:
    """What the emulator knows of a file it generated (for extension requests)."""

    duration: float
    aspect_ratio: str
    resolution: str
    expired: bool = False


@attrs.frozen
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
    """``{bytesBase64Encoded, mimeType}``, as google-genai sends it (reference §0.1)."""
    if not isinstance(value, dict):
        raise invalid(f"{where} must be an object with bytesBase64Encoded and mimeType.")
    if "inlineData" in value:
        raise invalid("inlineData isn't supported by this model.")
    if "gcsUri" in value:
        raise invalid(f"{where}.gcsUri isn't supported by the Gemini API; use bytesBase64Encoded.")
    unknown = sorted(set(value) - {"bytesBase64Encoded", "mimeType"})
    if unknown:
        raise invalid(f'Invalid JSON payload received. Unknown name "{unknown[0]}" at {where}.')
    image = check(_IMAGE, value, wording(where))
    if not image["mimeType"].startswith("image/"):
        raise invalid(f"{where}.mimeType must be an image MIME type, e.g. image/png.")
    try:
        raw = base64.b64decode(image["bytesBase64Encoded"], validate=True)
    except (binascii.Error, ValueError):
        raise invalid(f"{where}.bytesBase64Encoded is not valid base64.") from None
    if len(raw) > MAX_IMAGE_BYTES:
        raise invalid(f"{where} exceeds the 20 MB limit.")


def validate_generate(
    model_id: str, body: Any, *, source_for: Mapping[str, SourceVideo] | None = None
) -> GenerateSpec:
    """Validate a ``predictLongRunning`` body as the API does; ``source_for`` maps a file id the
    emulator generated to what it knows of that video."""
    model = MODELS.get(model_id)
    if model is None:
        raise not_found(
            f"models/{model_id} is not found for API version v1beta, or is not supported for "
            "predictLongRunning. Call ListModels to see the list of available models and their "
            "supported methods."
        )
    if not isinstance(body, dict):
        raise invalid("Invalid JSON payload received. Expected an object.")
    top = check(BODY, body, wording(""))
    if len(top["instances"]) != 1 or not isinstance(top["instances"][0], dict):
        raise invalid("instances must hold exactly one instance.")
    inst = check(INSTANCE, top["instances"][0], wording("instances[0]"))
    params = check(parameters(model), top["parameters"], wording("parameters", model_id))
    prompt, image, last, refs, video = (
        inst[k] for k in ("prompt", "image", "lastFrame", "referenceImages", "video")
    )
    if image is not None:
        _image("instances[0].image", image)
    if last is not None:
        if not model.last_frame:
            raise invalid(f"lastFrame isn't supported by {model_id}.")
        if image is None:
            raise invalid("lastFrame must be used in combination with the image parameter.")
        _image("instances[0].lastFrame", last)
    if refs is not None:
        if not model.references:
            raise invalid(f"referenceImages isn't supported by {model_id}.")
        if image is not None or last is not None or video is not None:
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
    source = _extension_source(
        model_id, model, video, image is not None or last is not None, source_for
    )
    if video is not None:
        mode = "extension"
    elif refs is not None:
        mode = "reference"
    elif last is not None:
        mode = "interpolation"
    elif image is not None:
        mode = "i2v"
    else:
        mode = "t2v"
        if not prompt.strip():
            raise invalid("instances[0].prompt is required for text-to-video.")
    return _coupled(model_id, model, mode, prompt, params, source)


def _extension_source(
    model_id: str,
    model: VeoModel,
    video: Any,
    framed: bool,
    source_for: Mapping[str, SourceVideo] | None,
) -> SourceVideo | None:
    """The video an extension continues (one this fake generated in the last two days)."""
    if video is None:
        return None
    if not model.extension:
        raise invalid(f"Video extension isn't supported by {model_id}.")
    if framed:
        raise invalid("video cannot be combined with image or lastFrame.")
    if any(k in video for k in ("encodedVideo", "bytesBase64Encoded", "inlineData")):
        raise invalid(
            "Video bytes aren't supported by the Gemini API; pass the uri of a video Veo generated."
        )
    uri = video.get("uri")
    if not isinstance(uri, str) or not uri:
        raise invalid("instances[0].video.uri is required.")
    source = (source_for or {}).get(file_id_of(uri) or "")
    if source is None or source.expired:
        raise invalid(
            f"Only videos generated by Veo in the last two days can be extended (unknown or expired: {uri})."
        )
    if source.duration > MAX_EXTENSION_INPUT_SECONDS:
        raise invalid(f"The input video must be at most {MAX_EXTENSION_INPUT_SECONDS} s.")
    if source.resolution != "720p":
        raise invalid("Only 720p videos can be extended.")
    return source


def _coupled(
    model_id: str,
    model: VeoModel,
    mode: str,
    prompt: str,
    params: Mapping[str, Any],
    source: SourceVideo | None,
) -> GenerateSpec:
    """The rules that tie parameters to each other and to the mode (reference §1.4)."""
    aspect = params["aspectRatio"] or (source.aspect_ratio if source else "16:9")
    if source and aspect != source.aspect_ratio:
        raise invalid(f"aspectRatio must match the input video ({source.aspect_ratio}).")
    resolution = params["resolution"] or "720p"
    if model.family == "3.0" and resolution == "1080p" and aspect != "16:9":
        raise invalid("1080p is only supported with aspectRatio 16:9 for Veo 3.")
    if mode == "extension" and resolution != "720p":
        raise invalid("Video extension only supports 720p.")
    duration = params["durationSeconds"] or 8
    if duration != 8:
        if resolution in model.eight_seconds_for and model.resolutions:
            raise invalid(f"durationSeconds must be 8 with resolution {resolution}.")
        if mode in ("reference", "extension"):
            raise invalid(f"durationSeconds must be 8 with {mode}.")
    person = params["personGeneration"]
    people: tuple[str, ...]
    if model.family == "2.0":
        people = (
            ("allow_all", "allow_adult", "dont_allow")
            if mode == "t2v"
            else ("allow_adult", "dont_allow")
        )
    else:
        people = ("allow_all",) if mode in ("t2v", "extension") else ("allow_adult",)
    if person is not None and person not in people:
        raise invalid(
            f"personGeneration {person!r} isn't supported for {mode} with {model_id}; use {' or '.join(people)}."
        )
    samples = params["sampleCount"] or params["numberOfVideos"] or 1
    if samples > model.max_samples:
        raise invalid(f"sampleCount must be between 1 and {model.max_samples} for {model_id}.")
    width, height = SIZES[(resolution, aspect)]
    return GenerateSpec(
        model_id=model_id,
        model=model,
        mode=mode,
        prompt=prompt,
        aspect_ratio=aspect,
        resolution=resolution,
        duration=duration,
        output_seconds=source.duration + EXTENSION_SECONDS if source else float(duration),
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


# --------------------------------------------------------------------------------------------
# The fake: routes on the framework (FRAMEWORK.md)
# --------------------------------------------------------------------------------------------


def _alnum_id() -> str:
    """Operation and file ids look like ``321kvdcepmcg``: lowercase letters and digits."""
    return random_id("", 12)


def _file_ids(task: Task) -> list[str]:
    ids: list[str] = task.extra["files"]
    return ids


def _files(ctx: ProviderContext) -> dict[str, Task]:
    return {fid: t for t in ctx.store for fid in _file_ids(t)}


def _sources(ctx: ProviderContext) -> dict[str, SourceVideo]:
    sources = {}
    for fid, task in _files(ctx).items():
        if task.succeeded:
            spec: GenerateSpec = task.extra["spec"]
            sources[fid] = SourceVideo(
                duration=task.video.duration,
                aspect_ratio=spec.aspect_ratio,
                resolution=spec.resolution,
                expired=ctx.expired(task),
            )
    return sources


async def _generate(request: Request, ctx: ProviderContext) -> Response:
    api_key(request.headers, request.query_params)
    model_id = request.path_params["model"]
    try:
        body = await json_body(request)
    except BodyError as exc:
        raise invalid(f"Invalid JSON payload received. {exc}") from None
    spec = validate_generate(model_id, body, source_for=_sources(ctx))
    if spec.mode == "extension":
        # Files live two days from generation, or from when an extension last referenced them.
        ctx.renew(_files(ctx)[file_id_of(body["instances"][0]["video"]["uri"]) or ""])
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
    api_key(request.headers, request.query_params)
    model_id, op = request.path_params["model"], request.path_params["op"]
    name = f"models/{model_id}/operations/{op}"
    known = ctx.store.get(op)
    task = ctx.store.poll(op) if known is not None and known.model == model_id else None
    if task is None:
        raise not_found(f"Operation {name} not found.")
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


async def _download(request: Request, ctx: ProviderContext) -> Response:
    """Authenticated ``files/{id}:download?alt=media``: 302 to another host, no key needed."""
    api_key(request.headers, request.query_params)
    file_id = request.path_params["file_id"]
    if request.query_params.get("alt") != "media":
        raise invalid("Only alt=media downloads are supported for generated files.")
    task = _files(ctx).get(file_id)
    if task is None or not task.succeeded or ctx.expired(task):
        raise not_found(f"File files/{file_id} does not exist or has expired.")
    return redirect.redirect(request, ctx, task, file_id, REDIRECT_TTL_SECONDS)


#: The redirect target: the bytes without a key; it records whether the key arrived anyway.
_redirected = redirect.target(
    files=_file_ids,
    credentials=(("header", "x-goog-api-key"), ("query", "key"), ("header", "authorization")),
    invalid=denied("The download link is not valid."),
    not_found=not_found,
)


FAKE = ProviderFake(
    name="veo",
    endpoints=[
        Endpoint("/v1beta/models/{model}:predictLongRunning", _generate, ("POST",), "submit"),
        Endpoint("/v1beta/models/{model}/operations/{op}", _operation, ("GET",), "poll"),
        Endpoint("/v1beta/files/{file_id}:download", _download, ("GET",), "download"),
        Endpoint(redirect.PATH, _redirected, ("GET",), "download"),
        Endpoint(redirect.LOG_PATH, redirect.download_log, ("GET",), "other"),
    ],
    credentials={"GEMINI_API_KEY": "reelkit-emulator"},
    dialect=GOOGLE,
    rate_limited=ApiError(
        status=429,
        code="RESOURCE_EXHAUSTED",
        message="You exceeded your current quota, please check your plan and billing details.",
    ),
    server_error=ApiError(
        status=500, code="INTERNAL", message="An internal error has occurred. Please retry."
    ),
    expired=denied("The download link has expired."),
    url_ttl=FILE_TTL_SECONDS,
    natural_fps=24,
    description="Google Veo on the Gemini API (predictLongRunning, operations, files download)",
)
