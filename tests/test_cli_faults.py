"""The CLI at its edges: one line per error (a traceback only with -v), the documented exit
status, and two identical commands at once paying once."""

from __future__ import annotations

import json
import logging
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


def test_ctrl_c_while_waiting_names_the_job_and_how_to_resume_it(
    monkeypatch: pytest.MonkeyPatch, isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from reelkit.drivers import SyncDriver
    from reelkit.effects import Sleep
    from reelkit_cli.main import main

    perform = SyncDriver._perform

    def interrupted_while_waiting(self: Any, effect: Any) -> Any:
        if isinstance(effect, Sleep):  # the first wait after the submit: the user presses Ctrl-C
            raise KeyboardInterrupt
        return perform(self, effect)

    monkeypatch.setattr(SyncDriver, "_perform", interrupted_while_waiting)
    # `generate` gives the reelkit logger a handler on this test's stderr: not for later tests.
    logger = logging.getLogger("reelkit")
    monkeypatch.setattr(logger, "handlers", list(logger.handlers))
    monkeypatch.setattr(logger, "propagate", logger.propagate)
    monkeypatch.setattr(logger, "level", logger.level)
    with pytest.raises(SystemExit) as info:
        main(["generate", "a slow pan", "-p", "local", "-d", "1", "--resolution", "480p"])
    assert info.value.code == 130
    with sqlite3.connect(isolated_env / "jobs.sqlite3") as db:
        [(job_id, state)] = db.execute("SELECT id, state FROM jobs").fetchall()
    assert state in ("submitted", "queued", "running")
    err = capsys.readouterr().err
    assert (
        f"reelkit: interrupted; job {job_id} is still running at local: "
        f"`reelkit jobs resume {job_id}` finishes it"
    ) in err.splitlines()
    assert "Aborted!" not in err

    # `jobs wait` is interrupted before any event about the job: it is named all the same.
    with pytest.raises(SystemExit) as info:
        main(["jobs", "wait", job_id])
    assert info.value.code == 130
    assert f"`reelkit jobs resume {job_id}` finishes it" in capsys.readouterr().err


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


def test_each_retry_is_one_readable_line(
    isolated_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What failed, why, and when the next try comes, naming the job; transport-level retries
    (a 429 on the submit) only with -v, as a debug line of the same shape."""

    import awkward
    import httpx

    from reelkit import Client
    from reelkit_cli.output import Reporter

    service = awkward.FakeService()
    faults = {"submit": iter([429]), "poll": iter([503, 429]), "cdn": iter([503])}

    def flaky(request: httpx.Request) -> httpx.Response:
        kind = (
            "cdn"
            if request.url.host == "cdn.awkward.test"
            else "submit"
            if request.method == "POST"
            else "poll"
            if not request.url.path.endswith("/content")
            else ""
        )
        status = next(faults.get(kind, iter(())), None)
        if status:
            return httpx.Response(status, headers={"retry-after": "0"})
        return service(request)

    logger = logging.getLogger("reelkit")
    debug: list[str] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = lambda record: debug.append(record.getMessage())  # type: ignore[method-assign]
    # Only this handler: an earlier in-process CLI run may have left one on a closed stderr.
    handlers, level = logger.handlers[:], logger.level
    logger.handlers = [handler]
    logger.setLevel(logging.DEBUG)
    try:
        with Client(
            env={"REELKIT_HOME": str(isolated_env), "AWKWARD_KEY": "sekrit-key-123"},
            plugins=[awkward, Reporter()],
            entry_points=False,
            transport=httpx.MockTransport(flaky),
        ) as client:
            job = client.generate("a bat", output=tmp_path / "bat.mp4").job_id
    finally:
        logger.handlers = handlers
        logger.setLevel(level)
    lines = capsys.readouterr().err.splitlines()
    assert [line for line in lines if "again" in line] == [
        f"reelkit: job {job}: poll failed (awkward: Service Unavailable); "
        "polling again in 0.0 s (attempt 2 of 6)",
        f"reelkit: job {job}: poll failed (awkward: Too Many Requests); "
        "polling again in 0.0 s (attempt 3 of 6)",
        f"reelkit: job {job}: download failed (HTTP 503 fetching the video); "
        "downloading again in 0.0 s (attempt 2 of 3)",
    ]
    assert all(line.startswith("reelkit: ") for line in lines), lines
    assert (
        "awkward: POST https://api.awkward.test/jobs failed (HTTP 429); "
        "sending again in 0.0 s (attempt 2 of 3)"
    ) in debug
