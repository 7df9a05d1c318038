"""docs/shot-lists.md runs as written: its shot list, its commands (a dry run, a run interrupted
with Ctrl-C, the rerun that resumes it, the join) and its Python, against the emulator."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from holding import accepted, tasks_held

from reelkit.probe import probe

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "shot-lists.md"
BIN = Path(sys.executable).parent


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.DOTALL)


def commands() -> list[list[str]]:
    found = []
    for block in blocks("bash"):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith("reelkit ") and not line.startswith("reelkit emulator"):
                found.append(shlex.split(line))
    return found


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / argv[0]), *argv[1:]],
        cwd=cwd, env=dict(os.environ), capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.slow
def test_the_walkthrough_runs_as_written(reelkit_emulator: Any, tmp_path: Path) -> None:
    (toml,) = blocks("toml")
    (tmp_path / "film.toml").write_text(toml, encoding="utf-8")
    dry, first, again, join = commands()
    assert dry[:2] == ["reelkit", "batch"] and "--dry-run" in dry
    shown = run(dry, tmp_path)
    assert shown.returncode == 0, shown.stderr
    lines = [line for line in shown.stdout.splitlines() if not line.startswith(" ")]
    assert [line.split(":")[0] for line in lines] == [
        "harbour", "street", "street-long", "window", "sky", "total",
    ]  # fmt: skip
    assert lines[-1].startswith("total: $")

    # The first run, interrupted with Ctrl-C once every independent shot is submitted.
    with tasks_held(reelkit_emulator) as release:
        proc = subprocess.Popen(
            [str(BIN / first[0]), *first[1:]], cwd=tmp_path, env=dict(os.environ),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120  # a safety net: the loop ends on the count
        while accepted(Path(os.environ["REELKIT_HOME"])) < 4:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        release()
    assert proc.returncode == 130 and "Resume with: reelkit batch film.toml" in err
    submitted = sum(v["submits"] for v in reelkit_emulator.stats().values())

    resumed = run(again, tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    manifest = json.loads((tmp_path / "film" / "manifest.json").read_text())
    assert manifest["totals"]["delivered"] == 5
    # Only the dependent shot's two extensions were new: nothing was submitted twice.
    assert sum(v["submits"] for v in reelkit_emulator.stats().values()) == submitted + 2

    joined = run(join, tmp_path)
    assert joined.returncode == 0, joined.stderr
    film = probe(tmp_path / "film.mp4")
    durations = [s["duration"] for s in manifest["shots"]]
    assert film is not None and film.duration == pytest.approx(sum(durations), abs=0.5)

    # The Python block, in the same directory: everything is reused.
    before = sum(v["submits"] for v in reelkit_emulator.stats().values())
    code = blocks("python")[0]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=dict(os.environ),
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 5
    assert sum(v["submits"] for v in reelkit_emulator.stats().values()) == before
