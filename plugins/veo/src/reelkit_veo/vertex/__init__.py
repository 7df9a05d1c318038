"""reelkit provider plugin: Google Veo on Vertex AI (entry point ``vertex``, in ``reelkit-veo``).

A second entry point of the veo distribution, so its hooks are scoped to ``vertex`` alone while
sharing Veo's models, rules and answer parsing. Capabilities in ``capabilities``, requests in
``translate``, answers in ``responses``, OAuth in ``auth``. google-auth and httpx load only
when a hook runs: importing the plugin stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reelkit.hookspecs import hookimpl

from .capabilities import MODELS, PROVIDER

if TYPE_CHECKING:
    import httpx

    from reelkit.capabilities import ModelInfo
    from reelkit.hookspecs import Register
    from reelkit.models import (
        Asset,
        Credentials,
        JobHandle,
        JobStatus,
        ProviderConfig,
        VideoRequest,
    )

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
def reelkit_auth(credentials: Credentials, config: ProviderConfig) -> httpx.Auth:
    from .auth import VertexAuth, adc_path
    from .capabilities import CREDENTIALS_ENV
    from .translate import host, storage_host

    path = adc_path(credentials.get(CREDENTIALS_ENV), config.options.get("gcloud_config"))
    return VertexAuth(path, (host(config), storage_host(config)))


@hookimpl
def reelkit_parse_submit(
    model: ModelInfo, request: VideoRequest, response: httpx.Response
) -> JobHandle:
    from reelkit_veo import handle_data, sent_parameters

    from .responses import parse_submit

    return parse_submit(model.id, response, handle_data(request, sent_parameters(response)))


@hookimpl
def reelkit_adopt_handle(model: ModelInfo, request: VideoRequest, task_id: str) -> JobHandle:
    """The handle ``parse_submit`` would have made for operation ``task_id`` (as Veo's)."""
    from reelkit.errors import ReelkitError
    from reelkit.models import JobHandle
    from reelkit.wire import drop_none
    from reelkit_veo import handle_data

    from .capabilities import NAME
    from .translate import build_body

    try:
        parameters = drop_none(build_body(model, request)).get("parameters") or {}
    except ReelkitError:
        parameters = {}
    data = {"operation": task_id, **handle_data(request, parameters)}
    return JobHandle(provider=NAME, model=model.id, task_id=task_id, data=data)


@hookimpl
def reelkit_poll_request(job: JobHandle, config: ProviderConfig) -> httpx.Request:
    from .translate import poll_request

    return poll_request(config, str(job.data.get("operation") or job.task_id))


@hookimpl
def reelkit_parse_poll(job: JobHandle, response: httpx.Response) -> JobStatus:
    from .responses import parse_operation

    return parse_operation(job, response)


@hookimpl
def reelkit_download_request(asset: Asset, config: ProviderConfig) -> httpx.Request:
    # gs:// outputs come through the Cloud Storage JSON API with the same bearer token (the
    # provider declares that origin in ``signed_origins``); inline ones are data: URLs.
    import httpx

    from .responses import storage_url
    from .translate import storage_host

    url = (
        storage_url(storage_host(config), asset.url) if asset.url.startswith("gs://") else asset.url
    )
    return httpx.Request("GET", url, headers={"accept": "video/mp4, */*"})
