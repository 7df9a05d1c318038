"""reelkit's offline default provider: ``local`` renders a real H.264 MP4 on this machine.

No keys, no network. The hooks below translate a request into a call to a tiny render API
that ``reelkit_local.transport.LocalTransport`` serves in-process, so ``local`` runs through
the same translate → submit → poll → download pipeline as every remote provider.

Importing this package is cheap: httpx loads when a hook first runs, and PyAV, numpy and
Pillow only when something renders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
    provider: str, model: ModelInfo, request: VideoRequest, config: ProviderConfig
) -> httpx.Request:
    from .hooks import translate

    return translate(provider, model, request, config)


@hookimpl
def reelkit_parse_submit(
    provider: str, model: ModelInfo, request: VideoRequest, response: httpx.Response
) -> JobHandle:
    from .hooks import parse_submit

    return parse_submit(provider, model, request, response)


@hookimpl
def reelkit_poll_request(provider: str, job: JobHandle, config: ProviderConfig) -> httpx.Request:
    from .hooks import poll_request

    return poll_request(provider, job, config)


@hookimpl
def reelkit_parse_poll(provider: str, job: JobHandle, response: httpx.Response) -> JobStatus:
    from .hooks import parse_poll

    return parse_poll(provider, job, response)


@hookimpl
def reelkit_cancel_request(provider: str, job: JobHandle, config: ProviderConfig) -> httpx.Request:
    from .hooks import cancel_request

    return cancel_request(provider, job, config)


@hookimpl
def reelkit_transport(provider: str, config: ProviderConfig) -> Any:
    """The in-process server of the render API (``httpx`` sync and async transport)."""
    from .hooks import transport

    return transport(provider, config)


@hookimpl
def reelkit_join_clips(clips: Any, output: str) -> str:
    """Hard cuts with PyAV (``reelkit_local.concat``): stream copy when the clips match."""
    from .concat import join

    return join(clips, output).path


@hookimpl
def reelkit_register_commands(cli: Any) -> None:
    from .command import concat

    cli.add_command(concat)
