"""The journal contract, on every backend: the same calls, the same answers."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from reelkit._secrets import remember
from reelkit.errors import JobNotFound, JournalError
from reelkit.journal import (
    OPEN_STATES,
    SCHEMA_VERSION,
    JobRecord,
    Journal,
    new_job_id,
    open_journal,
)
from reelkit.journal.migrations import POSTGRES_STEPS
from reelkit.models import Adjustment, Asset, JobHandle, JobState, VideoRequest

REQUEST = VideoRequest(prompt="a cat on a skateboard", duration=6, aspect_ratio="16:9")
ADJUSTED = (Adjustment(field="duration", requested=5, applied=6, reason="nearest allowed"),)
TERMINAL = (JobState.DOWNLOADED, JobState.FAILED, JobState.CANCELLED)

# The version-1 SQLite schema, exactly as reelkit 0.1 wrote it (no version recorded).
V1_SQLITE = """
CREATE TABLE IF NOT EXISTS jobs (
    id          TEXT PRIMARY KEY,
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL,
    state       TEXT NOT NULL,
    provider    TEXT NOT NULL,
    model       TEXT NOT NULL,
    mode        TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    request     TEXT NOT NULL,
    adjustments TEXT NOT NULL,
    handle      TEXT,
    assets      TEXT,
    metadata    TEXT,
    output      TEXT,
    path        TEXT,
    progress    REAL,
    error       TEXT,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS jobs_fingerprint ON jobs (fingerprint);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at);
"""


def create(journal: Journal, fingerprint: str = "fp-1", **kwargs: Any) -> tuple[JobRecord, bool]:
    return journal.create(
        job_id=kwargs.pop("job_id", None) or new_job_id(),
        provider="awkward",
        model="awk-1",
        mode="t2v",
        fingerprint=fingerprint,
        request=REQUEST,
        adjustments=ADJUSTED,
        output="out/cat.mp4",
        **kwargs,
    )


def insert_row(raw: Any, job_id: str, *, state: str = "pending", request: str = "") -> None:
    raw.execute(
        "INSERT INTO {jobs} (id, created_at, updated_at, state, provider, model, mode,"
        " fingerprint, request, adjustments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        job_id, time.time(), time.time(), state, "awkward", "awk-1", "t2v", "fp-raw",
        request or '{"prompt":"by hand"}', "[]",
    )  # fmt: skip


# --- records -------------------------------------------------------------------------------


def test_create_then_get_returns_the_same_record(journal: Journal) -> None:
    record, created = create(journal)
    assert created and record.state is JobState.PENDING and record.claimed
    assert record.owner and record.owner.count(":") == 2 and record.lease_until is None
    assert journal.get(record.id) == record
    assert journal.find(record.id) == record
    assert journal.find("rk_nothing") is None


def test_the_estimate_and_the_billed_amount_round_trip(journal: Journal) -> None:
    estimate = {
        "estimated": 3.2,
        "currency": "USD",
        "basis": "8 s × $0.40/s",
        "as_of": "2026-12-02",
    }
    record, _ = create(journal, cost=estimate)
    assert journal.get(record.id).cost == estimate and record.cost == estimate
    billed = {"amount": 3.2, "currency": "USD", "basis": "usage.cost_in_usd_ticks"}
    record = journal.update(record, state=JobState.SUCCEEDED, billed=billed)
    assert journal.get(record.id) == record and record.billed == billed


def test_update_returns_what_get_reads_back(journal: Journal) -> None:
    record, _ = create(journal)
    handle = JobHandle(provider="awkward", model="awk-1", task_id="t-1", data={"region": "eu"})
    record = journal.update(record, state=JobState.SUBMITTED, handle=handle)
    assert journal.get(record.id) == record and record.handle == handle
    record = journal.update(record.id, state="running", progress=0.5)  # by id, state as text
    assert record.state is JobState.RUNNING and journal.get(record.id) == record
    asset = Asset(url="https://cdn/v.mp4", expires_at=datetime(2030, 1, 1, tzinfo=timezone.utc))
    record = journal.update(
        record, state=JobState.SUCCEEDED, assets=(asset,), metadata={"fps": 24}, output="o.mp4"
    )
    assert record.finished_at is not None and record.video == asset
    assert journal.get(record.id) == record
    record = journal.update(record, owner="host:1:abc", lease_until=123.5, path="/x/o.mp4")
    assert journal.get(record.id) == record
    assert (record.owner, record.lease_until, record.path) == ("host:1:abc", 123.5, "/x/o.mp4")


def test_update_refuses_unknown_columns_and_jobs(journal: Journal) -> None:
    record, _ = create(journal)
    with pytest.raises(TypeError, match="colour"):
        journal.update(record, colour="red")
    with pytest.raises(JobNotFound):
        journal.update("rk_missing", state=JobState.FAILED)
    journal.delete(record.id)
    with pytest.raises(JobNotFound):
        journal.update(record, progress=0.1)


def test_get_by_unique_prefix(journal: Journal) -> None:
    first, _ = create(journal, job_id="rk_abc123", claim=False)
    create(journal, job_id="rk_abd456", claim=False)
    assert journal.get("rk_abc").id == first.id
    for ambiguous in ("rk_ab", "rk_", "", "rk_x", "RK_ABC"):
        with pytest.raises(JobNotFound):
            journal.get(ambiguous)
    create(journal, job_id="rkXabc", claim=False)  # "_" is no wildcard
    assert journal.get("rk_abc").id == first.id


def test_list_order_limit_and_states(journal: Journal, raw: Any) -> None:
    for name in "abcd":
        create(journal, f"fp-{name}", job_id=f"rk_{name}")
    for job_id, at in (("rk_a", 100.0), ("rk_b", 300.0), ("rk_c", 200.0), ("rk_d", 200.0)):
        raw.execute("UPDATE {jobs} SET created_at = ? WHERE id = ?", at, job_id)
    assert [r.id for r in journal.list()] == ["rk_b", "rk_d", "rk_c", "rk_a"]
    assert [r.id for r in journal.list(limit=2)] == ["rk_b", "rk_d"]
    journal.update("rk_b", state=JobState.FAILED)
    journal.update("rk_c", state=JobState.RUNNING)
    assert [r.id for r in journal.list(states=(JobState.PENDING,))] == ["rk_d", "rk_a"]
    running_or_failed = journal.list(states=(JobState.RUNNING, JobState.FAILED), limit=5)
    assert [r.id for r in running_or_failed] == ["rk_b", "rk_c"]
    assert journal.list(states=(JobState.QUEUED,)) == []


def test_by_fingerprint_and_delete(journal: Journal, raw: Any) -> None:
    old, _ = create(journal, "fp-x", claim=False)
    new, _ = create(journal, "fp-x", claim=False)
    create(journal, "fp-y")
    raw.execute("UPDATE {jobs} SET created_at = created_at - 10 WHERE id = ?", old.id)
    assert [r.id for r in journal.by_fingerprint("fp-x")] == [new.id, old.id]
    assert journal.by_fingerprint("fp-none") == []
    journal.delete(old.id)
    journal.delete(old.id)  # deleting twice is no error
    assert journal.find(old.id) is None
    assert [r.id for r in journal.by_fingerprint("fp-x")] == [new.id]


def test_closed_journal_opens_again_on_use(journal: Journal) -> None:
    record, _ = create(journal)
    journal.close()
    assert journal.get(record.id).id == record.id
    journal.close()
    journal.close()


# --- claims --------------------------------------------------------------------------------


def test_second_create_returns_the_holder(journal: Journal) -> None:
    first, created = create(journal, lease_s=60)
    assert created and first.lease_until is not None
    assert first.lease_until == pytest.approx(time.time() + 60, abs=5)
    holder, created = create(journal, owner="elsewhere:1:x")
    assert not created and holder == first
    assert [r.id for r in journal.list()] == [first.id]  # nothing inserted
    other, created = create(journal, "fp-2")
    assert created and other.id != first.id


def test_force_inserts_without_a_claim(journal: Journal) -> None:
    first, _ = create(journal)
    forced, created = create(journal, claim=False)
    again, created_again = create(journal, claim=False)
    assert created and created_again and len({first.id, forced.id, again.id}) == 3
    assert not forced.claimed and not journal.get(forced.id).claimed
    assert forced.owner is None
    holder, created = create(journal)
    assert not created and holder.id == first.id


@pytest.mark.parametrize("state", TERMINAL)
def test_terminal_state_releases_the_claim(journal: Journal, state: JobState) -> None:
    first, _ = create(journal)
    done = journal.update(first, state=state, error={"message": "x"})
    assert not done.claimed and not journal.get(first.id).claimed
    second, created = create(journal)
    assert created and second.id != first.id and second.claimed


@pytest.mark.parametrize("state", [s for s in OPEN_STATES if s is not JobState.PENDING])
def test_open_states_keep_the_claim(journal: Journal, state: JobState) -> None:
    first, _ = create(journal)
    journal.update(first, state=state)
    holder, created = create(journal)
    assert not created and holder.id == first.id and holder.state is state and holder.claimed


def test_threads_racing_for_one_fingerprint(journal: Journal) -> None:
    barrier = threading.Barrier(8, timeout=30)
    results: list[tuple[JobRecord, bool]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(create(journal, "fp-race"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and len(results) == 8
    assert sum(created for _, created in results) == 1
    assert len({record.id for record, _ in results}) == 1
    assert len(journal.by_fingerprint("fp-race")) == 1


# --- compare and set -----------------------------------------------------------------------


def test_update_if_compares_and_sets(journal: Journal) -> None:
    record, _ = create(journal)
    unknown = journal.update_if(record, JobState.PENDING, state=JobState.UNKNOWN)
    assert unknown is not None and unknown.state is JobState.UNKNOWN and unknown.claimed
    assert journal.update_if(record, JobState.PENDING, state=JobState.FAILED) is None
    assert journal.get(record.id).state is JobState.UNKNOWN
    handle = JobHandle(provider="awkward", model="awk-1", task_id="adopted")
    adopted = journal.update_if(record.id, JobState.UNKNOWN, state="submitted", handle=handle)
    assert adopted is not None and journal.get(record.id) == adopted
    cancelled = journal.update_if(adopted, JobState.SUBMITTED, state=JobState.CANCELLED)
    assert cancelled is not None and not cancelled.claimed and not journal.get(record.id).claimed
    with pytest.raises(JobNotFound):
        journal.update_if("rk_missing", JobState.PENDING, state=JobState.UNKNOWN)
    with pytest.raises(TypeError):
        journal.update_if(record, JobState.CANCELLED, nonsense=1)


def test_update_if_lets_exactly_one_thread_win(journal: Journal) -> None:
    record, _ = create(journal)
    barrier = threading.Barrier(8, timeout=30)
    won: list[JobRecord | None] = []

    def run(i: int) -> None:
        barrier.wait()
        won.append(journal.update_if(record, JobState.PENDING, state="unknown", owner=f"t{i}"))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    winners = [r for r in won if r is not None]
    assert len(won) == 8 and len(winners) == 1
    assert journal.get(record.id).owner == winners[0].owner


# --- rows this version cannot fully read ---------------------------------------------------


def test_unrecognised_state_is_listed_not_fatal(journal: Journal, raw: Any) -> None:
    create(journal)
    insert_row(raw, "rk_frozen", state="frozen")
    listed = {r.id: r for r in journal.list()}
    frozen = listed["rk_frozen"]
    assert frozen.state is JobState.UNRECOGNISED and frozen.raw_state == "frozen"
    assert frozen.request == VideoRequest(prompt="by hand") and not frozen.claimed
    assert journal.get("rk_frozen") == frozen
    assert [r.id for r in journal.list(states=(JobState.UNRECOGNISED,))] == ["rk_frozen"]
    assert "rk_frozen" not in [r.id for r in journal.list(states=(JobState.PENDING,))]
    fixed = journal.update("rk_frozen", state=JobState.FAILED)
    assert fixed.raw_state is None and journal.get("rk_frozen").state is JobState.FAILED
    with pytest.raises(ValueError, match="unrecognised"):
        journal.update(fixed, state=JobState.UNRECOGNISED)


@pytest.mark.parametrize(
    ("column", "text"),
    [("request", "{not json"), ("handle", '{"provider": "awkward"}'), ("assets", "[1, 2")],
)
def test_damaged_row_is_skipped_by_list_and_named_by_get(
    journal: Journal, raw: Any, caplog: pytest.LogCaptureFixture, column: str, text: str
) -> None:
    good, _ = create(journal, "fp-1")
    bad, _ = create(journal, "fp-1", claim=False)
    raw.execute(f"UPDATE {{jobs}} SET {column} = ? WHERE id = ?", text, bad.id)
    with caplog.at_level(logging.WARNING, logger="reelkit"):
        assert [r.id for r in journal.list()] == [good.id]
        assert [r.id for r in journal.by_fingerprint("fp-1")] == [good.id]
    assert bad.id in caplog.text
    with pytest.raises(JournalError, match=bad.id) as caught:
        journal.get(bad.id)
    assert caught.value.job_id == bad.id
    with pytest.raises(JournalError, match=bad.id):
        journal.find(bad.id)
    journal.delete(bad.id)  # the way out
    assert [r.id for r in journal.list()] == [good.id]


# --- schema versions -----------------------------------------------------------------------


def test_a_version_1_journal_is_migrated(journal_url: str, raw: Any, tmp_path: Path) -> None:
    if raw.kind == "sqlite":
        Path(raw.url.removeprefix("sqlite:///")).parent.mkdir(parents=True)
        raw._connect().executescript(V1_SQLITE)
    else:
        for statement in POSTGRES_STEPS[1]:
            raw.execute(statement)
    insert_row(raw, "rk_old", state="submitted")
    raw.execute("UPDATE {jobs} SET fingerprint = 'fp-old', handle = ? WHERE id = 'rk_old'",
                '{"provider":"awkward","model":"awk-1","task_id":"t-old"}')  # fmt: skip
    journal = open_journal(journal_url, home=tmp_path)
    try:
        old = journal.get("rk_old")
        assert old.state is JobState.SUBMITTED and old.handle is not None
        assert (old.claimed, old.owner, old.lease_until) == (False, None, None)
        assert (old.cost, old.billed) == (None, None)  # version 3's columns, empty on old rows
        assert raw.version() == SCHEMA_VERSION == 4
        _, created = create(journal, "fp-old")  # a version-1 row holds no claim
        assert created
        assert not create(journal, "fp-old")[1]
    finally:
        journal.close()
    again = open_journal(journal_url, home=tmp_path)  # opening a current journal changes nothing
    assert len(again.by_fingerprint("fp-old")) == 2
    again.close()


def test_a_newer_journal_is_refused(journal_url: str, raw: Any, tmp_path: Path) -> None:
    open_journal(journal_url, home=tmp_path).close()
    raw.set_version(SCHEMA_VERSION + 1)
    with pytest.raises(JournalError) as caught:
        open_journal(journal_url, home=tmp_path)
    message = str(caught.value)
    assert f"schema {SCHEMA_VERSION + 1}" in message and f"schema {SCHEMA_VERSION}" in message
    assert "newer reelkit" in message and "upgrade reelkit" in message
    assert caught.value.path


# --- secrets -------------------------------------------------------------------------------


def test_secrets_are_scrubbed_from_stored_text(journal: Journal, raw: Any) -> None:
    secret = "sk-live-" + new_job_id()
    remember([secret])
    record, _ = create(journal)
    record = journal.update(
        record,
        state=JobState.FAILED,
        error={"error": "AuthenticationFailed", "message": f"key {secret} was rejected"},
        metadata={"echo": secret},
    )
    assert record.error is not None and secret not in str(record.error)
    assert "***" in record.error["message"] and record.metadata == {"echo": "***"}
    stored = raw.execute("SELECT error, metadata FROM {jobs} WHERE id = ?", record.id)
    assert secret not in str(stored) and "***" in str(stored)
    assert journal.get(record.id) == record
