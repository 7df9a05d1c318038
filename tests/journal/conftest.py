"""A real PostgreSQL for the journal tests, and a journal per backend.

``REELKIT_TEST_POSTGRES_URL`` names a server to use; otherwise a throwaway one is started from
the installed binaries (``initdb``/``pg_ctl`` on PATH or in /usr/lib/postgresql/*/bin) on
127.0.0.1, with trust auth and fsync off, and removed at the end of the session. As root (here
and in CI) the server runs as the ``postgres`` system user. Each test gets its own schema.
Without binaries or a URL the PostgreSQL tests are skipped, unless ``CI`` is set: then they fail.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from reelkit.journal import Journal, open_journal

# Read at import: the autouse fixture clears every REELKIT_* variable for each test.
GIVEN_URL = os.environ.get("REELKIT_TEST_POSTGRES_URL", "")
BACKENDS = ("sqlite", "postgresql")


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"CI must exercise the PostgreSQL journal, but {reason}", pytrace=False)
    pytest.skip(reason)


def _binaries() -> tuple[str, str] | None:
    for directory in [None, *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]:
        initdb = shutil.which("initdb", path=directory)
        pg_ctl = shutil.which("pg_ctl", path=directory)
        if initdb and pg_ctl:
            return initdb, pg_ctl
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class _Server:
    def __init__(self, initdb: str, pg_ctl: str) -> None:
        self.pg_ctl = pg_ctl
        self.root = Path(tempfile.mkdtemp(prefix="reelkit-pg-"))
        self.data = self.root / "data"
        self.prefix: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: run as the Debian package's user
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.root)
                _unavailable("running as root and there is no 'postgres' user to run initdb")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self._run(initdb, "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "-N")
        self.port = 0
        for _ in range(5):  # a free port may be taken before the server binds it
            port = _free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -c port={port}"
                f" -c unix_socket_directories={self.root} -c fsync=off"
                " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            )
            done = self._run(
                pg_ctl, "-D", self.data, "-l", self.root / "log", "-o", options, "-w", "-t",
                "60", "start", check=False,
            )  # fmt: skip
            if done.returncode == 0:
                self.port = port
                break
        if not self.port:
            log = (self.root / "log").read_text(errors="replace")[-2000:]
            self.remove()
            raise RuntimeError(f"PostgreSQL did not start:\n{log}")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: object, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*self.prefix, *map(str, args)], capture_output=True, text=True, timeout=120
        )
        if check and done.returncode:
            raise RuntimeError(f"{args[0]} failed: {done.stdout}{done.stderr}")
        return done

    def stop(self) -> None:
        self._run(self.pg_ctl, "-D", self.data, "-m", "immediate", "-w", "stop", check=False)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server (its ``postgres`` database) the tests may use."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (uv sync installs it with the dev group)")
    if GIVEN_URL:
        yield GIVEN_URL
        return
    found = _binaries()
    if found is None:
        _unavailable(
            "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql; "
            "install postgresql or set REELKIT_TEST_POSTGRES_URL"
        )
    server = _Server(*found)
    try:
        yield server.url
    finally:
        server.stop()
        server.remove()


def with_schema(url: str, schema: str) -> str:
    """``url`` whose connections put ``schema`` first on the search path."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query)
    options = " ".join(v for k, v in query if k == "options")
    query = [(k, v) for k, v in query if k != "options"]
    query.append(("options", f"{options} -csearch_path={schema}".strip()))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A journal URL of its own: a fresh, empty schema, dropped afterwards."""
    import psycopg

    schema = f"rk_test_{secrets.token_hex(6)}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_schema(postgres_server, schema)
    finally:
        with (
            contextlib.suppress(psycopg.Error),
            psycopg.connect(postgres_server, autocommit=True) as admin,
        ):
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


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
