"""Crash safety: a render whose process died is rendered again by whoever polls it next."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from reelkit_local import store
from reelkit_local.transport import LocalTransport

pytestmark = pytest.mark.slow

BASE = "local://render"
SPEC = {"prompt": "resumed", "duration": 1.0, "fps": 24, "width": 320, "height": 240}


def orphan(state: Path, render_id: str = "render_orphan") -> str:
    """What a process killed right after its submit leaves behind: a spec and nothing else."""
    state.mkdir(parents=True, exist_ok=True)
    (state / f"{render_id}.json").write_text(json.dumps({**SPEC, "id": render_id}))
    return render_id


def status(client: httpx.Client, render_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"{BASE}/v1/renders/{render_id}").json()
    return body


def wait_done(client: httpx.Client, render_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = status(client, render_id)
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"render {render_id} did not finish")


def test_a_spec_without_a_renderer_is_rendered_again(tmp_path: Path) -> None:
    render_id = orphan(tmp_path)
    transport = LocalTransport(tmp_path)
    assert not transport.store.is_active(render_id)
    with httpx.Client(transport=transport) as client:
        first = status(client, render_id)
        assert first["status"] == "queued"
        assert first["restarted"] is True
        assert transport.store.is_active(render_id)
        # Later polls see the one render in progress; they do not start another.
        assert status(client, render_id).get("restarted") is None
        done = wait_done(client, render_id)
    assert done["status"] == "succeeded"
    assert (tmp_path / f"{render_id}.mp4").stat().st_size > 0


def test_a_fresh_heartbeat_from_another_process_is_trusted(tmp_path: Path) -> None:
    render_id = orphan(tmp_path)
    beat = {"pid": os.getpid() + 1, "time": time.time(), "progress": 0.5}
    (tmp_path / f"{render_id}.beat").write_text(json.dumps(beat))
    transport = LocalTransport(tmp_path)
    with httpx.Client(transport=transport) as client:
        body = status(client, render_id)
    assert (body["status"], body["progress"]) == ("running", 0.5)
    assert not transport.store.is_active(render_id)  # no second render started


def test_a_stale_heartbeat_means_the_renderer_died(tmp_path: Path) -> None:
    render_id = orphan(tmp_path)
    beat = {"pid": os.getpid() + 1, "time": time.time() - store.BEAT_STALE - 5, "progress": 0.5}
    (tmp_path / f"{render_id}.beat").write_text(json.dumps(beat))
    transport = LocalTransport(tmp_path)
    with httpx.Client(transport=transport) as client:
        assert status(client, render_id)["restarted"] is True
        assert wait_done(client, render_id)["status"] == "succeeded"


def test_a_failed_render_is_not_retried(tmp_path: Path) -> None:
    render_id = orphan(tmp_path)
    error = {"code": "render_failed", "message": "boom"}
    (tmp_path / f"{render_id}.error.json").write_text(json.dumps(error))
    transport = LocalTransport(tmp_path)
    with httpx.Client(transport=transport) as client:
        body = status(client, render_id)
    assert (body["status"], body["error"]) == ("failed", error)
    assert not transport.store.is_active(render_id)


@pytest.mark.parametrize("stored", ["[1, 2]", "{", '{"prompt": "no size, no fps"}'])
def test_a_corrupt_spec_is_a_500(tmp_path: Path, stored: str) -> None:
    (tmp_path / "render_bad.json").write_text(stored)
    with httpx.Client(transport=LocalTransport(tmp_path)) as client:
        answer = client.get(f"{BASE}/v1/renders/render_bad")
    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "corrupt_state"


def test_two_transports_in_one_process_share_one_render(tmp_path: Path) -> None:
    one, two = LocalTransport(tmp_path), LocalTransport(tmp_path)
    with httpx.Client(transport=one) as a, httpx.Client(transport=two) as b:
        render_id = a.post(f"{BASE}/v1/renders", json={**SPEC, "duration": 3.0}).json()["id"]
        assert status(b, render_id).get("restarted") is None
        assert wait_done(b, render_id)["status"] == "succeeded"


_SUBMITTER = textwrap.dedent(
    """
    import sys, time, httpx
    from reelkit_local.transport import LocalTransport

    client = httpx.Client(transport=LocalTransport(sys.argv[1]))
    body = {"prompt": "killed", "duration": 20.0, "fps": 24, "width": 640, "height": 360}
    render_id = client.post("local://render/v1/renders", json=body).json()["id"]
    print(render_id, flush=True)
    time.sleep(600)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_kill_9_mid_render_then_resume_in_another_process(tmp_path: Path) -> None:
    state = tmp_path / "state"
    child = subprocess.Popen(
        [sys.executable, "-c", _SUBMITTER, str(state)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        render_id = child.stdout.readline().strip()
        assert render_id.startswith("render_")
        deadline = time.monotonic() + 30
        while not (state / f"{render_id}.beat").exists():  # it is rendering
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert not (state / f"{render_id}.mp4").exists()
    transport = LocalTransport(state)
    with httpx.Client(transport=transport) as client:
        # The dead process's last heartbeat is trusted until it goes stale, then we take over.
        seen = set()
        deadline = time.monotonic() + store.BEAT_STALE + 10
        while not transport.store.is_active(render_id):
            assert time.monotonic() < deadline
            body = status(client, render_id)
            seen.add(body["status"])
            time.sleep(0.1)
        assert seen <= {"queued", "running"}
        transport.store.wait(render_id, timeout=120)
        done = status(client, render_id)
        assert done["status"] == "succeeded"
        video = client.get(done["content_url"])
    assert video.headers["content-type"] == "video/mp4"
    assert len(video.content) > 10_000
    # The dead renderer's half-written file was swept once it went stale.
    assert not list(state.glob("*.part"))
