"""The task store: what a submit creates and what each poll advances.

A task walks ``queued -> running -> succeeded`` (or ``failed``) one step per *poll*: the submit
answer shows it queued; the first ``queued_polls`` polls still show it queued, later polls show it
running with progress, and the ``polls_to_complete``-th poll shows it terminal. Reading a task
without polling (``store.get``) never advances it. Fakes map :class:`Phase` to their own status
vocabulary.
"""

from __future__ import annotations

import enum
import itertools
import secrets
import threading
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from .clock import Clock
from .stats import ProviderStats


class Phase(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    #: Never finished within the service's deadline (:meth:`TaskStore.expire`).
    EXPIRED = "expired"

    @property
    def terminal(self) -> bool:
        return self in (Phase.SUCCEEDED, Phase.FAILED, Phase.CANCELLED, Phase.EXPIRED)


class Outcome(str, enum.Enum):
    """How a task ends once its polls are done."""

    SUCCEEDED = "succeeded"
    MODERATION = "moderation"  # the provider's content-moderation failure
    FAILED = "failed"  # a generic generation failure
    EXPIRED = "expired"  # succeeded, but the result has already expired


@attrs.frozen
class VideoSpec:
    """What the served MP4 must be: the requested duration and frame size."""

    duration: float
    width: int
    height: int

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"

    @classmethod
    def parse(cls, duration: float, size: str) -> VideoSpec:
        width, height = (int(v) for v in size.lower().split("x"))
        return cls(duration=float(duration), width=width, height=height)


@attrs.define(kw_only=True)
class Task:
    """One emulated generation job. ``params`` keeps the validated request; ``extra`` is free
    scratch space for a fake (e.g. ``remixed_from``)."""

    id: str
    model: str
    prompt: str
    video: VideoSpec
    created_at: float
    outcome: Outcome = Outcome.SUCCEEDED
    params: dict[str, Any] = attrs.field(factory=dict)
    extra: dict[str, Any] = attrs.field(factory=dict)
    polls: int = 0
    phase: Phase = Phase.QUEUED
    progress: int = 0
    updated_at: float = 0.0
    finished_at: float | None = None
    #: When the result stops being available (set when the task succeeds, for fakes whose
    #: results expire); ``ttl`` is this task's own lifetime, else the store's.
    expires_at: float | None = None
    ttl: float | None = None
    seq: int = 0  # creation order, for listings

    @property
    def succeeded(self) -> bool:
        return self.phase is Phase.SUCCEEDED


_seq = itertools.count(1)


def random_id(prefix: str = "", n: int = 24) -> str:
    """``prefix`` + ``n`` lowercase hex characters."""
    return prefix + secrets.token_hex((n + 1) // 2)[:n]


class TaskStore:
    """One provider's tasks. Thread-safe; counts ``submits`` and ``polls`` as it goes."""

    def __init__(
        self,
        stats: ProviderStats,
        clock: Clock,
        *,
        polls_to_complete: int,
        queued_polls: int,
        result_ttl: float | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._tasks: dict[str, Task] = {}
        self._stats = stats
        self._clock = clock
        self.polls_to_complete = polls_to_complete
        self.queued_polls = queued_polls
        self.result_ttl = result_ttl

    def reset(self) -> None:
        with self._lock:
            self._tasks.clear()

    def create(
        self,
        *,
        model: str,
        prompt: str,
        video: VideoSpec,
        params: dict[str, Any] | None = None,
        outcome: Outcome = Outcome.SUCCEEDED,
        id: str | None = None,
        id_factory: Callable[[], str] | None = None,
        extra: dict[str, Any] | None = None,
        ttl: float | None = None,
    ) -> Task:
        """Create a task (counted in ``submits``). Call it only once the request is valid."""
        now = self._clock.now()
        task_id = id or (id_factory() if id_factory else random_id("task_", 32))
        task = Task(
            id=task_id,
            model=model,
            prompt=prompt,
            video=video,
            created_at=now,
            updated_at=now,
            outcome=outcome,
            params=dict(params or {}),
            extra=dict(extra or {}),
            ttl=ttl,
            seq=next(_seq),
        )
        with self._lock:
            self._tasks[task_id] = task
        self._stats.incr("submits")
        if self.polls_to_complete == 0:
            self._finish(task, now)
        return task

    def get(self, task_id: str) -> Task | None:
        """Look a task up without advancing it (not counted)."""
        with self._lock:
            return self._tasks.get(task_id)

    def poll(self, task_id: str) -> Task | None:
        """Advance the task by one poll and count it in ``polls``; None if unknown (not counted)."""
        with self._lock:
            task = self._tasks.get(task_id)
            if task is None:
                return None
            if not task.phase.terminal:
                task.polls += 1
                now = self._clock.now()
                task.updated_at = now
                if task.polls >= self.polls_to_complete:
                    self._finish(task, now)
                elif task.polls <= self.queued_polls:
                    task.phase, task.progress = Phase.QUEUED, 0
                else:
                    task.phase = Phase.RUNNING
                    task.progress = max(
                        1, min(99, round(100 * task.polls / self.polls_to_complete))
                    )
        self._stats.incr("polls")
        return task

    def complete(self, task_id: str) -> Task | None:
        """Finish a task now, as its last poll would (a fake calling back on its own clock)."""
        with self._lock:
            task = self._tasks.get(task_id)
            if task is not None and not task.phase.terminal:
                self._finish(task, self._clock.now())
            return task

    def cancel(self, task_id: str) -> Task | None:
        with self._lock:
            task = self._tasks.get(task_id)
            if task is not None and not task.phase.terminal:
                task.phase = Phase.CANCELLED
                task.finished_at = task.updated_at = self._clock.now()
            return task

    def expire(self, task_id: str) -> Task | None:
        """End an unfinished task as :attr:`Phase.EXPIRED` (it missed the service's deadline)."""
        with self._lock:
            task = self._tasks.get(task_id)
            if task is not None and not task.phase.terminal:
                task.phase = Phase.EXPIRED
                task.finished_at = task.updated_at = self._clock.now()
            return task

    def delete(self, task_id: str) -> Task | None:
        with self._lock:
            return self._tasks.pop(task_id, None)

    def __iter__(self) -> Iterator[Task]:
        """Tasks newest first."""
        with self._lock:
            tasks = sorted(self._tasks.values(), key=lambda t: t.seq, reverse=True)
        return iter(tasks)

    def __len__(self) -> int:
        with self._lock:
            return len(self._tasks)

    def _finish(self, task: Task, now: float) -> None:
        ok = task.outcome in (Outcome.SUCCEEDED, Outcome.EXPIRED)
        task.phase = Phase.SUCCEEDED if ok else Phase.FAILED
        task.progress = 100
        task.finished_at = task.updated_at = now
        ttl = self.result_ttl if task.ttl is None else task.ttl
        if ok and ttl is not None:
            task.expires_at = now + ttl
