"""The reelkit hook specifications: everything a plugin can do, in one file.

Per-provider hooks are ``firstresult`` and pure: they build ``httpx.Request`` objects and parse
``httpx.Response`` objects, and never send anything. The core calls them through a caller scoped
to the provider's own plugin (plus cross-cutting plugins that register no provider), so an
implementation never has to ask "is this call for me?" unless one module registers several
providers. Cross-cutting plugins (tracing, metrics) see every call of the broadcast hooks.

Every hook is documented with its exact signature in ``docs/hooks.md``; a test keeps the two in
step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import pluggy

if TYPE_CHECKING:
    import httpx

    from .callbacks import Callback
    from .capabilities import ModelInfo, ProviderInfo
    from .models import (
        Asset,
        Credentials,
        JobEvent,
        JobHandle,
        JobStatus,
        ProviderConfig,
        TaskSummary,
        VideoRequest,
    )

PROJECT = "reelkit"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class Register(Protocol):
    """The callable handed to ``reelkit_register_providers``."""

    def __call__(self, provider: ProviderInfo, models: Sequence[ModelInfo]) -> None: ...


# --- capability reporting (broadcast) -----------------------------------------------------


@hookspec
def reelkit_register_providers(register: Register) -> None:
    """Declare providers and their models: call ``register(ProviderInfo, models=[ModelInfo, ...])``.

    Called once per ``Client`` when its plugins load. Must not touch the network. A provider
    name (or alias) claimed by two plugins is rejected, naming both distributions.
    """


# --- request translation, signing, submit (per provider, firstresult) --------------------


@hookspec(firstresult=True)
def reelkit_translate(
    provider: str, model: ModelInfo, request: VideoRequest, config: ProviderConfig
) -> httpx.Request:
    """Build the unsigned submit request for an already clamped ``request``.

    ``request.mode`` is set and every value lies inside ``model``'s capabilities. Raise
    ``InvalidRequest`` for what capabilities cannot express (e.g. an image of the wrong size).
    A requested value the request does not carry (a remix inherits its duration) is reported
    with ``reelkit.wire.not_sent``: the plan lists it as an adjustment, ``strict`` refuses it.
    """


@hookspec(firstresult=True)
def reelkit_auth(
    provider: str, credentials: Credentials, config: ProviderConfig
) -> httpx.Auth | None:
    """Return the ``httpx.Auth`` that signs this provider's requests.

    The core's built-in implementation (``tryfirst=False``, registered last) returns a bearer
    token from the first credential; jimeng returns its HMAC-V4 signer, veo an
    ``x-goog-api-key`` header. Return ``None`` for providers that need no signing.
    """


@hookspec(firstresult=True)
def reelkit_parse_submit(
    provider: str, model: ModelInfo, request: VideoRequest, response: httpx.Response
) -> JobHandle:
    """Parse the submit response into a ``JobHandle`` or raise a typed error.

    ``response.request`` is the request that was sent. The handle's ``data`` keeps whatever the
    poll needs (Jimeng's ``req_key``, Veo's operation name) and must be JSON-serialisable.
    A failure on a 2xx answer leaves the job unknown (never resubmitted), unless it is a
    ``ProviderError`` carrying the provider's own error ``code``: a refusal, no task made.
    """


# --- poll (per provider, firstresult) -----------------------------------------------------


@hookspec(firstresult=True)
def reelkit_poll_request(provider: str, job: JobHandle, config: ProviderConfig) -> httpx.Request:
    """Build the request that asks for the job's status."""


@hookspec(firstresult=True)
def reelkit_parse_poll(provider: str, job: JobHandle, response: httpx.Response) -> JobStatus:
    """Map a status response to ``Queued``, ``Running``, ``Succeeded`` or ``Failed``.

    Raise ``RateLimited`` or a retryable ``ProviderError`` for transient trouble (the core backs
    off and polls again), ``AuthenticationFailed`` for bad credentials. Set ``poll_after`` from
    server hints such as ``openai-poll-after-ms``.
    """


# --- cancel (per provider, firstresult, optional) -----------------------------------------


@hookspec(firstresult=True)
def reelkit_cancel_request(
    provider: str, job: JobHandle, config: ProviderConfig
) -> httpx.Request | None:
    """Build the request that cancels a job, or return ``None`` if the provider cannot cancel."""


@hookspec(firstresult=True)
def reelkit_parse_cancel(provider: str, job: JobHandle, response: httpx.Response) -> JobStatus:
    """Parse the cancel response; the core's default treats any 2xx as ``Failed(code="cancelled")``."""


# --- recovering unknown submits (per provider, firstresult, optional) ---------------------


@hookspec(firstresult=True)
def reelkit_adopt_handle(
    provider: str, model: ModelInfo, request: VideoRequest, task_id: str, config: ProviderConfig
) -> JobHandle | None:
    """Build the handle of a task created by a submit whose answer was lost (``jobs adopt``).

    ``request`` is the journalled, applied request. Return ``None`` for the core's default,
    ``JobHandle(provider, model.id, task_id)``; implement it when polling needs more than the
    task id (Jimeng needs its ``req_key``). Pure: no network.
    """


@hookspec(firstresult=True)
def reelkit_list_tasks_request(
    provider: str, config: ProviderConfig, since: datetime
) -> httpx.Request | None:
    """Build a request listing the account's recent tasks (created after ``since``), or ``None``.

    Only providers with a task-list endpoint implement it (OpenAI-style ``GET /videos``,
    Seedance's task list); ``reelkit jobs reconcile`` uses it to find the task an unknown submit
    created, by prompt, model and time, and adopt it instead of paying again.
    """


@hookspec(firstresult=True)
def reelkit_parse_task_list(provider: str, response: httpx.Response) -> Sequence[TaskSummary]:
    """Parse the task list into ``TaskSummary`` records (unknown fields tolerated)."""


# --- download (per provider, firstresult, optional) ---------------------------------------


@hookspec(firstresult=True)
def reelkit_download_request(
    provider: str, job: JobHandle, asset: Asset, config: ProviderConfig
) -> httpx.Request:
    """Build the request that fetches ``asset``. The default is an unsigned ``GET asset.url``.

    The core signs a download request only when it goes to the provider's own origin, follows
    redirects itself and drops credentials whenever a redirect leaves that origin.
    """


# --- transport (per provider, firstresult, optional) --------------------------------------


# --- webhooks in (per provider, firstresult, optional) ------------------------------------


@hookspec(firstresult=True)
def reelkit_parse_callback(
    provider: str, headers: Mapping[str, str], body: bytes
) -> Callback | None:
    """Read a callback the provider POSTed to ``/webhooks/{provider}``: ``Callback(task_id,
    status)``, or ``None`` if this provider sends none. Pure: no I/O.

    Verify whatever the provider signs (raise ``AuthenticationFailed`` on a bad signature); the
    core has already checked the job's token in the URL. Header names are lower case. A plugin
    sends the URL by reading ``config.options["callback_url"]`` in ``reelkit_translate``.
    """


@hookspec(firstresult=True)
def reelkit_transport(provider: str, config: ProviderConfig) -> Any:
    """Return an ``httpx`` transport for this provider, or ``None`` for the network.

    The object must implement ``handle_request`` (used by ``Client``) and
    ``handle_async_request`` (used by ``AsyncClient``). The ``local`` provider renders in-process
    this way, through the same translate/submit/poll/download steps as every other provider.
    """


# --- events (broadcast) -------------------------------------------------------------------


@hookspec
def reelkit_job_event(event: JobEvent) -> None:
    """Observe a job step (planned, submitted, polled, retry, succeeded, failed, downloaded, ...).

    Called synchronously; keep it quick. Exceptions are logged and swallowed.
    """


# --- joining clips (broadcast, firstresult, optional) --------------------------------------


@hookspec(firstresult=True)
def reelkit_join_clips(clips: Sequence[str], output: str) -> str | None:
    """Join MP4 ``clips`` end to end (hard cuts) into ``output``; return its path, or ``None``
    if this plugin cannot. Blocking; the core calls it off the event loop.

    ``reelkit-local`` implements it with PyAV: a stream copy when codecs, size and frame rate
    match, otherwise a re-encode to the first clip's parameters. The output appears only once
    complete (written aside, then renamed).
    """


# --- command line (broadcast) -------------------------------------------------------------


@hookspec
def reelkit_register_commands(cli: Any) -> None:
    """Add verbs to the ``reelkit`` command line; ``cli`` is the root ``click.Group``."""
