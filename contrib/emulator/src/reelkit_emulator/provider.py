"""The provider-fake framework: what a fake declares and what its handlers get.

A fake is a module in ``reelkit_emulator.providers`` that defines ``FAKE = ProviderFake(...)``:
its routes (:class:`Endpoint`), its error :class:`~.errors.Dialect`, and as plain values what its
service answers to an injected 429 or 500 and to an expired result link. The app serves each
endpoint at ``/<name><path>`` through one wrapper that counts the request, injects faults,
renders a raised :class:`~.errors.ApiError` (or :class:`~.responses.Reject`) and counts
rejections. Handlers are ``async def handler(request, ctx) -> Response`` where ``ctx`` is the
fake's :class:`ProviderContext` (its task store, counters, media, expiry and settings).
See ``contrib/emulator/FRAMEWORK.md``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

import anyio
import attrs
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import responses
from .errors import LINK_EXPIRED, LINK_INVALID, NO_SUCH_KEY, OPENAI, ApiError, Dialect
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

#: Prompt markers that force an outcome, for tests that need one specific task to end so:
#: moderated, failed, or succeeded with its result already expired.
MODERATION_MARKER = "[emulator:moderation]"
FAILURE_MARKER = "[emulator:fail]"
EXPIRE_MARKER = "[emulator:expire]"


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
    #: ``expired`` (e.g. a gateway's content proxy answers 502, its CDN links 403).
    expired: ApiError | None = None
    #: The dialect of this endpoint's errors, when it differs from the fake's.
    dialect: Dialect | None = None
    #: For a route that serves several kinds (Jimeng's one URL, told apart by ``?Action=``):
    #: the kind of this request, so faults aimed at polls hit polls.
    classify: Callable[[Request], str] | None = None

    def kind_of(self, request: Request) -> str:
        return self.classify(request) if self.classify is not None else self.kind


def _endpoints(value: Iterable[Endpoint]) -> tuple[Endpoint, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class ProviderFake:
    """Everything the framework needs to serve one provider."""

    name: str
    endpoints: tuple[Endpoint, ...] = attrs.field(converter=_endpoints)
    #: Credentials to export (env var -> value). Bearer-style keys: any non-empty value works.
    credentials: dict[str, str] = attrs.field(factory=dict)
    #: Credentials the fake verifies against, so only these exact values work (Volcengine's
    #: HMAC secret); the CLI always prints them, with ``credentials_note`` saying why.
    exact_credentials: dict[str, str] = attrs.field(factory=dict)
    credentials_note: str = ""
    #: How the service spells its errors (an :class:`~.errors.ApiError` without its own dialect).
    dialect: Dialect = OPENAI
    #: The service's answers to an injected 429 (sent with ``Retry-After``) and 500.
    rate_limited: ApiError = attrs.field(
        factory=lambda: ApiError(status=429, message="Too Many Requests", code="rate_limited")
    )
    server_error: ApiError = attrs.field(
        factory=lambda: ApiError(status=500, message="Internal Server Error", code="server_error")
    )
    #: What an expired result link (or an "expired" fault on a download) answers.
    expired: ApiError = LINK_EXPIRED
    #: Lifetime of result URLs (seconds), as the real service documents it.
    url_ttl: float = 3600.0
    #: Whether a result itself expires ``url_ttl`` after the task finished (the task then
    #: reports it: :meth:`ProviderContext.expired`); else only each link does, ``url_ttl``
    #: after it was handed out (services that sign a fresh link on every poll).
    results_expire: bool = True
    #: The provider's real output frame rate (used when ``EmulatorConfig.video_fps`` is None).
    natural_fps: int = 24
    #: Called once when an app is created with this fake (e.g. to read its settings then).
    on_start: Callable[[ProviderContext], object] | None = None
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
            result_ttl=self.url_ttl if fake.results_expire else None,
        )
        if fake.on_start is not None:
            fake.on_start(self)

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
        for marker, outcome in (
            (MODERATION_MARKER, Outcome.MODERATION),
            (FAILURE_MARKER, Outcome.FAILED),
            (EXPIRE_MARKER, Outcome.EXPIRED),
        ):
            if marker in prompt:
                return outcome
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
        ttl: float | None = None,
    ) -> Task:
        """Create a task for a *validated* submit (counted in ``submits``). ``ttl`` gives this
        task's result another lifetime than the fake's (``url_ttl`` in the config wins)."""
        if ttl is not None and self.config.url_ttl is not None:
            ttl = self.config.url_ttl
        return self.store.create(
            model=model,
            prompt=prompt,
            video=video,
            params=params,
            outcome=self.outcome(request, prompt),
            id_factory=id_factory,
            extra=extra,
            ttl=ttl,
        )

    def expired(self, task: Task) -> bool:
        """Whether the task's result is gone: it succeeded with an ``[emulator:expire]`` marker,
        or its lifetime (``Task.expires_at``) has passed. Each fake says so in its own words."""
        if not task.succeeded:
            return False
        if task.outcome is Outcome.EXPIRED:
            return True
        return task.expires_at is not None and self.now() >= task.expires_at

    def renew(self, task: Task) -> None:
        """Start the result's lifetime again (a service that keeps what is still referenced)."""
        ttl = self.store.result_ttl if task.ttl is None else task.ttl
        if ttl is not None:
            task.expires_at = self.now() + ttl

    # --- media ------------------------------------------------------------------------------

    def media_link(
        self, request: Request, task: Task, filename: str = "video.mp4", ttl: float | None = None
    ) -> MediaLink:
        """A signed URL served by this fake's ``/_media/`` route. It expires with the result
        (``Task.expires_at``), or ``ttl`` (default ``url_ttl``) from now for results that do not."""
        if ttl is None and task.expires_at is not None:
            expires_at = int(task.expires_at)
        else:
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
        dialect = endpoint.dialect or self.fake.dialect

        async def run(request: Request) -> Response:
            self.stats.incr("requests")
            fault = self.faults.draw(self.name, endpoint.kind_of(request))
            if fault is not None and fault not in ("slow", "moderation"):
                self.stats.fault(fault)
                return self._fault(fault, endpoint, dialect)
            if fault == "slow":
                self.stats.fault("slow")
                await anyio.sleep(self.config.slow_seconds)
            request.state.emulator_fault = fault
            holder = [False]
            token = _counted.set(holder)
            try:
                try:
                    response = await endpoint.handler(request, self)
                except ApiError as error:
                    response = error.render(dialect)
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

    def _fault(self, fault: str, endpoint: Endpoint, dialect: Dialect) -> Response:
        if fault == "429":
            retry = {"Retry-After": str(self.config.retry_after)}
            return self.fake.rate_limited.with_headers(retry).render(self.fake.dialect)
        if fault == "500":
            return self.fake.server_error.render(self.fake.dialect)
        if fault == "reset":
            return responses.ResetResponse()
        if fault == "expired":
            return (endpoint.expired or self.fake.expired).render(dialect)
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
    task = ctx.store.get(task_id)
    if problem == "invalid":
        raise LINK_INVALID.copy()
    if problem == "expired" or (task is not None and ctx.expired(task)):
        raise ctx.fake.expired.copy()
    ext = filename.rsplit(".", 1)[-1].lower()
    if task is None or not task.succeeded:
        raise NO_SUCH_KEY.copy()
    if ext == "mp4":
        return await ctx.video_response(task, filename)
    from .media import IMAGE_TYPES

    if ext in IMAGE_TYPES:
        return await ctx.image_response(task, ext)
    raise NO_SUCH_KEY.copy()
