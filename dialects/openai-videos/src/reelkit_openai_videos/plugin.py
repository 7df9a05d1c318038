"""The hook glue every OpenAI-Videos-style plugin shares, written once.

A plugin package ``reelkit_x`` keeps its facts in ``reelkit_x.catalogue`` (``PROVIDER`` and
``MODELS``) and its wire quirks in ``reelkit_x.videos``, whose ``API`` is an instance of a
:class:`reelkit_openai_videos.dialect.VideosApi` subclass; its ``__init__`` is two lines::

    from reelkit_openai_videos.plugin import VideosPlugin

    VideosPlugin(__name__).export(globals())

Both modules load on the first hook call, so importing the plugin stays cheap (no HTTP stack).
"""

from __future__ import annotations

import importlib
from collections.abc import MutableMapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from reelkit.hookspecs import hookimpl

if TYPE_CHECKING:
    from datetime import datetime

    import httpx

    from reelkit.capabilities import ModelInfo, ProviderInfo
    from reelkit.hookspecs import Register
    from reelkit.models import (
        Asset,
        JobHandle,
        JobStatus,
        ProviderConfig,
        TaskSummary,
        VideoRequest,
    )

    from .dialect import VideosApi

__all__ = ["HOOKS", "VideosPlugin"]

#: The hooks :meth:`VideosPlugin.export` puts into a plugin module.
HOOKS: tuple[str, ...] = (
    "reelkit_register_providers",
    "reelkit_translate",
    "reelkit_parse_submit",
    "reelkit_poll_request",
    "reelkit_parse_poll",
    "reelkit_download_request",
    "reelkit_list_tasks_request",
    "reelkit_parse_task_list",
)


class VideosPlugin:
    """Hook implementations that delegate to ``<package>.catalogue`` and ``<package>.videos.API``."""

    def __init__(self, package: str) -> None:
        self.package = package

    def __repr__(self) -> str:
        return f"VideosPlugin({self.package!r})"

    def export(self, namespace: MutableMapping[str, Any]) -> None:
        """Bind every hook into a module namespace, where pluggy finds it."""
        for name in HOOKS:
            namespace[name] = getattr(self, name)
        namespace.setdefault("__all__", list(HOOKS))

    def _videos(self) -> VideosApi:
        return cast("VideosApi", importlib.import_module(f"{self.package}.videos").API)

    @hookimpl
    def reelkit_register_providers(self, register: Register) -> None:
        catalogue = importlib.import_module(f"{self.package}.catalogue")
        provider: ProviderInfo = catalogue.PROVIDER
        models: Sequence[ModelInfo] = catalogue.MODELS
        register(provider, models=models)

    @hookimpl
    def reelkit_translate(
        self, provider: str, model: ModelInfo, request: VideoRequest, config: ProviderConfig
    ) -> httpx.Request:
        return self._videos().translate(model, request, config)

    @hookimpl
    def reelkit_parse_submit(
        self, provider: str, model: ModelInfo, request: VideoRequest, response: httpx.Response
    ) -> JobHandle:
        return self._videos().parse_submit(model, request, response)

    @hookimpl
    def reelkit_poll_request(
        self, provider: str, job: JobHandle, config: ProviderConfig
    ) -> httpx.Request:
        return self._videos().poll_request(job, config)

    @hookimpl
    def reelkit_parse_poll(
        self, provider: str, job: JobHandle, response: httpx.Response
    ) -> JobStatus:
        return self._videos().parse_poll(job, response)

    @hookimpl
    def reelkit_download_request(
        self, provider: str, job: JobHandle, asset: Asset, config: ProviderConfig
    ) -> httpx.Request | None:
        return self._videos().download_request(job, asset, config)

    # No reelkit_adopt_handle: every OpenAI-style handle is JobHandle(provider, model, task_id)
    # with empty data (dialect.submit_handle), exactly the core's default for `jobs adopt`.

    @hookimpl
    def reelkit_list_tasks_request(
        self, provider: str, config: ProviderConfig, since: datetime
    ) -> httpx.Request | None:
        return self._videos().list_tasks_request(config, since)

    @hookimpl
    def reelkit_parse_task_list(
        self, provider: str, response: httpx.Response
    ) -> Sequence[TaskSummary]:
        return self._videos().parse_task_list(response)
