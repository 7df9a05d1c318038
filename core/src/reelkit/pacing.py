"""Resume waiting jobs a few per event-loop iteration.

An event loop runs, in one iteration, every callback that became ready before it started. A
thousand jobs started by one ``asyncio.gather``, or whose poll timers come due together (they
were submitted in the same second and sleep the same interval), would each run their next step —
plan and sign a request, check a status, write the journal — in that one iteration: tens of
milliseconds in which no other callback of the host's loop runs. Jobs resumed through a
``Pacer`` take turns instead: a slice per iteration, the rest in the next ones, so other work
(the host's, the sockets') gets the loop between slices. A turn comes an iteration or a few
later, nothing next to a poll interval.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import deque

#: Jobs starting per loop iteration: a start plans, clamps and signs its request (about 0.3 ms
#: of CPU each on a 2-core VM), so eight keep an iteration within a few milliseconds.
STARTS = 8
#: Jobs woken from a sleep per loop iteration: a wake-up builds one poll request (tens of µs).
WAKES = 32


class Pacer:
    """Wakes the futures handed to it, a slice per iteration of its loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._starts: deque[asyncio.Future[None]] = deque()
        self._wakes: deque[asyncio.Future[None]] = deque()
        self._scheduled = False
        # Timers run ``_due`` in this empty context: without it each ``call_later`` copies the
        # caller's context, one more object per sleeping job for every full collection to walk.
        self._context = contextvars.Context()

    def start(self) -> asyncio.Future[None]:
        """A future done at a starting job's turn."""
        future = self._loop.create_future()
        self._starts.append(future)
        self._schedule()
        return future

    def sleep(self, seconds: float) -> tuple[asyncio.Future[None], asyncio.TimerHandle]:
        """A future done at the first turn after ``seconds``, and the timer to cancel with it."""
        future = self._loop.create_future()
        timer = self._loop.call_later(max(0.0, seconds), self._due, future, context=self._context)
        return future, timer

    def _due(self, future: asyncio.Future[None]) -> None:
        self._wakes.append(future)
        self._schedule()

    def _schedule(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._release, context=self._context)

    def _release(self) -> None:
        for due, count in ((self._wakes, WAKES), (self._starts, STARTS)):
            for _ in range(min(count, len(due))):
                future = due.popleft()
                if not future.done():  # a cancelled job's future is done already
                    future.set_result(None)
        if self._wakes or self._starts:
            self._loop.call_soon(self._release, context=self._context)
        else:
            self._scheduled = False
