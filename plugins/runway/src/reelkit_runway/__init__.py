"""reelkit provider plugin: the Runway API (Gen-4.5, Gen-4 Turbo, Veo 3.1, Aleph 2).

Bearer auth and the unsigned download of the output URL are the core's defaults; every request
to Runway also carries ``X-Runway-Version: 2024-11-06``, which the API requires. Capabilities
live in ``capabilities``, request building in ``translate``, answer parsing in ``responses``.
httpx loads only when a hook runs, so importing the plugin stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reelkit.hookspecs import hookimpl

from .capabilities import MODELS, PROVIDER

if TYPE_CHECKING:
    import httpx

    from reelkit.capabilities import ModelInfo
    from reelkit.hookspecs import Register
    from reelkit.models import JobHandle, JobStatus, ProviderConfig, VideoRequest

__all__ = ["MODELS", "PROVIDER"]


@hookimpl
def reelkit_register_providers(register: Register) -> None:
    register(PROVIDER, models=MODELS)


@hookimpl
def reelkit_translate(
    model: ModelInfo, request: VideoRequest, config: ProviderConfig
) -> httpx.Request:
    from .translate import build_request

    return build_request(model, request, config)


@hookimpl
def reelkit_parse_submit(model: ModelInfo, response: httpx.Response) -> JobHandle:
    from .responses import parse_submit

    return parse_submit(model.id, response)


@hookimpl
def reelkit_poll_request(job: JobHandle, config: ProviderConfig) -> httpx.Request:
    from .translate import task_request

    return task_request("GET", config.base_url, job.task_id)


@hookimpl
def reelkit_parse_poll(response: httpx.Response) -> JobStatus:
    from reelkit.wire import utcnow

    from .responses import parse_task

    return parse_task(response, now=utcnow())


@hookimpl
def reelkit_cancel_request(job: JobHandle, config: ProviderConfig) -> httpx.Request:
    """``DELETE /v1/tasks/{id}`` cancels a pending, throttled or running task [sdk]."""
    from .translate import task_request

    return task_request("DELETE", config.base_url, job.task_id)


@hookimpl
def reelkit_parse_cancel(response: httpx.Response) -> JobStatus:
    from .responses import parse_cancel

    return parse_cancel(response)
