"""reelkit provider plugin: MiniMax Hailuo video over MiniMax's v1 REST API (and v2 for H3).

Bearer auth is the core's default, and the video is fetched from the API's own host
(``/v1/files/retrieve_content``), which the core signs like any request to the provider's
origin, so the hooks here are registration, translation and parsing. Capabilities live in
``capabilities``, request building in ``translate``, answer parsing in ``responses``. httpx
loads only when a hook runs, so importing the plugin stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reelkit.hookspecs import hookimpl

from .capabilities import MODELS, PROVIDER, V2_MODELS

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
    if job.model in V2_MODELS:  # the model says which API the task lives in: no handle data
        from .v2 import poll_v2_request

        return poll_v2_request(config.base_url, job.task_id)
    from .translate import poll_request

    return poll_request(config.base_url, job.task_id)


@hookimpl
def reelkit_parse_poll(job: JobHandle, response: httpx.Response) -> JobStatus:
    if job.model in V2_MODELS:
        from .v2 import parse_v2_status

        return parse_v2_status(response)
    from .responses import parse_status

    return parse_status(response)
