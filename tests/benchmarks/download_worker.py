"""One large download in a fresh process, by reelkit or by curl.

    python -m tests.benchmarks.download_worker reelkit BASE_URL BYTES WORKDIR
    python -m tests.benchmarks.download_worker curl    BASE_URL BYTES WORKDIR

reelkit fetches through its real download path: a finished sora job is put in the journal whose
video asset is the emulator's ``/_emulator/blob?bytes=N`` stream, then ``AsyncJob.download()``
(on ``AsyncClient``'s wire: aiohttp when installed, httpx with ``REELKIT_TRANSPORT=httpx``) runs
the engine's download flow (the sora plugin's download request, the driver's streaming ``Fetch`` to
a temporary file, the checks, the atomic rename, the journal update). curl is run as a child
of this process. Prints one JSON line: seconds, MB/s, and RSS before/peak/growth in MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.common import cpu_seconds, current_rss_mb, maxrss_mb


class RssSampler:
    """Samples a process's RSS every few ms (``ru_maxrss`` cannot see a peak below an earlier one)."""

    def __init__(self, pid: int | None = None, every: float = 0.005) -> None:
        self.path = f"/proc/{pid or 'self'}/statm"
        self.every = every
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._page = os.sysconf("SC_PAGE_SIZE") / (1 << 20)

    def sample(self) -> float:
        try:
            with open(self.path) as f:
                rss = int(f.read().split()[1]) * self._page
        except (OSError, IndexError, ValueError):
            return self.peak
        self.peak = max(self.peak, rss)
        return rss

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            time.sleep(self.every)

    def __enter__(self) -> RssSampler:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def reelkit_download(base: str, size: int, work: Path) -> dict[str, Any]:
    """``AsyncJob.download()`` of a finished job: the AsyncClient's wire (aiohttp by default,
    ``REELKIT_TRANSPORT=httpx`` for httpx's) and the engine's download flow."""
    import asyncio

    import reelkit
    from reelkit.journal import new_job_id
    from reelkit.models import Asset, JobHandle, JobState, VideoRequest

    env = {
        **os.environ,
        "REELKIT_SORA_BASE_URL": f"{base}/sora",
        "OPENAI_API_KEY": "sk-benchmark",
        "REELKIT_HOME": str(work / "home"),
    }

    async def measure() -> dict[str, Any]:
        async with reelkit.AsyncClient(env=env) as client:

            def finished_job(nbytes: int, name: str) -> str:
                """A succeeded sora job in the journal whose video is ``nbytes`` of the blob route."""
                journal = client._engine.journal
                job_id = new_job_id()
                journal.create(
                    job_id=job_id,
                    provider="sora",
                    model="sora-2",
                    mode="t2v",
                    fingerprint=job_id,
                    request=VideoRequest(prompt="a large benchmark result"),
                    adjustments=(),
                    # Not .mp4: the blob is not an MP4, so the ftyp check does not apply.
                    output=str(work / name),
                )
                journal.update(
                    job_id,
                    state=JobState.SUCCEEDED,
                    handle=JobHandle(provider="sora", model="sora-2", task_id="video_benchmark"),
                    assets=(
                        Asset(
                            url=f"{base}/_emulator/blob?bytes={nbytes}",
                            kind="video",
                            mime_type="video/mp4",
                        ),
                    ),
                )
                return job_id

            # Warm-up on 1 MB: plugin modules, the HTTP client and its connection are ready
            # before the clock starts, as they would be in a process that already ran a job.
            await client.job(finished_job(1 << 20, "warm-up.bin")).download()
            job = client.job(finished_job(size, "reelkit-download.bin"))
            before = current_rss_mb()
            with RssSampler() as rss:
                t0, cpu0 = time.perf_counter(), cpu_seconds()
                result = await job.download()
                seconds, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
            assert result.path and Path(result.path).stat().st_size == size, result
            Path(result.path).unlink()
            transport = sorted({type(c._transport).__name__ for c in client._pool.values()})
        return {
            "tool": "reelkit",
            "reelkit_file": reelkit.__file__,
            "transport": transport,
            "seconds": seconds,
            "cpu_s": cpu,
            "mb_s": size / (1 << 20) / seconds,
            "rss_before_mb": before,
            "rss_peak_mb": rss.peak,
            "rss_growth_mb": rss.peak - before,
            "maxrss_mb": maxrss_mb(),
        }

    return asyncio.run(measure())


def curl_download(base: str, size: int, work: Path) -> dict[str, Any]:
    target = work / "curl-download.bin"
    cmd = ["curl", "-sS", "--fail", "-o", str(target), f"{base}/_emulator/blob?bytes={size}"]
    t0 = time.perf_counter()
    process = subprocess.Popen(cmd)
    with RssSampler(process.pid, every=0.002) as rss:
        process.wait()
    seconds = time.perf_counter() - t0
    if process.returncode != 0:
        raise SystemExit(f"curl exited {process.returncode}")
    assert target.stat().st_size == size
    target.unlink()
    import resource

    # The kernel's own peak for the child, or the sampler's if it saw more.
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = max(usage.ru_maxrss / 1024, rss.peak)
    return {
        "tool": "curl",
        "seconds": seconds,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "mb_s": size / (1 << 20) / seconds,
        "rss_before_mb": 0.0,
        "rss_peak_mb": peak,
        "rss_growth_mb": peak,  # the whole of curl's memory is for the download
        "maxrss_mb": peak,
    }


def main() -> None:
    tool, base, size, work = sys.argv[1:5]
    if tool == "curl":
        result = curl_download(base, int(size), Path(work))
    else:
        result = reelkit_download(base, int(size), Path(work))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
