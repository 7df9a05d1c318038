"""What every benchmark shares: the interpreter, fresh subprocesses, the emulator process, stats.

Every measurement runs in a fresh subprocess so that one client's imports, caches or leaked
memory never colour another's numbers, and the emulator runs in a process of its own so that its
CPU is never counted against a client.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
PYCACHE = Path(tempfile.gettempdir()) / "reelkit-bench-pycache"

#: Variables a peer or reelkit reads: cleared so real keys or endpoints never reach a run.
SCRUBBED = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "XAI_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "ARK_API_KEY",
    "VOLC_ACCESSKEY",
    "VOLC_SECRETKEY",
    "QINIU_API_KEY",
    "NEWAPI_API_KEY",
    "KLING_ACCESS_KEY",
    "KLING_SECRET_KEY",
    "KLING_API_KEY",
    "MINIMAX_API_KEY",
    "RUNWAYML_API_SECRET",
    "DASHSCOPE_API_KEY",
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "REELKIT_HOME",
    "REELKIT_POLL_INTERVAL",
    "REELKIT_TIMEOUT",
)


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in SCRUBBED and not k.startswith("REELKIT_")
    }
    # LiteLLM otherwise fetches its cost map from the internet at import (and retries for ~10 s
    # offline); every peer is measured the way a careful user would configure it.
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    # Bytecode must be cached, as after any pip install: a machine that sets
    # PYTHONDONTWRITEBYTECODE (and uv, which installs without .pyc) would otherwise recompile
    # every library from source on every import. The caches go to a directory of our own, so
    # neither the shared venv nor the work tree gets __pycache__ litter.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env.pop("PYTHONPATH", None)
    env.update(extra or {})
    return env


def run_json(args: Sequence[str], env: Mapping[str, str], timeout: float = 900) -> dict[str, Any]:
    """Run a worker that prints one JSON object as its last stdout line."""
    done = subprocess.run(
        list(args), env=dict(env), cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(
            f"{' '.join(args[:4])}... exited {done.returncode}\n{done.stdout[-2000:]}\n"
            f"{done.stderr[-4000:]}"
        )
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def maxrss_mb() -> float:
    """Peak RSS of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / (1 << 20)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- what one row of a table runs ------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """One row: a worker's client (``reelkit``, ``openai``, ...), the extra environment it runs
    with (``REELKIT_TRANSPORT``, an older core's ``PYTHONPATH``) and its journal: ``sqlite`` (the
    default, under the run's fresh ``REELKIT_HOME``) or ``postgresql`` (a fresh schema per run)."""

    client: str
    env: Mapping[str, str] = field(default_factory=dict)
    journal: str = "sqlite"

    @contextlib.contextmanager
    def journal_env(self, postgres_url: str | None) -> Iterator[dict[str, str]]:
        """The run's extra environment; for ``postgresql``, ``REELKIT_JOURNAL_URL`` names a fresh
        schema on ``postgres_url``'s server, dropped after the run (that variable is how the core
        picks its journal: ``reelkit.catalog``)."""
        if self.journal != "postgresql":
            yield dict(self.env)
            return
        if postgres_url is None:
            raise RuntimeError("a PostgreSQL variant needs a server")
        from tests.benchmarks.bench_service import fresh_schema

        with fresh_schema(postgres_url) as url:
            yield {**self.env, "REELKIT_JOURNAL_URL": url}


# --- a baseline revision of the core ------------------------------------------------------


def baseline_core(rev: str, into: Path) -> Path | None:
    """``core/src`` of ``rev`` extracted under ``into`` (put it first on PYTHONPATH to run that
    version of ``reelkit`` against today's plugins), or None when git cannot provide it."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "core/src/reelkit"], cwd=ROOT, capture_output=True
    )
    if archive.returncode != 0:
        return None
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "core" / "src"


def describe_rev(rev: str) -> str:
    done = subprocess.run(
        ["git", "log", "-1", "--format=%h %s", rev], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or rev


def tree_state() -> dict[str, Any]:
    """The commit under test and whether core/ or plugins/ differ from it (others may be editing:
    an editable install runs whatever is on disk when each worker starts)."""
    head = subprocess.run(
        ["git", "log", "-1", "--format=%h %s"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "core/", "plugins/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    return {"commit": head, "dirty": sorted(line[3:] for line in dirty if line.strip())}


# --- the machine --------------------------------------------------------------------------


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / (1 << 20):.1f} GiB"
                break
    curl = ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        curl = subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split()[
            1
        ]
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "os": f"{platform.system()} {platform.release()}",
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "versions": {
            name: _version(name)
            for name in (
                "reelkit-core",
                "httpx",
                "aiohttp",
                "psycopg",
                "openai",
                "litellm",
                "google-genai",
                "uvicorn",
                "starlette",
            )
        }
        | {"curl": curl},
    }


# --- the emulator in its own process ------------------------------------------------------


@dataclass
class Emulator:
    """An emulator subprocess (see ``emulator_proc.py``); ``base_url`` like http://127.0.0.1:PORT."""

    process: subprocess.Popen[str]
    base_url: str

    def url(self, provider: str) -> str:
        return f"{self.base_url}/{provider}"

    def stats(self, provider: str = "sora") -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.base_url}/_emulator/stats", timeout=30) as r:
            data: dict[str, Any] = json.loads(r.read())
        return dict(data.get(provider, {}))

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.base_url}/_emulator/reset", method="POST")
        with urllib.request.urlopen(request, timeout=30):
            pass

    def cpu_seconds(self) -> float:
        """CPU the emulator process has used so far (for the reader's sanity, never a result)."""
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def emulator(
    *, polls: int, hint_ms: int, cache_dir: Path, tiny_video: bool = True
) -> Iterator[Emulator]:
    args = [
        PYTHON,
        "-m",
        "tests.benchmarks.emulator_proc",
        "--polls",
        str(polls),
        "--hint-ms",
        str(hint_ms),
        "--cache-dir",
        str(cache_dir),
    ]
    if tiny_video:
        args.append("--tiny-video")
    process = subprocess.Popen(
        args, cwd=ROOT, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("http"):
            process.kill()
            raise RuntimeError(f"the emulator did not start: {line} {process.stderr.read()}")  # type: ignore[union-attr]
        yield Emulator(process, line)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
