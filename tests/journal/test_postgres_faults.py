"""PostgreSQL journal faults and credentials: JournalErrors that never show the password."""

from __future__ import annotations

import socket
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from reelkit.errors import JournalError
from reelkit.journal import open_journal

pytest.importorskip("psycopg")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # nothing listens here now: connections are refused


def test_an_unreachable_server(tmp_path: Path) -> None:
    url = f"postgresql://reel:hunter2-secret@127.0.0.1:{_closed_port()}/jobs?connect_timeout=5"
    started = time.monotonic()
    with pytest.raises(JournalError, match="cannot reach the journal database") as caught:
        open_journal(url, home=tmp_path)
    assert time.monotonic() - started < 30
    assert "hunter2-secret" not in str(caught.value)
    assert caught.value.path == url.replace("hunter2-secret", "***")
    assert "check that PostgreSQL is running" in str(caught.value)


def test_a_refused_login_and_a_missing_database(postgres_server: str, tmp_path: Path) -> None:
    parts = urllib.parse.urlsplit(postgres_server)
    host = f"{parts.hostname}:{parts.port}"
    with pytest.raises(JournalError, match="refused the login") as caught:
        open_journal(f"postgresql://nobody:pa55-word-x@{host}/postgres", home=tmp_path)
    assert "pa55-word-x" not in str(caught.value) and "nobody:***@" in str(caught.value)
    with pytest.raises(JournalError, match=r"journal database .* does not exist"):
        open_journal(f"postgres://postgres@{host}/no_such_db", home=tmp_path)


def test_the_display_url_hides_the_password(postgres_url: str, tmp_path: Path) -> None:
    # The test server trusts local logins, so any password works, and none may show.
    parts = urllib.parse.urlsplit(postgres_url)
    url = parts._replace(netloc=f"postgres:s3cret-value@{parts.hostname}:{parts.port}").geturl()
    from reelkit.journal.postgres import PostgresJournal

    journal = open_journal(url, home=tmp_path)
    try:
        assert isinstance(journal, PostgresJournal)
        assert journal.url.startswith("postgresql://postgres:***@127.0.0.1:")
        assert "s3cret-value" not in journal.url and "s3cret-value" not in repr(journal)
        assert journal.list() == []
    finally:
        journal.close()


def test_no_free_connection_in_time(postgres_url: str) -> None:
    from reelkit.journal.postgres import PostgresJournal

    journal = PostgresJournal(postgres_url, max_size=1, timeout_s=0.3)
    try:
        journal.list()
        held = threading.Event()
        release = threading.Event()

        def hold() -> None:
            with journal._session():  # the pool's only connection
                held.set()
                release.wait(30)

        holder = threading.Thread(target=hold)
        holder.start()
        assert held.wait(30)
        try:
            with pytest.raises(JournalError, match=r"no free connection .* within 0\.3 s"):
                journal.list()
        finally:
            release.set()
            holder.join(30)
        assert journal.list() == []
    finally:
        journal.close()
