"""Start real worker processes behind a barrier, so they act at the same moment.

Each worker is ``python -c CODE GO READY *extra``: it touches READY once imported, waits for
GO to appear, then does its work and prints one JSON line. No sleep stands in for
synchronisation: the barrier is the GO file, created once every worker is ready.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def race(
    code: str,
    gate: Path,
    extras: Sequence[Sequence[str]],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> list[Any]:
    """Run one worker per entry of ``extras`` (its extra arguments); their JSON outputs."""
    gate.mkdir(parents=True, exist_ok=True)
    go = gate / "go"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(go), str(gate / f"ready-{i}"), *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(env) if env is not None else None,
        )
        for i, extra in enumerate(extras)
    ]
    try:
        deadline = time.monotonic() + timeout
        while len(list(gate.glob("ready-*"))) < len(workers):
            failed = [w for w in workers if w.poll() not in (None, 0)]
            assert not failed, failed[0].communicate()[1]
            assert time.monotonic() < deadline, "the workers never got ready"
            time.sleep(0.01)
        go.touch()
        outputs = [w.communicate(timeout=timeout) for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.wait()
    assert [w.returncode for w in workers] == [0] * len(workers), [e for _, e in outputs]
    return [json.loads(out) for out, _ in outputs]
