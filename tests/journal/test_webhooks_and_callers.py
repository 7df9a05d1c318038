"""Schema 4 on both backends: who asked (``caller``) and the webhook a job owes."""

from __future__ import annotations

import time

from reelkit.journal import Journal, new_job_id
from reelkit.journal.records import WEBHOOK_DELIVERED, WEBHOOK_OWED
from reelkit.models import JobState, VideoRequest

REQUEST = VideoRequest(prompt="a heron", duration=4)


def create(journal: Journal, fingerprint: str, **kwargs: object) -> str:
    record, created = journal.create(
        job_id=new_job_id(),
        provider="awkward",
        model="awk-1",
        mode="t2v",
        fingerprint=fingerprint,
        request=REQUEST,
        adjustments=(),
        output=None,
        cost={"estimated": 0.5, "currency": "USD"},
        **kwargs,  # type: ignore[arg-type]
    )
    assert created
    return record.id


def test_jobs_are_listed_and_costed_per_caller(journal: Journal) -> None:
    alice = create(journal, "fp-a", caller="alice")
    bob = create(journal, "fp-b", caller="bob")
    create(journal, "fp-c")
    assert [r.id for r in journal.list(caller="alice")] == [alice]
    assert journal.get(bob).caller == "bob"
    assert [r.id for r in journal.costs(caller="bob")] == [bob]
    assert len(journal.list()) == 3


def test_an_owed_webhook_is_due_once_the_job_ends_and_leased_to_one_attempt(
    journal: Journal,
) -> None:
    job = create(journal, "fp-w", webhook_url="http://127.0.0.1:9/hook")
    record = journal.get(job)
    assert (record.webhook_url, record.webhook_state) == ("http://127.0.0.1:9/hook", WEBHOOK_OWED)
    now = time.time()
    assert journal.webhooks_due(now=now) == []  # still running: nothing to say yet
    journal.update(job, state=JobState.FAILED, error={"message": "no"})
    assert [r.id for r in journal.webhooks_due(now=now)] == [job]
    assert journal.lease_webhook(job, now=now, until=now + 60)
    assert not journal.lease_webhook(job, now=now, until=now + 60)  # held by the first
    assert journal.webhooks_due(now=now) == []
    attempt = {"at": now, "status": 500, "error": "HTTP 500"}
    journal.update(job, webhook_attempts=[attempt], webhook_next_at=now + 5)
    assert journal.webhooks_due(now=now) == [] and journal.webhooks_due(now=now + 6) != []
    journal.update(job, webhook_state=WEBHOOK_DELIVERED, webhook_next_at=None)
    again = journal.get(job)
    assert again.webhook_state == WEBHOOK_DELIVERED
    assert [dict(a) for a in again.webhook_attempts] == [attempt]
    assert journal.webhooks_due(now=now + 6) == []
