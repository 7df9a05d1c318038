"""The OpenAI Videos wire dialect (``/v1/videos``), shared by every OpenAI-style video plugin.

Part of the ``reelkit-openai-videos`` distribution, a library and no provider. ``reelkit-sora``
speaks it to OpenAI; ``reelkit-qiniu`` and ``reelkit-newapi`` speak it to gateways that copied
it. Everything the three have in common lives here, once:

- URLs: :func:`api_url` joins a base URL with or without its ``/v1`` (``OPENAI_BASE_URL``
  conventionally ends in ``/v1``; emulator and gateway roots often do not).
- Requests: :func:`sora_fields` (``seconds`` as a *string*), :func:`image_reference` (the JSON
  object form of ``input_reference``), :func:`multipart_request` (deterministic multipart for
  uploads), :func:`remix_request`, :func:`retrieve_request`, :func:`content_url`,
  :func:`list_request` (``GET /videos``).
- ``--param`` values: :func:`extra_fields` picks this provider's keys and :func:`declared_extras`
  refuses any key the model does not declare in ``ModelInfo.params`` (and values of the wrong
  type), so nothing undeclared reaches a paid endpoint even if the core's own check is bypassed.
- What the caller asked for: :func:`sora_fields` leaves out a setting the caller left unset
  that the server defaults alike; :func:`unsent` builds the adjustments for requested values a
  request does not carry (reported with ``reelkit.wire.not_sent``).
- Deployments: :func:`feature_enabled` reads a per-deployment switch (new-api's ``remix``),
  :class:`FeatureNotOffered` refuses what the deployment lacks, naming the setting.
- Statuses: :class:`Phase` and the vocabularies :data:`OPENAI_STATUSES` and
  :data:`GATEWAY_STATUSES`; each plugin extends them with its own values (Qiniu's
  ``downloading``/``uploading``, new-api's ``NOT_START``, ...).
- Responses: :func:`error_from_response` reads both error envelopes (OpenAI's
  ``{"error": {...}}`` and new-api's ``{"code", "message", "data"}``), :func:`submit_handle`
  turns a create answer into a ``JobHandle``, :func:`parse_video` turns a Video object into a
  ``JobStatus`` (``openai-poll-after-ms``, progress, ``error.code``/``error.message``,
  moderation), with the plugin supplying where its result URL lives; :func:`parse_video_list`
  turns a list page into ``TaskSummary`` records for ``reelkit jobs reconcile``.

All functions are pure: they build ``httpx.Request`` objects and read ``httpx.Response``
objects, never send anything. Source of every fact: ``docs/reference/openai-videos.md`` (section
numbers in the comments).
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from reelkit.capabilities import ModelInfo, Param, ProviderInfo, parse_size
from reelkit.errors import (
    ContentFiltered,
    InvalidRequest,
    ProviderError,
    ReelkitError,
    ResponseFormatError,
    UnsupportedMode,
)
from reelkit.models import (
    Adjustment,
    Asset,
    Failed,
    JobHandle,
    JobStatus,
    Media,
    ProviderConfig,
    Queued,
    Running,
    SourceJob,
    Succeeded,
    TaskSummary,
    VideoRequest,
)
from reelkit.wire import (
    error_for_status,
    json_request,
    not_sent,
    parse_timestamp,
    read_json,
    require,
)

from .shapes import ListShape

__all__ = [
    "GATEWAY_STATUSES",
    "MODERATION_CODES",
    "OPENAI_STATUSES",
    "SOURCE_SETTINGS",
    "FeatureNotOffered",
    "ListShape",
    "Phase",
    "VideosApi",
    "api_url",
    "check_frame_size",
    "check_param",
    "content_url",
    "declared_extras",
    "error_from_response",
    "extra_fields",
    "failure",
    "feature_enabled",
    "image_reference",
    "is_moderation",
    "list_request",
    "multipart_request",
    "normalise_status",
    "parse_video",
    "parse_video_list",
    "poll_after_seconds",
    "progress_fraction",
    "raise_for_error",
    "remix_request",
    "requested",
    "retrieve_request",
    "seconds",
    "sora_fields",
    "source_settings",
    "submit_handle",
    "unsent",
    "upload_name",
]


# --- URLs ---------------------------------------------------------------------------------

_VERSION_SEGMENT = re.compile(r"^v\d+(?:beta\d*|alpha\d*)?$")


def api_url(base_url: str, path: str, *, env: str | None = None) -> str:
    """``base_url`` + ``/v1`` (unless the base already ends in a version segment) + ``path``.

    ``https://api.openai.com/v1`` + ``/videos`` -> ``https://api.openai.com/v1/videos``;
    ``http://127.0.0.1:8765/sora`` + ``/videos`` -> ``http://127.0.0.1:8765/sora/v1/videos``.
    An empty base URL is an ``InvalidRequest`` naming ``env`` (the variable that sets it).
    """
    base = base_url.strip().rstrip("/")
    if not base:
        where = f"; set {env}" if env else ""
        raise InvalidRequest(
            "base_url", f"no base URL is configured{where}", allowed="an http(s) URL"
        )
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidRequest(
            "base_url", f"{base_url!r} is not an http(s) URL", allowed="e.g. https://host/v1"
        )
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    if not _VERSION_SEGMENT.match(last):
        base += "/v1"
    return base + "/" + path.lstrip("/")


def content_url(api_videos_url: str, video_id: str, variant: str | None = "video") -> str:
    """``GET /videos/{id}/content?variant=...``: the authenticated download (§1.5).

    ``variant=None`` leaves the query out (new-api's proxy ignores it, §3.1).
    """
    url = f"{api_videos_url.rstrip('/')}/{video_id}/content"
    return url if variant is None else f"{url}?variant={variant}"


# --- requests -----------------------------------------------------------------------------

#: The JSON ``image_url`` of ``input_reference`` holds at most this many characters (§1.3).
MAX_IMAGE_URL_CHARS = 20_971_520


def seconds(duration: float | None) -> str | None:
    """``seconds`` is a JSON *string*: OpenAI rejects ``8`` and wants ``"8"`` (§0.4)."""
    if duration is None:
        return None
    return str(int(round(duration)))


def sora_fields(
    model_id: str, request: VideoRequest, server_defaults: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The fields every OpenAI-style create carries: ``model``, ``prompt``, ``seconds``, ``size``.

    ``server_defaults`` (``{"seconds": "4", "size": "720x1280"}``) are what the server applies
    to a field left out: a setting the caller left to reelkit whose applied value is the
    server's default is then left out too, as the provider's own examples send it (Qiniu's
    first example is ``{"model", "prompt"}`` alone). Without them every field is sent.
    """
    defaults = server_defaults or {}
    fields = {
        "model": model_id,
        "prompt": request.prompt,
        "seconds": seconds(request.duration),
        "size": request.size,
    }
    for name, setting in (("seconds", "duration"), ("size", "size")):
        if setting in request.unset and name in defaults and fields[name] == defaults[name]:
            fields[name] = None
    return fields


#: A source's duration and shape: what a remix or an extension may inherit instead of sending.
SOURCE_SETTINGS = ("duration", "resolution", "aspect_ratio")


def _same_setting(value: Any, source: Any) -> bool:
    if value is None or source is None:
        return False
    if isinstance(value, (int, float)) and isinstance(source, (int, float)):
        return abs(float(value) - float(source)) < 1e-6
    return str(value).lower() == str(source).lower()


def requested(request: VideoRequest, name: str) -> bool:
    """Did the caller set ``name`` (a setting of ``VideoRequest.unset``, or any other field)?"""
    return name not in request.unset and getattr(request, name) not in (None, ())


def source_settings(source: SourceJob | None) -> dict[str, Any]:
    """What a remix or an extension inherits from its source, where the journal knows it."""
    if source is None:
        return {}
    return {name: getattr(source, name) for name in SOURCE_SETTINGS}


def unsent(
    request: VideoRequest,
    names: Iterable[str],
    reason: str,
    *,
    allowed: str = "leave it out",
    inherited: Mapping[str, Any] | None = None,
) -> list[Adjustment]:
    """An ``Adjustment`` (``applied`` None) for each of ``names`` the caller set that the
    request will not carry, with ``reason`` (``{field}`` in it names the setting); report them
    with ``reelkit.wire.not_sent``. A value equal to what the endpoint ``inherited`` (the
    source's own, :func:`source_settings`) loses nothing and is not reported: an extension
    chain that repeats its shot's size."""
    found: list[Adjustment] = []
    for name in names:
        if not requested(request, name):
            continue
        value = getattr(request, name)
        if _same_setting(value, (inherited or {}).get(name)):
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, Media):
            value = value.url or f"<{value.mime_type or 'media'}>"
        elif isinstance(value, tuple):
            value = len(value)
        found.append(
            Adjustment(
                field=name,
                requested=value,
                applied=None,
                reason=reason.replace("{field}", name),
                allowed=allowed,
            )
        )
    return found


def image_reference(medium: Media) -> dict[str, str]:
    """The JSON object form of ``input_reference``: ``{"image_url": <URL or data URL>}`` (§1.3)."""
    return {"image_url": medium.url_or_data_url()}


def upload_name(medium: Media, stem: str) -> str:
    """A file name for a multipart part: the medium's own, else ``stem`` + its extension."""
    if medium.name:
        return medium.name.replace("\\", "/").rsplit("/", 1)[-1]
    ext = {"jpeg": "jpg", "svg+xml": "svg", "quicktime": "mov"}.get(
        medium.format or "", medium.format
    )
    return f"{stem}.{ext}" if ext else stem


def multipart_request(
    method: str,
    url: str,
    fields: Mapping[str, Any],
    files: Mapping[str, tuple[str, bytes, str]],
    *,
    headers: Mapping[str, str] | None = None,
) -> httpx.Request:
    """A ``multipart/form-data`` request: text parts for ``fields``, file parts for ``files``.

    ``None`` fields are omitted; other non-string values are JSON-encoded (never bracket-encoded,
    §1.3). The boundary derives from the content, so the same inputs give the same bytes: plans
    and journal fingerprints stay reproducible.
    """
    text = {
        k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items() if v is not None
    }
    digest = hashlib.sha256()
    for key, value in text.items():
        digest.update(f"{key}={value}\0".encode())
    for key, (name, data, mime) in files.items():
        digest.update(f"{key}:{name}:{mime}\0".encode())
        digest.update(data)
    boundary = "reelkit-" + digest.hexdigest()[:32]
    all_headers = {
        "accept": "application/json",
        **(headers or {}),
        "content-type": f"multipart/form-data; boundary={boundary}",
    }
    request = httpx.Request(method, url, data=text, files=dict(files), headers=all_headers)
    request.read()  # materialise the body: previews and tests read request.content
    return request


def remix_request(api_videos_url: str, video_id: str, prompt: str, **extra: Any) -> httpx.Request:
    """``POST /videos/{id}/remix`` with ``{"prompt"}``: model, duration and size are inherited."""
    return json_request(
        "POST", f"{api_videos_url.rstrip('/')}/{video_id}/remix", {"prompt": prompt, **extra}
    )


def retrieve_request(api_videos_url: str, video_id: str) -> httpx.Request:
    """``GET /videos/{id}``: the Video object."""
    return httpx.Request(
        "GET", f"{api_videos_url.rstrip('/')}/{video_id}", headers={"accept": "application/json"}
    )


def list_request(api_videos_url: str, *, limit: int = 100, order: str = "desc") -> httpx.Request:
    """``GET /videos?limit=&order=``: one page of Video objects, newest first by default (§1.2).

    The API filters by nothing but position (``after``, ``limit``, ``order``); there is no
    time filter, so a caller that wants "created after X" reads the newest page and filters.
    """
    return httpx.Request(
        "GET",
        api_videos_url.rstrip("/"),
        params={"limit": str(limit), "order": order},
        headers={"accept": "application/json"},
    )


def extra_fields(params: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """``--param`` pass-through: bare keys, and keys namespaced with one of ``names``.

    ``{"characters": [...], "sora.quality": "high", "veo.x": 1}`` with ``names=("sora",)``
    gives ``{"characters": [...], "quality": "high"}``: other providers' keys are not ours.
    """
    own = tuple(f"{n}." for n in names)
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key.startswith(own):
            out[key.split(".", 1)[1]] = value
        elif "." not in key:
            out[key] = value
    return out


_PARAM_TYPES: Mapping[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),  # Param: "float (ints accepted)"
    "bool": (bool,),
    "list": (list, tuple),
    "dict": (Mapping,),
}


def check_param(param: Param, value: Any, shape: ListShape | None = None) -> None:
    """``value`` has ``param``'s type (and is one of its choices); a list matches ``shape``."""
    field = f"params.{param.name}"
    kinds = _PARAM_TYPES[param.type]
    if not isinstance(value, kinds) or (isinstance(value, bool) and param.type in ("int", "float")):
        raise InvalidRequest(
            field, f"must be a {param.type}, not {type(value).__name__}", allowed=param.type
        )
    if param.choices and value not in param.choices:
        raise InvalidRequest(field, f"{value!r} is not accepted", allowed=list(param.choices))
    if shape is None:
        return
    items: list[Any] = list(value) if isinstance(value, (list, tuple)) else []
    wanted = f'1–{shape.max_items} objects like {{"{shape.key}": ...}}'
    if not 1 <= len(items) <= shape.max_items:
        raise InvalidRequest(field, f"has {len(items)} items", allowed=wanted)
    for item in items:
        text = item.get(shape.key) if isinstance(item, Mapping) else None
        if not isinstance(text, str) or not text:
            raise InvalidRequest(
                field, f"needs a string {shape.key!r} in every item", allowed=wanted
            )
        if shape.max_chars is not None and len(text) > shape.max_chars:
            raise InvalidRequest(
                field,
                f"has a {shape.key!r} of {len(text)} characters",
                allowed=f"at most {shape.max_chars} characters",
            )


def declared_extras(
    model: ModelInfo,
    params: Mapping[str, Any],
    names: Iterable[str],
    shapes: Mapping[str, ListShape] | None = None,
) -> dict[str, Any]:
    """This provider's ``--param`` values (:func:`extra_fields`), each one declared by ``model``.

    An undeclared key is an ``InvalidRequest`` naming the declared set; a value of the wrong
    type (or outside its choices, or a list not shaped like ``shapes[name]``) is one too. The
    core checks names and types before translation; this is the same check again, so a caller
    that skips the core (or a core that forgets) still cannot send an unknown field.
    """
    extras = extra_fields(params, names)
    declared = {p.name: p for p in model.params}
    for key, value in extras.items():
        param = declared.get(key)
        if param is None:
            raise InvalidRequest(
                f"params.{key}",
                f"is not a parameter {model.id} accepts",
                allowed=sorted(declared) or f"none: {model.id} takes no params",
            )
        check_param(param, value, (shapes or {}).get(key))
    return extras


def check_frame_size(
    request: VideoRequest, model: ModelInfo, *, field: str = "first_frame"
) -> None:
    """OpenAI answers ``400 Inpaint image must match the requested width and height`` (§0.5).

    Checked before sending whenever the image's size is known.
    """
    frame = request.first_frame
    if frame is None or not (frame.width and frame.height) or not request.size:
        return
    if (frame.width, frame.height) != parse_size(request.size):
        raise InvalidRequest(
            field,
            f"is {frame.width}x{frame.height} but {model.id} needs an image of exactly the "
            f"video's size",
            allowed=request.size,
        )


# --- what a deployment offers -------------------------------------------------------------


class FeatureNotOffered(UnsupportedMode):
    """The gateway deployment, as configured, does not offer this endpoint: refused before
    anything is sent, with the setting that enables it (a deployment that has it says so).

    ``feature`` is the configuration key (``remix``), ``setting`` what to write where
    (``remix = true under [providers.newapi] in reelkit.toml``).
    """

    def __init__(self, field: str, feature: str, *, what: str, provider: str, why: str) -> None:
        self.feature = feature
        self.setting = f"{feature} = true under [providers.{provider}] in reelkit.toml"
        super().__init__(
            field,
            f"this {provider} deployment does not offer {what} ({why}); if yours does, "
            f"set {self.setting}",
            allowed=self.setting,
        )


def feature_enabled(
    options: Mapping[str, Any], feature: str, defaults: Mapping[str, bool], *, provider: str
) -> bool:
    """``options[feature]`` (a bool, or "true"/"false") from the provider's configuration,
    else the documented deployment's default; anything else is an ``InvalidRequest``."""
    value = options.get(feature, defaults[feature])
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        value = value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise InvalidRequest(
            f"providers.{provider}.{feature}",
            f"{value!r} is not true or false",
            allowed="true, false",
        )
    return value


# --- statuses -----------------------------------------------------------------------------


class Phase(str, enum.Enum):
    """Where a job is, whatever the provider calls it."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


#: OpenAI's Video.status (§1.4), plus ``expired`` and ``canceled`` seen in the wild (§0.8).
OPENAI_STATUSES: Mapping[str, Phase] = {
    "queued": Phase.QUEUED,
    "in_progress": Phase.RUNNING,
    "completed": Phase.SUCCEEDED,
    "failed": Phase.FAILED,
    "expired": Phase.EXPIRED,
    "canceled": Phase.CANCELLED,
    "cancelled": Phase.CANCELLED,
}

#: The union a client of OpenAI-style gateways must normalise (§6.4), compared case-insensitively.
GATEWAY_STATUSES: Mapping[str, Phase] = {
    **OPENAI_STATUSES,
    **dict.fromkeys(
        (
            "pending",
            "submitted",
            "initializing",
            "preparing",
            "queueing",
            "not_start",
            "unknown",
            "created",
        ),
        Phase.QUEUED,
    ),
    **dict.fromkeys(
        ("processing", "running", "generating", "downloading", "uploading", "starting"),
        Phase.RUNNING,
    ),
    **dict.fromkeys(
        ("succeeded", "success", "succeed", "done", "complete", "finished"), Phase.SUCCEEDED
    ),
    **dict.fromkeys(("failure", "fail", "error", "aborted"), Phase.FAILED),
}


def normalise_status(value: Any, vocabulary: Mapping[str, Phase], *, provider: str) -> Phase:
    """Map a status string through ``vocabulary`` (case-insensitively).

    An unknown status is a retryable ``ProviderError``: the core polls again and, if it never
    resolves, the job ends naming the status instead of spinning silently (§5).
    """
    key = str(value).strip().lower()
    phase = vocabulary.get(key)
    if phase is None:
        raise ProviderError(f"unrecognised job status {value!r}", provider=provider, retryable=True)
    return phase


def progress_fraction(value: Any) -> float | None:
    """``42`` or ``"42%"`` (new-api stores strings, §3.5) -> ``0.42``; None if absent or odd."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip().rstrip("%")
    try:
        number = float(text)
    except ValueError:
        return None
    return max(0.0, min(1.0, number / 100))


def poll_after_seconds(response: httpx.Response) -> float | None:
    """The server's polling hint ``openai-poll-after-ms`` in seconds (§1.5), or None."""
    value = response.headers.get("openai-poll-after-ms")
    if not value:
        return None
    try:
        return max(0.0, float(value) / 1000)
    except ValueError:
        return None


# --- errors -------------------------------------------------------------------------------

#: Codes that mean content moderation refused the prompt, an input or the output (§1.6, §5, §6.7).
MODERATION_CODES = frozenset(
    {
        "moderation_blocked",
        "content_policy_violation",
        "content_filter",
        "sensitive_content",
        "inputtextsensitivecontentdetected",
        "inputimagesensitivecontentdetected",
        "inputvideosensitivecontentdetected",
        "outputvideosensitivecontentdetected",
    }
)
_MODERATION_WORDS = ("moderation", "content policy", "sensitive", "safety system", "违规", "敏感")


def is_moderation(code: Any, message: Any = None) -> bool:
    """Does this error code (or, failing a code, its message) mean content moderation?"""
    if code is not None and str(code).strip().lower() in MODERATION_CODES:
        return True
    text = str(message or "").lower()
    return any(word in text for word in _MODERATION_WORDS)


def _error_parts(body: Any) -> tuple[str | None, str | None]:
    """(code, message) from either envelope: ``{"error": {...}}`` or ``{"code", "message"}``."""
    if not isinstance(body, Mapping):
        return None, None
    error = body.get("error")
    if isinstance(error, Mapping):
        code = error.get("code") or error.get("type")
        message = error.get("message")
        return (str(code) if code is not None else None), (str(message) if message else None)
    if isinstance(error, str) and error:
        return None, error
    code = body.get("code")
    message = body.get("message") or body.get("msg") or body.get("detail")
    if code in (0, "0", "success"):
        code = None
    return (str(code) if code is not None else None), (str(message) if message else None)


def error_from_response(response: httpx.Response, provider: str) -> ReelkitError:
    """The typed error an HTTP failure means, with the provider's own code and message.

    Moderation codes become ``ContentFiltered``; 401/403 ``AuthenticationFailed``; 429
    ``RateLimited`` (with ``Retry-After``); 408/5xx a retryable ``ProviderError``.
    """
    body: Any = None
    try:
        response.read()
        body = response.json() if response.content else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    code, message = _error_parts(body)
    if message is None and body is None and response.content:
        message = response.text[:200].strip() or None
    if is_moderation(code, message if code is None else None):
        return ContentFiltered(
            message or "content filtered",
            provider=provider,
            code=code,
            reasons=[code or "moderation"],
        )
    error = error_for_status(response, provider, message=message, code=code)
    if response.status_code == 501 and isinstance(error, ProviderError):
        error.retryable = False  # "not implemented" (new-api, ref §3.6) will not change on retry
    return error


def raise_for_error(response: httpx.Response, provider: str) -> None:
    if not response.is_success:
        raise error_from_response(response, provider)


def failure(error: Any, *, phase: Phase, fallback: str | None = None) -> Failed:
    """A ``Failed`` from a Video object's ``error`` (``{code, message}``, a string, or None)."""
    code: Any = None
    message: str | None = None
    if isinstance(error, Mapping):
        code = error.get("code") or error.get("type")
        message = error.get("message")
    elif isinstance(error, str) and error:
        message = error
    if phase is Phase.EXPIRED:
        code = code or "expired"
        message = message or "the job expired before it finished"
    elif phase is Phase.CANCELLED:
        code = code or "cancelled"
        message = message or "the job was cancelled"
    message = message or fallback
    filtered = is_moderation(code, message if code is None else None)
    return Failed(
        message=str(message or "the job failed without a reason"),
        code=code,
        filtered=filtered,
        reasons=(str(code),) if filtered and code else (),
    )


# --- responses ----------------------------------------------------------------------------


def submit_handle(
    response: httpx.Response,
    *,
    provider: str,
    model: str,
    body: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
) -> JobHandle:
    """A create (or remix) answer -> ``JobHandle``; failures raise typed errors.

    A 5xx on a create is *not* retryable: the API has no idempotency key, so sending it again
    could start (and bill) a second job (§0.9). 429 stays retryable: nothing was created.
    """
    if not response.is_success:
        error = error_from_response(response, provider)
        if isinstance(error, ProviderError) and error.status != 429:
            error.retryable = False
        raise error
    if body is None:
        body = read_json(response, provider)
    video_id = require(body, "id", provider, status=response.status_code)
    status = body.get("status") if isinstance(body, Mapping) else None
    if isinstance(status, str) and status.strip().lower() == "failed":
        # Some gateways refuse at once with a 200 and a failed Video object.
        result = failure(body.get("error"), phase=Phase.FAILED)
        if result.filtered:
            raise ContentFiltered(
                result.message, provider=provider, code=result.code, reasons=result.reasons
            )
        raise ProviderError(
            result.message, provider=provider, code=result.code, status=response.status_code
        )
    return JobHandle(provider=provider, model=model, task_id=str(video_id), data=dict(data or {}))


def parse_video(
    body: Mapping[str, Any],
    response: httpx.Response,
    *,
    provider: str,
    vocabulary: Mapping[str, Phase],
    assets: Callable[[Mapping[str, Any]], Sequence[Asset]],
) -> JobStatus:
    """A Video object -> ``Queued`` / ``Running`` / ``Succeeded`` / ``Failed``.

    ``assets`` says where this provider puts the result (OpenAI: the ``/content`` endpoint;
    Qiniu: ``task_result.videos[].url``; new-api: ``video_url`` or ``metadata.url``).
    """
    status = require(body, "status", provider, status=response.status_code)
    phase = normalise_status(status, vocabulary, provider=provider)
    hint = poll_after_seconds(response)
    if phase is Phase.QUEUED:
        return Queued(poll_after=hint)
    if phase is Phase.RUNNING:
        return Running(progress=progress_fraction(body.get("progress")), poll_after=hint)
    if phase is Phase.SUCCEEDED:
        found = tuple(assets(body))
        metadata = {
            k: body[k]
            for k in ("model", "seconds", "size", "completed_at")
            if body.get(k) is not None
        }
        return Succeeded(assets=found, metadata=metadata)
    return failure(body.get("error"), phase=phase, fallback=_fallback_reason(body))


def _fallback_reason(body: Mapping[str, Any]) -> str | None:
    for key in ("fail_reason", "message", "status_msg"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def parse_video_list(response: httpx.Response, provider: str) -> list[TaskSummary]:
    """A list page ``{"object": "list", "data": [Video, ...], ...}`` -> ``TaskSummary`` records.

    Unknown fields are ignored; a page without ``data`` (or an item without ``id``) is a
    ``ResponseFormatError``. ``status`` is the provider's own word; ``created_at`` is epoch
    seconds (§1.4). Every item is returned: the API cannot filter by time, the caller does.
    """
    raise_for_error(response, provider)
    body = read_json(response, provider)
    items = require(body, "data", provider, status=response.status_code)
    if not isinstance(items, list):
        raise ResponseFormatError(provider, "data", status=response.status_code)
    summaries: list[TaskSummary] = []
    for index, item in enumerate(items):
        task_id = item.get("id") if isinstance(item, Mapping) else None
        if isinstance(task_id, bool) or not isinstance(task_id, (str, int)) or task_id == "":
            raise ResponseFormatError(provider, f"data.{index}.id", status=response.status_code)
        summaries.append(
            TaskSummary(
                task_id=str(task_id),
                model=_text(item.get("model")),
                prompt=_text(item.get("prompt")),
                created_at=parse_timestamp(item.get("created_at")),
                status=_text(item.get("status")),
            )
        )
    return summaries


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# --- the flow ---------------------------------------------------------------------------------


class VideosApi:
    """The OpenAI Videos job flow, each step a method a plugin overrides where it differs.

    A subclass sets ``provider`` and implements :meth:`translate` and :meth:`assets` (where the
    finished video is). The defaults: create answers become handles (:func:`submit_handle`),
    polls are ``GET /videos/{id}`` parsed with ``vocabulary``, downloads use the core's default.
    ``reelkit_openai_videos.plugin.VideosPlugin`` dispatches the hooks to ``<package>.videos.API``.
    """

    provider: ProviderInfo
    vocabulary: Mapping[str, Phase] = GATEWAY_STATUSES
    #: What the provider's video ids look like, for error messages ("video_...").
    id_example: str = "an earlier video's id"
    #: The item shape of each list-of-objects ``--param`` (see :func:`declared_extras`).
    param_shapes: ClassVar[Mapping[str, ListShape]] = {}

    @property
    def name(self) -> str:
        return self.provider.name

    def videos_url(self, config: ProviderConfig) -> str:
        """``<base>/v1/videos``; an empty base URL names ``REELKIT_<NAME>_BASE_URL``."""
        return api_url(config.base_url, "/videos", env=self.provider.base_url_envs[0])

    def translate(
        self, model: ModelInfo, request: VideoRequest, config: ProviderConfig
    ) -> httpx.Request:
        raise NotImplementedError

    def extras(self, model: ModelInfo, request: VideoRequest) -> dict[str, Any]:
        """The request's ``--param`` values meant for this provider, each declared by ``model``.

        Bare keys and keys namespaced with one of the provider's names (``sora.characters``)
        are ours and must be in ``model.params``; other providers' keys (``veo.x``) are ignored
        (:func:`extra_fields`, :func:`declared_extras`).
        """
        return declared_extras(model, request.params, self.provider.names(), self.param_shapes)

    def refuse_extras(self, model: ModelInfo, request: VideoRequest, what: str) -> None:
        """Refuse any ``--param`` for a call that takes none (a remix takes only its prompt)."""
        extras = self.extras(model, request)
        if extras:
            raise InvalidRequest(
                f"params.{next(iter(extras))}",
                f"is not accepted by {what}",
                allowed=f"no params with {what}",
            )

    def source_id(self, request: VideoRequest, field: str) -> str:
        """The provider's id of the video a remix or extension starts from."""
        source = request.remix_of if field == "remix_of" else request.continue_from
        if source is None or not source.task_id:
            raise InvalidRequest(
                field, f"needs the {self.name} id of an earlier video", allowed=self.id_example
            )
        return source.task_id

    def remix(
        self, model: ModelInfo, request: VideoRequest, config: ProviderConfig
    ) -> httpx.Request:
        """``POST /videos/{id}/remix`` with the new prompt, and nothing else.

        OpenAI's remix body is ``{"prompt"}`` (§1.2); Qiniu allows only ``prompt`` (§2.1);
        new-api passes a remix through to its Sora channel. So every ``--param`` is refused.
        """
        source = self.source_id(request, "remix_of")
        self.refuse_extras(model, request, "a remix")
        http = remix_request(self.videos_url(config), source, request.prompt)
        return not_sent(
            http,
            unsent(
                request,
                SOURCE_SETTINGS,
                "a remix keeps its source video's duration and size; not sent",
                allowed="the source's (leave it out)",
                inherited=source_settings(request.remix_of),
            ),
        )

    def parse_submit(
        self, model: ModelInfo, request: VideoRequest, response: httpx.Response
    ) -> JobHandle:
        return submit_handle(response, provider=self.name, model=model.id)

    def poll_request(self, job: JobHandle, config: ProviderConfig) -> httpx.Request:
        return retrieve_request(self.videos_url(config), job.task_id)

    def parse_poll(self, job: JobHandle, response: httpx.Response) -> JobStatus:
        raise_for_error(response, self.name)
        body = self.video_object(read_json(response, self.name))
        return parse_video(
            body,
            response,
            provider=self.name,
            vocabulary=self.vocabulary,
            assets=lambda obj: self.assets(obj, job, response),
        )

    def video_object(self, body: Any) -> Mapping[str, Any]:
        """The Video object inside a poll answer (a gateway may wrap it)."""
        return body if isinstance(body, Mapping) else {}

    def assets(
        self, body: Mapping[str, Any], job: JobHandle, response: httpx.Response
    ) -> Sequence[Asset]:
        """The finished video(s) of a completed Video object."""
        raise NotImplementedError

    def download_request(
        self, job: JobHandle, asset: Asset, config: ProviderConfig
    ) -> httpx.Request | None:
        """``None``: the core's default download."""
        return None

    def list_tasks_request(self, config: ProviderConfig, since: datetime) -> httpx.Request | None:
        """``None``: the provider documents no task list. Sora overrides it (``GET /videos``)."""
        return None

    def parse_task_list(self, response: httpx.Response) -> Sequence[TaskSummary]:
        """An OpenAI-style list page (:func:`parse_video_list`); ``since`` is the caller's filter."""
        return parse_video_list(response, self.name)

    @staticmethod
    def poll_url(response: httpx.Response) -> str:
        """The URL this answer came from, without its query: ``.../videos/{id}``."""
        return str(response.request.url.copy_with(query=None))
