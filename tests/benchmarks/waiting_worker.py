"""N jobs waiting in one process: a host app keeping a day's queue in flight.

    python -m tests.benchmarks.waiting_worker N BASE_URL WORKDIR INTERVAL SETTLE WINDOW

One ``reelkit.AsyncClient`` runs ``client.generate(...)`` for all N jobs at once (the guide's
``asyncio.gather`` over one client) against an emulator whose tasks never finish, polled every
INTERVAL seconds (the emulator's poll hint and ``REELKIT_POLL_INTERVAL`` agree). One warm-up
``submit`` runs first. The *submit phase* lasts until the emulator has seen all N submits; then
the worker waits SETTLE intervals (every job has been polled several times and polling is steady)
and measures over WINDOW seconds: this process's CPU against the polls the emulator served in
the window, its RSS (current and peak) and the loop-lag probe. Then it cancels the jobs and
closes the client (the jobs stay in the temporary journal). Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.benchmarks.common import cpu_seconds, current_rss_mb, maxrss_mb
from tests.benchmarks.fanout_worker import MODEL, SIZE, Collections, loop_lag

STATS_EVERY_S = 0.5


def _stats(base: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/_emulator/stats", timeout=60) as r:
        data: dict[str, Any] = json.loads(r.read())
    return dict(data.get("sora", {}))


async def stats(base: str) -> dict[str, Any]:
    # Off the loop: a blocking urlopen would show up as a stall in the probe.
    return await asyncio.to_thread(_stats, base)


async def waiting(
    n: int, base: str, work: Path, interval: float, settle: float, window: float
) -> dict[str, Any]:
    import reelkit

    os.environ.update(
        {
            "REELKIT_SORA_BASE_URL": f"{base}/sora",
            "OPENAI_API_KEY": "sk-benchmark",
            "REELKIT_HOME": str(work / "home"),
            "REELKIT_POLL_INTERVAL": str(interval),
            "REELKIT_TIMEOUT": "86400",  # the jobs are cancelled long before
        }
    )
    client = reelkit.AsyncClient()
    options: dict[str, Any] = {"provider": "sora", "model": MODEL, "duration": 4, "size": SIZE}
    # Warm-up: plugins, the HTTP client and its connections, the journal's schema.
    await client.submit("benchmark waiting warm-up", **options)
    transport = sorted({type(c._transport).__name__ for c in client._pool.values()})
    start = await stats(base)
    rss_ready = current_rss_mb()
    # Tracked objects: what every full collection walks with the loop stopped.
    tracked_ready = len(gc.get_objects())

    cpu0, t0 = cpu_seconds(), time.perf_counter()
    jobs = [
        asyncio.create_task(
            client.generate(f"waiting job {i}: a lighthouse in fog", output=work / "v", **options)
        )
        for i in range(n)
    ]
    while (await stats(base)).get("submits", 0) - start.get("submits", 0) < n:
        failed = [t for t in jobs if t.done()]
        if failed:  # a job that ends here failed: there is nothing left to measure
            break
        await asyncio.sleep(STATS_EVERY_S)
    submit_s, submit_cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    rss_submitted = current_rss_mb()

    await asyncio.sleep(settle * interval)
    stop = asyncio.Event()
    stalls: list[float] = []
    spans: list[tuple[float, float]] = []
    before = await stats(base)
    with Collections() as collections:
        cpu1, t1 = cpu_seconds(), time.perf_counter()
        probe = asyncio.create_task(loop_lag(stop, stalls, spans))
        await asyncio.sleep(window)
        stop.set()
        await probe
    cpu_window, wall_window = cpu_seconds() - cpu1, time.perf_counter() - t1
    after = await stats(base)
    rss_window = current_rss_mb()
    tracked_window = len(gc.get_objects())

    done = [t for t in jobs if t.done()]
    errors = [t.exception() for t in done if not t.cancelled() and t.exception() is not None]
    for task in jobs:
        task.cancel()
    with contextlib.suppress(Exception):
        await asyncio.gather(*jobs, return_exceptions=True)
    await client.aclose()

    polls = after.get("polls", 0) - before.get("polls", 0)
    ordered = sorted(stalls)
    return {
        "n": n,
        "interval_s": interval,
        "settle_intervals": settle,
        "transport": transport,
        "submitted": after.get("submits", 0) - start.get("submits", 0),
        "ended_early": len(done),
        "error": repr(errors[0])[:300] if errors else None,
        "submit_s": submit_s,
        "submit_cpu_s": submit_cpu,
        "window_s": wall_window,
        "window_cpu_s": cpu_window,
        "window_polls": polls,
        "polls_per_s": polls / wall_window if wall_window else None,
        "ideal_polls_per_s": n / interval,
        "cpu_ms_per_poll": 1000 * cpu_window / polls if polls else None,
        "cpu_share": cpu_window / wall_window if wall_window else None,
        "rss_ready_mb": rss_ready,
        "rss_submitted_mb": rss_submitted,
        "rss_mb": rss_window,
        "peak_rss_mb": maxrss_mb(),
        "tracked_ready": tracked_ready,
        "tracked_window": tracked_window,
        "objects_per_job": (tracked_window - tracked_ready) / n,
        "loop_lag_max_ms": 1000 * max(stalls, default=0.0),
        "loop_lag_p99_ms": 1000 * ordered[int(0.99 * (len(ordered) - 1))] if ordered else 0.0,
        **collections.summary(stalls, spans),
        "reelkit_file": getattr(sys.modules.get("reelkit"), "__file__", None),
    }


def main() -> None:
    n, base, work, interval, settle, window = sys.argv[1:7]
    result = asyncio.run(
        waiting(int(n), base, Path(work), float(interval), float(settle), float(window))
    )
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
