"""Jobs take turns on the event loop (``reelkit.pacing``), and their blocking work stays off it.

A thousand jobs started at once, or due to poll at once, used to run their next steps in one
loop iteration (tens of milliseconds with the host's loop stopped). These tests count steps per
loop iteration with a callback that reschedules itself (it runs once in every iteration), so
they depend on no clock and no machine's speed.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import awkward
import pytest
from test_engine import KEY, make_client

from reelkit import AsyncClient
from reelkit.engine import files
from reelkit.engine.selection import Selection
from reelkit.pacing import STARTS, WAKES, Pacer


class Iterations:
    """Counts event-loop iterations: ``now`` is the number of the one running."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.now = 0
        self._loop = loop
        self._handle = loop.call_soon(self._tick)

    def _tick(self) -> None:
        self.now += 1
        self._handle = self._loop.call_soon(self._tick)

    def stop(self) -> None:
        self._handle.cancel()


def test_starts_and_wakes_are_released_a_slice_per_iteration() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        pacer = Pacer(loop)
        starts = [pacer.start() for _ in range(2 * STARTS + 3)]
        wakes = [loop.create_future() for _ in range(WAKES + 5)]
        for future in wakes:
            pacer._due(future)  # as its timer does when it comes due
        starts[1].cancel()  # a job cancelled while waiting for its turn is skipped
        await asyncio.sleep(0)  # the release runs before this task resumes: one slice
        assert sum(f.done() for f in starts) == STARTS
        assert sum(f.done() for f in wakes) == WAKES
        await asyncio.sleep(0)
        assert sum(f.done() for f in starts) == 2 * STARTS
        assert all(f.done() for f in wakes)
        await asyncio.gather(*starts[2:], *wakes)
        assert not pacer._scheduled  # nothing left: no callback keeps running

    asyncio.run(main())


def test_a_paced_sleep_wakes_after_its_delay_and_cancels_cleanly() -> None:
    async def main() -> None:
        pacer = Pacer(asyncio.get_running_loop())
        woken, timer = pacer.sleep(0.01)
        await asyncio.wait_for(woken, 5)
        later, timer = pacer.sleep(60)
        timer.cancel()
        later.cancel()
        assert not pacer._wakes

    asyncio.run(main())


def test_many_jobs_start_a_few_per_loop_iteration(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each start plans, clamps and signs a request on the loop: a slice of ``STARTS`` per
    iteration, however many jobs were started together."""
    service = awkward.FakeService(polls=1)
    jobs = 3 * STARTS + 2
    planned: list[int] = []
    threads: set[str] = set()
    targets: set[str] = set()
    clock: dict[str, Iterations] = {}
    prepare, target = Selection.prepare, files.target

    def counting_prepare(self: Any, ask: Any) -> Any:
        planned.append(clock["it"].now)
        threads.add(threading.current_thread().name)
        return prepare(self, ask)

    def noting_target(*args: Any, **kwargs: Any) -> Path:
        targets.add(threading.current_thread().name)
        return target(*args, **kwargs)

    monkeypatch.setattr(Selection, "prepare", counting_prepare)
    monkeypatch.setattr(files, "target", noting_target)

    async def main() -> None:
        async with make_client(service, isolated_env, cls=AsyncClient, poll_interval=0) as c:
            clock["it"] = Iterations(asyncio.get_running_loop())
            try:
                await asyncio.gather(*(c.generate(f"a heron, take {i}") for i in range(jobs)))
            finally:
                clock["it"].stop()

    asyncio.run(main())
    assert service.counts["submits"] == jobs
    per_iteration = Counter(planned)
    assert max(per_iteration.values()) == STARTS  # never more; the first slices are full
    assert len(per_iteration) >= jobs // STARTS
    # A text-to-video plan only computes: it runs on the loop (a worker thread would hold the
    # GIL against it); where the video goes is resolved on disk, so off the loop.
    assert threads == {threading.main_thread().name}
    assert threading.main_thread().name not in targets and targets


def test_a_plan_that_reads_a_file_runs_off_the_loop(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from test_engine import awkward_png

    image = tmp_path / "first.png"
    image.write_bytes(awkward_png())
    service = awkward.FakeService(polls=1)
    threads: list[str] = []
    prepare = Selection.prepare

    def noting_prepare(self: Any, ask: Any) -> Any:
        threads.append(threading.current_thread().name)
        return prepare(self, ask)

    monkeypatch.setattr(Selection, "prepare", noting_prepare)

    async def main() -> Any:
        async with make_client(service, isolated_env, cls=AsyncClient, poll_interval=0) as c:
            return await c.generate("a heron", first_frame=image)

    result = asyncio.run(main())
    assert result.path and Path(result.path).is_file()
    assert threads and threading.main_thread().name not in threads
    assert KEY not in repr(result)
