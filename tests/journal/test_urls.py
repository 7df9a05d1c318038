"""Which journal a URL opens, which it refuses, and that importing the journal stays light."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reelkit.errors import ConfigurationError
from reelkit.journal import open_journal
from reelkit.journal.sqlite import SqliteJournal
from reelkit.journal.urls import redact

ALLOWED = "allowed: sqlite:///PATH, postgresql://USER@HOST/DB"


def opened_path(url: str | None, home: Path) -> Path:
    journal = open_journal(url, home=home)
    try:
        assert isinstance(journal, SqliteJournal)
        return journal.path
    finally:
        journal.close()


def test_sqlite_urls_and_paths(tmp_path: Path) -> None:
    home = tmp_path / "home"  # the working directory is tmp_path (tests/conftest.py)
    assert opened_path(None, home) == home / "jobs.sqlite3"
    assert opened_path("", home) == home / "jobs.sqlite3"
    assert opened_path("sqlite:///rel/j.sqlite3", home) == tmp_path / "rel" / "j.sqlite3"
    absolute = tmp_path / "abs" / "j.sqlite3"
    assert opened_path(f"sqlite:///{absolute}", home) == absolute
    assert opened_path(f"SQLITE:///{absolute}?timeout=1", home) == absolute
    assert opened_path("bare/j.sqlite3", home) == tmp_path / "bare" / "j.sqlite3"
    assert opened_path(str(absolute), home) == absolute
    journal = open_journal(f"sqlite:///{absolute}", home=home)
    assert journal.url == f"sqlite:///{absolute}"
    journal.close()


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root:topsecret@db/jobs",
        "http://example.com/journal",
        "sqlite://host/jobs.sqlite3",
        "sqlite:///",
        "sqlite:///:memory:",
        "sqlite:///j.sqlite3?cache=shared",
        "sqlite:///j.sqlite3?timeout=soon",
    ],
)
def test_unsupported_urls_are_configuration_errors(url: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        open_journal(url, home=tmp_path)
    assert caught.value.field == "journal"
    assert "topsecret" not in str(caught.value)
    if "://" in url and not url.startswith("sqlite"):
        assert ALLOWED in str(caught.value)


def test_redaction() -> None:
    assert redact("postgresql://u:pw@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert redact("postgresql://u@h/db") == "postgresql://u@h/db"
    assert redact("postgresql://h/db?user=u&password=pw") == "postgresql://h/db?user=u&password=***"
    assert (
        redact("postgres://u:p%40ss@h/db?sslmode=require")
        == "postgres://u:***@h/db?sslmode=require"
    )


def modules_after(code: str) -> list[str]:
    script = f"import sys\n{code}\nimport json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    return list(json.loads(out.stdout))


def test_importing_the_journal_loads_no_driver() -> None:
    loaded = modules_after("import reelkit.journal")
    assert [m for m in loaded if m.split(".")[0] in ("psycopg", "psycopg_pool", "sqlite3")] == []


def test_a_postgres_url_without_psycopg(tmp_path: Path) -> None:
    script = f"""
import sys
sys.modules["psycopg"] = None  # as if the extra were not installed
from pathlib import Path
from reelkit.errors import ConfigurationError
from reelkit.journal import open_journal
try:
    open_journal("postgresql://u:pw@127.0.0.1/db", home=Path({str(tmp_path)!r}))
except ConfigurationError as exc:
    print(exc)
"""
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert 'pip install "reelkit-core[postgres]"' in out.stdout
    assert out.stdout.startswith("journal: ")
