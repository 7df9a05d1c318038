"""reelkit provider plugin: xAI Grok Imagine video over plain REST.

Bearer auth and the unsigned download of the temporary result URL are the core's defaults, so
the hooks here are registration, translation and parsing. Capabilities live in
``capabilities``, request building in ``translate``, answer parsing in ``responses``. httpx
loads only when a hook runs, so importing the plugin stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reelkit.capabilities import Mode
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
    from reelkit.wire import utcnow

    from .translate import build_request

    return build_request(model, request, config, now=utcnow())


@hookimpl
def reelkit_parse_submit(
    model: ModelInfo, request: VideoRequest, response: httpx.Response
) -> JobHandle:
    from .responses import parse_submit

    return parse_submit(model.id, response, handle_data(request))


@hookimpl
def reelkit_adopt_handle(model: ModelInfo, request: VideoRequest, task_id: str) -> JobHandle:
    """The handle ``parse_submit`` would have made: its data comes from the request alone.

    Polling needs only the request id, but ``data`` (endpoint, total length) is what a later
    extension or remix of this job checks its source against, so an adopted job keeps it too.
    """
    from reelkit.models import JobHandle

    from .responses import PROVIDER as NAME

    return JobHandle(provider=NAME, model=model.id, task_id=task_id, data=handle_data(request))


@hookimpl
def reelkit_poll_request(job: JobHandle, config: ProviderConfig) -> httpx.Request:
    import httpx

    from .translate import poll_url

    return httpx.Request(
        "GET", poll_url(config.base_url, job.task_id), headers={"accept": "application/json"}
    )


@hookimpl
def reelkit_parse_poll(job: JobHandle, response: httpx.Response) -> JobStatus:
    from reelkit.wire import utcnow

    from .responses import parse_status

    return parse_status(job, response, now=utcnow())


def handle_data(request: VideoRequest) -> dict[str, Any]:
    """What later steps (an extension of this job, say) need to know. Never raises."""
    from .translate import ENDPOINTS

    mode = request.mode or Mode.T2V
    endpoint = ENDPOINTS.get(mode, "generations")
    data: dict[str, Any] = {"mode": mode.value, "endpoint": endpoint}
    source = request.continue_from if mode is Mode.EXTEND else request.remix_of
    if endpoint == "generations":
        data["total_duration"] = request.duration
    elif source is not None:
        known = (source.data or {}).get("total_duration")
        if known is None and (source.data or {}).get("endpoint") in (None, "generations"):
            known = source.duration
        if known is not None:
            added = (request.duration or 0) if mode is Mode.EXTEND else 0
            data["total_duration"] = float(known) + float(added)
        data["source_job"] = source.job_id or source.task_id
    return {k: v for k, v in data.items() if v is not None}
