"""reelkit provider plugin: Seedance on Volcengine Ark (and BytePlus ModelArk).

The hooks are thin: capability data lives in ``capabilities``, ``--param`` checks in ``params``,
request building in ``translate`` and answers in ``responses``. Those modules (and httpx) load
only when a hook runs, so ``import reelkit_seedance`` stays cheap. Authentication is the core's
default bearer token from ``ARK_API_KEY``.
``ref §n`` cites ``docs/reference/volcengine-kling.md`` section n.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reelkit.hookspecs import hookimpl

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    import httpx

    from reelkit.callbacks import Callback
    from reelkit.capabilities import ModelInfo
    from reelkit.hookspecs import Register
    from reelkit.models import JobHandle, JobStatus, ProviderConfig, TaskSummary, VideoRequest

__version__ = "0.1.0"


@hookimpl
def reelkit_register_providers(register: Register) -> None:
    from .capabilities import MODELS, PROVIDER_INFO

    register(PROVIDER_INFO, models=MODELS)


@hookimpl
def reelkit_translate(
    provider: str, model: ModelInfo, request: VideoRequest, config: ProviderConfig
) -> httpx.Request:
    from .translate import create_request

    return create_request(model, request, config)


@hookimpl
def reelkit_parse_submit(
    provider: str, model: ModelInfo, request: VideoRequest, response: httpx.Response
) -> JobHandle:
    from .responses import parse_create

    return parse_create(model, response)


@hookimpl
def reelkit_poll_request(provider: str, job: JobHandle, config: ProviderConfig) -> httpx.Request:
    from .translate import get_request

    return get_request(job, config)


@hookimpl
def reelkit_parse_poll(provider: str, job: JobHandle, response: httpx.Response) -> JobStatus:
    from .responses import parse_get

    return parse_get(job, response)


@hookimpl
def reelkit_parse_callback(provider: str, headers: Mapping[str, str], body: bytes) -> Callback:
    from .responses import parse_callback

    return parse_callback(body)


@hookimpl
def reelkit_cancel_request(provider: str, job: JobHandle, config: ProviderConfig) -> httpx.Request:
    from .translate import delete_request

    return delete_request(job, config)


@hookimpl
def reelkit_parse_cancel(provider: str, job: JobHandle, response: httpx.Response) -> JobStatus:
    from .responses import parse_delete

    return parse_delete(job, response)


@hookimpl
def reelkit_list_tasks_request(
    provider: str, config: ProviderConfig, since: datetime
) -> httpx.Request:
    """The newest page of the account's tasks; Ark cannot filter by time, ``since`` is unused.

    Ark keeps 7 days of tasks (ref §3.1): ``reelkit jobs reconcile`` picks by ``created_at``.
    """
    from .translate import list_request

    return list_request(config)


@hookimpl
def reelkit_parse_task_list(provider: str, response: httpx.Response) -> Sequence[TaskSummary]:
    from .responses import parse_task_list

    return parse_task_list(response)
