"""Faults under load, and the entrances: the CLI verb, ``python -m``, the pytest fixture."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from typing import Any

import httpx
import pytest

from reelkit_emulator.server import RunningServer

AUTH = {"authorization": "Bearer sk-test"}
CREATES = {
    "sora": ("/v1/videos", {"prompt": "a cat", "seconds": "4", "size": "1280x720"}),
    "qiniu": ("/v1/videos", {"model": "sora-2", "prompt": "a cat", "size": "1280x720"}),
    "newapi": ("/v1/videos", {"model": "sora-2", "prompt": "a cat", "size": "1280x720"}),
}
DONE = ("completed", "failed")


class Driver:
    """A deliberately simple client: retries whatever looks like a fault, counts what it saw."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.faults = 0

    def call(self, method: str, url: str, *, video: bool = False, **kwargs: Any) -> httpx.Response:
        for _ in range(200):
            try:
                response = self.client.request(method, url, **kwargs)
            except httpx.TransportError:
                self.faults += 1  # reset
                continue
            if response.status_code in (429, 500):
                self.faults += 1
                continue
            if video and not response.headers.get("content-type", "").startswith("video/"):
                self.faults += 1  # malformed download: an HTML page
                continue
            if not video:
                try:
                    response.json()
                except ValueError:
                    self.faults += 1  # malformed JSON
                    continue
            return response
        raise AssertionError(f"{method} {url} never succeeded")

    def job(self, provider: str, base: str) -> None:
        path, body = CREATES[provider]
        created = self.call("POST", base + path, json=body, headers=AUTH)
        assert created.status_code == 200, created.text
        task_id = created.json()["id"]
        for _ in range(50):
            status = self.call("GET", f"{base}{path}/{task_id}", headers=AUTH).json()
            if status["status"] in DONE:
                break
        assert status["status"] == "completed"
        if provider == "qiniu":
            url, headers = status["task_result"]["videos"][0]["url"], {}
        else:
            url, headers = f"{base}{path}/{task_id}/content", AUTH
        self.call("GET", url, headers=headers, video=True)


def test_faults_keep_the_emulator_serving_and_counters_add_up(
    reelkit_emulator: RunningServer,
) -> None:
    reelkit_emulator.faults(0.3, "429,500,reset,malformed", seed=11)
    jobs = 4
    with httpx.Client(timeout=30) as client:
        driver = Driver(client)
        for provider in CREATES:
            for _ in range(jobs):
                driver.job(provider, reelkit_emulator.url(provider))
    stats = reelkit_emulator.stats()
    total_faults = 0
    for provider in CREATES:
        row = stats[provider]
        assert row["submits"] == jobs  # faulted submits created nothing
        assert row["downloads"] == jobs
        assert row["polls"] >= jobs * reelkit_emulator.config.polls_to_complete
        assert row["rejected"] == 0
        assert set(row["fault_kinds"]) <= {"429", "500", "reset", "malformed"}
        assert sum(row["fault_kinds"].values()) == row["faults"]
        assert row["requests"] == (
            row["submits"] + row["polls"] + row["downloads"] + row["faults"] + row["other"]
        )
        total_faults += row["faults"]
    assert total_faults == driver.faults > 0
    assert reelkit_emulator.emulator.faults.rate == 0.3
    reelkit_emulator.reset()
    assert reelkit_emulator.emulator.faults.rate == 0.0


def test_slow_fault_delays_but_answers(reelkit_emulator: RunningServer) -> None:
    reelkit_emulator.inject("slow", provider="sora", endpoint="submit")
    config = reelkit_emulator.config
    with httpx.Client(base_url=reelkit_emulator.url("sora"), headers=AUTH) as client:
        response = client.post("/v1/videos", json={"prompt": "x"})
        assert response.elapsed.total_seconds() >= config.slow_seconds * 0.9
        assert response.status_code == 200
    row = reelkit_emulator.stats()["sora"]
    assert (row["submits"], row["fault_kinds"]) == (1, {"slow": 1})


def test_fixture_points_the_environment_at_the_emulator(reelkit_emulator: RunningServer) -> None:
    for name in ("sora", "qiniu", "newapi"):
        assert os.environ[f"REELKIT_{name.upper()}_BASE_URL"] == reelkit_emulator.url(name)
    assert os.environ["OPENAI_API_KEY"] == "emulator"
    assert os.environ["QINIU_API_KEY"] == "emulator"
    assert os.environ["NEWAPI_API_KEY"] == "emulator"
    assert os.environ["REELKIT_POLL_INTERVAL"] == "0.01"
    openai = pytest.importorskip("openai")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        video = openai.OpenAI().videos.create(prompt="no arguments needed")
    assert video.status == "queued"
    assert reelkit_emulator.stats()["sora"]["submits"] == 1


def test_stats_route_over_http(reelkit_emulator: RunningServer) -> None:
    with httpx.Client(base_url=reelkit_emulator.base_url) as client:
        stats = client.get("/_emulator/stats").json()
        assert {"sora", "qiniu", "newapi"} <= set(stats)
        assert set(stats["sora"]) >= {"submits", "polls", "downloads", "faults"}
        assert client.post("/_emulator/reset").json() == {"reset": True}


# --- the CLI verb ----------------------------------------------------------------------------


@pytest.fixture
def cli_group() -> Any:
    click = pytest.importorskip("click")
    from reelkit_emulator.plugin import reelkit_register_commands

    @click.group()
    def cli() -> None:
        pass

    reelkit_register_commands(cli=cli)
    return cli


def test_cli_prints_exports(cli_group: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("QINIU_API_KEY", "real-key")
    result = CliRunner().invoke(
        cli_group,
        [
            "emulator",
            "--port",
            "9999",
            "--fault-rate",
            "0.3",
            "--faults",
            "429,500,reset,malformed",
            "--print-env",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "export REELKIT_SORA_BASE_URL=http://127.0.0.1:9999/sora" in lines
    assert "export REELKIT_QINIU_BASE_URL=http://127.0.0.1:9999/qiniu" in lines
    assert "export REELKIT_NEWAPI_BASE_URL=http://127.0.0.1:9999/newapi" in lines
    assert "export REELKIT_POLL_INTERVAL=0.5" in lines
    assert "export OPENAI_API_KEY=emulator" in lines
    assert not any(line.startswith("export QINIU_API_KEY") for line in lines)  # already set


def test_cli_rejects_unknown_faults(cli_group: Any) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli_group, ["emulator", "--faults", "429,teapot", "--print-env"])
    assert result.exit_code == 2
    assert "unknown fault(s) teapot" in result.output


def test_python_m_serves_until_stopped(cache_dir: Any) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "reelkit_emulator", "--port", "0", "--fault-rate", "0.3",
         "--faults", "429,500,reset,malformed", "--seed", "3", "--provider", "sora"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first.startswith("export REELKIT_SORA_BASE_URL=http://127.0.0.1:")
        base = first.split("=", 1)[1]
        root = base.removesuffix("/sora")
        with httpx.Client() as client:
            info = client.get(root + "/_emulator").json()
            assert list(info["providers"]) == ["sora"]
            assert info["config"]["fault_rate"] == 0.3 and info["config"]["seed"] == 3
            outcomes = set()
            for _ in range(30):
                try:
                    outcomes.add(
                        client.post(
                            base + "/v1/videos", json={"prompt": "x"}, headers=AUTH
                        ).status_code
                    )
                except httpx.TransportError:
                    outcomes.add("reset")
            stats = client.get(root + "/_emulator/stats").json()["sora"]
        assert stats["requests"] == 30 and stats["faults"] > 0 and 200 in outcomes
        assert proc.poll() is None  # still serving
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_reelkit_cli_has_the_verb(capsys: pytest.CaptureFixture[str]) -> None:
    main = pytest.importorskip("reelkit_cli.main")
    with pytest.raises(SystemExit) as exited:
        main.main(["emulator", "--print-env", "--port", "8765"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "export REELKIT_SORA_BASE_URL=http://127.0.0.1:8765/sora" in out
    assert "export REELKIT_NEWAPI_BASE_URL=http://127.0.0.1:8765/newapi" in out


def test_the_printed_jimeng_lines_work_after_a_users_own_keys(
    reelkit_emulator: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    import reelkit
    from reelkit_emulator.plugin import export_lines
    from reelkit_emulator.providers import jimeng

    # The emulator runs in its own shell, which knows no VOLC_* secret: only its default one.
    ctx = reelkit_emulator.emulator.contexts["jimeng"]
    jimeng.configure(ctx, jimeng.JimengSettings())
    # The user exported their own keys after pasting the emulator's lines.
    monkeypatch.setenv("VOLC_ACCESSKEY", "AKLTmine")
    monkeypatch.setenv("VOLC_SECRETKEY", "my-own-secret")
    try:
        with pytest.raises(reelkit.ReelkitError, match="SignatureDoesNotMatch"):
            reelkit.generate("a cat", provider="jimeng", output=tmp_path / "no.mp4")
        fakes = reelkit_emulator.emulator.fakes.values()
        credentials = {k: v for fake in fakes for k, v in fake.credentials.items()}
        lines = export_lines({}, credentials, fakes)
        assert "export VOLC_SECRETKEY=reelkit-emulator-secret" in lines  # though VOLC_* are set
        said = " ".join(line for line in lines if line.startswith("#"))
        assert "signed with VOLC_SECRETKEY" in said and "SignatureDoesNotMatch" in said
        for line in lines:  # pasted again, last
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").partition("=")
                monkeypatch.setenv(name, value)
        result = reelkit.generate("a cat", provider="jimeng", output=tmp_path / "cat.mp4")
        assert result.status == "downloaded"
    finally:
        jimeng._settings.pop(ctx, None)
