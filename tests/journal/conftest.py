"""A real PostgreSQL for the journal tests (``pg_server``), and a journal per backend.

Each test gets its own schema. Without binaries or a URL the PostgreSQL tests are skipped,
unless ``CI`` is set: then they fail.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pg_server import (  # fixtures shared with contrib/worker/tests
    GIVEN_URL,
    postgres_server,
    postgres_url,
    with_schema,
)

from reelkit.journal import Journal, open_journal

BACKENDS = ("sqlite", "postgresql")
__all__ = ["GIVEN_URL", "postgres_server", "postgres_url", "with_schema"]


@pytest.fixture(params=BACKENDS)
def journal_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty journal's URL, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'journal' / 'jobs.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


class Raw:
    """Plain SQL on a journal's database, behind the journal's back (``?`` marks, ``{jobs}``)."""

    def __init__(self, url: str) -> None:
        self.kind = "postgresql" if url.startswith("postgresql://") else "sqlite"
        self.url = url
        self.jobs = "reelkit_jobs" if self.kind == "postgresql" else "jobs"
        self._db: Any = None

    def _connect(self) -> Any:
        if self._db is None:
            if self.kind == "postgresql":
                import psycopg

                self._db = psycopg.connect(self.url, autocommit=True)
            else:
                path = self.url.removeprefix("sqlite:///").split("?")[0]
                self._db = sqlite3.connect(path, isolation_level=None, timeout=10)
        return self._db

    def execute(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        sql = sql.replace("{jobs}", self.jobs)
        if self.kind == "postgresql":
            sql = sql.replace("?", "%s")
        cursor = self._connect().execute(sql, params)
        return list(cursor.fetchall()) if cursor.description else []

    def set_version(self, version: int) -> None:
        if self.kind == "postgresql":
            self.execute(
                "UPDATE reelkit_meta SET value = ? WHERE key = 'schema_version'", str(version)
            )
        else:
            self.execute(f"PRAGMA user_version = {version}")

    def version(self) -> int:
        if self.kind == "postgresql":
            return int(
                self.execute("SELECT value FROM reelkit_meta WHERE key = 'schema_version'")[0][0]
            )
        return int(self.execute("PRAGMA user_version")[0][0])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


@pytest.fixture
def raw(journal_url: str) -> Iterator[Raw]:
    db = Raw(journal_url)
    yield db
    db.close()


@pytest.fixture
def journal(journal_url: str, tmp_path: Path) -> Iterator[Journal]:
    opened = open_journal(journal_url, home=tmp_path)
    yield opened
    opened.close()
