"""SQLite journal faults: each one a JournalError that says what is wrong and what to do."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from reelkit.errors import JournalError
from reelkit.journal import SCHEMA_VERSION, Journal, new_job_id, open_journal
from reelkit.journal.sqlite import SqliteJournal
from reelkit.models import JobState, VideoRequest


def create(journal: Journal, fingerprint: str = "fp-1") -> None:
    journal.create(
        job_id=new_job_id(), provider="awkward", model="awk-1", mode="t2v",
        fingerprint=fingerprint, request=VideoRequest(prompt="x"), adjustments=(), output=None,
    )  # fmt: skip


def test_a_home_under_a_regular_file(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    for home in (blocker, blocker / "deeper"):
        with pytest.raises(JournalError) as caught:
            open_journal(None, home=home)
        assert str(caught.value).startswith(
            f"cannot write the journal at {home / 'jobs.sqlite3'}: {blocker} is a file, not a "
            "directory; point REELKIT_HOME"
        )
        assert caught.value.path == str(home / "jobs.sqlite3")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root writes through permission bits; the read-only URL test covers this as root",
)
def test_a_read_only_home(tmp_path: Path) -> None:
    home = tmp_path / "home-ro"
    home.mkdir()
    home.chmod(0o500)
    try:
        with pytest.raises(JournalError, match="read-only"):
            open_journal(None, home=home)
    finally:
        home.chmod(0o700)


def test_a_read_only_journal_reads_and_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    writer = open_journal(f"sqlite:///{path}", home=tmp_path)
    create(writer)
    writer.close()
    reader = open_journal(f"sqlite:///{path}?mode=ro", home=tmp_path)
    try:
        [record] = reader.list()
        assert reader.get(record.id).state is JobState.PENDING
        with pytest.raises(JournalError, match=r"cannot write the journal at .*: read-only"):
            create(reader, "fp-2")
        with pytest.raises(JournalError, match="read-only"):
            reader.update(record, state=JobState.FAILED)
    finally:
        reader.close()


def test_a_read_only_journal_that_needs_migrating(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE jobs (id TEXT PRIMARY KEY, created_at REAL)")  # a version-1 shape
    db.commit()
    db.close()
    with pytest.raises(JournalError, match="read-only"):
        open_journal(f"sqlite:///{path}?mode=ro", home=tmp_path)
    with pytest.raises(JournalError, match="no such file"):
        open_journal(f"sqlite:///{tmp_path / 'absent.sqlite3'}?mode=ro", home=tmp_path)


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(JournalError) as caught:
        open_journal(None, home=tmp_path)
    assert str(caught.value) == (
        f"{path} is not a reelkit journal (file is not a database); move it away or point the "
        "journal elsewhere"
    )
    assert caught.value.path == str(path)


def test_a_database_of_something_else(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (n INTEGER)")
    db.commit()
    db.close()
    with pytest.raises(JournalError, match=r"is not a reelkit journal .*other tables"):
        open_journal(str(path), home=tmp_path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 7")
    db.close()
    with pytest.raises(JournalError, match="is not a reelkit journal"):
        open_journal(str(path), home=tmp_path)


def test_a_locked_journal_times_out_with_a_journal_error(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    journal = open_journal(f"sqlite:///{path}?timeout=0.2", home=tmp_path)
    assert isinstance(journal, SqliteJournal) and journal.busy_timeout_s == 0.2
    create(journal)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(JournalError, match=r"is locked by another process \(waited 0.2 s\)"):
            create(journal, "fp-2")
        assert time.monotonic() - started < 10
        assert len(journal.list()) == 1  # WAL: reading goes on
    finally:
        other.execute("ROLLBACK")
        other.close()
    create(journal, "fp-2")
    assert len(journal.list()) == 2
    journal.close()


def test_a_journal_locked_while_opening(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # a fresh file, locked by another process
    try:
        with pytest.raises(JournalError, match="locked"):
            SqliteJournal(path, busy_timeout_s=0.1)
    finally:
        other.execute("ROLLBACK")
        other.close()
    SqliteJournal(path, busy_timeout_s=0.1).close()


def test_version_is_recorded_and_threads_share_nothing(tmp_path: Path) -> None:
    import threading

    journal = open_journal(None, home=tmp_path / "h")
    create(journal)
    db = sqlite3.connect(tmp_path / "h" / "jobs.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    seen: list[int] = []
    thread = threading.Thread(target=lambda: seen.append(len(journal.list())))
    thread.start()
    thread.join(timeout=30)
    assert seen == [1]
    journal.close()
