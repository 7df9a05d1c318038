"""Real processes racing for one fingerprint: exactly one submits, on every backend."""

from __future__ import annotations

from pathlib import Path

from racing import race

from reelkit.journal import open_journal

PROCESSES = 6

# Each worker waits for the ``go`` file, then opens the journal and claims the fingerprint, so
# the workers race both to migrate a fresh journal and to claim. It prints what it got back.
WORKER = """
import json, os, sys, time
from pathlib import Path
from reelkit.journal import new_job_id, open_journal
from reelkit.models import VideoRequest

go, ready, url = sys.argv[1:4]
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
    results = race(WORKER, tmp_path / "gate", [[journal_url]] * PROCESSES, timeout=60)
    assert len({r["pid"] for r in results}) == PROCESSES
    assert sum(r["created"] for r in results) == 1
    assert len({r["id"] for r in results}) == 1
    journal = open_journal(journal_url, home=tmp_path)
    try:
        [record] = journal.by_fingerprint("fp-race")
        assert record.id == results[0]["id"] and record.claimed
    finally:
        journal.close()
