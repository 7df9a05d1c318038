"""The CLI at its edges: one line per error (a traceback only with -v), the documented exit
status, and two identical commands at once paying once."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BIN = Path(sys.executable).parent


def reelkit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "reelkit"), *args],
        env=env or dict(os.environ),
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_a_damaged_journal_is_one_line_and_exit_3(isolated_env: Path) -> None:
    isolated_env.mkdir(parents=True)
    (isolated_env / "jobs.sqlite3").write_bytes(os.urandom(8192))
    done = reelkit("jobs", "list")
    assert done.returncode == 3
    assert "not a reelkit journal" in done.stderr
    assert "Traceback" not in done.stderr
    verbose = reelkit("jobs", "list", "--json")
    assert verbose.returncode == 3
    assert json.loads(verbose.stdout)["error"] == "JournalError"


def test_verbose_adds_the_traceback(isolated_env: Path) -> None:
    done = reelkit("generate", "x", "-p", "local", "--seed", "-5", "-v")
    assert done.returncode == 2
    assert "seed" in done.stderr and "Traceback" in done.stderr


def test_a_row_in_an_unknown_state_breaks_nothing(isolated_env: Path, tmp_path: Path) -> None:
    first = reelkit("generate", "a teapot", "-p", "local", "-d", "1", "-o", str(tmp_path), "--json")
    assert first.returncode == 0, first.stderr
    job_id = json.loads(first.stdout)["job_id"]
    second = reelkit("generate", "a kettle", "-p", "local", "-d", "1", "-o", str(tmp_path))
    assert second.returncode == 0, second.stderr
    with sqlite3.connect(isolated_env / "jobs.sqlite3") as db:
        db.execute("UPDATE jobs SET state = 'frozen' WHERE id = ?", (job_id,))
    listed = reelkit("jobs", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    states = {row["job_id"]: row["status"] for row in json.loads(listed.stdout)}
    assert states[job_id] == "frozen" and len(states) == 2
    resumed = reelkit("jobs", "resume", "--all")
    assert resumed.returncode == 0, resumed.stderr
    assert "frozen" in resumed.stderr


def test_interrupted_exits_130(monkeypatch: pytest.MonkeyPatch, isolated_env: Path) -> None:
    import reelkit
    from reelkit_cli.main import main

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(reelkit.Client, "records", interrupted)
    with pytest.raises(SystemExit) as info:
        main(["jobs", "list"])
    assert info.value.code == 130


def test_two_identical_commands_at_once_pay_once(reelkit_emulator: Any, tmp_path: Path) -> None:
    command = [str(BIN / "reelkit"), "generate", "a kite over dunes", "-p", "sora", "--json"]
    runs = [
        subprocess.Popen(
            [*command, "-o", str(tmp_path / f"kite-{i}.mp4")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    outputs = [p.communicate(timeout=180) for p in runs]
    assert [p.returncode for p in runs] == [0, 0], [err for _, err in outputs]
    ids = {json.loads(out)["job_id"] for out, _ in outputs}
    assert len(ids) == 1
    assert reelkit_emulator.stats()["sora"]["submits"] == 1
    assert all((tmp_path / f"kite-{i}.mp4").is_file() for i in range(2))
