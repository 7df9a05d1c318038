"""The provider-fake framework: what a fake declares and what its handlers get.

A fake is a module in ``reelkit_emulator.providers`` that defines ``FAKE = ProviderFake(...)``
with a list of :class:`Endpoint`. The app serves each endpoint at ``/<name><path>`` through a
wrapper that counts the request, injects faults, catches :class:`~.responses.Reject` and counts
rejections. Handlers are ``async def handler(request, ctx) -> Response`` where ``ctx`` is the
fake's :class:`ProviderContext` (its task store, counters, media and settings).
See ``contrib/emulator/FRAMEWORK.md``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import anyio
import attrs
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import responses
from .faults import ENDPOINT_KINDS
from .media import MediaLink
from .responses import Reject
from .stats import ProviderStats, Stats
from .tasks import Outcome, Task, TaskStore, VideoSpec

if TYPE_CHECKING:
    from .clock import Clock
    from .config import EmulatorConfig
    from .faults import FaultInjector
    from .media import LinkSigner, MediaCache

Handler = Callable[[Request, "ProviderContext"], Awaitable[Response]]
#: ``(status, headers) -> response``: the provider's own body for an injected 429 or 500.
FaultResponder = Callable[[int, Mapping[str, str]], Response]

#: Prompt markers that force an outcome, for tests that need one specific task to fail.
MODERATION_MARKER = "[emulator:moderation]"
FAILURE_MARKER = "[emulator:fail]"


def _check_kind(_: object, __: object, value: str) -> None:
    if value not in ENDPOINT_KINDS:
        raise ValueError(f"endpoint kind must be one of {ENDPOINT_KINDS}, got {value!r}")


def _methods(value: Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@attrs.frozen
class Endpoint:
    """One route of a fake. ``path`` is relative to the fake's prefix and may be ``""`` (the
    prefix itself, e.g. Jimeng's ``/?Action=...``). ``kind`` decides which faults apply."""

    path: str
    handler: Handler
    methods: tuple[str, ...] = attrs.field(default=("GET",), converter=_methods)
    kind: str = attrs.field(default="other", validator=_check_kind)
    #: This endpoint's answer to an "expired" fault, when it differs from the fake's
    #: ``expired_response`` (e.g. a gateway's content proxy answers 502, its CDN links 403).
    expired: Callable[[], Response] | None = None
    #: For a route that serves several kinds (Jimeng's one URL, told apart by ``?Action=``):
    #: the kind of this request, so faults aimed at polls hit polls.
    classify: Callable[[Request], str] | None = None

    def kind_of(self, request: Request) -> str:
        return self.classify(request) if self.classify is not None else self.kind


def _endpoints(value: Iterable[Endpoint]) -> tuple[Endpoint, ...]:
    return tuple(value)


def default_fault_response(status: int, headers: Mapping[str, str]) -> Response:
    text = "Too Many Requests" if status == 429 else "Internal Server Error"
    return responses.json_response({"error": {"message": text, "code": status}}, status, headers)


@attrs.frozen(kw_only=True)
class ProviderFake:
    """Everything the framework needs to serve one provider."""

    name: str
    endpoints: tuple[Endpoint, ...] = attrs.field(converter=_endpoints)
    #: Dummy credentials to export (env var -> value); any non-empty value is accepted.
    credentials: Mapping[str, str] = attrs.field(factory=dict)
    #: Of those, the ones a request is *signed* with, the secret last (Jimeng's access key and
    #: HMAC secret): the fake verifies the signature, so it must know the secret, and
    #: ``reelkit emulator`` always exports these, with the reason.
    signed_with: tuple[str, ...] = ()
    #: Where the fake learns another secret instead (shown with the export lines).
    signing_secret_env: str = ""
    #: The provider's own body for an injected 429 / 500.
    fault_response: FaultResponder = default_fault_response
    #: What an expired result link (or an "expired" fault on a download) answers.
    expired_response: Callable[[], Response] = responses.expired_link
    #: Lifetime of result URLs (seconds), as the real service documents it.
    url_ttl: float = 3600.0
    #: The provider's real output frame rate (used when ``EmulatorConfig.video_fps`` is None).
    natural_fps: int = 24
    #: Environment variable that points reelkit at this fake.
    base_url_env: str = attrs.field()
    description: str = ""

    @base_url_env.default
    def _base_url_env(self) -> str:
        return f"REELKIT_{self.name.upper()}_BASE_URL"


# Set per request by the wrapper; counters flip it so the wrapper knows a request was counted.
_counted: contextvars.ContextVar[list[bool]] = contextvars.ContextVar("reelkit_emulator_counted")


class _CountingStats(ProviderStats):
    def incr(self, counter: str, n: int = 1) -> None:
        holder = _counted.get(None)
        if holder is not None:
            holder[0] = True
        super().incr(counter, n)


class ProviderContext:
    """What a handler sees as ``ctx``: one fake's state and the shared services."""

    def __init__(
        self,
        fake: ProviderFake,
        *,
        config: EmulatorConfig,
        clock: Clock,
        stats: Stats,
        faults: FaultInjector,
        media: MediaCache,
        signer: LinkSigner,
    ) -> None:
        self.fake = fake
        self.name = fake.name
        self.prefix = f"/{fake.name}"
        self.config = config
        self.clock = clock
        self.faults = faults
        self.media = media
        self.signer = signer
        self.stats: ProviderStats = _CountingStats(stats, fake.name)
        self.store = TaskStore(
            self.stats,
            clock,
            polls_to_complete=config.polls_to_complete,
            queued_polls=config.queued_polls,
        )

    # --- settings ---------------------------------------------------------------------------

    @property
    def fps(self) -> int:
        return self.config.video_fps or self.fake.natural_fps

    @property
    def url_ttl(self) -> float:
        return self.fake.url_ttl if self.config.url_ttl is None else self.config.url_ttl

    def now(self) -> float:
        return self.clock.now()

    def base_url(self, request: Request) -> str:
        """This fake's base URL as the client reached it, e.g. ``http://127.0.0.1:8765/sora``."""
        root = request.scope.get("root_path", "").rstrip("/")
        return f"{request.url.scheme}://{request.url.netloc}{root}{self.prefix}"

    # --- tasks ------------------------------------------------------------------------------

    def outcome(self, request: Request, prompt: str = "") -> Outcome:
        """How a task created by this request will end: a "moderation" fault drawn for this
        submit (counted here, when it takes effect) or a prompt marker, else success."""
        if getattr(request.state, "emulator_fault", None) == "moderation":
            self.stats.fault("moderation")
            return Outcome.MODERATION
        if MODERATION_MARKER in prompt:
            return Outcome.MODERATION
        if FAILURE_MARKER in prompt:
            return Outcome.FAILED
        return Outcome.SUCCEEDED

    def create_task(
        self,
        request: Request,
        *,
        model: str,
        prompt: str,
        video: VideoSpec,
        params: dict[str, Any] | None = None,
        id_factory: Callable[[], str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Task:
        """Create a task for a *validated* submit (counted in ``submits``)."""
        return self.store.create(
            model=model,
            prompt=prompt,
            video=video,
            params=params,
            outcome=self.outcome(request, prompt),
            id_factory=id_factory,
            extra=extra,
        )

    # --- media ------------------------------------------------------------------------------

    def media_link(
        self, request: Request, task: Task, filename: str = "video.mp4", ttl: float | None = None
    ) -> MediaLink:
        """A signed, expiring URL served by this fake's ``/_media/`` route."""
        expires_at = int(self.now() + (self.url_ttl if ttl is None else ttl))
        path = f"{self.prefix}/_media/{task.id}/{filename}"
        return self.signer.sign(self.base_url(request).removesuffix(self.prefix), path, expires_at)

    async def video_response(self, task: Task, filename: str = "video.mp4") -> Response:
        """The task's MP4 (counted in ``downloads``)."""
        response = await self.media.video_response(task.video, self.fps, filename)
        self.stats.incr("downloads")
        return response

    async def image_response(self, task: Task, ext: str) -> Response:
        """A still of the task's frame size as ``ext`` (counted in ``downloads``)."""
        response = await self.media.image_response(task.video, ext)
        self.stats.incr("downloads")
        return response

    # --- routing ----------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        endpoints = [
            *self.fake.endpoints,
            Endpoint("/_media/{task_id}/{filename}", _serve_media, kind="download"),
        ]
        return [
            Route(
                self.prefix + e.path,
                self._wrap(e),
                methods=list(e.methods),
                name=f"{self.name}:{e.path}",
            )
            for e in endpoints
        ]

    def _wrap(self, endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            self.stats.incr("requests")
            fault = self.faults.draw(self.name, endpoint.kind_of(request))
            if fault is not None and fault not in ("slow", "moderation"):
                self.stats.fault(fault)
                return self._fault(fault, endpoint)
            if fault == "slow":
                self.stats.fault("slow")
                await anyio.sleep(self.config.slow_seconds)
            request.state.emulator_fault = fault
            holder = [False]
            token = _counted.set(holder)
            try:
                try:
                    response = await endpoint.handler(request, self)
                except Reject as rejection:
                    response = rejection.response
            finally:
                _counted.reset(token)
            if response.status_code >= 400:
                self.stats.incr("rejected")
            elif not holder[0]:
                self.stats.incr("other")
            return response

        return run

    def _fault(self, fault: str, endpoint: Endpoint) -> Response:
        if fault == "429":
            return self.fake.fault_response(429, {"Retry-After": str(self.config.retry_after)})
        if fault == "500":
            return self.fake.fault_response(500, {})
        if fault == "reset":
            return responses.ResetResponse()
        if fault == "expired":
            return (endpoint.expired or self.fake.expired_response)()
        assert fault == "malformed", fault
        if endpoint.kind == "download":
            return responses.malformed_media()
        return responses.malformed_json()


async def _serve_media(request: Request, ctx: ProviderContext) -> Response:
    """The framework's route for :meth:`ProviderContext.media_link` URLs."""
    task_id = request.path_params["task_id"]
    filename = request.path_params["filename"]
    problem = ctx.signer.check(
        f"{ctx.prefix}/_media/{task_id}/{filename}",
        request.query_params.get("e"),
        request.query_params.get("token"),
        ctx.now(),
    )
    if problem == "invalid":
        return responses.xml_error(403, "SignatureDoesNotMatch", "The request signature is invalid")
    if problem == "expired":
        return ctx.fake.expired_response()
    task = ctx.store.get(task_id)
    ext = filename.rsplit(".", 1)[-1].lower()
    if task is None or not task.succeeded:
        return responses.xml_error(404, "NoSuchKey", "The specified key does not exist.")
    if ext == "mp4":
        return await ctx.video_response(task, filename)
    from .media import IMAGE_TYPES

    if ext in IMAGE_TYPES:
        return await ctx.image_response(task, ext)
    return responses.xml_error(404, "NoSuchKey", "The specified key does not exist.")
