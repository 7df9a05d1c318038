"""Real processes racing for one fingerprint: exactly one submits, on every backend."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from reelkit.journal import open_journal

PROCESSES = 6

# Each worker waits for the ``go`` file, then opens the journal and claims the fingerprint, so
# the workers race both to migrate a fresh journal and to claim. It prints what it got back.
WORKER = """
import json, os, sys, time
from pathlib import Path
from reelkit.journal import new_job_id, open_journal
from reelkit.models import VideoRequest

url, go, ready = sys.argv[1:4]
Path(ready).touch()
deadline = time.monotonic() + 60
while not os.path.exists(go):  # the barrier: every worker starts at the same moment
    if time.monotonic() > deadline:
        sys.exit("never told to go")
    time.sleep(0.001)
journal = open_journal(url, home=Path.cwd())
record, created = journal.create(
    job_id=new_job_id(), provider="awkward", model="awk-1", mode="t2v", fingerprint="fp-race",
    request=VideoRequest(prompt="a race"), adjustments=(), output=None,
)
print(json.dumps({"id": record.id, "created": created, "pid": os.getpid()}))
journal.close()
"""


def test_processes_racing_for_one_fingerprint(journal_url: str, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    gate.mkdir()
    go = gate / "go"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, journal_url, str(go), str(gate / f"ready-{i}")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(PROCESSES)
    ]
    try:
        deadline = time.monotonic() + 60
        while len(list(gate.glob("ready-*"))) < PROCESSES:
            failed = [w for w in workers if w.poll() not in (None, 0)]
            assert not failed, failed[0].communicate()[1]
            assert time.monotonic() < deadline, "the workers never got ready"
            time.sleep(0.01)
        go.touch()
        outputs = [w.communicate(timeout=60) for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.wait()
    assert [w.returncode for w in workers] == [0] * PROCESSES, [err for _, err in outputs]
    results = [json.loads(out) for out, _ in outputs]
    assert len({r["pid"] for r in results}) == PROCESSES
    assert sum(r["created"] for r in results) == 1
    assert len({r["id"] for r in results}) == 1
    journal = open_journal(journal_url, home=tmp_path)
    try:
        [record] = journal.by_fingerprint("fp-race")
        assert record.id == results[0]["id"] and record.claimed
    finally:
        journal.close()
