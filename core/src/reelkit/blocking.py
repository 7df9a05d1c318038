"""Worker threads for the async driver's blocking work (the journal, files, probing).

``loop.run_in_executor`` pays for two futures, a wake-up of a worker and a wake-up of the event
loop per call, and every hand-off contends for the GIL; at a thousand jobs in flight that was a
third of the client's CPU. Here work travels in batches both ways: what the loop asks for in one
iteration goes to the worker as one item, and one wake-up of the loop delivers every result
finished since the last. One thread: SQLite writes serialise anyway, and more threads only
contend for the GIL.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import Any

THREADS = 1
#: Results handed to the loop per iteration (the rest follow in the next iterations).
DELIVER_SLICE = 32
_STOP = object()


class Workers:
    def __init__(self, threads: int = THREADS) -> None:
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._done: list[tuple[asyncio.Future[Any], BaseException | None, Any]] = []
        self._pending: list[tuple[asyncio.Future[Any], Callable[..., Any], tuple[Any, ...]]] = []
        self._pending_loop: asyncio.AbstractEventLoop | None = None
        self._threads = [
            threading.Thread(target=self._work, name=f"reelkit-io-{i}", daemon=True)
            for i in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, func: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        if self._pending and self._pending_loop is not loop:
            self._send()  # left by a loop that stopped before sending: not this loop's to hold
        future = loop.create_future()
        self._pending.append((future, func, args))
        if len(self._pending) == 1:  # sent once this loop iteration's callbacks have run
            self._pending_loop = loop
            loop.call_soon(self._send)
        return future

    def _send(self) -> None:
        batch, self._pending = self._pending, []
        if batch:
            self._queue.put(batch)

    def _work(self) -> None:
        while True:
            batch = self._queue.get()
            if batch is _STOP:
                return
            outcomes: list[tuple[asyncio.Future[Any], BaseException | None, Any]] = []
            for future, func, args in batch:
                try:
                    outcomes.append((future, None, func(*args)))
                except BaseException as exc:
                    outcomes.append((future, exc, None))
            with self._lock:
                first = not self._done
                self._done.extend(outcomes)
            if first:  # the loop is told once; it then takes everything finished so far
                batch[0][0].get_loop().call_soon_threadsafe(self._deliver)

    def _deliver(self) -> None:
        # A slice per loop iteration: each result wakes a job whose next step then runs in
        # the same iteration, so a thousand results at once were a 100 ms stall of the loop.
        with self._lock:
            done, self._done = self._done[:DELIVER_SLICE], self._done[DELIVER_SLICE:]
            if self._done:
                done[0][0].get_loop().call_soon(self._deliver)
        for future, error, value in done:
            if future.cancelled():
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(value)

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put(_STOP)
        for thread in self._threads:
            thread.join()
