"""End to end over streamable HTTP: the server on a free loopback port, the SDK's client by URL."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from reelkit import probe
from reelkit_emulator.server import RunningServer

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

STARTUP_SAFETY_S = 120.0  # a safety net for a server that never comes up, not a speed check


@contextlib.contextmanager
def http_server(
    env: dict[str, str], output_dir: Path, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as errors:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reelkit_mcp",
                "--transport",
                "streamable-http",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--output-dir",
                str(output_dir),
                "--log-level",
                "DEBUG",
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def url_of(process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + STARTUP_SAFETY_S
    while time.monotonic() < deadline:
        found = re.search(
            r"serving streamable HTTP on (http://\S+)", log.read_text("utf-8", "replace")
        )
        if found:
            return found.group(1)
        assert process.poll() is None, log.read_text()
        await anyio.sleep(0.05)
    raise AssertionError(f"the server did not start: {log.read_text()}")


def data(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content[0].text
    value: dict[str, Any] = result.structured_content
    return value


async def test_generate_over_streamable_http(
    server_env: dict[str, str],
    output_dir: Path,
    tmp_path: Path,
    reelkit_emulator: RunningServer,
    canaries: dict[str, str],
) -> None:
    log = tmp_path / "http-server.log"
    progress: list[float] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append(value)

    with http_server(server_env, output_dir, log) as process:
        url = await url_of(process, log)
        assert url.startswith("http://127.0.0.1:") and url.endswith("/mcp")
        async with Client(url, read_timeout_seconds=120) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            plan = await client.call_tool(
                "plan_video", {"prompt": "a comet", "provider": "grok", "duration": 5}
            )
            job = await client.call_tool(
                "generate_video",
                {"prompt": "a comet", "provider": "grok", "duration": 5, "wait": True},
                progress_callback=on_progress,
            )
            background = data(
                await client.call_tool(
                    "generate_video", {"prompt": "a meteor", "provider": "sora", "duration": 4}
                )
            )
            waited = data(await client.call_tool("wait_for_job", {"job_id": background["job_id"]}))
    assert {"generate_video", "wait_for_job", "plan_video"} <= tools
    assert data(plan)["cost"]["estimated"] > 0
    finished = data(job)
    assert finished["status"] == "downloaded"
    delivered = probe.probe(finished["path"])
    assert delivered is not None and delivered.duration and delivered.duration > 0
    assert waited["status"] == "downloaded" and Path(waited["path"]).is_file()
    with anyio.fail_after(60):  # pending callback tasks get their turn; a safety net only
        while not progress or progress[-1] < 1.0:
            await anyio.sleep(0.01)
    assert progress == sorted(set(progress))
    assert reelkit_emulator.stats()["grok"]["submits"] == 1
    assert reelkit_emulator.stats()["sora"]["submits"] == 1
    everything = plan.model_dump_json() + job.model_dump_json() + log.read_text()
    for secret in canaries.values():
        assert secret not in everything
