"""reelkit provider plugin: Alibaba Wan video on DashScope (Alibaba Cloud Model Studio).

Bearer auth (``DASHSCOPE_API_KEY``) and the unsigned download of the 24-hour result URL are the
core's defaults, so the hooks here are registration, translation and parsing. Capabilities
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
def reelkit_parse_submit(
    model: ModelInfo, request: VideoRequest, response: httpx.Response
) -> JobHandle:
    from .responses import parse_submit

    return parse_submit(model.id, response, handle_data(model, request))


@hookimpl
def reelkit_adopt_handle(model: ModelInfo, request: VideoRequest, task_id: str) -> JobHandle:
    """The handle ``parse_submit`` would have made: polling needs only the task id."""
    from reelkit.models import JobHandle

    from .responses import PROVIDER as NAME

    return JobHandle(
        provider=NAME, model=model.id, task_id=task_id, data=handle_data(model, request)
    )


@hookimpl
def reelkit_poll_request(job: JobHandle, config: ProviderConfig) -> httpx.Request:
    import httpx

    from .translate import poll_url

    return httpx.Request(
        "GET", poll_url(config, job.task_id), headers={"accept": "application/json"}
    )


@hookimpl
def reelkit_parse_poll(job: JobHandle, response: httpx.Response) -> JobStatus:
    from reelkit.wire import utcnow

    from .responses import parse_status

    return parse_status(job, response, now=utcnow())


def handle_data(model: ModelInfo, request: VideoRequest) -> dict[str, str]:
    """The model actually sent (``wan2.5`` sends a per-mode model). Never raises."""
    from reelkit.capabilities import Mode

    from .translate import wire_model

    return {"wire_model": wire_model(model, request.mode or Mode.T2V)}
