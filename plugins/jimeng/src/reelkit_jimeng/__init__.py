"""reelkit provider plugin: Volcengine Jimeng Video 3.0 over the HMAC-V4 signed visual API.

The hooks are thin: capability data lives in ``capabilities``, request building in
``translate``, answers in ``responses`` and the signer in ``signing``. Those modules (and httpx)
load only when a hook runs, so ``import reelkit_jimeng`` stays cheap.
``ref §n`` cites ``docs/reference/volcengine-kling.md`` section n.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reelkit.hookspecs import hookimpl

if TYPE_CHECKING:
    import httpx

    from reelkit.capabilities import ModelInfo
    from reelkit.hookspecs import Register
    from reelkit.models import Credentials, JobHandle, JobStatus, ProviderConfig, VideoRequest

__version__ = "0.1.0"


@hookimpl
def reelkit_register_providers(register: Register) -> None:
    from .capabilities import MODELS, PROVIDER_INFO

    register(PROVIDER_INFO, models=MODELS)


@hookimpl
def reelkit_translate(
    provider: str, model: ModelInfo, request: VideoRequest, config: ProviderConfig
) -> httpx.Request:
    from .translate import submit_request

    return submit_request(model, request, config)


@hookimpl
def reelkit_auth(provider: str, credentials: Credentials, config: ProviderConfig) -> httpx.Auth:
    from reelkit.errors import MissingCredentials

    from .capabilities import PROVIDER_INFO
    from .signing import VolcengineSigner

    access_key = credentials.get("VOLC_ACCESSKEY", "").strip()
    secret_key = credentials.get("VOLC_SECRETKEY", "").strip()
    if not access_key or not secret_key:
        raise MissingCredentials(PROVIDER_INFO.name, PROVIDER_INFO.credential_env)
    return VolcengineSigner(access_key, secret_key)


@hookimpl
def reelkit_parse_submit(
    provider: str, model: ModelInfo, request: VideoRequest, response: httpx.Response
) -> JobHandle:
    from .responses import parse_submit

    return parse_submit(model, response)


@hookimpl
def reelkit_adopt_handle(
    provider: str, model: ModelInfo, request: VideoRequest, task_id: str
) -> JobHandle:
    """The handle of a lost submit: the poll must repeat its ``req_key`` (ref §1.4).

    ``parse_submit`` reads the req_key back from the sent body; here it is chosen again from the
    journalled request by the same rule translate used (model, inputs, resolution, params).
    """
    from reelkit.models import JobHandle

    from .capabilities import PROVIDER
    from .translate import req_key_of

    return JobHandle(
        provider=PROVIDER,
        model=model.id,
        task_id=task_id,
        data={"req_key": req_key_of(model, request)},
    )


@hookimpl
def reelkit_poll_request(provider: str, job: JobHandle, config: ProviderConfig) -> httpx.Request:
    from .translate import poll_request

    return poll_request(job, config)


@hookimpl
def reelkit_parse_poll(provider: str, job: JobHandle, response: httpx.Response) -> JobStatus:
    from .responses import parse_poll

    return parse_poll(job, response)
