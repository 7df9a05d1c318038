"""Diagnosis when reelkit misses a target: where the fan-out CPU and the memory go.

- :func:`pyspy_fanout` samples a reelkit fan-out worker with py-spy (``--format raw``: collapsed
  stacks) and folds the samples into "self" and "inclusive" tables per function, and per
  top-level package, so the report can show the profile as text.
- :func:`tracemalloc_fanout` runs the same fan-out in-process under tracemalloc and lists the
  largest allocation sites at the peak.
"""

from __future__ import annotations

import collections
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests.benchmarks.common import BIN, PYTHON, ROOT, clean_env


def _frame_key(frame: str) -> tuple[str, str]:
    """``func (path/to/module.py:123)`` -> (``func (module.py)``, package)."""
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    short = "/".join(path.split("/")[-2:])
    package = "?"
    if "site-packages/" in path:
        package = path.split("site-packages/", 1)[1].split("/", 1)[0]
    elif "/src/" in path:
        package = path.split("/src/", 1)[1].split("/", 1)[0]
    elif "python3." in path:
        package = "stdlib:" + path.rsplit("/", 1)[-1].removesuffix(".py")
    return f"{name} ({short})", package


def fold(
    raw: str, top: int = 25, within: str | None = None, without: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Collapsed stacks -> the hottest functions (self, inclusive) and packages (self).

    ``within``: keep only the stacks with a frame containing this text (e.g. the job function,
    so that imports and set-up are left out of the profile); ``without``: drop the stacks with a
    frame containing any of these (the harness's own work)."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    packages: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [f for f in stack.split(";") if f and not f.startswith(("process ", "thread "))]
        if not frames or (within is not None and not any(within in f for f in frames)):
            continue
        if any("<frozen importlib" in f for f in frames):  # a lazy import, not steady-state work
            continue
        if without and any(w in f for f in frames for w in without):
            continue
        total += n
        leaf, package = _frame_key(frames[-1])
        own[leaf] += n
        packages[package] += n
        for key in {_frame_key(f)[0] for f in frames}:
            inclusive[key] += n

    def share(counter: collections.Counter[str]) -> list[tuple[str, float]]:
        if not total:
            return []
        return [(k, round(100 * v / total, 1)) for k, v in counter.most_common(top)]

    return {
        "samples": total,
        "self": share(own),
        "inclusive": share(inclusive),
        "packages": share(packages),
    }


def pyspy(
    worker: list[str],
    *,
    rate: int = 100,
    within: str | None = None,
    without: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Sample ``python -m <worker...>`` with py-spy and fold the stacks."""
    binary = BIN / "py-spy"
    if not binary.exists():
        found = shutil.which("py-spy")
        if found is None:
            return {"error": "py-spy is not installed (uv run --group bench ...)"}
        binary = Path(found)
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "profile.txt"
        cmd = [
            str(binary),
            "record",
            "--format",
            "raw",
            "--rate",
            str(rate),
            "--nonblocking",
            "--full-filenames",
            "--output",
            str(out),
            "--",
            PYTHON,
            "-m",
            *[arg.replace("{work}", work) for arg in worker],
        ]
        done = subprocess.run(cmd, cwd=ROOT, env=clean_env(env), capture_output=True, text=True)
        if not out.exists():
            return {"error": f"py-spy failed: {done.stderr[-500:]}"}
        return fold(out.read_text(), within=within, without=without)


def pyspy_fanout(
    base_url: str,
    n: int,
    interval: float,
    *,
    client: str = "reelkit",
    env: dict[str, str] | None = None,
    rate: int = 100,
) -> dict[str, Any]:
    """py-spy a fan-out of ``n`` jobs through ``client`` against a running emulator."""
    worker = ["tests.benchmarks.fanout_worker", client, str(n), base_url, "{work}", str(interval)]
    # No ``within`` filter here: event-loop callbacks (transport reads, pool bookkeeping run from
    # a closing stream) carry no job frame, yet are the jobs' work. Imports are left out, and
    # the set-up and warm-up job are a fraction of a second against the N jobs.
    # The worker's RSS sampler thread and its deletion of the 500 MB file are the harness's.
    return pyspy(worker, rate=rate, without=("RssSampler.", "Path.unlink ("), env=env)


def pyspy_download(
    base_url: str, size: int, *, env: dict[str, str] | None = None, rate: int = 250
) -> dict[str, Any]:
    """py-spy one large download through reelkit's download path (AsyncClient's wire).

    The whole worker is sampled, imports left out: on the async wire the socket reads run in
    event-loop callbacks that carry no ``AsyncJob.download`` frame, and the set-up and the 1 MB
    warm-up are a sliver of a 500 MB download."""
    worker = ["tests.benchmarks.download_worker", "reelkit", base_url, str(size), "{work}"]
    # The worker's RSS sampler thread and its deletion of the 500 MB file are the harness's.
    return pyspy(worker, rate=rate, without=("RssSampler.", "Path.unlink ("), env=env)


def tracemalloc_fanout(base_url: str, n: int, interval: float, top: int = 12) -> dict[str, Any]:
    """Run a reelkit fan-out under tracemalloc in a subprocess; the biggest sites at the peak."""
    code = f"""
import asyncio, json, tracemalloc, tempfile
from pathlib import Path
tracemalloc.start(8)
from tests.benchmarks.fanout_worker import fan_out
with tempfile.TemporaryDirectory() as work:
    result = asyncio.run(fan_out("reelkit", {n}, {base_url!r}, Path(work), {interval}))
current, peak = tracemalloc.get_traced_memory()
snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
stats = snap.statistics("filename")[:{top}]
print(json.dumps({{"current_mb": current / 2**20, "peak_mb": peak / 2**20,
    "sites": [[str(s.traceback[0].filename).split("site-packages/")[-1].split("/src/")[-1].split("/lib/python3")[-1],
               round(s.size / 2**20, 2), s.count] for s in stats]}}))
"""
    done = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=clean_env(), capture_output=True, text=True
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"error": done.stderr[-800:]}
    import json

    result: dict[str, Any] = json.loads(lines[-1])
    return result
