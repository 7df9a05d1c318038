"""What the CLI prints for people, checked in-process: short, plain and never "None"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from reelkit.journal import open_journal
from reelkit.models import JobEvent, JobState, VideoRequest
from reelkit_cli.main import cli, main
from reelkit_cli.output import PROMPT_SHOWN, Reporter, seconds, summary

LONG = "a slow pan over a neon city " * 4000  # ~112 KB, as pasted from a script


def _failed_job(home: Path, prompt: str) -> str:
    journal = open_journal(None, home=home)
    try:
        request = VideoRequest(prompt=prompt, duration=1.0, resolution="480p", size="854x480")
        record, _ = journal.create(
            job_id="rk_test0000000001",
            provider="local",
            model="local-title-card",
            mode="t2v",
            fingerprint="f" * 64,
            request=request,
            adjustments=(),
            output=None,
            claim=False,
        )
        journal.update(
            record,
            state=JobState.FAILED,
            error={"error": "JobFailed", "message": "the render broke", "code": "E1"},
        )
    finally:
        journal.close()
    return record.id


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_jobs_show_text_is_short_and_has_no_none(
    isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = _failed_job(isolated_env, LONG)
    code, out, _ = _run(["jobs", "show", job], capsys)
    assert code == 0
    assert "None" not in out  # no "task_id: None", "video_url: None", "path: None"
    assert "error: the render broke" in out.splitlines()
    [prompt] = [line for line in out.splitlines() if line.startswith("prompt: ")]
    assert len(prompt) < PROMPT_SHOWN + 100
    assert f"({len(LONG):,} characters; --json has it whole)" in prompt
    assert len(out) < 2000


def test_jobs_show_json_keeps_the_error_and_the_whole_prompt(
    isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = _failed_job(isolated_env, LONG)
    code, out, _ = _run(["jobs", "show", job, "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["prompt"] == LONG
    assert data["error"] == {"error": "JobFailed", "message": "the render broke", "code": "E1"}


def test_summary_shortens_a_long_prompt_and_counts_seconds_in_english() -> None:
    class Done:
        path = "/videos/x.mp4"
        video_url = None
        prompt = LONG
        duration = 1.0
        mode = "t2v"
        provider = "local"
        model = "local-title-card"
        resolution = "480p"
        size = "854x480"
        aspect_ratio = "16:9"
        fps = 24
        job_id = "rk_x"
        cost = billed = None

    text = summary(Done())
    assert "- Duration: 1 second" in text.splitlines()
    assert len(text) < 1000 and LONG[:PROMPT_SHOWN].rstrip() in text
    assert [seconds(d) for d in (1, 1.0, 8, 4.5, None)] == [
        "1 second",
        "1 second",
        "8 seconds",
        "4.5 seconds",
        "unknown",
    ]


def test_an_event_without_a_message_prints_no_empty_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The timeout event carries no message: the error line that follows says it all.
    Reporter().reelkit_job_event(
        JobEvent(
            kind="timeout",
            job_id="rk_x",
            provider="local",
            model="m",
            state=JobState.RUNNING,
            progress=None,
            message="",
            data={},
        )
    )
    assert capsys.readouterr().err == ""


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, (*path, name))
        else:
            found.append((*path, name))
    return found


@pytest.mark.parametrize("path", _commands(cli), ids=lambda p: " ".join(p) or "reelkit")
def test_help_is_plain_text(path: Any) -> None:
    done = CliRunner().invoke(cli, [*path, "--help"])
    assert done.exit_code == 0, done.output
    for markup in ("``", ":func:", ":class:", ":data:", ".. "):
        assert markup not in done.output, f"reelkit {' '.join(path)} --help shows {markup!r}"


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path) -> None:
    import subprocess
    import sys

    # The plan's request body carries the whole prompt: far more than a pipe buffer holds.
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "reelkit"), "plan", "word " * 24_000, "-p", "local"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()  # like `| head -1`
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert "Broken pipe" not in err and "Traceback" not in err
