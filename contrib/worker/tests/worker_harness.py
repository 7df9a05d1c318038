"""What the worker tests share besides fixtures: worker processes and waiting."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


class Workers:
    """``reelkit worker`` processes of one test, stopped (by their own pids) at its end."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, n: int = 1, *args: str, **extra_env: str) -> list[subprocess.Popen[bytes]]:
        started = []
        for _ in range(n):
            log = (self.logs / f"worker-{len(self.procs)}.log").open("wb")
            proc = subprocess.Popen(
                [str(Path(sys.executable).with_name("reelkit")), "worker", *args],
                env={**os.environ, **self.env, **extra_env},
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.logs.parent,
            )
            self.procs.append(proc)
            started.append(proc)
        return started

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def output(self) -> str:
        return "\n".join(
            p.read_text(errors="replace")[-3000:] for p in sorted(self.logs.glob("*.log"))
        )


def wait_for(
    condition: Callable[[], Any],
    *,
    timeout: float = float(os.environ.get("REELKIT_TEST_WAIT_S", "180")),
    what: str = "",
    every: float = 0.2,
    explain: Callable[[], str] | None = None,
) -> Any:
    """Poll ``condition`` until truthy; the deadline only bounds a hung run (never asserted)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            said = f"\n{explain()}" if explain else ""
            raise AssertionError(f"gave up waiting for {what or condition}{said}")
        time.sleep(every)
