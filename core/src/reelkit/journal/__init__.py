"""The job journal: one interface, two backends (SQLite by default, PostgreSQL).

A job is written *before* its submit is sent (``pending``) and at every transition after, so a
process that dies at any point leaves enough behind for any other process to finish the job
without paying for it twice. ``create`` also takes the fingerprint's *claim* in the same atomic
step: of many processes asking for the same video at once, exactly one submits.

    journal = open_journal(url, home=settings.home)   # None: $REELKIT_HOME/jobs.sqlite3

Importing this module imports neither backend's driver: ``sqlite3`` loads with the SQLite
journal and psycopg only when a ``postgresql://`` URL is opened.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from reelkit.errors import ConfigurationError
from reelkit.models import Adjustment, JobState, VideoRequest

from .migrations import SCHEMA_VERSION
from .records import OPEN_STATES, CostRow, JobRecord, default_owner, new_job_id
from .urls import is_postgres, sqlite_target

if TYPE_CHECKING:
    from .postgres import PostgresJournal
    from .sqlite import SqliteJournal

__all__ = [
    "OPEN_STATES",
    "SCHEMA_VERSION",
    "CostRow",
    "JobRecord",
    "Journal",
    "PostgresJournal",
    "SqliteJournal",
    "default_owner",
    "new_job_id",
    "open_journal",
]


class Journal(Protocol):
    """What the engine needs of a journal. Every fault is a ``JournalError``."""

    url: str  # for display: credentials redacted (postgresql://user:***@host/db)

    def create(
        self,
        *,
        job_id: str,
        provider: str,
        model: str,
        mode: str,
        fingerprint: str,
        request: VideoRequest,
        adjustments: tuple[Adjustment, ...],
        output: str | None,
        claim: bool = True,
        owner: str | None = None,
        lease_s: float | None = None,
        cost: Mapping[str, Any] | None = None,
        caller: str | None = None,
        webhook_url: str | None = None,
    ) -> tuple[JobRecord, bool]:
        """Insert a PENDING job holding ``fingerprint``'s claim: ``(record, True)``.

        If another open job holds the claim, insert nothing and return ``(holder, False)``.
        ``claim=False`` (``force``) always inserts, holding no claim. ``owner`` defaults to
        this process; ``lease_s`` sets ``lease_until`` that many seconds from now; ``cost`` is the
        plan's estimate (``CostEstimate`` fields), recorded before anything is sent; ``caller``
        labels who asked; ``webhook_url`` makes the job's terminal event owed (``reelkit.webhooks``).
        """
        ...

    def update(self, record: JobRecord | str, **changes: Any) -> JobRecord:
        """Write columns (state, handle, assets, metadata, error, path, progress, output, owner,
        lease_until, cost, billed); a state outside ``OPEN_STATES`` releases the claim. The record returned
        is built in memory. An unknown column is a ``TypeError``."""
        ...

    def update_if(
        self, record: JobRecord | str, expect: JobState, **changes: Any
    ) -> JobRecord | None:
        """As ``update``, only if the stored state is ``expect``; else ``None`` (atomic)."""
        ...

    def take_over(
        self, record: JobRecord | str, *, expect_owner: str, owner: str, lease_s: float
    ) -> JobRecord | None:
        """Compare and set on the owner of a ``pending`` job (a worker taking a recorded job):
        the updated record, or ``None`` if its owner is no longer ``expect_owner`` (atomic)."""
        ...

    def get(self, job_id: str) -> JobRecord:
        """By id or unique id prefix; ``JobNotFound`` if none, ``JournalError`` if damaged."""
        ...

    def find(self, job_id: str) -> JobRecord | None: ...

    def list(
        self,
        *,
        limit: int | None = None,
        states: tuple[JobState, ...] = (),
        caller: str | None = None,
    ) -> builtins.list[JobRecord]:
        """Newest first (only ``caller``'s, if given); rows that cannot be read are skipped
        (with a warning)."""
        ...

    def by_fingerprint(
        self, fingerprint: str, *, states: tuple[JobState, ...] = ()
    ) -> builtins.list[JobRecord]: ...

    def costs(
        self, *, since: float | None = None, caller: str | None = None
    ) -> builtins.list[CostRow]:
        """Each job's estimate and billed amount (created at or after ``since``; only
        ``caller``'s, if given), oldest first."""
        ...

    def webhooks_due(self, *, now: float, limit: int = 20) -> builtins.list[JobRecord]:
        """Ended jobs whose webhook event is owed and due now."""
        ...

    def lease_webhook(self, job_id: str, *, now: float, until: float) -> bool:
        """Atomically take the next delivery attempt of a job's event until ``until``."""
        ...

    def delete(self, job_id: str) -> None: ...

    def close(self) -> None: ...


def open_journal(url: str | None, *, home: Path) -> Journal:
    """The journal at ``url``; ``None`` or empty: ``sqlite:///{home}/jobs.sqlite3``.

    Accepted: ``sqlite:///relative/path`` (to the working directory), ``sqlite:////abs/path``
    (both may end in ``?mode=ro`` and ``&timeout=SECONDS``), a bare file path (SQLite), and
    ``postgresql://`` or ``postgres://`` conninfo URLs. Anything else is a
    ``ConfigurationError``; so is a PostgreSQL URL without the ``postgres`` extra installed.
    """
    if not url or not url.strip():
        from .sqlite import SqliteJournal

        return SqliteJournal(Path(home) / "jobs.sqlite3")
    url = url.strip()
    if is_postgres(url):
        try:
            from .postgres import PostgresJournal
        except ImportError as exc:
            raise ConfigurationError(
                "journal",
                f'a PostgreSQL journal needs psycopg ({exc}); pip install "reelkit-core[postgres]"',
            ) from exc
        return PostgresJournal(url)
    target = sqlite_target(url, cwd=Path(os.getcwd()))  # or ConfigurationError
    from .sqlite import SqliteJournal

    if target.busy_timeout_s is None:
        return SqliteJournal(target.path, read_only=target.read_only)
    return SqliteJournal(
        target.path, read_only=target.read_only, busy_timeout_s=target.busy_timeout_s
    )


def __getattr__(name: str) -> Any:
    # The backends load on first use, so that importing the journal loads no driver.
    if name == "SqliteJournal":
        from .sqlite import SqliteJournal

        return SqliteJournal
    if name == "PostgresJournal":
        from .postgres import PostgresJournal

        return PostgresJournal
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
