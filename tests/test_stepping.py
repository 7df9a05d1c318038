"""The worker seam in the core: ``record`` sends nothing, ``advance`` does one step (SQLite
journal, the emulator over loopback)."""

from __future__ import annotations

from pathlib import Path

import reelkit
from reelkit.engine import Step
from reelkit.engine.claims import PLANNED
from reelkit.models import JobState
from reelkit_emulator import RunningServer


def run_to_the_end(client: reelkit.Client, job_id: str, limit: int = 20) -> list[Step]:
    steps = [client.advance(job_id)]
    while not steps[-1].done and len(steps) < limit:
        steps.append(client.advance(job_id, errors=steps[-1].errors))
    return steps


def test_record_sends_nothing_and_advance_finishes_step_by_step(
    reelkit_emulator: RunningServer, tmp_path: Path
) -> None:
    with reelkit.Client() as client:
        job_id = client.record("a kite", provider="sora", duration=4, output=tmp_path)
        record = client.journal.get(job_id)
        assert (record.state, record.owner, record.claimed) == (JobState.PENDING, PLANNED, True)
        assert reelkit_emulator.stats()["sora"]["submits"] == 0
        # An identical request is not recorded twice.
        assert client.record("a kite", provider="sora", duration=4, output=tmp_path) == job_id
        steps = run_to_the_end(client, job_id)
        assert steps[0].did == "submitted" and steps[-1].did == "downloaded"
        assert steps[-1].done and steps[-1].state is JobState.DOWNLOADED
        assert Path(client.result(job_id).path or "").stat().st_size > 0
        # A poll of a running task comes back at the provider's hint (openai-poll-after-ms).
        hint = reelkit_emulator.config.poll_hint_ms / 1000
        assert any(s.did == "polled" and s.next_in == hint for s in steps)
        assert client.advance(job_id).did == "nothing"
    assert reelkit_emulator.stats()["sora"]["submits"] == 1


def test_a_submit_the_provider_refused_with_429_goes_back_to_the_queue(
    reelkit_emulator: RunningServer,
) -> None:
    reelkit_emulator.inject("429", provider="sora", endpoint="submit", times=3)
    with reelkit.Client() as client:
        job_id = client.record("a refused kite", provider="sora", duration=4)
        first = client.advance(job_id)
        assert first.did == "requeued" and first.next_in is not None and first.next_in >= 1.0
        assert client.journal.get(job_id).owner == PLANNED
        assert reelkit_emulator.stats()["sora"]["submits"] == 0
        assert run_to_the_end(client, job_id)[-1].state is JobState.DOWNLOADED
    assert reelkit_emulator.stats()["sora"]["submits"] == 1


def test_a_submit_whose_answer_was_lost_is_reconciled_never_resent(
    reelkit_emulator: RunningServer,
) -> None:
    # The connection drops after the request left: the fake made no task, reelkit cannot know.
    reelkit_emulator.inject("reset", provider="sora", endpoint="submit", times=1)
    with reelkit.Client() as client:
        job_id = client.record("a lost kite", provider="sora", duration=4)
        steps = run_to_the_end(client, job_id)
        assert steps[0].did == "unknown"
        assert [s.did for s in steps[1:]] == ["unknown"] * (len(steps) - 1)
        assert steps[-1].done and steps[-1].state is JobState.UNKNOWN
        assert "no task" in steps[-1].message
    assert reelkit_emulator.stats()["sora"]["submits"] == 0


def test_a_job_that_cannot_be_made_as_recorded_fails_without_a_submit(
    reelkit_emulator: RunningServer,
) -> None:
    with reelkit.Client() as client:
        job_id = client.record("a keyless kite", provider="sora", duration=4)
    with reelkit.Client(env={"REELKIT_HOME": client.settings.env["REELKIT_HOME"]}) as keyless:
        step = keyless.advance(job_id)
    assert (step.did, step.state, step.done) == ("failed", JobState.FAILED, True)
    assert "OPENAI_API_KEY" in step.message
    assert reelkit_emulator.stats()["sora"]["submits"] == 0
