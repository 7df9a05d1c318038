"""One fan-out run in a fresh process: N concurrent text-to-video jobs through one client.

    python -m tests.benchmarks.fanout_worker CLIENT N BASE_URL WORKDIR INTERVAL

CLIENT is ``reelkit``, ``openai``, ``litellm`` or ``httpx-floor`` (see below). The harness runs
an older ``reelkit`` by putting its source first on ``PYTHONPATH``. Each job is written the way that library's
documentation writes it: submit, wait for the terminal status, download the video to a file.
One warm-up job runs first (reported apart as the first job's cost), then the emulator's counters
are reset and the N jobs run. Prints one JSON line: wall seconds, CPU seconds and peak RSS of this
process (imports, set-up and the warm-up job excluded from wall and CPU, reported apart), jobs that
finished and the first error if any.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tests.benchmarks.common import cpu_seconds, current_rss_mb, maxrss_mb

MODEL = "sora-2"
SIZE = "720x1280"
SECONDS = "4"


def prompt(i: int) -> str:
    # Distinct prompts: reelkit (rightly) refuses to pay twice for an identical request.
    return f"benchmark job {i}: a paper boat drifting down a rainy street"  # -1: the warm-up


async def reelkit_jobs(
    n: int, base: str, work: Path, interval: float
) -> Callable[[int], Awaitable[Any]]:
    import reelkit

    os.environ.update(
        {
            "REELKIT_SORA_BASE_URL": f"{base}/sora",
            "OPENAI_API_KEY": "sk-benchmark",
            "REELKIT_HOME": str(work / "home"),
            "REELKIT_POLL_INTERVAL": str(interval),
            "REELKIT_TIMEOUT": "900",
        }
    )
    client = reelkit.AsyncClient()
    out = work / "videos"

    async def one(i: int) -> Any:
        result = await client.generate(
            prompt(i), provider="sora", model=MODEL, duration=4, size=SIZE, output=out
        )
        assert result.path, result
        return result

    def wiring() -> dict[str, Any]:
        # What this run really used (read after the warm-up job): the transport class under each
        # pooled httpx client and the journal's class, so a row cannot silently measure the
        # wrong variant (REELKIT_TRANSPORT, REELKIT_JOURNAL_URL, an old core on PYTHONPATH).
        pool = getattr(client, "_pool", {})
        return {
            "transport": sorted(
                {type(getattr(c, "_transport", None)).__name__ for c in pool.values()}
            ),
            "journal": type(client._engine.journal).__name__,
        }

    one.close = client.aclose  # type: ignore[attr-defined]
    one.wiring = wiring  # type: ignore[attr-defined]
    return one


async def openai_jobs(
    n: int, base: str, work: Path, interval: float
) -> Callable[[int], Awaitable[Any]]:
    import openai

    client = openai.AsyncOpenAI(api_key="sk-benchmark", base_url=f"{base}/sora/v1")
    _ = client.videos  # the SDK loads resources on first use; not part of the jobs' cost
    out = work / "videos"
    out.mkdir(parents=True, exist_ok=True)

    async def one(i: int) -> Any:
        # The SDK's documented flow: create_and_poll (honours openai-poll-after-ms), then
        # download_content.
        video = await client.videos.create_and_poll(
            model=MODEL, prompt=prompt(i), seconds="4", size="720x1280"
        )
        if video.status != "completed":
            raise RuntimeError(f"{video.id} is {video.status}")
        content = await client.videos.download_content(video.id)
        content.write_to_file(out / f"{video.id}.mp4")
        return video

    one.close = client.close  # type: ignore[attr-defined]
    return one


async def litellm_jobs(
    n: int, base: str, work: Path, interval: float
) -> Callable[[int], Awaitable[Any]]:
    import litellm

    litellm.suppress_debug_info = True
    api = {"api_base": f"{base}/sora/v1", "api_key": "sk-benchmark"}
    out = work / "videos"
    out.mkdir(parents=True, exist_ok=True)

    async def one(i: int) -> Any:
        # LiteLLM has no wait helper; its docs loop on video_status themselves.
        video = await litellm.avideo_generation(
            prompt=prompt(i), model=f"openai/{MODEL}", seconds=SECONDS, size=SIZE, **api
        )
        await asyncio.sleep(interval)
        while True:
            video = await litellm.avideo_status(video_id=video.id, **api)
            if video.status in ("completed", "failed"):
                break
            await asyncio.sleep(interval)
        if video.status != "completed":
            raise RuntimeError(f"{video.id} is {video.status}")
        data = await litellm.avideo_content(video_id=video.id, **api)
        (out / f"job-{i}.mp4").write_bytes(data)
        return video

    async def close() -> None:
        return None

    one.close = close  # type: ignore[attr-defined]
    return one


async def httpx_floor_jobs(
    n: int, base: str, work: Path, interval: float
) -> Callable[[int], Awaitable[Any]]:
    """Not a library: the same five requests per job with bare httpx (16 in flight, like the
    reelkit AsyncClient), no journal, no validation. The floor for any httpx-based client."""
    import httpx

    gate = asyncio.Semaphore(16)
    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    client = httpx.AsyncClient(
        base_url=f"{base}/sora/v1",
        headers={"authorization": "Bearer sk-benchmark"},
        limits=limits,
        timeout=60,
    )
    out = work / "videos"
    out.mkdir(parents=True, exist_ok=True)

    async def call(method: str, url: str, **kw: Any) -> httpx.Response:
        async with gate:
            response = await client.request(method, url, **kw)
        response.raise_for_status()
        return response

    async def one(i: int) -> Any:
        body = {"model": MODEL, "prompt": prompt(i), "seconds": SECONDS, "size": SIZE}
        video = (await call("POST", "/videos", json=body)).json()
        while video["status"] not in ("completed", "failed"):
            await asyncio.sleep(interval)
            video = (await call("GET", f"/videos/{video['id']}")).json()
        content = await call("GET", f"/videos/{video['id']}/content")
        (out / f"{video['id']}.mp4").write_bytes(content.content)
        return video

    one.close = client.aclose  # type: ignore[attr-defined]
    return one


CLIENTS = {
    "reelkit": reelkit_jobs,
    "openai": openai_jobs,
    "litellm": litellm_jobs,
    "httpx-floor": httpx_floor_jobs,
}


LAG_TICK_S = 0.005
#: Set (to 1) in a variant's environment: ``gc.freeze()`` once the warm-up job is done.
GC_FREEZE = "REELKIT_BENCH_GC_FREEZE"


async def loop_lag(
    stop: asyncio.Event, stalls: list[float], spans: list[tuple[float, float]] | None = None
) -> None:
    """The loop-lag probe: how late a 5 ms timer fires while the jobs run (a blocked event
    loop — a synchronous disk write, a SQLite commit — shows as a stall). ``spans`` gets each
    tick's (start, end) in ``perf_counter`` time, to tell the collector's stalls apart."""
    while not stop.is_set():
        before = time.perf_counter()
        await asyncio.sleep(LAG_TICK_S)
        after = time.perf_counter()
        stalls.append(max(0.0, after - before - LAG_TICK_S))
        if spans is not None:
            spans.append((before, after))


class Collections:
    """Every pause of Python's cyclic garbage collector while installed (``gc.callbacks``):
    (generation, start, end). A full collection walks every tracked object with the loop
    stopped, so it is told apart from stalls that reelkit's own code causes."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float, float]] = []
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.pauses.append((info["generation"], self._start, time.perf_counter()))

    def __enter__(self) -> Collections:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)

    def summary(self, stalls: list[float], spans: list[tuple[float, float]]) -> dict[str, Any]:
        full = [end - start for gen, start, end in self.pauses if gen == 2]
        # A tick that overlaps no collection: what is left when the collector is not running.
        outside = [
            stall
            for stall, (a, b) in zip(stalls, spans, strict=True)
            if not any(start < b and end > a for _, start, end in self.pauses)
        ]
        return {
            "gc_full_collections": len(full),
            "gc_max_pause_ms": 1000 * max((e - s for _, s, e in self.pauses), default=0.0),
            "gc_full_max_ms": 1000 * max(full, default=0.0),
            "loop_lag_max_outside_gc_ms": 1000 * max(outside, default=0.0),
            "gc_frozen": gc.get_freeze_count(),
        }


async def fan_out(client: str, n: int, base: str, work: Path, interval: float) -> dict[str, Any]:
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    one = await CLIENTS[client](n, base, work, interval)
    setup_cpu, setup_wall = cpu_seconds() - cpu0, time.perf_counter() - t0
    # One job before the clock: lazy imports, TLS contexts, the journal's schema, connection
    # set-up — what a long-running application has paid long before its thousandth job. Then
    # the emulator's counters are zeroed, so requests per job count the measured jobs only.
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    await one(-1)
    first_cpu, first_wall = cpu_seconds() - cpu0, time.perf_counter() - t0
    reset = urllib.request.Request(f"{base}/_emulator/reset", method="POST")
    with urllib.request.urlopen(reset, timeout=30):
        pass
    if os.environ.get(GC_FREEZE):  # what the guide suggests to a host with many jobs
        gc.freeze()
    rss_ready = current_rss_mb()
    stop = asyncio.Event()
    stalls: list[float] = []
    spans: list[tuple[float, float]] = []
    with Collections() as collections:
        probe = asyncio.create_task(loop_lag(stop, stalls, spans))
        cpu1, t1 = cpu_seconds(), time.perf_counter()
        results = await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)
        wall, cpu = time.perf_counter() - t1, cpu_seconds() - cpu1
        stop.set()
        await probe
    wiring = one.wiring() if hasattr(one, "wiring") else {}
    await one.close()  # type: ignore[attr-defined]
    errors = [r for r in results if isinstance(r, BaseException)]
    return {
        "client": client,
        "n": n,
        "ok": n - len(errors),
        "error": repr(errors[0])[:300] if errors else None,
        "wall_s": wall,
        "cpu_s": cpu,
        "setup_wall_s": setup_wall,
        "setup_cpu_s": setup_cpu,
        "first_job_wall_s": first_wall,
        "first_job_cpu_s": first_cpu,
        "rss_ready_mb": rss_ready,
        "peak_rss_mb": maxrss_mb(),
        "loop_lag_max_ms": 1000 * max(stalls, default=0.0),
        "loop_lag_p99_ms": 1000 * sorted(stalls)[int(0.99 * (len(stalls) - 1))] if stalls else 0.0,
        **collections.summary(stalls, spans),
        "reelkit_file": getattr(sys.modules.get("reelkit"), "__file__", None),
        **wiring,
    }


def main() -> None:
    client, n, base, work, interval = sys.argv[1:6]
    result = asyncio.run(fan_out(client, int(n), base, Path(work), float(interval)))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
