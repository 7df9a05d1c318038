"""What the tools do, over one ``reelkit.AsyncClient``: the core's one orchestration (journal,
claims, polling, downloads) with the operator's guardrails in front of it.

A submitted job is followed to its end by a background task of this process (poll, download),
whether or not an agent waits: ``get_job`` shows it moving, ``wait_for_job`` joins the follower
and relays its job events as progress notifications. A job the server did not start (another
process, an earlier run of the server) gets a follower when it is first waited for; the core
resumes it from the journal and never resubmits it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import anyio.to_thread

from reelkit import AsyncClient, hookimpl, redact
from reelkit.budget import Budget
from reelkit.docs import model_dict
from reelkit.errors import InvalidRequest, JournalError, ReelkitError, SubmitOutcomeUnknown
from reelkit.models import JobEvent, JobState
from reelkit.plugins import PluginHost

from . import results, schema
from .guard import Guard, Refused

log = logging.getLogger("reelkit_mcp")
redact.install_log_filter(log)

#: ``async (progress, total, message)``: the SDK's ``Context.report_progress``.
Report = Callable[[float, float | None, str | None], Awaitable[None]]


class Events:
    """A reelkit plugin: job events, handed to whoever is waiting for that job."""

    def __init__(self) -> None:
        self._queues: dict[
            str, list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[JobEvent]]]
        ] = {}

    @hookimpl
    def reelkit_job_event(self, event: JobEvent) -> None:
        for loop, queue in list(self._queues.get(event.job_id, ())):
            loop.call_soon_threadsafe(queue.put_nowait, event)  # from any thread, in order

    @contextlib.contextmanager
    def listen(self, job_id: str) -> Iterator[asyncio.Queue[JobEvent]]:
        queue: asyncio.Queue[JobEvent] = asyncio.Queue()
        entry = (asyncio.get_running_loop(), queue)
        self._queues.setdefault(job_id, []).append(entry)
        try:
            yield queue
        finally:
            self._queues[job_id].remove(entry)
            if not self._queues[job_id]:
                del self._queues[job_id]


# Where each step of a job lies on the 0..1 bar, and the ceiling heartbeats creep towards.
_STAGES = {"submitting": 0.02, "submitted": 0.05, "succeeded": 0.9, "downloading": 0.92}
_FINAL = ("downloaded", "reused")


class Progress:
    """Job events as progress notifications that strictly increase (as the protocol requires).

    Each event either moves the bar to its stage or, when the stage does not advance (another
    poll of a queued job), creeps 5% of the way to the next ceiling: a heartbeat that never
    repeats a value and never reaches 1 before the video is on disk.
    """

    def __init__(self, report: Report) -> None:
        self._report = report
        self.last = 0.0

    async def __call__(self, event: JobEvent) -> None:
        kind, state = event.kind, event.state
        ceiling = 0.9 if kind not in ("succeeded", "downloading", *_FINAL) else 0.99
        if kind in _FINAL:
            target = 1.0
        elif kind == "polled" and state is JobState.RUNNING:
            target = 0.15 + 0.7 * (event.progress or 0.0)
        elif kind == "polled":
            target = 0.1
        else:
            target = _STAGES.get(kind, 0.0)
        value = max(target, self.last + (ceiling - self.last) * 0.05)
        if value <= self.last:
            return
        self.last = value
        label = state.value if kind == "polled" and state is not None else kind
        if kind == "polled" and event.progress is not None:
            label += f" {event.progress:.0%}"
        message = f"{event.provider}/{event.model}: {label}"
        if event.message and kind in ("retry", "submitted", "reused", "following", "failed"):
            message += f" ({event.message})"
        await self._report(value, 1.0, redact.scrub_text(message))


class Service:
    """The server's state: one client, the guardrails, and a follower per running job."""

    def __init__(
        self,
        *,
        output_dir: Path,
        max_cost_per_job: Budget | None = None,
        budget: Budget | None = None,
        allow_unpriced: bool = False,
        providers: tuple[str, ...] = (),
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.env = dict(os.environ if env is None else env)
        self.events = Events()
        names = self._installed(self.env)
        allowed = None
        if providers:
            unknown = [p for p in providers if p.strip().lower() not in names]
            if unknown:
                raise InvalidRequest(
                    "providers", f"{', '.join(unknown)} is not installed", allowed=sorted(names)
                )
            allowed = frozenset(names[p.strip().lower()] for p in providers)
        self._names = names
        output_dir = output_dir.expanduser().resolve()
        output_dir.mkdir(parents=True, exist_ok=True)
        self.guard = Guard(
            output_dir=output_dir,
            max_cost_per_job=max_cost_per_job,
            budget=budget,
            allow_unpriced=allow_unpriced,
            providers=allowed,
        )
        self._client: AsyncClient | None = None
        self._followers: dict[str, asyncio.Task[None]] = {}
        self._errors: dict[str, ReelkitError] = {}  # why a follower stopped, if not in the journal
        self._charged: set[str] = set()  # jobs whose estimate this server counted

    # --- lifecycle ---------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Service]:
        env = dict(self.env)
        if self.guard.providers is not None:
            # Auto-selection then chooses among the allowed providers only, by the core's rules.
            deny = self._plugins_to_disable(env, self.guard.providers)
            if deny:
                env["REELKIT_DISABLE_PLUGINS"] = ",".join(sorted(deny))
        self._client = AsyncClient(env=env, plugins=[self.events])
        self.guard.rates = self._client.settings.exchange_rates()
        try:
            yield self
        finally:
            for task in self._followers.values():
                task.cancel()  # the jobs keep running at the provider; the journal knows them
            await asyncio.gather(*self._followers.values(), return_exceptions=True)
            await self._client.aclose()
            self._client = None

    @property
    def client(self) -> AsyncClient:
        if self._client is None:
            raise RuntimeError("the reelkit service is not running")
        return self._client

    @staticmethod
    def _installed(env: Mapping[str, str]) -> dict[str, str]:
        """Every installed provider's names and aliases -> its canonical name."""
        host = PluginHost(env=env)
        return {n: p.info.name for p in host.all_providers() for n in p.info.names()}

    @staticmethod
    def _plugins_to_disable(env: Mapping[str, str], allowed: frozenset[str]) -> set[str]:
        host = PluginHost(env=env)
        host.load_all()
        deny = {
            r.name for r in host.records.values() if r.providers and not set(r.providers) & allowed
        }
        deny |= {p.strip() for p in env.get("REELKIT_DISABLE_PLUGINS", "").split(",") if p.strip()}
        return deny

    # --- listings ----------------------------------------------------------------------------

    def providers(self) -> results.Providers:
        client = self.client
        rows = []
        for info in client.providers():
            if self.guard.providers is not None and info.name not in self.guard.providers:
                continue
            rows.append(
                results.ProviderOut(
                    name=info.name,
                    title=info.title,
                    aliases=list(info.aliases),
                    available=client.available(info.name),
                    priority=info.priority,
                    default_model=client.settings.default_model(info),
                    credentials=[list(group) for group in info.credential_env],
                    models=[m.id for m in client.capabilities(info.name)],
                    deprecation=info.deprecation,
                )
            )
        return results.Providers(providers=rows)

    def capabilities(self, provider: str, model: str | None) -> results.Capabilities:
        self._check_named(provider)
        name = self.client.host.provider(provider).info.name
        self.guard.check_provider(name)
        models = self.client.capabilities(provider, model)
        return results.Capabilities(provider=name, models=[model_dict(m) for m in models])

    def _check_named(self, provider: str | None) -> None:
        """A provider the caller named is allowed (unknown names are the core's to reject)."""
        if provider:
            canonical = self._names.get(provider.strip().lower())
            if canonical is not None:
                self.guard.check_provider(canonical)

    # --- planning ----------------------------------------------------------------------------

    async def plan(self, arguments: dict[str, Any]) -> results.PlanOut:
        prompt, options = schema.options(arguments)
        options.pop("output", None)
        self._check_named(options.get("provider"))
        options["allow_unpriced"] = self.guard.allow_unpriced
        plan = await anyio.to_thread.run_sync(lambda: self.client.plan(prompt, **options))
        refused = plan.refused
        if refused is None:
            try:
                self.guard.check_provider(plan.provider)
            except Refused as exc:
                refused = str(exc)
        return results.plan_out(plan, refused or self.guard.refusal(plan))

    # --- jobs --------------------------------------------------------------------------------

    async def generate(
        self, arguments: dict[str, Any], *, wait: bool, report: Report
    ) -> results.JobOut:
        prompt, options = schema.options(arguments)
        options["output"] = self.guard.output(options.get("output"))
        self._check_named(options.get("provider"))
        options["allow_unpriced"] = self.guard.allow_unpriced
        timeout = options.get("timeout")
        plan = await anyio.to_thread.run_sync(lambda: self.client.plan(prompt, **options))
        self.guard.check_provider(plan.provider)
        if plan.refused:  # the caller's own max_cost (or REELKIT_MAX_COST)
            raise Refused(plan.refused, label="BudgetExceeded")
        if options.get("max_cost") is None and self.guard.max_cost_per_job is not None:
            options["max_cost"] = self.guard.max_cost_per_job  # the core checks it once more
        try:
            token = self.guard.reserve(plan)
        except Refused:
            # An identical video already made costs nothing: only a new submit is refused.
            reused = await self._reuse_only(prompt, options)
            if reused is None:
                raise
            out = await self.job(reused)
            out.reused = True
            return out
        try:
            job = await self.client.submit(prompt, **options)
        except (SubmitOutcomeUnknown, JournalError) as exc:
            # The provider may have taken it: count it, as `reelkit spend` does.
            self.guard.commit(token, plan)
            job_id = getattr(exc, "job_id", None)
            if job_id:
                self._charged.add(job_id)
            raise
        except BaseException:
            self.guard.release(token)  # refused, invalid or never sent: nothing was bought
            raise
        record = job.record
        shared = record.id in self._charged or bool(record.metadata.get("reused"))
        if shared:
            self.guard.release(token)  # an identical job: joined or reused, not paid again
        else:
            self.guard.commit(token, plan)
            self._charged.add(record.id)
        if not record.state.terminal:
            self._follow(record.id)
        if wait and not record.state.terminal:
            out = await self.wait(record.id, timeout, report)
        else:
            out = await self.job(record.id)
        out.reused = out.reused or shared  # this call bought nothing
        return out

    async def shot_list(
        self,
        *,
        path: str | None,
        shots: list[dict[str, Any]] | None,
        defaults: dict[str, Any] | None,
        name: str,
        report: Report,
    ) -> results.ShotListOut:
        """Plan a whole shot list, hold its estimate against the budget, run it in parallel
        (reelkit.batch: journalled, resumable, never paid twice) and return its manifest."""
        from reelkit import batch
        from reelkit import shots as shot_lists

        if (path is None) == (shots is None):
            raise Refused("give a shot-list `path` or inline `shots`, not both or neither")
        if path is not None:
            parsed = shot_lists.load(Path(path).expanduser())
        else:
            parsed = shot_lists.parse(
                {"defaults": defaults or {}, "shots": shots}, base=self.guard.output_dir
            )
        planned = await anyio.to_thread.run_sync(lambda: self.client.plan_many(parsed))
        total = 0.0
        for item in planned.shots:
            self.guard.check_provider(item.plan.provider)
            if item.reused and not item.steps:
                continue  # already delivered: free
            amount = self.guard.shot_amount(item)
            refused = self.guard.shot_refusal(item.shot.id, amount)
            if refused:
                raise Refused(refused, label="BudgetExceeded")
            total += amount or 0.0
        token = self.guard.hold(total)
        directory = self.guard.output_dir / _folder(name)
        done = 0
        count = len(planned.shots)
        reports: set[asyncio.Task[None]] = set()  # kept until sent: a task nobody holds may vanish

        def update(shot_id: str, state: str, info: Any) -> None:
            nonlocal done
            if state in ("delivered", "failed"):
                done += 1
                task = asyncio.ensure_future(report(done, count, f"{shot_id}: {state}"))
                reports.add(task)
                task.add_done_callback(reports.discard)

        try:
            outcomes = await batch.run_batch(
                self.client,
                planned,
                output_dir=directory,
                on_update=update,
                join=self.client._join,
            )
        finally:
            self.guard.settle(token)  # the estimate counts: the shots may have been bought
        await asyncio.gather(*reports, return_exceptions=True)
        shots_out = []
        for outcome in outcomes:
            data = outcome.to_dict()
            data["uri"] = Path(outcome.path).resolve().as_uri() if outcome.path else None
            shots_out.append(results.ShotOut(**data))
        delivered = sum(1 for o in outcomes if o.delivered)
        return results.ShotListOut(
            shots=shots_out,
            delivered=delivered,
            failed=count - delivered,
            estimated=planned.estimated,
            currency=planned.currency,
            output_dir=str(directory),
        )

    async def _reuse_only(self, prompt: str, options: dict[str, Any]) -> str | None:
        """The id of an identical downloaded job, served under a zero budget; else None."""
        free = {**options, "max_cost": Budget(0.0, self.guard.currency), "allow_unpriced": False}
        try:
            job = await self.client.submit(prompt, **free)
        except ReelkitError:
            return None
        return job.id if job.record.metadata.get("reused") else None

    def _follow(self, job_id: str) -> asyncio.Task[None]:
        task = self._followers.get(job_id)
        if task is None or task.done():
            self._errors.pop(job_id, None)
            task = asyncio.create_task(self._finish(job_id), name=f"reelkit-follow-{job_id}")
            self._followers[job_id] = task
        return task

    async def _finish(self, job_id: str) -> None:
        try:
            job = await self.client.resume(job_id)
            await job.wait()
        except ReelkitError as exc:  # the journal has the job's state; keep why we stopped
            self._errors[job_id] = exc
            log.info("job %s: %s", job_id, exc)

    async def wait(self, job_id: str, timeout: float | None, report: Report) -> results.JobOut:
        """Join the job's follower (starting one if needed) for up to ``timeout`` seconds,
        relaying its events as progress; then the job as it stands."""
        record = await anyio.to_thread.run_sync(lambda: self.client.journal.get(job_id))
        if record.state.terminal:
            return await self.job(job_id)
        progress = Progress(report)
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        with self.events.listen(job_id) as queue:
            follower = self._follow(job_id)
            while not follower.done():
                left = None if deadline is None else deadline - loop.time()
                if left is not None and left <= 0:
                    break
                getting = asyncio.ensure_future(queue.get())
                try:
                    await asyncio.wait(
                        {getting, follower}, timeout=left, return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    if not getting.done():
                        getting.cancel()
                if getting.done() and not getting.cancelled():
                    await progress(getting.result())
            while not queue.empty():  # the last steps (downloaded) arrive with the follower's end
                await progress(queue.get_nowait())
        job = await self.job(job_id)
        if job.status == "downloaded" and progress.last < 1.0:
            await report(1.0, 1.0, f"{job.provider}/{job.model}: downloaded")
        return job

    async def job(self, job_id: str) -> results.JobOut:
        def read() -> results.JobOut:
            record = self.client.journal.get(job_id)
            out = results.job_out(self.client.result(job_id), record)
            error = self._errors.get(job_id)
            if error is not None and out.error is None and not out.done:
                out.error = results.ErrorOut(error=type(error).__name__, message=str(error))
            return out

        return await anyio.to_thread.run_sync(read)

    async def jobs(self, limit: int, states: tuple[JobState, ...]) -> results.Jobs:
        def read() -> results.Jobs:
            records = self.client.records(limit, states)
            return results.Jobs(
                jobs=[results.job_out(self.client.result(r.id), r) for r in records]
            )

        return await anyio.to_thread.run_sync(read)

    async def cancel(self, job_id: str) -> results.JobOut:
        job = self.client.job(job_id)
        await job.cancel()
        if job.record.state.terminal:
            follower = self._followers.get(job_id)
            if follower is not None and not follower.done():
                follower.cancel()
        return await self.job(job_id)

    async def budget(self) -> results.Budget:
        guard = self.guard
        spend = await anyio.to_thread.run_sync(lambda: self.client.spend(currency=guard.currency))
        return results.Budget(
            currency=guard.currency,
            max_cost_per_job=guard.max_cost_per_job.amount if guard.max_cost_per_job else None,
            budget=guard.budget.amount if guard.budget else None,
            committed=round(guard.committed, 6),
            remaining=None if guard.remaining is None else round(guard.remaining, 6),
            allow_unpriced=guard.allow_unpriced,
            unpriced_jobs=guard.unpriced,
            journal=spend,
        )


def _folder(name: str) -> str:
    """A shot list's folder under the output directory: its name, made safe."""
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in name).strip(".-")
    return safe or "shots"
