"""The records that flow through a job: requests, handles, statuses, results.

Domain classes are frozen attrs; serialisation lives in ``reelkit.serialization``.
"""

from __future__ import annotations

import base64
import enum
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, TypeVar, Union

from attrs import field, frozen

from . import _secrets
from ._secrets import headers_repr, keys_repr, safe_repr, scrub_text, url_repr
from .capabilities import Mode
from .pricing import CostEstimate

_T = TypeVar("_T", bound=type)


def _scrubbed_repr(cls: _T) -> _T:
    """Mask known secrets and URL credentials in the attrs-made ``repr`` (a host may log it)."""
    made: Callable[[Any], str] = cls.__dict__.get("__repr__", object.__repr__)

    def __repr__(self: object) -> str:
        return scrub_text(made(self))

    cls.__repr__ = __repr__  # type: ignore[assignment]
    return cls


class Role(str, enum.Enum):
    """What an input medium is for."""

    FIRST_FRAME = "first_frame"
    LAST_FRAME = "last_frame"
    REFERENCE_IMAGE = "reference_image"
    VIDEO = "video"

    def __str__(self) -> str:
        return self.value


@_scrubbed_repr
@frozen(kw_only=True)
class Media:
    """An input image or video: remote (``url``) or local bytes (``data``), never both empty.

    Local files are read once when the request is built, so a plan is reproducible and the
    journal fingerprint covers the exact bytes.
    """

    url: str | None = field(default=None, repr=url_repr)
    data: bytes | None = field(default=None, repr=lambda d: f"<{len(d)} bytes>" if d else "None")
    mime_type: str | None = None
    name: str | None = None
    width: int | None = None
    height: int | None = None

    def __attrs_post_init__(self) -> None:
        if (self.url is None) == (self.data is None):
            raise ValueError("Media needs exactly one of url or data")

    @property
    def is_remote(self) -> bool:
        return self.url is not None

    @property
    def format(self) -> str | None:
        """ "jpeg", "png", "webp", "gif", "mp4", ... from the MIME type."""
        if not self.mime_type:
            return None
        return self.mime_type.split("/")[-1].lower()

    def base64(self) -> str:
        if self.data is None:
            raise ValueError("a remote medium has no bytes to encode")
        return base64.b64encode(self.data).decode("ascii")

    def data_url(self) -> str:
        return f"data:{self.mime_type or 'application/octet-stream'};base64,{self.base64()}"

    def url_or_data_url(self) -> str:
        return self.url if self.url is not None else self.data_url()

    def digest(self) -> str:
        """A stable fingerprint: the URL, or the SHA-256 of the bytes."""
        if self.url is not None:
            return "url:" + self.url
        assert self.data is not None
        return "sha256:" + hashlib.sha256(self.data).hexdigest()


def _media_tuple(items: Iterable[Media]) -> tuple[Media, ...]:
    return tuple(items)


@_scrubbed_repr
@frozen(kw_only=True)
class SourceJob:
    """An earlier job a request continues or remixes (``continue_from`` / ``remix_of``).

    Resolved from the journal when the id is a reelkit job id; otherwise ``task_id`` is taken as
    the provider's own id (e.g. ``video_123`` for Sora remix).
    """

    task_id: str
    job_id: str | None = None
    provider: str | None = None
    model: str | None = None
    video_url: str | None = None
    expires_at: datetime | None = None
    duration: float | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    data: Mapping[str, Any] = field(factory=dict, repr=keys_repr)


@_scrubbed_repr
@frozen(kw_only=True)
class VideoRequest:
    """What the user asked for. After clamping, the applied values (and ``mode``) are set."""

    prompt: str
    duration: float | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    size: str | None = None
    fps: int | None = None
    seed: int | None = None
    negative_prompt: str | None = None
    audio: bool | None = None
    first_frame: Media | None = None
    last_frame: Media | None = None
    reference_images: tuple[Media, ...] = field(default=(), converter=_media_tuple)
    video: Media | None = None
    continue_from: SourceJob | None = None
    remix_of: SourceJob | None = None
    # Provider-namespaced pass-through values (``--param KEY=VALUE``), sent as the plugin decides.
    params: Mapping[str, Any] = field(factory=dict, repr=safe_repr)
    mode: Mode | None = None
    # Set by clamping: the output settings the caller left to reelkit (of "duration",
    # "resolution", "aspect_ratio", "size"; a given size sets all three), whose applied values
    # came from the model's defaults, a source job or a frame. A plugin may leave such a field
    # off the wire when the server's documented default is the applied value, as the provider's
    # own examples do; a requested value it does not send it reports (``reelkit.wire.not_sent``).
    unset: tuple[str, ...] = ()

    def media(self) -> Iterator[tuple[Role, Media]]:
        if self.first_frame is not None:
            yield Role.FIRST_FRAME, self.first_frame
        if self.last_frame is not None:
            yield Role.LAST_FRAME, self.last_frame
        for image in self.reference_images:
            yield Role.REFERENCE_IMAGE, image
        if self.video is not None:
            yield Role.VIDEO, self.video


@frozen(kw_only=True)
class Adjustment:
    """One change clamping made to a requested value, and why."""

    field: str
    requested: Any
    applied: Any
    reason: str
    allowed: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "requested": self.requested,
            "applied": self.applied,
            "reason": self.reason,
        }


class Credentials(Mapping[str, str]):
    """Secret values by environment-variable name. Never shows a value in ``repr`` or ``str``."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self._values = dict(values or {})

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return "Credentials(" + ", ".join(f"{k}=***" for k in self._values) + ")"

    __str__ = __repr__

    def first(self) -> str:
        """The first value: the bearer token of single-key providers."""
        return next(iter(self._values.values()))

    def secrets(self) -> tuple[str, ...]:
        return tuple(v for v in self._values.values() if v)


@_scrubbed_repr
@frozen(kw_only=True)
class ProviderConfig:
    """Resolved settings for one provider: arguments beat environment, environment beats files.

    ``repr`` masks credentials in ``base_url`` and shows only the keys of ``options``.
    """

    name: str
    base_url: str = field(repr=url_repr)
    poll_interval_s: float
    timeout_s: float
    max_polls: int | None = None
    http_timeout_s: float = 60.0
    options: Mapping[str, Any] = field(factory=dict, repr=keys_repr)


@_scrubbed_repr
@frozen(kw_only=True)
class JobHandle:
    """What any process needs to poll, cancel and download a submitted job (JSON-serialisable).

    ``repr`` shows only the keys of ``data`` (it may hold signed URLs).
    """

    provider: str
    model: str
    task_id: str
    data: Mapping[str, Any] = field(factory=dict, repr=keys_repr)


@frozen(kw_only=True)
class TaskSummary:
    """One task as a provider's task list shows it (``reelkit jobs reconcile`` matches these)."""

    task_id: str
    model: str | None = None
    prompt: str | None = None
    created_at: datetime | None = None
    status: str | None = None


@_scrubbed_repr
@frozen(kw_only=True)
class Asset:
    """A result file the provider made: usually the video, sometimes a thumbnail or last frame."""

    url: str = field(repr=url_repr)
    kind: str = "video"
    mime_type: str | None = None
    expires_at: datetime | None = None
    data: Mapping[str, Any] = field(factory=dict, repr=keys_repr)


# --- poll outcomes: a tagged union, never guessed from shapes ------------------------------


@frozen(kw_only=True)
class Queued:
    poll_after: float | None = None  # seconds, from a server hint


@frozen(kw_only=True)
class Running:
    progress: float | None = None  # 0..1
    poll_after: float | None = None


def _asset_tuple(items: Iterable[Asset]) -> tuple[Asset, ...]:
    return tuple(items)


@frozen(kw_only=True)
class Charge:
    """What the provider reports it billed for a job: an amount, or tokens the core prices.

    ``amount`` is in ``currency``; a provider that reports tokens only (Seedance's
    ``usage.completion_tokens``) leaves ``amount`` unset and the core prices the tokens with
    the model's token rate. ``basis`` says which response field it came from.
    """

    amount: float | None = None
    currency: str | None = None
    tokens: int | None = None
    basis: str = ""


@frozen(kw_only=True)
class Succeeded:
    assets: tuple[Asset, ...] = field(converter=_asset_tuple)
    # What the provider reports it actually made (duration, size, fps, seed, ...).
    metadata: Mapping[str, Any] = field(factory=dict)
    charge: Charge | None = None  # what the provider says it billed, where it says

    @property
    def video(self) -> Asset | None:
        return next((a for a in self.assets if a.kind == "video"), None)


@frozen(kw_only=True)
class Failed:
    message: str
    code: str | int | None = None
    retryable: bool = False
    filtered: bool = False  # content moderation
    reasons: tuple[str, ...] = ()
    billed: bool | None = None  # True: the provider documents charging for this failure
    charge: Charge | None = None


JobStatus = Union[Queued, Running, Succeeded, Failed]


class JobState(str, enum.Enum):
    """A job's state in the journal."""

    PENDING = "pending"  # written before the submit is sent
    UNKNOWN = "unknown"  # the submit left and no answer came: maybe billed; never resubmitted
    SUBMITTED = "submitted"
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"  # the provider finished; download not yet done
    DOWNLOADED = "downloaded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # A state this version does not know (written by a newer reelkit, or by hand). The journal
    # keeps the stored text in ``JobRecord.raw_state``; such a job is listed, never resumed.
    UNRECOGNISED = "unrecognised"

    def __str__(self) -> str:
        return self.value

    @property
    def terminal(self) -> bool:
        return self in (JobState.DOWNLOADED, JobState.FAILED, JobState.CANCELLED)

    @property
    def pollable(self) -> bool:
        return self in (JobState.SUBMITTED, JobState.QUEUED, JobState.RUNNING)


@_scrubbed_repr
@frozen(kw_only=True)
class JobEvent:
    """Broadcast to ``reelkit_job_event`` observers at every step of a job."""

    kind: str  # planned, submitting, submitted, polled, retry, succeeded, failed, downloading, ...
    job_id: str
    provider: str
    model: str
    state: JobState | None = None
    progress: float | None = None
    message: str = ""
    data: Mapping[str, Any] = field(factory=dict, repr=keys_repr)


@_scrubbed_repr
@frozen(kw_only=True)
class Result:
    """A finished (or still running) job, in the shape of ``generate --json``.

    ``duration``, ``size``, ``fps`` and ``audio`` are what was *delivered* (read from the file
    when PyAV is installed), falling back to what was applied; ``requested`` keeps the applied
    request's values, and ``warnings`` names every difference between the two.
    """

    job_id: str
    provider: str
    model: str
    mode: str
    status: str
    prompt: str
    duration: float | None
    resolution: str | None
    size: str | None
    aspect_ratio: str | None
    fps: int | None
    task_id: str | None
    video_url: str | None = field(repr=url_repr)
    expires_at: datetime | None
    path: str | None
    adjustments: tuple[Adjustment, ...] = ()
    elapsed_s: float | None = None
    audio: bool | None = None
    reused: bool = False
    requested: Mapping[str, Any] = field(factory=dict)
    delivered: bool = False  # whether the values above were read from the downloaded file
    warnings: tuple[str, ...] = ()
    # The plan's estimate ({"estimated", "currency", "basis", "source", "as_of"}; estimated
    # None when unknown) and what the provider reported it billed, as the journal keeps them.
    cost: Mapping[str, Any] | None = None
    billed: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "provider": self.provider,
            "model": self.model,
            "mode": self.mode,
            "status": self.status,
            "prompt": self.prompt,
            "duration": self.duration,
            "resolution": self.resolution,
            "size": self.size,
            "aspect_ratio": self.aspect_ratio,
            "fps": self.fps,
            "task_id": self.task_id,
            "video_url": _shown_url(self.video_url),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "path": self.path,
            "adjustments": [a.to_dict() for a in self.adjustments],
            "elapsed_s": None if self.elapsed_s is None else round(self.elapsed_s, 3),
            "audio": self.audio,
            "requested": dict(self.requested),
            "warnings": list(self.warnings),
            "cost": dict(self.cost) if self.cost else None,
            "billed": dict(self.billed) if self.billed else None,
        }


@_scrubbed_repr
@frozen(kw_only=True)
class HttpPreview:
    """The exact request a submit would send, with credentials redacted."""

    method: str
    url: str = field(repr=url_repr)
    headers: Mapping[str, str] = field(repr=headers_repr)
    body: Any

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "headers": dict(self.headers),
            "body": self.body,
        }


@_scrubbed_repr
@frozen(kw_only=True)
class Plan:
    """Everything reelkit would do, decided without a network call."""

    provider: str
    model: str
    mode: Mode
    request: VideoRequest  # the applied values
    adjustments: tuple[Adjustment, ...]
    http: HttpPreview | None = None
    warnings: tuple[str, ...] = ()
    notice: str | None = None  # e.g. "no credentialed provider qualifies; using local"
    cost: CostEstimate | None = None  # None only for plans made without a model's prices
    # Why the budget forbids sending this plan (generate/submit raise BudgetExceeded), or None.
    refused: str | None = None

    def applied(self) -> dict[str, Any]:
        r = self.request
        values: dict[str, Any] = {
            "prompt": r.prompt,
            "duration": r.duration,
            "resolution": r.resolution,
            "size": r.size,
            "aspect_ratio": r.aspect_ratio,
            "fps": r.fps,
            "seed": r.seed,
            "negative_prompt": r.negative_prompt,
            "audio": r.audio,
        }
        for role, medium in r.media():
            key = "reference_images" if role is Role.REFERENCE_IMAGE else role.value
            desc = (  # a presigned input URL keeps its signature out of --dry-run output
                _secrets.redact_url(medium.url)
                if medium.url
                else f"<{medium.mime_type or 'bytes'}, {len(medium.data or b'')} bytes>"
            )
            if key == "reference_images":
                values.setdefault(key, []).append(desc)
            else:
                values[key] = desc
        if r.continue_from:
            values["continue_from"] = r.continue_from.job_id or r.continue_from.task_id
        if r.remix_of:
            values["remix_of"] = r.remix_of.job_id or r.remix_of.task_id
        if r.params:
            values["params"] = dict(r.params)
        return {k: v for k, v in values.items() if v is not None}

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "model": self.model,
            "mode": self.mode.value,
            "request": self.applied(),
            "adjustments": [a.to_dict() for a in self.adjustments],
            "http": self.http.to_dict() if self.http else None,
            "cost": self.cost.to_dict() if self.cost else None,
            "refused": self.refused,
        }


def _shown_url(url: str | None) -> str | None:
    """A video that came inline (a ``data:`` URL of megabytes) is shown by its type only."""
    if url is not None and url.startswith("data:"):
        return url.split(",", 1)[0] + ",…"
    return url
