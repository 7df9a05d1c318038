"""reelkit provider plugin: Google Veo on the Gemini API (long-running operations over REST).

The hooks below are thin: capabilities live in ``capabilities``, request building in
``translate``, answer parsing in ``responses`` and signing in ``auth``. Heavy modules (httpx)
load only when a hook runs, so importing the plugin stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from reelkit.capabilities import Mode
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
    from reelkit.wire import utcnow

    from .translate import build_request

    return build_request(model, request, config, now=utcnow())


@hookimpl
def reelkit_auth(credentials: Credentials, config: ProviderConfig) -> httpx.Auth:
    from .auth import GoogleApiKeyAuth, api_key

    return GoogleApiKeyAuth(api_key(credentials), config.base_url or PROVIDER.base_url)


@hookimpl
def reelkit_parse_submit(
    model: ModelInfo, request: VideoRequest, response: httpx.Response
) -> JobHandle:
    from .responses import parse_submit

    return parse_submit(model.id, response, handle_data(request, sent_parameters(response)))


@hookimpl
def reelkit_adopt_handle(model: ModelInfo, request: VideoRequest, task_id: str) -> JobHandle:
    """The handle ``parse_submit`` would have made for operation ``task_id``.

    Polling needs only the operation name (the task id), but ``data`` records what the submit
    sent (aspect ratio, resolution, extension count, estimated length): a later extension of
    this job, and the poll's metadata, rely on it. It is rebuilt from the journalled request by
    the same translation, without the source-expiry check (the submit already passed it).
    """
    from reelkit.errors import ReelkitError
    from reelkit.models import JobHandle
    from reelkit.wire import drop_none

    from .responses import PROVIDER as NAME
    from .translate import build_body

    try:
        parameters = drop_none(build_body(model, request, now=None)).get("parameters") or {}
    except ReelkitError:  # cannot happen for a request that was sent; fall back to its values
        parameters = {}
    data = {"operation": task_id, **handle_data(request, parameters)}
    return JobHandle(provider=NAME, model=model.id, task_id=task_id, data=data)


@hookimpl
def reelkit_poll_request(job: JobHandle, config: ProviderConfig) -> httpx.Request:
    import httpx

    from .translate import api_root

    operation = str(job.data.get("operation") or job.task_id)
    return httpx.Request(
        "GET", f"{api_root(config.base_url)}/{operation}", headers={"accept": "application/json"}
    )


@hookimpl
def reelkit_parse_poll(job: JobHandle, response: httpx.Response) -> JobStatus:
    from reelkit.wire import utcnow

    from .responses import parse_operation

    return parse_operation(job, response, now=utcnow())


@hookimpl
def reelkit_download_request(asset: Asset) -> httpx.Request:
    # The file URI needs the key [veo-grok §1.7]: the core signs this request (it goes to the
    # provider's own origin), follows redirects itself and drops the key on a foreign host.
    import httpx

    return httpx.Request("GET", asset.url, headers={"accept": "video/mp4, */*"})


def sent_parameters(response: httpx.Response) -> Mapping[str, Any]:
    """``parameters`` of the body that was actually sent; ``{}`` when it cannot be read."""
    import json

    try:
        sent = json.loads(response.request.content or b"{}")
        parameters = sent.get("parameters") or {}
    except (RuntimeError, ValueError, AttributeError):
        return {}
    return parameters if isinstance(parameters, Mapping) else {}


def handle_data(request: VideoRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """What later steps need to know: the sent ``parameters`` win over the request's values.

    Never raises: the job is submitted (and maybe billed) by the time this runs.
    """
    from .capabilities import EXTENSION_SECONDS

    data: dict[str, Any] = {
        "mode": request.mode.value if request.mode else None,
        "aspect_ratio": parameters.get("aspectRatio", request.aspect_ratio),
        "resolution": parameters.get("resolution", request.resolution),
        "duration": parameters.get("durationSeconds", request.duration),
        "estimated_duration": request.duration,
    }
    source = request.continue_from
    if source is not None:
        previous: Mapping[str, Any] = source.data or {}
        data["extensions"] = int(previous.get("extensions", 0) or 0) + 1
        known = previous.get("estimated_duration", source.duration)
        data["estimated_duration"] = None if known is None else float(known) + EXTENSION_SECONDS
        data["source_job"] = source.job_id or source.task_id
    elif request.video is not None and request.mode is Mode.EXTEND:
        data["extensions"] = 1
        data["estimated_duration"] = None
    return {k: v for k, v in data.items() if v is not None}
