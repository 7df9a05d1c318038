"""Real processes sending one request at the same moment through the whole engine, against the
emulator over loopback, on every journal backend: exactly one submit reaches the provider, and
every process gets the same finished job."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from racing import race

PROCESSES = 4

# Each worker imports reelkit, says it is ready, waits for the ``go`` file, then generates.
WORKER = """
import json, os, sys, time
from pathlib import Path
import reelkit

go, ready, out = sys.argv[1:4]
Path(ready).touch()
deadline = time.monotonic() + 120
while not os.path.exists(go):  # the barrier: every worker sends at the same moment
    if time.monotonic() > deadline:
        sys.exit("never told to go")
    time.sleep(0.001)
with reelkit.Client() as client:
    result = client.generate("a lighthouse in a storm", provider="sora", output=out)
print(json.dumps({"job_id": result.job_id, "status": result.status, "path": result.path}))
"""


def test_processes_sending_one_request_pay_once(
    journal_url: str, reelkit_emulator: Any, tmp_path: Path
) -> None:
    results = race(
        WORKER,
        tmp_path / "gate",
        [[str(tmp_path / f"out-{i}" / "storm.mp4")] for i in range(PROCESSES)],
        env={**os.environ, "REELKIT_JOURNAL_URL": journal_url},
    )
    assert reelkit_emulator.stats()["sora"]["submits"] == 1
    assert len({r["job_id"] for r in results}) == 1
    assert {r["status"] for r in results} == {"downloaded"}
    # Each process asked for its own file: one purchase, a copy for each.
    for i, result in enumerate(results):
        assert Path(result["path"]) == tmp_path / f"out-{i}" / "storm.mp4"
        assert Path(result["path"]).read_bytes()[4:8] == b"ftyp"
