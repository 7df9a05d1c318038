"""The CLI as a newcomer runs it: real processes, the real local provider, no network."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from reelkit.plugins import PluginHost

BIN = Path(sys.executable).parent
SECRET = "sk-test-do-not-print-0123456789"


def reelkit(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "reelkit"), *args],
        env=env or dict(os.environ),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def probe(path: str) -> dict[str, Any]:
    import av

    with av.open(path) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        rate = stream.average_rate or stream.guessed_rate
        assert rate is not None
        return {
            "codec": stream.codec_context.name,
            "width": stream.codec_context.width,
            "height": stream.codec_context.height,
            "fps": Fraction(rate),
            "frames": frames,
            "duration": frames / Fraction(rate),
        }


def test_readme_generate_offline_writes_a_playable_mp4(tmp_path: Path) -> None:
    done = reelkit("generate", "A robot walking through a city", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "using local" in done.stderr  # it says so, on stderr
    data = json.loads(done.stdout)  # stdout is exactly one JSON object
    measured = probe(data["path"])
    assert Path(data["path"]).parent == tmp_path / "videos"
    assert measured["codec"] == "h264"
    assert f"{measured['width']}x{measured['height']}" == data["size"]
    assert measured["fps"] == data["fps"]
    assert float(measured["duration"]) == pytest.approx(data["duration"], abs=1 / data["fps"])


def test_text_summary_follows_the_seed(tmp_path: Path) -> None:
    done = reelkit(
        "generate",
        "A red ball",
        "-d",
        "1",
        "--resolution",
        "480p",
        "-o",
        str(tmp_path / "ball.mp4"),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    for line in (
        "Generated Video:",
        "- Prompt: A red ball",
        "- Duration: 1 second",
        "- Mode: t2v",
        "- FPS: 24",
        f"- Save Path: {tmp_path / 'ball.mp4'}",
    ):
        assert line in done.stdout
    assert (tmp_path / "ball.mp4").stat().st_size > 0


def test_clamp_and_strict_exit_codes(tmp_path: Path) -> None:
    done = reelkit(
        "generate",
        "x",
        "-p",
        "local",
        "-d",
        "99",
        "--resolution",
        "480p",
        "--fps",
        "24",
        "--json",
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["duration"] == 30
    assert data["adjustments"] == [
        {
            "field": "duration",
            "requested": 99,
            "applied": 30,
            "reason": "local-title-card (t2v) takes 1–30 s (every combination renders exactly "
            "as asked); clamped to the range",
        }
    ]
    assert "warning: duration: 99 -> 30" in done.stderr
    assert done.stderr.count("99 -> 30") == 1
    strict = reelkit("generate", "x", "-p", "local", "-d", "99", "--strict", cwd=tmp_path)
    assert strict.returncode == 2
    assert "duration" in strict.stderr and "1–30 s" in strict.stderr


@pytest.mark.parametrize("provider", sorted(p.info.name for p in PluginHost().all_providers()))
def test_dry_run_for_every_installed_provider_without_network(
    provider: str, tmp_path: Path
) -> None:
    env = {**os.environ}
    host = PluginHost()
    info = host.provider(provider).info
    for group in info.credential_env[:1]:
        env.update(dict.fromkeys(group, SECRET))
    if provider == "newapi":
        env["REELKIT_NEWAPI_BASE_URL"] = "https://gateway.example.com"
    done = reelkit(
        "generate",
        "A quiet lake at dawn",
        "-p",
        provider,
        "--dry-run",
        "--json",
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) == {
        "provider",
        "model",
        "mode",
        "request",
        "adjustments",
        "http",
        "cost",
        "refused",
    }
    assert data["refused"] is None
    assert data["cost"] is None or data["cost"]["estimated"] >= 0
    assert data["provider"] == provider
    assert data["http"]["method"] in ("POST", "PUT")
    assert SECRET not in done.stdout and SECRET not in done.stderr
    assert not (tmp_path / "videos").exists()  # nothing was sent, nothing written


def test_dry_run_text_shows_the_request(tmp_path: Path) -> None:
    done = reelkit("plan", "x", "-p", "local", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "POST local://render/v1/renders" in done.stdout


def test_listings(tmp_path: Path) -> None:
    providers = json.loads(reelkit("providers", "--json", cwd=tmp_path).stdout)
    names = [p["name"] for p in providers]
    assert names[-1] == "local" and {"grok", "veo", "sora"} <= set(names)
    assert names.index("grok") < names.index("veo") < names.index("sora")
    local = providers[-1]
    assert local["available"] is True and local["credentials"] == []
    caps = json.loads(reelkit("capabilities", "local", "--json", cwd=tmp_path).stdout)
    assert caps["provider"] == "local" and caps["models"]
    assert json.loads(reelkit("jobs", "list", "--json", cwd=tmp_path).stdout) == []
    unknown = reelkit("capabilities", "nope", cwd=tmp_path)
    assert unknown.returncode == 2 and "allowed:" in unknown.stderr


def test_missing_credentials_exit_5(tmp_path: Path) -> None:
    done = reelkit("generate", "x", "-p", "veo", cwd=tmp_path)
    assert done.returncode == 5
    assert "GEMINI_API_KEY" in done.stderr


def _journal_state(home: Path) -> str | None:
    path = home / "jobs.sqlite3"
    if not path.exists():
        return None
    try:
        with sqlite3.connect(path, timeout=1) as db:
            row = db.execute("SELECT state FROM jobs").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def test_sigkill_while_waiting_then_resume_all_without_a_second_submit(
    tmp_path: Path, isolated_env: Path
) -> None:
    env = {**os.environ, "REELKIT_POLL_INTERVAL": "0.2"}
    process = subprocess.Popen(
        [str(BIN / "reelkit"), "generate", "A long slow pan", "-p", "local", "-d", "20", "--resolution", "480p", "--json"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while _journal_state(isolated_env) not in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _journal_state(isolated_env) in ("queued", "running"), "the job never started polling"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)

    done = reelkit("jobs", "resume", "--all", "--json", env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    [result] = json.loads(done.stdout)
    assert result["status"] == "downloaded"
    assert probe(result["path"])["frames"] == 20 * 24
    with sqlite3.connect(isolated_env / "jobs.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM jobs").fetchone()[0] == 1
    # The local provider keeps one spec per submitted task: exactly one submit happened.
    assert len(list((isolated_env / "local").glob("*.json"))) == 1


def _column(table: str, index: int) -> str:
    """One column of a rich table, its cells' pieces joined (a folded value comes back whole)."""
    return "".join(
        line.split("│")[index].strip() for line in table.splitlines() if line.count("│") > index
    )


def test_piped_tables_print_every_value_whole(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "80"}  # what a narrow terminal would leave
    done = reelkit("providers", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout
    rows = {line.split("│")[1].strip(): line for line in done.stdout.splitlines() if "│" in line}
    assert "veo-3.1-generate-preview" in rows["veo (google, gemini)"]
    assert "GEMINI_API_KEY or GOOGLE_API_KEY" in rows["veo (google, gemini)"]
    assert "grok-imagine-video" in rows["grok (xai)"]
    caps = reelkit("capabilities", "veo", env=env, cwd=tmp_path)
    assert caps.returncode == 0, caps.stderr
    assert "…" not in caps.stdout
    assert "continue_from a Veo job made in the last 2 days" in caps.stdout


def test_a_terminal_folds_identifiers_instead_of_cutting_them() -> None:
    import io

    from rich.console import Console

    from reelkit_cli.output import providers_table

    rows = [
        {
            "name": "veo",
            "aliases": ["google", "gemini"],
            "available": False,
            "priority": 2,
            "default_model": "veo-3.1-generate-preview",
            "credentials": [["GEMINI_API_KEY"], ["GOOGLE_API_KEY"]],
            "deprecation": None,
        }
    ]
    screen = io.StringIO()
    providers_table(rows, Console(file=screen, width=60, force_terminal=True, color_system=None))
    text = screen.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 60
    assert not [line for line in text.splitlines() if "│" in line and "…" in line]
    assert "veo-3.1-generate-preview" in _column(text, 4)
    assert "GEMINI_API_KEY" in _column(text, 5) and "GOOGLE_API_KEY" in _column(text, 5)
