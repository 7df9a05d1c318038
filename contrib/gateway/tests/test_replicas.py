"""Two gateway processes on one journal: either answers for any job, and a job whose replica
died is finished by the other, polled on and never resubmitted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openai
import pytest

pytestmark = pytest.mark.slow


def test_any_replica_answers_and_finishes_a_job_its_replica_left(
    start_gateway: Any, reelkit_emulator: Any, dev_keys: tuple[str, ...], tmp_path: Path
) -> None:
    first = start_gateway("--output-dir", str(tmp_path / "first"))
    second = start_gateway("--output-dir", str(tmp_path / "second"), "--adopt-after", "0")
    to_first = openai.OpenAI(api_key=dev_keys[0], base_url=first.base_url, max_retries=0)
    to_second = openai.OpenAI(api_key=dev_keys[0], base_url=second.base_url, max_retries=0)

    started = to_first.videos.create(prompt="a tram in the rain", model="sora/sora-2")
    first.process.kill()  # the replica that took the submit dies, finished or not
    first.process.wait()

    done = to_second.videos.poll(started.id, poll_interval_ms=50)
    assert done.status == "completed" and done.id == started.id
    for leftover in (tmp_path / "first").glob("*.mp4"):
        leftover.unlink()  # only the provider's result is left, not the first replica's file
    target = tmp_path / "from-second.mp4"
    to_second.videos.download_content(started.id).write_to_file(target)
    assert target.stat().st_size > 0
    assert [v.id for v in to_second.videos.list()] == [started.id]
    assert reelkit_emulator.stats()["sora"]["submits"] == 1  # never resubmitted
