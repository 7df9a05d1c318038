"""The PostgreSQL journal: one table shared by every machine that can reach the database.

Opened only for a ``postgresql://`` URL; this is the one module that imports psycopg (the
``reelkit-core[postgres]`` extra). Connections come from a small pool, in autocommit mode, so
every write is visible to every process at once. Rows mirror the SQLite journal's: JSON as text,
timestamps as epoch seconds (``double precision``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from reelkit._secrets import MASK, remember
from reelkit.errors import JournalError

from .base import Session, SqlJournal
from .migrations import migrate_postgres
from .urls import passwords, redact

_Pool = ConnectionPool[psycopg.Connection[DictRow]]


class PostgresJournal(SqlJournal):
    """The journal in a PostgreSQL database, at a psycopg conninfo URL.

    The tables go into the first schema on the connection's ``search_path`` (choose another
    with ``?options=-csearch_path%3DNAME``). ``timeout_s`` bounds connecting and waiting for a
    pooled connection.
    """

    _table = "reelkit_jobs"
    _mark = "%s"
    _id_order = 'id COLLATE "C"'

    def __init__(
        self, conninfo: str, *, min_size: int = 1, max_size: int = 4, timeout_s: float = 10.0
    ) -> None:
        self._conninfo = conninfo
        self.url = redact(conninfo)
        self._where = self.url
        self._secrets = passwords(conninfo)
        remember(self._secrets)  # so no error message, log line or record shows them
        self._min_size, self._max_size = min_size, max_size
        self._timeout_s = timeout_s
        self._kwargs: dict[str, Any] = {"autocommit": True, "row_factory": dict_row}
        if "connect_timeout" not in conninfo:
            self._kwargs["connect_timeout"] = max(1, round(timeout_s))
        self._lock = threading.Lock()
        self._pool: _Pool | None = None
        # The first connection is a plain one: when it fails, libpq says why (a pool only
        # says it timed out). It runs the migrations, then the pool opens on first use.
        with self._guard(), self._direct() as conn:
            migrate_postgres(conn, self.url)

    # --- connections -------------------------------------------------------------------

    def _direct(self) -> psycopg.Connection[DictRow]:
        return psycopg.Connection.connect(
            self._conninfo, autocommit=True, row_factory=dict_row, **self._connect_options()
        )

    def _connect_options(self) -> dict[str, Any]:
        return {k: v for k, v in self._kwargs.items() if k not in ("autocommit", "row_factory")}

    def _get_pool(self) -> _Pool:
        pool = self._pool
        if pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = ConnectionPool(
                        self._conninfo,
                        connection_class=psycopg.Connection[DictRow],
                        kwargs=self._kwargs,
                        min_size=self._min_size,
                        max_size=self._max_size,
                        timeout=self._timeout_s,
                        name="reelkit-journal",
                        num_workers=1,
                        open=False,
                    )
                    self._pool.open()
                pool = self._pool
        return pool

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._guard(), self._get_pool().connection() as conn:
            yield conn

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    # --- faults ------------------------------------------------------------------------

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except PoolTimeout as exc:
            raise self._unreachable() from exc
        except psycopg.Error as exc:
            raise self._fault(exc) from exc
        except OSError as exc:
            raise JournalError(
                f"cannot reach the journal database {self.url}: {self._scrub(str(exc))}",
                path=self.url,
            ) from exc

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return " ".join(text.split())

    def _fault(self, exc: psycopg.Error) -> JournalError:
        """The driver's error as a ``JournalError`` that says what to do."""
        url, reason, state = self.url, self._scrub(str(exc)), exc.sqlstate or ""
        low = reason.lower()
        refused = "authentication failed" in low or ("role" in low and "does not exist" in low)
        if state.startswith("28") or refused:
            message = (
                f"PostgreSQL refused the login to the journal {url} ({reason}); check the user "
                "and password in the journal URL"
            )
        elif state == "3D000" or ("database" in low and "does not exist" in low):
            message = f"the journal database {url} does not exist ({reason}); create it first"
        elif state == "25006":
            message = f"cannot write the journal at {url}: read-only ({reason})"
        elif state == "42501":
            message = (
                f"cannot write the journal at {url}: permission denied ({reason}); grant the "
                "user rights on the reelkit_jobs and reelkit_meta tables"
            )
        elif isinstance(exc, psycopg.OperationalError) and not state:
            message = (
                f"cannot reach the journal database {url} ({reason}); check that PostgreSQL is "
                "running and the host, port and database in the journal URL"
            )
        else:
            message = f"journal {url}: {reason}"
        return JournalError(message, path=url)

    def _unreachable(self) -> JournalError:
        # The pool gave no connection in time; a plain connection attempt says why.
        try:
            self._direct().close()
        except psycopg.Error as exc:
            return self._fault(exc)
        except OSError as exc:
            return JournalError(
                f"cannot reach the journal database {self.url}: {self._scrub(str(exc))}",
                path=self.url,
            )
        return JournalError(
            f"no free connection to the journal database {self.url} within "
            f"{self._timeout_s:g} s (all {self._max_size} busy); try again",
            path=self.url,
        )
