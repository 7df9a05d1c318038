"""``Client`` and ``AsyncClient``: the same verbs over one orchestration.

Both drive the generators of ``reelkit.engine``; only the driver differs. ``plan``,
``providers``, ``capabilities`` and ``jobs`` do no network I/O and are plain methods on both.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

import httpx

from .catalog import Catalog, _ask, _guarded
from .catalog import _unexpected as _unexpected  # reelkit.batch uses it from here
from .drivers import MAX_IN_FLIGHT, AsyncDriver, SyncDriver
from .effects import Flow, Offload
from .engine import Reconciled, Step
from .errors import BudgetExceeded, InvalidRequest, ReelkitError, UnknownModel
from .journal import JobRecord, Journal
from .media import MediaInput
from .models import JobState, Result

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .arguments import Ask
    from .batch import BatchPlan
    from .engine.selection import Prepared
    from .shots import Shot


class Options(TypedDict, total=False):
    """The keyword arguments of ``generate``, ``plan`` and ``submit`` (docs/design.md §1.3)."""

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
    max_cost: float | str | None
    allow_unpriced: bool
    cheapest: bool
    webhook_url: str | None
    caller: str | None


T = TypeVar("T")


class _Base(Catalog):
    """What both clients share: settings, plugins, journal, planning and listings."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _ = self._engine  # made now, before any worker thread could race to make it

    @property
    def journal(self) -> Journal:
        """The job journal (SQLite by default; PostgreSQL with ``REELKIT_JOURNAL_URL``)."""
        return self._engine.journal

    def spend(
        self, *, since: str | float | None = None, by: str | None = None, currency: str = "USD"
    ) -> dict[str, Any]:
        """Estimated and billed totals of the journal's jobs (``reelkit.spending``); ``since``
        is ``7d``/``24h``/a date or epoch seconds, ``by`` provider, model, day or state."""
        from . import spending

        def run() -> dict[str, Any]:
            start = since if isinstance(since, (int, float)) else spending.parse_since(since)
            return spending.summarise(
                self._engine.journal.costs(since=start),
                by=by,
                currency=currency.upper(),
                rates=self.settings.exchange_rates(),
                since=start,
            )

        return _guarded(run)

    def plan_many(
        self,
        requests: Sequence[Shot | Mapping[str, Any]],
        *,
        budget: float | str | None = None,
        allow_unpriced: bool = False,
    ) -> BatchPlan:
        """Plan every request (``Shot``s, or mappings of ``prompt`` and options): each plan,
        extension chain and cost, the total and whether ``budget`` refuses it. No network."""
        from . import batch

        return _guarded(
            lambda: batch.plan_batch(
                self, batch.as_shots(requests), budget=budget, allow_unpriced=allow_unpriced
            )
        )

    def deliver_webhooks(self, *, keep_running: bool = False) -> int:
        """Send the webhook events the journal owes and are due now (jobs of any process,
        e.g. one that ended before its process could deliver); returns how many were
        delivered. ``keep_running`` leaves a daemon thread delivering until ``close()``."""
        delivered = _guarded(self._engine.webhooks.deliver_due)
        if keep_running:
            self._engine.webhooks.start()
        return delivered

    def records(self, limit: int | None = None, states: Sequence[JobState] = ()) -> list[JobRecord]:
        return _guarded(lambda: self._engine.journal.list(limit=limit, states=tuple(states)))

    def result(self, job_id: str) -> Result:
        return _guarded(lambda: self._engine.result(self._engine.journal.get(job_id)))

    def _start(self, prompt: str, options: Mapping[str, Any], *, wait: bool) -> Flow[JobRecord]:
        ask = _ask(prompt, options)
        prepared = yield from self._prepare(ask)
        flow = self._engine.start(prepared, ask, wait=wait)
        del prepared  # the submit's request and plan are start's to drop once sent
        return (yield from flow)

    def _record(self, prompt: str, options: Mapping[str, Any]) -> Flow[JobRecord]:
        ask = _ask(prompt, options)
        prepared = yield from self._prepare(ask)
        return (yield from self._engine.record(prepared, ask))

    def _prepare(self, ask: Ask) -> Flow[Prepared]:
        if self._engine.prepare_blocks(ask):
            # Files to read or the journal to ask: an effect, so AsyncClient does it off the loop.
            prepared: Prepared = yield Offload(functools.partial(self._engine.prepare, ask))
            return prepared
        # Pure computation stays on the loop: in a worker thread it would hold the GIL in long
        # stretches, and every socket call of the loop would then wait up to the interpreter's
        # switch interval (5 ms) to get it back — tens of milliseconds per loop iteration at a
        # thousand jobs starting.
        return self._engine.prepare(ask)

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
                pool[""] = self._network_client(factory)
            pool[provider] = pool[""]
        else:
            pool[provider] = factory(transport=transport, follow_redirects=False)
        return pool[provider]

    def _network_client(self, factory: type[Any]) -> Any:
        if factory is httpx.AsyncClient and self.settings.transport() == "aiohttp":
            from .aiohttp_transport import AiohttpTransport

            wire = AiohttpTransport(max_connections=MAX_IN_FLIGHT)
            return factory(transport=wire, follow_redirects=False)
        limits = httpx.Limits(
            max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT
        )
        return factory(follow_redirects=False, limits=limits)


class Client(_Base):
    """The synchronous client. Use as a context manager, or call ``close()``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pool: dict[str, httpx.Client] = {}
        self._driver = SyncDriver(lambda p: self._http_client(p, httpx.Client, self._pool))

    def _run(self, flow: Flow[T]) -> T:
        return _guarded(lambda: self._driver.run(flow))

    def generate(self, prompt: str, **options: Unpack[Options]) -> Result:
        """Submit, wait, download; return the finished ``Result``."""
        record = self._run(self._start(prompt, options, wait=True))
        return self._engine.result(record)

    def generate_many(
        self,
        requests: Sequence[Shot | Mapping[str, Any]],
        *,
        concurrency: int | None = None,
        budget: float | str | None = None,
        allow_unpriced: bool = False,
        output_dir: str | os.PathLike[str] | None = None,
    ) -> list[Result | ReelkitError]:
        """``AsyncClient.generate_many``, run to the end on a private event loop."""
        import asyncio

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise ReelkitError(
                "Client.generate_many cannot run inside an event loop; "
                "use `await AsyncClient.generate_many(...)`"
            )

        async def run() -> list[Result | ReelkitError]:
            async with AsyncClient(**self._made_with) as sibling:
                return await sibling.generate_many(
                    requests,
                    concurrency=concurrency,
                    budget=budget,
                    allow_unpriced=allow_unpriced,
                    output_dir=output_dir,
                )

        return asyncio.run(run())

    def record(self, prompt: str, **options: Unpack[Options]) -> str:
        """Journal the job ``generate`` would make, send nothing, return its id: a worker
        (``advance``) submits it. An identical open or delivered job's id is returned instead."""
        return self._run(self._record(prompt, options)).id

    def advance(self, job_id: str, *, errors: int = 0) -> Step:
        """Move a job one step (submit, poll once, download) from any process; ``Step.next_in``
        says when to call again (``None``: nothing more to do)."""
        return self._run(self._engine.advance(job_id, errors=errors))

    def submit(self, prompt: str, **options: Unpack[Options]) -> Job:
        """Submit and return at once; ``job.wait()`` finishes it."""
        return Job(self, self._run(self._start(prompt, options, wait=False)))

    def resume(self, job_id: str) -> Job:
        """A job from the journal, from any process; ``wait()`` polls on (never resubmits)."""
        return Job(self, self._run(self._engine._j("get", job_id)))

    def job(self, job_id: str) -> Job:
        return self.resume(job_id)

    def jobs(self, limit: int | None = None) -> list[Job]:
        return [Job(self, r) for r in self.records(limit)]

    def adopt(self, job_id: str, task_id: str) -> Job:
        """Link an ``unknown`` job to the provider's task id; ``wait()`` then finishes it."""
        return Job(self, self._run(self._engine.adopt(job_id, task_id)))

    def reconcile(self, job_id: str) -> Reconciled:
        """Look for the task an unknown submit created (where the provider lists tasks)."""
        return self._run(self._engine.reconcile(job_id))

    def close(self) -> None:
        for client in {id(c): c for c in self._pool.values()}.values():
            client.close()
        self._pool.clear()
        self._driver.close()
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

    async def _run(self, flow: Flow[T]) -> T:
        try:
            return await self._driver.run(flow)
        except ReelkitError:
            raise
        except Exception as exc:
            raise _unexpected(exc) from exc

    async def generate(self, prompt: str, **options: Unpack[Options]) -> Result:
        record = await self._run(self._start(prompt, options, wait=True))
        return self._engine.result(record)

    async def generate_many(
        self,
        requests: Sequence[Shot | Mapping[str, Any]],
        *,
        concurrency: int | None = None,
        budget: float | str | None = None,
        allow_unpriced: bool = False,
        output_dir: str | os.PathLike[str] | None = None,
    ) -> list[Result | ReelkitError]:
        """Generate many videos in parallel: a result or a typed error per request, in order.

        Every request is planned first (``plan_many``); over ``budget`` (or unpriced under
        one) nothing is sent and ``BudgetExceeded`` is raised. Then each runs as ``generate``
        would — journalled, deduplicated, never paid twice — with at most ``concurrency`` jobs
        in flight overall and each provider's own limit; ``continue_from`` naming another
        request's id waits for it, ``extend_to`` chains extensions.
        """
        from . import batch

        planned = await self._run(_offload(lambda: self.plan_many(
            requests, budget=budget, allow_unpriced=allow_unpriced
        )))  # fmt: skip
        if planned.refused:
            raise BudgetExceeded(planned.refused)
        outcomes = await batch.run_batch(
            self, planned, output_dir=output_dir, concurrency=concurrency, join=self._join
        )
        return [
            o.result if o.error is None and o.result is not None else _error_of(o) for o in outcomes
        ]

    async def _join(self, clips: Sequence[str], output: str) -> str:
        import asyncio

        def join() -> str:
            self.host.load_all()
            joined = self.host.hook.reelkit_join_clips(clips=list(clips), output=output)
            if joined is None:
                raise InvalidRequest(
                    "extend_to",
                    "the extensions came back as separate clips and no installed plugin joins clips",
                    allowed='pip install "reelkit[local]"',
                )
            return str(joined)

        return await asyncio.to_thread(join)

    async def record(self, prompt: str, **options: Unpack[Options]) -> str:
        """``Client.record``: journal a job for a worker, send nothing, return its id."""
        return (await self._run(self._record(prompt, options))).id

    async def advance(self, job_id: str, *, errors: int = 0) -> Step:
        """``Client.advance``: one step of a job; ``Step.next_in`` says when to come back."""
        return await self._run(self._engine.advance(job_id, errors=errors))

    async def submit(self, prompt: str, **options: Unpack[Options]) -> AsyncJob:
        return AsyncJob(self, await self._run(self._start(prompt, options, wait=False)))

    async def resume(self, job_id: str) -> AsyncJob:
        return AsyncJob(self, await self._run(self._engine._j("get", job_id)))

    def job(self, job_id: str) -> AsyncJob:
        return AsyncJob(self, _guarded(lambda: self._engine.journal.get(job_id)))

    def jobs(self, limit: int | None = None) -> list[AsyncJob]:
        return [AsyncJob(self, r) for r in self.records(limit)]

    async def adopt(self, job_id: str, task_id: str) -> AsyncJob:
        return AsyncJob(self, await self._run(self._engine.adopt(job_id, task_id)))

    async def reconcile(self, job_id: str) -> Reconciled:
        return await self._run(self._engine.reconcile(job_id))

    async def aclose(self) -> None:
        for client in {id(c): c for c in self._pool.values()}.values():
            await client.aclose()
        self._pool.clear()
        self._driver.close()
        self._engine.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class _JobBase:
    def __init__(self, client: _Base, record: JobRecord, *, owns_client: bool = False) -> None:
        self._client = client
        self.record = record
        self._owns_client = owns_client  # made by reelkit.submit()/resume(): closed after wait()

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
    """A submitted job. Every method records what it learns in the journal.

    A context manager: leaving it closes the client it owns (``reelkit.submit()`` and
    ``reelkit.resume()`` make one per job); ``wait()`` closes it too.
    """

    _client: Client

    def refresh(self) -> Job:
        self.record = self._client._run(self._client._engine.poll(self.id))
        return self

    def wait(self, timeout: float | None = None, *, download: bool = True) -> Result:
        engine = self._client._engine
        try:
            self.record = self._client._run(
                engine.follow(self.id, download=download, timeout=timeout)
            )
            return engine.result(self.record)
        finally:
            self.close()

    def cancel(self) -> Job:
        self.record = self._client._run(self._client._engine.cancel(self.id))
        return self

    def download(self, output: str | os.PathLike[str] | None = None) -> Result:
        self.record = self._client._run(self._client._engine.download(self.id, output))
        return self.result()

    def close(self) -> None:
        """Close the client this job owns (a no-op for a job of your own ``Client``)."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Job:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncJob(_JobBase):
    _client: AsyncClient

    async def refresh(self) -> AsyncJob:
        self.record = await self._client._run(self._client._engine.poll(self.id))
        return self

    async def wait(self, timeout: float | None = None, *, download: bool = True) -> Result:
        engine = self._client._engine
        self.record = await self._client._run(
            engine.follow(self.id, download=download, timeout=timeout)
        )
        return engine.result(self.record)

    async def cancel(self) -> AsyncJob:
        self.record = await self._client._run(self._client._engine.cancel(self.id))
        return self

    async def download(self, output: str | os.PathLike[str] | None = None) -> Result:
        self.record = await self._client._run(self._client._engine.download(self.id, output))
        return self.result()


def _offload(func: Callable[[], T]) -> Flow[T]:
    result: T = yield Offload(func)
    return result


def _error_of(outcome: Any) -> ReelkitError:
    if outcome.error is not None:
        return outcome.error  # type: ignore[no-any-return]
    return ReelkitError(f"shot {outcome.shot.id} delivered no video")


__all__ = [
    "AsyncClient",
    "AsyncJob",
    "Client",
    "Job",
    "Options",
    "Reconciled",
    "Step",
    "UnknownModel",
]
