"""The journal's schema, as numbered steps, and the code that brings a journal up to date.

Version 1 is the original SQLite schema, which recorded no version (``PRAGMA user_version`` 0
with a ``jobs`` table). Version 2 adds the claim: ``claim`` (the fingerprint while the job holds
it, NULL otherwise) under a partial UNIQUE index, and ``owner`` and ``lease_until``. Step ``n``
takes a journal from version ``n - 1`` to ``n``; a fresh journal runs every step. Version 3 adds
what a job costs: ``cost`` (the plan's estimate, JSON) and ``billed`` (what the provider reported
it charged, JSON), with an index on ``created_at`` already serving ``reelkit spend``. Version 4
adds who asked and the webhook owed: ``caller`` (an opaque label such as a gateway key's name,
never a key), ``webhook_url``, ``webhook_state`` (``owed``, ``delivered`` or ``abandoned``),
``webhook_attempts`` (JSON, one entry per delivery attempt) and ``webhook_next_at`` (when the
next attempt is due; also the lease of whoever is attempting it).

Migrations run in one transaction under a lock (SQLite ``BEGIN IMMEDIATE``, PostgreSQL an
advisory lock), read the version again once they hold it, and so are safe when several
processes open a fresh journal at the same moment. A journal newer than this reelkit is refused.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from reelkit.errors import JournalError

if TYPE_CHECKING:
    import sqlite3

    import psycopg

SCHEMA_VERSION = 4

SQLITE_STEPS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE IF NOT EXISTS jobs (
            id          TEXT PRIMARY KEY,
            created_at  REAL NOT NULL,
            updated_at  REAL NOT NULL,
            state       TEXT NOT NULL,
            provider    TEXT NOT NULL,
            model       TEXT NOT NULL,
            mode        TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            request     TEXT NOT NULL,   -- the applied VideoRequest (media as digests, not bytes)
            adjustments TEXT NOT NULL,
            handle      TEXT,            -- JobHandle once the provider accepted the submit
            assets      TEXT,            -- result assets once succeeded
            metadata    TEXT,
            output      TEXT,            -- where the download should go (as asked)
            path        TEXT,            -- where it went
            progress    REAL,
            error       TEXT,
            finished_at REAL
        )""",
        "CREATE INDEX IF NOT EXISTS jobs_fingerprint ON jobs (fingerprint)",
        "CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at)",
    ),
    2: (
        "ALTER TABLE jobs ADD COLUMN claim TEXT",
        "ALTER TABLE jobs ADD COLUMN owner TEXT",
        "ALTER TABLE jobs ADD COLUMN lease_until REAL",
        "CREATE UNIQUE INDEX IF NOT EXISTS jobs_claim ON jobs (claim) WHERE claim IS NOT NULL",
    ),
    3: (
        "ALTER TABLE jobs ADD COLUMN cost TEXT",
        "ALTER TABLE jobs ADD COLUMN billed TEXT",
    ),
    4: (
        "ALTER TABLE jobs ADD COLUMN caller TEXT",
        "ALTER TABLE jobs ADD COLUMN webhook_url TEXT",
        "ALTER TABLE jobs ADD COLUMN webhook_state TEXT",
        "ALTER TABLE jobs ADD COLUMN webhook_attempts TEXT",
        "ALTER TABLE jobs ADD COLUMN webhook_next_at REAL",
        "CREATE INDEX IF NOT EXISTS jobs_caller ON jobs (caller, created_at)"
        " WHERE caller IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS jobs_webhook_owed ON jobs (webhook_next_at)"
        " WHERE webhook_state = 'owed'",
    ),
}

POSTGRES_STEPS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE IF NOT EXISTS reelkit_jobs (
            id          text PRIMARY KEY,
            created_at  double precision NOT NULL,
            updated_at  double precision NOT NULL,
            state       text NOT NULL,
            provider    text NOT NULL,
            model       text NOT NULL,
            mode        text NOT NULL,
            fingerprint text NOT NULL,
            request     text NOT NULL,
            adjustments text NOT NULL,
            handle      text,
            assets      text,
            metadata    text,
            output      text,
            path        text,
            progress    double precision,
            error       text,
            finished_at double precision
        )""",
        "CREATE INDEX IF NOT EXISTS reelkit_jobs_fingerprint ON reelkit_jobs (fingerprint)",
        "CREATE INDEX IF NOT EXISTS reelkit_jobs_created ON reelkit_jobs (created_at)",
    ),
    2: (
        "ALTER TABLE reelkit_jobs ADD COLUMN IF NOT EXISTS claim text,"
        " ADD COLUMN IF NOT EXISTS owner text,"
        " ADD COLUMN IF NOT EXISTS lease_until double precision",
        "CREATE UNIQUE INDEX IF NOT EXISTS reelkit_jobs_claim ON reelkit_jobs (claim)"
        " WHERE claim IS NOT NULL",
    ),
    3: (
        "ALTER TABLE reelkit_jobs ADD COLUMN IF NOT EXISTS cost text,"
        " ADD COLUMN IF NOT EXISTS billed text",
    ),
    4: (
        "ALTER TABLE reelkit_jobs ADD COLUMN IF NOT EXISTS caller text,"
        " ADD COLUMN IF NOT EXISTS webhook_url text,"
        " ADD COLUMN IF NOT EXISTS webhook_state text,"
        " ADD COLUMN IF NOT EXISTS webhook_attempts text,"
        " ADD COLUMN IF NOT EXISTS webhook_next_at double precision",
        "CREATE INDEX IF NOT EXISTS reelkit_jobs_caller ON reelkit_jobs (caller, created_at)"
        " WHERE caller IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS reelkit_jobs_webhook_owed ON reelkit_jobs (webhook_next_at)"
        " WHERE webhook_state = 'owed'",
    ),
}

_PG_META = "CREATE TABLE IF NOT EXISTS reelkit_meta (key text PRIMARY KEY, value text NOT NULL)"


def newer(where: str, found: int) -> JournalError:
    return JournalError(
        f"journal {where} was written by a newer reelkit (schema {found}); this reelkit reads "
        f"schema {SCHEMA_VERSION} — upgrade reelkit",
        path=where,
    )


def not_a_journal(where: str, why: str) -> JournalError:
    return JournalError(
        f"{where} is not a reelkit journal ({why}); move it away or point the journal elsewhere",
        path=where,
    )


# --- SQLite --------------------------------------------------------------------------------


def migrate_sqlite(db: sqlite3.Connection, where: str) -> None:
    """Bring an autocommit SQLite connection's database to ``SCHEMA_VERSION``."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return  # the common case: no lock taken
    db.execute("BEGIN IMMEDIATE")
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        if version > SCHEMA_VERSION:
            if "jobs" not in tables:
                raise not_a_journal(where, f"user_version {version} and no jobs table")
            raise newer(where, version)
        if version == 0 and tables:
            if "jobs" not in tables:
                raise not_a_journal(where, "it holds other tables and no jobs table")
            version = 1  # version 1 recorded no version
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for statement in SQLITE_STEPS[step]:
                if _sqlite_column_exists(db, statement):
                    continue
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(Exception):  # no transaction left to roll back
            db.execute("ROLLBACK")
        raise


def _sqlite_column_exists(db: sqlite3.Connection, statement: str) -> bool:
    # ``ALTER TABLE ... ADD COLUMN`` has no IF NOT EXISTS in SQLite; skip a column already there.
    words = statement.split()
    if words[:2] != ["ALTER", "TABLE"] or words[3:5] != ["ADD", "COLUMN"]:
        return False
    table, column = words[2], words[5]
    return any(row[1] == column for row in db.execute(f"PRAGMA table_info({table})"))


# --- PostgreSQL ----------------------------------------------------------------------------


def migrate_postgres(conn: psycopg.Connection[Any], where: str) -> None:
    """Bring the database (the first schema on ``search_path``) to ``SCHEMA_VERSION``.

    ``conn`` is an autocommit connection whose rows are dicts.
    """
    if _pg_version(conn) == SCHEMA_VERSION:
        return  # the common case: no lock taken
    with conn.transaction():
        # One migrator per schema at a time; the lock ends with the transaction.
        conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext('reelkit.journal.' || coalesce(current_schema(), '')))"
        )
        jobs_existed = _pg_present(conn)["jobs"]
        conn.execute(_PG_META)
        row = conn.execute(
            "SELECT value AS v FROM reelkit_meta WHERE key = 'schema_version'"
        ).fetchone()
        # No version recorded: a fresh database (0), or one whose jobs table predates it (1).
        version = int(row["v"]) if row is not None else int(jobs_existed)
        if version > SCHEMA_VERSION:
            raise newer(where, version)
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for statement in POSTGRES_STEPS[step]:
                conn.execute(statement)
        conn.execute(
            "INSERT INTO reelkit_meta (key, value) VALUES ('schema_version', %s)"
            " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            (str(SCHEMA_VERSION),),
        )


def _pg_present(conn: psycopg.Connection[Any]) -> dict[str, bool]:
    row = conn.execute(
        "SELECT to_regclass('reelkit_meta') IS NOT NULL AS meta,"
        " to_regclass('reelkit_jobs') IS NOT NULL AS jobs"
    ).fetchone()
    assert row is not None
    return {"meta": bool(row["meta"]), "jobs": bool(row["jobs"])}


def _pg_version(conn: psycopg.Connection[Any]) -> int | None:
    if not _pg_present(conn)["meta"]:
        return None
    row = conn.execute(
        "SELECT value AS v FROM reelkit_meta WHERE key = 'schema_version'"
    ).fetchone()
    return int(row["v"]) if row is not None else None
