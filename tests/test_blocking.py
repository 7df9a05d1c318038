"""The worker thread's hand-over to the event loop (``reelkit.blocking``)."""

from __future__ import annotations

import asyncio

import pytest

from reelkit.blocking import DELIVER_SLICE, Workers

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_worker_results_reach_the_loop_a_slice_per_iteration() -> None:
    """Each result wakes a job whose next step runs in that loop iteration: a thousand at once
    stopped the loop for 100 ms, so they are handed over ``DELIVER_SLICE`` at a time."""
    workers = Workers()
    try:
        loop = asyncio.get_running_loop()
        futures = [loop.create_future() for _ in range(3 * DELIVER_SLICE + 5)]
        with workers._lock:  # as the thread leaves them: finished, not yet handed over
            workers._done.extend((f, None, i) for i, f in enumerate(futures))
        workers._deliver()
        assert sum(f.done() for f in futures) == DELIVER_SLICE
        await asyncio.sleep(0)  # one iteration: one more slice
        assert sum(f.done() for f in futures) == 2 * DELIVER_SLICE
        await asyncio.gather(*futures)
        assert [f.result() for f in futures] == list(range(len(futures)))
    finally:
        workers.close()
