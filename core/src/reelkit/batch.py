"""Many videos at once: plan every shot first, then run them in parallel under a budget.

``plan_batch`` decides everything without a network call: each shot's plan, the extension
steps an ``extend_to`` needs (within the model's documented limits), the cost of each shot and
of the whole, and which shots an identical finished job already covers (free on a rerun). A
budget refuses the whole batch before anything is sent.

``run_batch`` then runs the shots through one ``AsyncClient`` — the same engine as a single
``generate``, so every job is journalled, deduplicated and never paid twice — with a cap of jobs
in flight per provider (its documented limit, or config ``max_concurrency``), halved when the
provider answers 429. A shot that continues another starts when its source is delivered. One
failed shot does not stop the others. ``Client.generate_many`` and ``AsyncClient.generate_many``
are thin wrappers.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from . import budget as budgets
from .capabilities import Mode
from .engine.selection import PLANNED_SOURCES
from .errors import BudgetExceeded, InvalidRequest, RateLimited, ReelkitError
from .models import Adjustment, Plan, Result, SourceJob
from .pricing import money
from .shots import Shot, check_dependencies

if TYPE_CHECKING:
    from .client import AsyncClient

#: The shot a task is running, for job events (``reelkit_job_event``) raised inside it.
CURRENT_SHOT: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "reelkit_current_shot", default=None
)
#: A chain of extensions never runs longer than this when the model documents no limit.
MAX_STEPS_UNDOCUMENTED = 20
RATE_LIMIT_TRIES = 5  # submits a shot tries against 429s (none was accepted: nothing paid)

Update = Callable[[str, str, Mapping[str, Any]], None]


@attrs.frozen(kw_only=True)
class ShotPlan:
    """What a shot will do and cost, decided before anything is sent."""

    shot: Shot
    plan: Plan  # the first job (or, for a shot that continues another, its first extension)
    steps: int = 0  # extensions chained after the first job (``extend_to``)
    step_plan: Plan | None = None  # one extension step, as planned
    length: float | None = None  # the expected final length, seconds
    estimated: float | None = None  # the whole shot, in ``currency``; None: unknown
    currency: str | None = None
    adjustments: tuple[Adjustment, ...] = ()
    reused: bool = False  # an identical finished job covers the first job: free

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.shot.id,
            "provider": self.plan.provider,
            "model": self.plan.model,
            "mode": self.plan.mode.value,
            "steps": self.steps,
            "length": self.length,
            "cost": {"estimated": self.estimated, "currency": self.currency},
            "reused": self.reused,
            "adjustments": [a.to_dict() for a in self.adjustments],
            "continue_from": self.shot.continue_from,
        }


@attrs.frozen(kw_only=True)
class BatchPlan:
    shots: tuple[ShotPlan, ...]
    estimated: float | None  # the batch, in ``currency``; None if any shot is unpriced
    currency: str
    unpriced: tuple[str, ...] = ()  # shot ids whose price is unknown
    unconverted: tuple[str, ...] = ()  # shot ids priced in a currency with no configured rate
    refused: str | None = None  # why the budget forbids running it

    def to_dict(self) -> dict[str, Any]:
        return {
            "shots": [s.to_dict() for s in self.shots],
            "estimated": self.estimated,
            "currency": self.currency,
            "unpriced": list(self.unpriced),
            "unconverted": list(self.unconverted),
            "refused": self.refused,
        }


@attrs.frozen(kw_only=True)
class ShotOutcome:
    """How a shot ended: its final result (the whole length) or the error that stopped it."""

    shot: Shot
    result: Result | None = None
    error: ReelkitError | None = None
    steps: tuple[Result, ...] = ()  # every job of the shot, first to last
    path: str | None = None

    @property
    def delivered(self) -> bool:
        return self.result is not None and self.path is not None

    def cost(self) -> dict[str, Any]:
        estimated: float | None = 0.0
        billed = 0.0
        currency = None
        for step in self.steps:
            if step.reused:
                continue
            cost = step.cost or {}
            currency = currency or cost.get("currency")
            value = cost.get("estimated")
            estimated = None if value is None or estimated is None else estimated + value
            if step.billed and isinstance(step.billed.get("amount"), (int, float)):
                billed += float(step.billed["amount"])
        return {"estimated": estimated, "billed": billed, "currency": currency}

    def to_dict(self) -> dict[str, Any]:
        result = self.result
        return {
            "id": self.shot.id,
            "state": "delivered" if self.delivered else "failed" if self.error else "pending",
            "job_id": result.job_id if result else None,
            "jobs": [s.job_id for s in self.steps],
            "provider": result.provider if result else None,
            "model": result.model if result else None,
            "path": self.path,
            "duration": result.duration if result else None,
            "size": result.size if result else None,
            "fps": result.fps if result else None,
            "reused": all(s.reused for s in self.steps) if self.steps else False,
            "cost": self.cost(),
            # Each job of the shot (the first, then each extension) with what it cost.
            "steps": [
                {
                    "job_id": s.job_id,
                    "mode": s.mode,
                    "duration": s.duration,
                    "reused": s.reused,
                    "cost": dict(s.cost) if s.cost else None,
                    "billed": dict(s.billed) if s.billed else None,
                }
                for s in self.steps
            ],
            "error": self.error.to_dict() if self.error else None,
        }


# --- planning --------------------------------------------------------------------------------


def as_shots(requests: Sequence[Shot | Mapping[str, Any]]) -> tuple[Shot, ...]:
    """``generate_many``'s requests: ``Shot``s, or mappings of ``prompt`` and options (with
    optional ``id``, ``continue_from`` (a shot id or job id), ``extend_to``, ``output``)."""
    shots: list[Shot] = []
    for index, item in enumerate(requests):
        if isinstance(item, Shot):
            shots.append(item)
            continue
        if not isinstance(item, Mapping) or not isinstance(item.get("prompt"), str):
            raise InvalidRequest(f"requests[{index}]", "must be a Shot or a mapping with a prompt")
        options = dict(item)
        shot_id = str(options.pop("id", index))
        extend_to = options.pop("extend_to", None)
        shots.append(
            Shot(
                id=shot_id,
                prompt=options.pop("prompt"),
                continue_from=options.pop("continue_from", None),
                extend_to=None if extend_to is None else float(extend_to),
                output=_path_or_none(options.pop("output", None)),
                options=options,
            )
        )
    ids = [s.id for s in shots]
    if len(set(ids)) != len(ids):
        raise InvalidRequest("requests", "two requests share an id; ids must be unique")
    return tuple(shots)


def _path_or_none(value: Any) -> str | None:
    return None if value is None else os.fspath(value)


def plan_batch(
    client: Any,
    shots: Sequence[Shot],
    *,
    budget: Any = None,
    allow_unpriced: bool = False,
) -> BatchPlan:
    """Blocking, no network: plan every shot (sources before the shots that continue them)."""
    ids = {s.id for s in shots}
    internal = [s for s in shots if s.continue_from in ids]
    check_dependencies(internal + [s for s in shots if s not in internal])
    settings = client.settings
    limit = settings.budget(budget)
    rates = settings.exchange_rates()
    currency = limit.currency if limit else "USD"
    planned: dict[str, ShotPlan] = {}
    delivered: dict[str, str | None] = {}  # shot id -> the job id that already delivers it
    stand_ins: dict[str, SourceJob] = {}
    token = PLANNED_SOURCES.set(stand_ins)
    try:
        for shot in _ordered(shots):
            planned[shot.id] = _plan_shot(client, shot, planned, delivered, ids)
            stand_ins[f"shot:{shot.id}"] = _stand_in(planned[shot.id])
    finally:
        PLANNED_SOURCES.reset(token)
    plans = tuple(planned[s.id] for s in shots)
    total: float | None = 0.0
    unpriced, unconverted = [], []
    for item in plans:
        if item.reused and item.steps == 0:
            continue  # already delivered: a rerun costs nothing
        if item.estimated is None:
            unpriced.append(item.shot.id)
            total = None
            continue
        value = (
            item.estimated
            if item.currency in (None, currency) or item.estimated == 0
            else (item.estimated * rates[item.currency] if item.currency in rates else None)
        )
        if value is None:
            unconverted.append(item.shot.id)
            total = None
            continue
        if total is not None:
            total += value
    refused = None
    if limit is not None:
        refused = _refusal(total, limit, unpriced, unconverted, allow_unpriced, plans, currency)
    return BatchPlan(
        shots=plans,
        estimated=None if total is None else round(total, 6),
        currency=currency,
        unpriced=tuple(unpriced),
        unconverted=tuple(unconverted),
        refused=refused,
    )


def _refusal(
    total: float | None,
    limit: budgets.Budget,
    unpriced: list[str],
    unconverted: list[str],
    allow_unpriced: bool,
    plans: Sequence[ShotPlan],
    currency: str,
) -> str | None:
    if unpriced and not allow_unpriced:
        return (
            f"the batch's price is unknown (shots {', '.join(unpriced)}) and a budget of "
            f"{limit.describe()} is set; nothing was sent (--allow-unpriced to run them anyway)"
        )
    if unconverted and not allow_unpriced:
        return (
            f"shots {', '.join(unconverted)} are priced in another currency than the budget's "
            f"({currency}) and no exchange rate is configured ([exchange_rates]); nothing was sent"
        )
    known = sum(
        p.estimated or 0
        for p in plans
        if p.shot.id not in unpriced and p.shot.id not in unconverted and not p.reused
    )
    amount = total if total is not None else known
    if amount > limit.amount + 1e-9:
        return (
            f"the batch is estimated at {money(amount, currency)}, over the budget of "
            f"{limit.describe()}; nothing was sent"
        )
    return None


def _stand_in(item: ShotPlan) -> SourceJob:
    """What planning a shot that continues ``item`` assumes of its result (never sent)."""
    request = item.plan.request
    return SourceJob(
        task_id=f"shot:{item.shot.id}",
        job_id=f"shot:{item.shot.id}",
        provider=item.plan.provider,
        model=item.plan.model,
        video_url=f"https://planned.invalid/{item.shot.id}.mp4",
        duration=item.length,
        aspect_ratio=request.aspect_ratio,
        resolution=request.resolution,
    )


def _ordered(shots: Sequence[Shot]) -> list[Shot]:
    """Sources before the shots that continue them (the list's own order otherwise)."""
    by_id = {s.id: s for s in shots}
    done: set[str] = set()
    out: list[Shot] = []

    def visit(shot: Shot) -> None:
        if shot.id in done:
            return
        if shot.continue_from in by_id:
            visit(by_id[shot.continue_from])
        done.add(shot.id)
        out.append(shot)

    for shot in shots:
        visit(shot)
    return out


def _plan_shot(
    client: Any,
    shot: Shot,
    planned: Mapping[str, ShotPlan],
    delivered: dict[str, str | None],
    ids: set[str],
) -> ShotPlan:
    engine = client._engine
    options = dict(shot.options)
    source_plan = planned.get(shot.continue_from) if shot.continue_from in ids else None
    start_length: float | None = None
    if shot.continue_from is not None:
        if source_plan is not None:
            # A shot extends its source on the source's model, unless it names another.
            if "provider" not in options:
                options["provider"] = source_plan.plan.provider
                options.setdefault("model", source_plan.plan.model)
            known = delivered.get(source_plan.shot.id)
            options["continue_from"] = known or f"shot:{source_plan.shot.id}"
            start_length = source_plan.length
        else:
            options["continue_from"] = shot.continue_from  # a job id of an earlier run
    try:
        plan = client.plan(shot.prompt, **options)
    except InvalidRequest as exc:
        raise _named(shot, exc) from None
    existing = engine.delivered(plan)
    reused = existing is not None
    first_length = plan.request.duration
    if plan.mode is Mode.EXTEND:
        spec = _extend_spec(client, plan)
        added = spec.extension_adds_s if spec and spec.extension_adds_s else plan.request.duration
        first_length = (start_length or 0) + (added or 0) if start_length is not None else None
    steps, step_plan, length, adjustments = 0, None, first_length, list(plan.adjustments)
    if shot.extend_to is not None:
        steps, step_plan, length, more = _chain(client, shot, plan, first_length)
        adjustments += more
    estimated, currency = _shot_cost(plan, step_plan, steps)
    delivered[shot.id] = existing.id if existing is not None and steps == 0 else None
    return ShotPlan(
        shot=shot,
        plan=plan,
        steps=steps,
        step_plan=step_plan,
        length=length,
        estimated=estimated,
        currency=currency,
        adjustments=tuple(adjustments),
        reused=reused,
    )


def _named(shot: Shot, exc: InvalidRequest) -> InvalidRequest:
    """The same error, its field named within the shot (``shots.<id>.<field>``)."""
    return InvalidRequest(f"shots.{shot.id}.{exc.field}", exc.reason, allowed=exc.allowed)


def _extend_spec(client: Any, plan: Plan) -> Any:
    model = client.model(plan.provider, plan.model)
    return model.mode(Mode.EXTEND)


def _chain(
    client: Any, shot: Shot, plan: Plan, first_length: float | None
) -> tuple[int, Plan | None, float | None, list[Adjustment]]:
    """How many extensions reach ``extend_to``, within the model's limits, and one step's plan."""
    target = float(shot.extend_to or 0)
    model = client.model(plan.provider, plan.model)
    spec = model.mode(Mode.EXTEND)
    if spec is None:
        raise InvalidRequest(
            f"shots.{shot.id}.extend_to",
            f"{plan.provider}/{plan.model} cannot extend a video",
            allowed="a model with an extend mode (see `reelkit capabilities`)",
        )
    adjustments: list[Adjustment] = []
    start = first_length or 0.0
    if target <= start:
        return 0, None, start, adjustments
    step_options = {
        k: v
        for k, v in shot.options.items()
        if k not in ("first_frame", "last_frame", "reference_images", "video")
    }
    step_options.update(provider=plan.provider, model=plan.model, continue_from=f"shot:{shot.id}")
    if spec.extension_adds_s is None:
        # The duration asked is the length added: ask for what is left, capped by the variant.
        step_options["duration"] = target - start
    me = ShotPlan(shot=shot, plan=plan, length=start)
    token = PLANNED_SOURCES.set({**(PLANNED_SOURCES.get() or {}), f"shot:{shot.id}": _stand_in(me)})
    try:
        step = client.plan(shot.prompt, **step_options)
    except InvalidRequest as exc:
        raise _named(shot, exc) from None
    finally:
        PLANNED_SOURCES.reset(token)
    added = spec.extension_adds_s or float(step.request.duration or 0)
    if added <= 0:
        raise InvalidRequest(
            f"shots.{shot.id}.extend_to", "an extension of this model adds nothing"
        )
    ceiling = min(
        (x for x in (spec.max_total_s, (spec.max_source_s or math.inf) + added) if x),
        default=math.inf,
    )
    reached = min(target, ceiling)
    steps = math.ceil((reached - start) / added - 1e-9)
    if spec.max_extensions is not None and steps > spec.max_extensions:
        steps = spec.max_extensions
    steps = min(steps, MAX_STEPS_UNDOCUMENTED) if spec.max_extensions is None else steps
    length = start + steps * added
    if ceiling is not math.inf and length > ceiling:
        length = ceiling
    if length + 1e-9 < target:
        limits = [
            f"{spec.max_extensions} extensions" if spec.max_extensions else "",
            f"{_num(spec.max_total_s)} s in all" if spec.max_total_s else "",
            f"sources up to {_num(spec.max_source_s)} s" if spec.max_source_s else "",
        ]
        why = (
            ", ".join(x for x in limits if x)
            or f"{MAX_STEPS_UNDOCUMENTED} extensions (reelkit's cap)"
        )
        adjustments.append(
            Adjustment(
                field="extend_to",
                requested=target,
                applied=round(length, 3),
                reason=f"{plan.provider}/{plan.model} extends by {_num(added)} s a step, at most {why}",
            )
        )
    return steps, step, length, adjustments


def _shot_cost(plan: Plan, step: Plan | None, steps: int) -> tuple[float | None, str | None]:
    first = plan.cost
    if first is None or first.estimated is None:
        return None, first.currency if first else None
    total = first.estimated
    if steps:
        if step is None or step.cost is None or step.cost.estimated is None:
            return None, first.currency
        if step.cost.currency != first.currency and step.cost.estimated:
            return None, first.currency
        total += steps * step.cost.estimated
    return round(total, 6), first.currency


def _num(x: float | None) -> str:
    if x is None:
        return "?"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


# --- running ---------------------------------------------------------------------------------


class Limiter:
    """Jobs in flight for one provider: at most ``capacity``, halved by a 429, then regained one
    success at a time (additive increase, multiplicative decrease)."""

    def __init__(self, capacity: int) -> None:
        self.ceiling = max(1, capacity)
        self.capacity = self.ceiling
        self.busy = 0
        self.paused_until = 0.0
        self._cond = asyncio.Condition()

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            async with self._cond:
                wait = self.paused_until - loop.time()
                if wait <= 0:
                    if self.busy < self.capacity:
                        self.busy += 1
                        return
                    await self._cond.wait()
                    continue
            await asyncio.sleep(wait)  # paused after a 429: the lock is free meanwhile

    async def release(self, *, ok: bool) -> None:
        async with self._cond:
            self.busy -= 1
            if ok and self.capacity < self.ceiling:
                self.capacity += 1
            self._cond.notify_all()

    async def slow_down(self, retry_after: float | None) -> None:
        loop = asyncio.get_running_loop()
        async with self._cond:
            self.capacity = max(1, self.capacity // 2)
            pause = retry_after if retry_after is not None else 2.0
            self.paused_until = max(self.paused_until, loop.time() + min(pause, 60.0))
            self._cond.notify_all()


async def run_batch(
    client: AsyncClient,
    batch: BatchPlan,
    *,
    output_dir: str | os.PathLike[str] | None = None,
    concurrency: int | None = None,
    on_update: Update | None = None,
    join: Callable[[Sequence[str], str], Awaitable[str]] | None = None,
) -> list[ShotOutcome]:
    """Run a planned batch; outcomes in the batch's order. Never raises for one shot."""
    if batch.refused:
        raise BudgetExceeded(batch.refused)
    directory = Path(output_dir) if output_dir is not None else None
    limiters: dict[str, Limiter] = {}
    overall = asyncio.Semaphore(concurrency) if concurrency else None
    finished: dict[str, asyncio.Future[ShotOutcome]] = {}
    loop = asyncio.get_running_loop()
    for item in batch.shots:
        finished[item.shot.id] = loop.create_future()

    def update(shot: Shot, state: str, **info: Any) -> None:
        if on_update is not None:
            on_update(shot.id, state, info)

    def limiter_for(provider: str) -> Limiter:
        if provider not in limiters:
            info = client.host.provider(provider).info
            cap = client.settings.max_concurrency(info)
            limiters[provider] = Limiter(min(cap, concurrency) if concurrency else cap)
        return limiters[provider]

    async def one_job(shot: Shot, plan: Plan, prompt: str, options: dict[str, Any]) -> Result:
        limiter = limiter_for(plan.provider)
        for attempt in range(RATE_LIMIT_TRIES):
            await limiter.acquire()
            ok = False
            try:
                if overall is not None:
                    async with overall:
                        result = await client.generate(prompt, **options)
                else:
                    result = await client.generate(prompt, **options)
                ok = True
                return result
            except RateLimited as exc:
                # A 429 at submit means nothing was accepted: wait, with fewer jobs in flight.
                await limiter.slow_down(exc.retry_after)
                update(shot, "throttled", message=str(exc))
                if attempt == RATE_LIMIT_TRIES - 1:
                    raise
            finally:
                await limiter.release(ok=ok)
        raise AssertionError("unreachable")  # pragma: no cover

    async def run(item: ShotPlan) -> ShotOutcome:
        shot = item.shot
        CURRENT_SHOT.set(shot.id)
        results: list[Result] = []
        try:
            options = dict(shot.options)
            options.update(provider=item.plan.provider, model=item.plan.model)
            if shot.continue_from in finished:
                update(shot, "waiting", message=f"for {shot.continue_from}")
                source = await finished[shot.continue_from]
                if source.result is None:
                    raise InvalidRequest(
                        f"shots.{shot.id}.continue_from",
                        f"its source {shot.continue_from!r} was not delivered",
                    )
                options["continue_from"] = source.result.job_id
            elif shot.continue_from is not None:
                options["continue_from"] = shot.continue_from
            final = _target(directory, shot)
            options["output"] = final if item.steps == 0 else _step_path(final, 0)
            update(shot, "running", provider=item.plan.provider, model=item.plan.model)
            result = await one_job(shot, item.plan, shot.prompt, options)
            results.append(result)
            update(shot, "step", step=0, of=item.steps, job_id=result.job_id)
            segments = [result.path] if result.path else []
            combined = result
            for k in range(1, item.steps + 1):
                step_options = {
                    key: v
                    for key, v in shot.options.items()
                    if key not in ("first_frame", "last_frame", "reference_images", "video")
                }
                duration = item.step_plan.request.duration if item.step_plan else None
                step_options.update(
                    provider=item.plan.provider,
                    model=item.plan.model,
                    continue_from=combined.job_id,
                    output=_step_path(final, k),
                )
                if duration is not None:
                    step_options["duration"] = duration
                step = await one_job(shot, item.plan, shot.prompt, step_options)
                results.append(step)
                update(shot, "step", step=k, of=item.steps, job_id=step.job_id)
                previous = combined.duration or 0
                if step.path:
                    if step.duration is not None and step.duration >= previous + 0.5:
                        segments = [step.path]  # the provider returns the whole video
                    else:
                        segments.append(step.path)  # the provider returns the new part only
                combined = step
            path = combined.path
            if item.steps:
                path = await _finish_chain(segments, final, join)
                if path is not None and path != combined.path:
                    combined = await _as_delivered(combined, path)
            outcome = ShotOutcome(shot=shot, result=combined, steps=tuple(results), path=path)
            update(shot, "delivered", path=path, cost=outcome.cost())
        except ReelkitError as exc:
            outcome = ShotOutcome(shot=shot, error=exc, steps=tuple(results))
            update(shot, "failed", message=str(exc))
        except Exception as exc:  # a bug must not take the other shots down with it
            from .client import _unexpected

            error = _unexpected(exc)
            outcome = ShotOutcome(shot=shot, error=error, steps=tuple(results))
            update(shot, "failed", message=str(error))
        finished[shot.id].set_result(outcome)
        return outcome

    for item in batch.shots:
        update(item.shot, "planned", provider=item.plan.provider, cost=item.estimated)
    outcomes = await asyncio.gather(*(run(item) for item in batch.shots))
    return list(outcomes)


async def _as_delivered(result: Result, path: str) -> Result:
    """The last step's result, for the shot's whole file: its path and what the file holds."""
    from .probe import probe

    found = await asyncio.to_thread(probe, path)
    if found is None:
        return attrs.evolve(result, path=path)
    return attrs.evolve(
        result,
        path=path,
        duration=found.duration if found.duration is not None else result.duration,
    )


def _target(directory: Path | None, shot: Shot) -> str | None:
    if shot.output:
        return shot.output
    if directory is None:
        return None
    return str(directory / f"{shot.id}.mp4")


def _step_path(final: str | None, k: int) -> str | None:
    if final is None:
        return None
    path = Path(final)
    return str(path.parent / ".steps" / f"{path.stem}-{k}{path.suffix or '.mp4'}")


async def _finish_chain(
    segments: Sequence[str],
    final: str | None,
    join: Callable[[Sequence[str], str], Awaitable[str]] | None,
) -> str | None:
    """One file of the whole length: the last step's (when it holds the whole video) copied to
    the shot's name, or the segments joined."""
    if not segments:
        return None
    if final is None:
        final = (
            segments[-1] if len(segments) == 1 else str(Path(segments[0]).with_name("joined.mp4"))
        )
    if len(segments) == 1:
        if segments[0] != final:
            from .engine import files

            await asyncio.to_thread(files.atomic_copy, Path(segments[0]), Path(final))
        return final
    if join is None:
        raise InvalidRequest(
            "extend_to",
            "the provider returned the extensions as separate clips and no joiner is installed",
            allowed='pip install "reelkit[local]" (its concat joins clips)',
        )
    return await join(segments, final)
