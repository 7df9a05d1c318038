"""reelkit as a service: N jobs through M ``reelkit worker`` processes on one PostgreSQL.

    uv run python -m tests.benchmarks.bench_service --jobs 200 --workers 4   # a small run
    uv run --group bench python -m tests.benchmarks                          # 5,000 jobs, in the report

Measured: jobs per minute (workers started → last file landed), p50/p99 of provider finished →
file landed (the emulator's ``finished_at`` of each task against the journal's time of its
``downloaded`` write), each worker's peak RSS, and duplicate submits (the emulator's task count
minus the jobs; must be 0). The emulator finishes a task at the poll that sees it done, so the
latency is the download and its journal writes; a provider finishing between polls adds up to
one poll interval (webhooks remove that: docs/deployment.md).

Gateways: with ``--gateways N`` (2 by default) the jobs are posted to N ``reelkit serve --workers``
processes over HTTP (``POST /v1/videos``, round robin, as a load balancer would), which record
and enqueue them; ``--gateways 0`` enqueues in-process with ``reelkit_worker.enqueue``, the same
call the gateways make.

PostgreSQL: ``REELKIT_TEST_POSTGRES_URL``, or a throwaway server from the installed binaries
(tests/pg_server.py). Nothing here is a pass/fail test: the numbers are reported, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

from tests.benchmarks.common import BIN, ROOT, clean_env

POLL_INTERVAL_S = 0.5


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server: ``REELKIT_TEST_POSTGRES_URL``, or a throwaway one started
    from the installed binaries (tests/pg_server.py) and removed at the end."""
    sys.path.insert(0, str(ROOT / "tests"))
    from pg_server import server_url

    with server_url(_unavailable) as url:
        yield url


def _unavailable(reason: str) -> NoReturn:
    raise RuntimeError(reason)  # the run reports the section as not measured


@contextlib.contextmanager
def fresh_schema(server_url: str) -> Iterator[str]:
    """A journal URL of its own on ``server_url``: a fresh, empty schema, dropped afterwards."""
    sys.path.insert(0, str(ROOT / "tests"))
    import psycopg
    from pg_server import with_schema

    schema = f"rk_bench_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_schema(server_url, schema)
    finally:
        with contextlib.suppress(Exception), psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """A database URL with a fresh schema of its own, on a server of its own if need be."""
    with postgres_server() as server, fresh_schema(server) as url:
        yield url


def _rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident set of a process, in MB (Linux /proc)."""
    values = {}
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def _downloaded(url: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        row = db.execute("SELECT count(*) FROM reelkit_jobs WHERE state = 'downloaded'").fetchone()
    return int(row[0]) if row else 0


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(
    jobs: int = 5000,
    workers: int = 4,
    concurrency: int = 50,
    *,
    gateways: int = 2,
    timeout: float = 3600.0,
    log: Any = print,
) -> dict[str, Any]:
    from reelkit_emulator import EmulatorConfig, serve_in_thread
    from tests.benchmarks.emulator_proc import seed_tiny_video

    with (
        tempfile.TemporaryDirectory(prefix="reelkit-bench-service-") as scratch,
        postgres() as url,
    ):
        work = Path(scratch)
        seed_tiny_video(work / "media")
        config = EmulatorConfig(
            polls_to_complete=3,
            poll_hint_ms=int(POLL_INTERVAL_S * 1000),
            video_fps=1,
            providers=("sora",),
            cache_dir=work / "media",
        )
        with serve_in_thread(config) as emu:
            env = clean_env(
                {
                    **emu.env(),
                    "REELKIT_JOURNAL_URL": url,
                    "REELKIT_HOME": str(work / "home"),
                    "REELKIT_POLL_INTERVAL": str(POLL_INTERVAL_S),
                }
            )
            with _gateways(env, gateways, work) as urls:
                enqueue_s = (
                    asyncio.run(_post_all(urls, jobs))
                    if urls
                    else _enqueue(env, jobs, work / "videos")
                )
            log(
                f"  enqueued {jobs} jobs in {enqueue_s:.1f} s through {gateways or 'no'} gateway(s)"
            )
            procs = []
            started = time.monotonic()
            for i in range(workers):
                procs.append(
                    subprocess.Popen(
                        [str(BIN / "reelkit"), "worker", "--concurrency", str(concurrency),
                         "--fetch-interval", "0.2"],
                        env=env,
                        cwd=work,
                        stdout=(work / f"worker-{i}.log").open("wb"),
                        stderr=subprocess.STDOUT,
                    )
                )  # fmt: skip
            peak_rss: dict[int, float] = {}
            done = 0
            try:
                while done < jobs and time.monotonic() - started < timeout:
                    time.sleep(1.0)
                    for proc in procs:
                        current, peak = _rss_mb(proc.pid)
                        peak_rss[proc.pid] = max(peak_rss.get(proc.pid, 0.0), peak, current)
                    done = _downloaded(url)
                wall = time.monotonic() - started
            finally:
                for proc in procs:
                    proc.send_signal(signal.SIGTERM)
                for proc in procs:
                    try:
                        proc.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        proc.kill()
            finished = {t.prompt: t.finished_at for t in emu.tasks("sora")}
            submits = emu.stats()["sora"]["submits"]
            landed = _landed(env)
    latencies = [landed[p] - f for p, f in finished.items() if f is not None and p in landed]
    return {
        "jobs": jobs,
        "gateways": gateways,
        "workers": workers,
        "concurrency": concurrency,
        "delivered": done,
        "enqueue_s": enqueue_s,
        "wall_s": wall,
        "jobs_per_min": 60.0 * done / wall if wall else None,
        "latency_p50_s": _pct(latencies, 0.50),
        "latency_p99_s": _pct(latencies, 0.99),
        "latency_mean_s": statistics.fmean(latencies) if latencies else None,
        "worker_peak_rss_mb": sorted(peak_rss.values()),
        "duplicate_submits": submits - jobs,
        "submits": submits,
        "poll_interval_s": POLL_INTERVAL_S,
    }


@contextlib.contextmanager
def _gateways(env: dict[str, str], n: int, work: Path) -> Iterator[list[str]]:
    """``reelkit serve --workers --no-auth`` processes on free loopback ports; their URLs."""
    import re

    import httpx

    procs, urls = [], []
    try:
        for i in range(n):
            log = work / f"gateway-{i}.log"
            procs.append(
                subprocess.Popen(
                    [str(BIN / "reelkit"), "serve", "--port", "0", "--no-auth", "--workers",
                     "--log-level", "warning", "--output-dir", str(work / "videos")],
                    env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=log.open("wb"),
                )
            )  # fmt: skip
            deadline = time.monotonic() + 120
            while True:
                found = re.search(r"on (http://\S+)/v1", log.read_text("utf-8", "replace"))
                if found:
                    with contextlib.suppress(httpx.HTTPError):
                        if httpx.get(found.group(1) + "/healthz").status_code == 200:
                            urls.append(found.group(1))
                            break
                if procs[-1].poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gateway {i} did not start: {log.read_text()}")
                time.sleep(0.1)
        yield urls
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


async def _post_all(urls: list[str], jobs: int) -> float:
    """POST /v1/videos for every job, round robin over the gateways (as a load balancer)."""
    import httpx

    started = time.monotonic()
    gate = asyncio.Semaphore(32)
    async with httpx.AsyncClient(timeout=60) as http:

        async def one(i: int) -> None:
            body = {"model": "sora/sora-2", "prompt": f"service job {i:05d}", "seconds": "4"}
            async with gate:
                answer = await http.post(f"{urls[i % len(urls)]}/v1/videos", json=body)
            answer.raise_for_status()

        await asyncio.gather(*(one(i) for i in range(jobs)))
    return time.monotonic() - started


def _enqueue(env: dict[str, str], jobs: int, videos: Path) -> float:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        return asyncio.run(_enqueue_all(jobs, videos))
    finally:
        os.environ.clear()
        os.environ.update(saved)


async def _enqueue_all(jobs: int, videos: Path) -> float:
    import reelkit
    from reelkit_worker import enqueue, queues

    started = time.monotonic()
    async with reelkit.AsyncClient() as client, queues():
        gate = asyncio.Semaphore(32)

        async def one(i: int) -> None:
            async with gate:
                await enqueue(
                    client, f"service job {i:05d}", provider="sora", duration=4, output=videos
                )

        await asyncio.gather(*(one(i) for i in range(jobs)))
    return time.monotonic() - started


def _landed(env: dict[str, str]) -> dict[str, float]:
    """prompt -> when the journal recorded its file (the ``downloaded`` write)."""
    import reelkit

    with reelkit.Client(env=env) as client:
        return {
            r.request.prompt: r.updated_at
            for r in client.records()
            if r.state is reelkit.JobState.DOWNLOADED
        }


def section(result: dict[str, Any]) -> list[str]:
    """The report's section (docs/benchmarks.md)."""

    def f(value: Any, digits: int = 2) -> str:
        return "—" if value is None else f"{value:.{digits}f}"

    rss = result.get("worker_peak_rss_mb") or []
    how = (
        f"{result['jobs']:,} jobs posted to {result['gateways']} `reelkit serve --workers` "
        "gateways (`POST /v1/videos`, round robin), run by "
        if result["gateways"]
        else f"{result['jobs']:,} jobs enqueued in-process with `reelkit_worker.enqueue`, run by "
    )
    return [
        "## reelkit as a service: jobs through workers",
        "",
        how
        + f"{result['workers']} `reelkit worker --concurrency {result['concurrency']}` processes "
        "on one PostgreSQL (journal and queue), against the emulator's sora (terminal at the "
        f"3rd poll, polled every {result['poll_interval_s']} s). Code: "
        "`tests/benchmarks/bench_service.py`.",
        "",
        "| jobs | delivered | jobs/min | p50 finished→landed | p99 finished→landed | "
        "worker peak RSS | duplicate submits |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {result['jobs']:,} | {result['delivered']:,} | {f(result['jobs_per_min'], 0)} | "
        f"{f(result['latency_p50_s'])} s | {f(result['latency_p99_s'])} s | "
        f"{f(max(rss) if rss else None, 0)} MB | {result['duplicate_submits']} |",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.bench_service")
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--gateways", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None, help="also write the result here")
    args = parser.parse_args(argv)
    result = run(args.jobs, args.workers, args.concurrency, gateways=args.gateways)
    text = json.dumps(result, indent=1)
    if args.json:
        args.json.write_text(text)
    print(text)
    print("\n".join(section(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
