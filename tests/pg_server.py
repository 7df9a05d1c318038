"""A real PostgreSQL for tests: a session's throwaway server and a fresh schema per test.

``REELKIT_TEST_POSTGRES_URL`` names a server to use; otherwise a throwaway one is started from
the installed binaries (``initdb``/``pg_ctl`` on PATH or in /usr/lib/postgresql/*/bin) on
127.0.0.1, with trust auth and fsync off, and removed at the end of the session. As root (here
and in CI) the server runs as the ``postgres`` system user. Without binaries or a URL the tests
that ask for it are skipped, unless ``CI`` is set: then they fail.

A conftest shares the fixtures by importing them: ``from pg_server import postgres_server,
postgres_url`` (tests/journal, contrib/worker/tests).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest

# Read at import: the autouse fixture clears every REELKIT_* variable for each test.
GIVEN_URL = os.environ.get("REELKIT_TEST_POSTGRES_URL", "")


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
    with server_url(_unavailable) as url:
        yield url


@contextlib.contextmanager
def server_url(unavailable: Callable[[str], NoReturn]) -> Iterator[str]:
    """``REELKIT_TEST_POSTGRES_URL``, or a throwaway server's URL, removed on exit; without
    either, ``unavailable(reason)`` (the tests skip or fail, the benchmarks raise)."""
    if GIVEN_URL:
        yield GIVEN_URL
        return
    found = _binaries()
    if found is None:
        unavailable(
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
