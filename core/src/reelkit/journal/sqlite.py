"""The SQLite journal: one file, by default ``$REELKIT_HOME/jobs.sqlite3``.

A job is written *before* its submit is sent (``pending``) and at every transition after, so a
process that dies at any point leaves enough behind for any other process to finish the job
without paying for it twice. WAL mode lets a CLI read while another process writes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reelkit.errors import JournalError

from .base import Session, SqlJournal
from .migrations import migrate_sqlite, not_a_journal


class SqliteJournal(SqlJournal):
    """The journal in one SQLite file; ``read_only`` opens it with ``mode=ro``.

    ``busy_timeout_s`` is how long a write waits for another process's lock.
    """

    _table = "jobs"
    _mark = "?"
    _id_order = "id"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        read_only: bool = False,
        busy_timeout_s: float = 30.0,
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.busy_timeout_s = busy_timeout_s
        self.url = "sqlite:///" + str(self.path) + ("?mode=ro" if read_only else "")
        self._where = str(self.path)
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            try:
                if not read_only:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                migrate_sqlite(self._db(), self._where)
            except (sqlite3.Error, OSError) as exc:
                raise self._fault(exc) from exc
        except BaseException:
            self.close()
            raise

    # --- connections -------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        # One connection per journal and thread (sqlite3 objects must not cross threads),
        # opened once: a connection per operation cost a dozen opens per job at fan-out.
        # Autocommit: every write is durable, and visible to other processes (WAL), at once.
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            self._local.db = db
            with self._lock:
                self._opened.append(db)
        return db

    def _connect(self) -> sqlite3.Connection:
        if self.read_only:
            target = f"file:{urllib.parse.quote(str(self.path))}?mode=ro"
        else:
            target = str(self.path)
        db = sqlite3.connect(
            target,
            timeout=self.busy_timeout_s,
            isolation_level=None,
            check_same_thread=True,
            uri=self.read_only,
        )
        try:
            if not self.read_only:
                self._wal(db)
            db.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            db.close()
            raise
        db.row_factory = sqlite3.Row
        return db

    def _wal(self, db: sqlite3.Connection) -> None:
        # Switching a fresh file to WAL needs a moment alone with it; SQLite answers "locked"
        # at once, without its busy wait, when another connection opens it at the same time.
        deadline = time.monotonic() + self.busy_timeout_s
        delay = 0.001
        while True:
            try:
                db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.05)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        try:
            yield self._db()
        except (sqlite3.Error, OSError) as exc:
            raise self._fault(exc) from exc

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for db in opened:
            # One made in another thread refuses; it closes when that thread's objects go.
            with contextlib.suppress(sqlite3.Error):
                db.close()
        self._local = threading.local()

    # --- faults ------------------------------------------------------------------------

    def _fault(self, exc: sqlite3.Error | OSError) -> JournalError:
        """The driver's error as a ``JournalError`` that says what to do."""
        where = self._where
        if isinstance(exc, OSError):
            blocker = self._blocking_file()
            if blocker is not None:
                reason = f"{blocker} is a file, not a directory"
            elif isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
                reason = f"read-only ({exc.strerror})"
            else:
                reason = exc.strerror or str(exc)
            return JournalError(
                f"cannot write the journal at {where}: {reason}; point REELKIT_HOME (or the "
                "journal URL) at a writable directory",
                path=where,
            )
        text = str(exc)
        low = text.lower()
        if "readonly" in low or "read-only" in low:
            return self._read_only()
        if "locked" in low or "busy" in low:
            return JournalError(
                f"the journal at {where} is locked by another process (waited "
                f"{self.busy_timeout_s:g} s); try again once that process is done",
                path=where,
            )
        if "not a database" in low:
            return not_a_journal(where, "file is not a database")
        if "malformed" in low or "corrupt" in low:
            return JournalError(
                f"the journal at {where} is damaged ({text}); move it away to start a new one",
                path=where,
            )
        if "unable to open" in low:
            parent = self.path.parent
            if self.read_only and not self.path.exists():
                return JournalError(
                    f"cannot open the journal at {where}: no such file (opened read-only)",
                    path=where,
                )
            if parent.is_dir() and not os.access(parent, os.W_OK):
                return self._read_only()
            return JournalError(
                f"cannot open the journal at {where} ({text}); check that its directory exists "
                "and is writable",
                path=where,
            )
        if "full" in low or "i/o" in low:
            return JournalError(f"cannot write the journal at {where}: {text}", path=where)
        return JournalError(f"journal {where}: {text}", path=where)

    def _blocking_file(self) -> Path | None:
        """The nearest existing ancestor of the journal, if it is no directory."""
        for parent in self.path.parents:
            if parent.exists():
                return None if parent.is_dir() else parent
        return None

    def _read_only(self) -> JournalError:
        how = " (opened with mode=ro)" if self.read_only else ""
        return JournalError(
            f"cannot write the journal at {self._where}: read-only{how}; make it writable or "
            "point REELKIT_HOME (or the journal URL) elsewhere",
            path=self._where,
        )
