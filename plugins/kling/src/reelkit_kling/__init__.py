"""reelkit provider plugin: the Kling AI video API, direct (``/v1/videos/...``).

Capabilities live in ``capabilities``, request building in ``translate``, answer parsing in
``responses`` and the JWT / API-key signers in ``signing``. httpx loads only when a hook runs,
so importing the plugin stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reelkit.capabilities import Mode
from reelkit.hookspecs import hookimpl

from .capabilities import MODELS, PROVIDER

if TYPE_CHECKING:
    from collections.abc import Mapping

    import httpx

    from reelkit.callbacks import Callback
    from reelkit.capabilities import ModelInfo
    from reelkit.hookspecs import Register
    from reelkit.models import Credentials, JobHandle, JobStatus, ProviderConfig, VideoRequest

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
def reelkit_auth(credentials: Credentials) -> httpx.Auth:
    """The access/secret pair signs a JWT per request; else the API key is a plain bearer."""
    from reelkit.errors import MissingCredentials

    from .signing import KlingJWTAuth, KlingKeyAuth

    access = credentials.get("KLING_ACCESS_KEY", "").strip()
    secret = credentials.get("KLING_SECRET_KEY", "").strip()
    if access and secret:
        return KlingJWTAuth(access, secret)
    key = credentials.get("KLING_API_KEY", "").strip()
    if key:
        return KlingKeyAuth(key)
    raise MissingCredentials(PROVIDER.name, PROVIDER.credential_env)


@hookimpl
def reelkit_parse_submit(
    model: ModelInfo, request: VideoRequest, response: httpx.Response
) -> JobHandle:
    from .responses import parse_submit

    return parse_submit(model.id, response, handle_data(model, request))


@hookimpl
def reelkit_adopt_handle(model: ModelInfo, request: VideoRequest, task_id: str) -> JobHandle:
    """The handle ``parse_submit`` would have made: the endpoint family follows the mode."""
    from reelkit.models import JobHandle

    return JobHandle(
        provider=PROVIDER.name, model=model.id, task_id=task_id, data=handle_data(model, request)
    )


@hookimpl
def reelkit_poll_request(job: JobHandle, config: ProviderConfig) -> httpx.Request:
    import httpx

    from .translate import poll_url

    endpoint = str((job.data or {}).get("endpoint") or "text2video")
    return httpx.Request(
        "GET", poll_url(config, endpoint, job.task_id), headers={"accept": "application/json"}
    )


@hookimpl
def reelkit_parse_poll(job: JobHandle, response: httpx.Response) -> JobStatus:
    from reelkit.wire import utcnow

    from .responses import parse_status

    return parse_status(job, response, now=utcnow())


@hookimpl
def reelkit_parse_callback(provider: str, headers: Mapping[str, str], body: bytes) -> Callback:
    from reelkit.wire import utcnow

    from .responses import parse_callback

    return parse_callback(body, now=utcnow())


def handle_data(model: ModelInfo, request: VideoRequest) -> dict[str, Any]:
    """[volcengine-kling §4.2] a task is queried on the path family it was created on."""
    from .translate import endpoint_for

    return {"endpoint": endpoint_for(model.id, request.mode or Mode.T2V)}
