"""``Client`` and ``AsyncClient``: the same verbs over one orchestration.

Both drive the generators of ``reelkit.engine``; only the driver differs. ``plan``,
``providers``, ``capabilities`` and ``jobs`` do no network I/O and are plain methods on both.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

import httpx

from .capabilities import ModelInfo, ProviderInfo
from .config import Settings
from .drivers import MAX_IN_FLIGHT, AsyncDriver, SyncDriver
from .engine import Ask, Engine
from .errors import InvalidRequest, UnknownModel
from .journal import JobRecord, Journal
from .media import MediaInput
from .models import Plan, Result
from .plugins import PluginHost, PluginRecord

if TYPE_CHECKING:
    from typing_extensions import Unpack


class Options(TypedDict, total=False):
    """The keyword arguments of ``generate``, ``plan`` and ``submit`` (DESIGN §1.3)."""

    provider: str | None
    model: str | None
    duration: float | None
    aspect_ratio: str | None
    resolution: str | None
    size: str | None
    fps: int | None
    seed: int | None
    negative_prompt: str | None
    audio: bool | None
    first_frame: MediaInput | None
    last_frame: MediaInput | None
    reference_images: Sequence[MediaInput]
    video: MediaInput | None
    continue_from: str | None
    remix_of: str | None
    params: Mapping[str, Any] | None
    output: str | os.PathLike[str] | None
    strict: bool
    timeout: float | None
    force: bool


_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class _Base:
    """What both clients share: settings, plugins, journal, planning and listings."""

    def __init__(
        self,
        *,
        env: Mapping[str, str] | None = None,
        home: str | os.PathLike[str] | None = None,
        plugins: Sequence[object] = (),
        entry_points: bool = True,
        poll_interval: float | None = None,
        timeout: float | None = None,
        transport: Any = None,
    ) -> None:
        self.settings = Settings.load(
            env=env, home=home, poll_interval=poll_interval, timeout=timeout
        )
        level = self.settings.env.get("REELKIT_LOG_LEVEL", "").strip().upper()
        if level:  # the level only: handlers are the host application's business
            if level not in _LEVELS:
                raise InvalidRequest(
                    "REELKIT_LOG_LEVEL", f"unknown level {level!r}", allowed=_LEVELS
                )
            logging.getLogger("reelkit").setLevel(level)
        self.host = PluginHost(
            plugins=plugins,
            entry_points=entry_points,
            env=self.settings.env,
            adjust_model=self.settings.override_model,
        )
        self._engine = Engine(
            self.host, self.settings, lambda: Journal(self.settings.home / "jobs.sqlite3")
        )
        self._transport = transport

    def plan(self, prompt: str, **options: Unpack[Options]) -> Plan:
        """Everything a ``generate`` would do, decided without the network."""
        return self._engine.prepare(_ask(prompt, options)).plan

    def providers(self) -> list[ProviderInfo]:
        """Every installed provider, in auto-selection order."""
        return [p.info for p in self.host.all_providers()]

    def available(self, provider: str) -> bool:
        """Are the provider's credentials present?"""
        return self.settings.unusable(self.host.provider(provider).info) is None

    def capabilities(self, provider: str, model: str | None = None) -> list[ModelInfo]:
        registered = self.host.provider(provider)
        if model is None:
            return list(registered.models)
        return [registered.model(model)]

    def model(self, provider: str, model: str | None = None) -> ModelInfo:
        return self.host.provider(provider).model(model)

    def plugins(self) -> list[PluginRecord]:
        self.host.load_all()
        return list(self.host.records.values())

    def records(self, limit: int | None = None) -> list[JobRecord]:
        return self._engine.journal.list(limit=limit)

    def result(self, job_id: str) -> Result:
        return self._engine.result(self._engine.journal.get(job_id))

    def _http_client(self, provider: str, factory: type[Any], pool: dict[str, Any]) -> Any:
        if provider in pool:
            return pool[provider]
        transport = self._transport
        if transport is None:
            info = self.host.provider(provider).info
            transport = self.host.call(
                provider, "reelkit_transport", config=self.settings.provider_config(info)
            )
        if transport is None:  # the network: one pooled client for every remote provider
            if "" not in pool:
                limits = httpx.Limits(
                    max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT
                )
                pool[""] = factory(follow_redirects=False, limits=limits)
            pool[provider] = pool[""]
        else:
            pool[provider] = factory(transport=transport, follow_redirects=False)
        return pool[provider]


class Client(_Base):
    """The synchronous client. Use as a context manager, or call ``close()``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pool: dict[str, httpx.Client] = {}
        self._driver = SyncDriver(lambda p: self._http_client(p, httpx.Client, self._pool))

    def generate(self, prompt: str, **options: Unpack[Options]) -> Result:
        """Submit, wait, download; return the finished ``Result``."""
        ask = _ask(prompt, options)
        prepared = self._engine.prepare(ask)
        record = self._driver.run(self._engine.start(prepared, ask, wait=True))
        return self._engine.result(record)

    def submit(self, prompt: str, **options: Unpack[Options]) -> Job:
        """Submit and return at once; ``job.wait()`` finishes it."""
        ask = _ask(prompt, options)
        prepared = self._engine.prepare(ask)
        return Job(self, self._driver.run(self._engine.start(prepared, ask, wait=False)))

    def resume(self, job_id: str) -> Job:
        """A job from the journal, from any process; ``wait()`` polls on (never resubmits)."""
        return Job(self, self._engine.journal.get(job_id))

    def job(self, job_id: str) -> Job:
        return self.resume(job_id)

    def jobs(self, limit: int | None = None) -> list[Job]:
        return [Job(self, r) for r in self.records(limit)]

    def close(self) -> None:
        for client in {id(c): c for c in self._pool.values()}.values():
            client.close()
        self._pool.clear()
        self._engine.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_Base):
    """The asyncio client: the same verbs as ``Client``; the networked ones are awaitables."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pool: dict[str, httpx.AsyncClient] = {}
        self._driver = AsyncDriver(lambda p: self._http_client(p, httpx.AsyncClient, self._pool))

    async def generate(self, prompt: str, **options: Unpack[Options]) -> Result:
        ask = _ask(prompt, options)
        prepared = self._engine.prepare(ask)
        record = await self._driver.run(self._engine.start(prepared, ask, wait=True))
        return self._engine.result(record)

    async def submit(self, prompt: str, **options: Unpack[Options]) -> AsyncJob:
        ask = _ask(prompt, options)
        prepared = self._engine.prepare(ask)
        return AsyncJob(self, await self._driver.run(self._engine.start(prepared, ask, wait=False)))

    async def resume(self, job_id: str) -> AsyncJob:
        return AsyncJob(self, self._engine.journal.get(job_id))

    def job(self, job_id: str) -> AsyncJob:
        return AsyncJob(self, self._engine.journal.get(job_id))

    def jobs(self, limit: int | None = None) -> list[AsyncJob]:
        return [AsyncJob(self, r) for r in self.records(limit)]

    async def aclose(self) -> None:
        for client in {id(c): c for c in self._pool.values()}.values():
            await client.aclose()
        self._pool.clear()
        self._engine.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class _JobBase:
    def __init__(self, client: _Base, record: JobRecord) -> None:
        self._client = client
        self.record = record

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def state(self) -> str:
        return self.record.state.value

    def result(self) -> Result:
        """The job as it stands (``status`` says whether it is finished)."""
        return self._client._engine.result(self.record)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} {self.record.provider}/{self.record.model} {self.state}>"


class Job(_JobBase):
    """A submitted job. Every method records what it learns in the journal."""

    _client: Client

    def refresh(self) -> Job:
        self.record = self._client._driver.run(self._client._engine.poll(self.id))
        return self

    def wait(self, timeout: float | None = None, *, download: bool = True) -> Result:
        engine = self._client._engine
        self.record = self._client._driver.run(
            engine.follow(self.id, download=download, timeout=timeout)
        )
        return engine.result(self.record)

    def cancel(self) -> Job:
        self.record = self._client._driver.run(self._client._engine.cancel(self.id))
        return self

    def download(self, output: str | os.PathLike[str] | None = None) -> Result:
        self.record = self._client._driver.run(self._client._engine.download(self.id, output))
        return self.result()


class AsyncJob(_JobBase):
    _client: AsyncClient

    async def refresh(self) -> AsyncJob:
        self.record = await self._client._driver.run(self._client._engine.poll(self.id))
        return self

    async def wait(self, timeout: float | None = None, *, download: bool = True) -> Result:
        engine = self._client._engine
        self.record = await self._client._driver.run(
            engine.follow(self.id, download=download, timeout=timeout)
        )
        return engine.result(self.record)

    async def cancel(self) -> AsyncJob:
        self.record = await self._client._driver.run(self._client._engine.cancel(self.id))
        return self

    async def download(self, output: str | os.PathLike[str] | None = None) -> Result:
        self.record = await self._client._driver.run(self._client._engine.download(self.id, output))
        return self.result()


def _ask(prompt: str, options: Mapping[str, Any]) -> Ask:
    known = set(Options.__annotations__)
    unknown = set(options) - known
    if unknown:
        raise TypeError(f"unexpected argument(s): {', '.join(sorted(unknown))}")
    values = {k: v for k, v in options.items() if v is not None}
    if "reference_images" in values:
        values["reference_images"] = tuple(values["reference_images"])
    return Ask(prompt=prompt, **values)


__all__ = ["AsyncClient", "AsyncJob", "Client", "Job", "Options", "UnknownModel"]
