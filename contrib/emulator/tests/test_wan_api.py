"""The DashScope (Wan) fake against the documented HTTP examples.

``POST /api/v1/services/aigc/video-generation/video-synthesis`` (and ``image2video`` for kf2v)
with ``X-DashScope-Async: enable`` answers ``{"output": {"task_id", "task_status"}, "request_id"}``;
``GET /api/v1/tasks/{id}`` walks PENDING → RUNNING → SUCCEEDED; errors are ``{"request_id",
"code", "message"}``. The official SDK drives the same fake in plugins/wan's fidelity test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reelkit_emulator import EmulatorConfig, create_app
from reelkit_emulator.providers import wan as w

pytestmark = pytest.mark.anyio

HEADERS = {"authorization": "Bearer sk-test", "x-dashscope-async": "enable"}
T2V = "/wan/api/v1/services/aigc/video-generation/video-synthesis"
KF2V = "/wan/api/v1/services/aigc/image2video/video-synthesis"


@pytest.fixture
def app(cache_dir: Path) -> Any:
    return create_app(EmulatorConfig(cache_dir=cache_dir), fakes=[w.FAKE])


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://emu", headers=HEADERS
    ) as c:
        yield c


def body(model: str = "wan2.5-t2v-preview", **parameters: Any) -> dict[str, Any]:
    return {
        "model": model,
        "input": {"prompt": "A kitten in the moonlight"},
        "parameters": parameters,
    }


def error(r: httpx.Response, status: int, code: str) -> str:
    assert r.status_code == status, r.text
    data = r.json()
    assert set(data) == {"request_id", "code", "message"}
    assert data["code"] == code
    message: str = data["message"]
    return message


async def test_documented_flow(client: httpx.AsyncClient) -> None:
    r = await client.post(T2V, json=body(size="832*480", duration=10))
    assert r.status_code == 200, r.text
    created = r.json()
    assert created["output"]["task_status"] == "PENDING" and created["request_id"]
    task_id = created["output"]["task_id"]
    seen = []
    for _ in range(3):
        output = (await client.get(f"/wan/api/v1/tasks/{task_id}")).json()
        seen.append(output["output"]["task_status"])
    assert seen[-1] == "SUCCEEDED" and "RUNNING" in seen
    video = await client.get(output["output"]["video_url"])
    assert video.status_code == 200 and video.content[4:8] == b"ftyp"
    assert output["usage"]["duration"] == 10


async def test_no_key_and_no_async_header(client: httpx.AsyncClient) -> None:
    r = await client.post(T2V, json=body(), headers={"authorization": ""})
    error(r, 401, "InvalidApiKey")
    r = await client.post(T2V, json=body(), headers={"x-dashscope-async": ""})
    assert "synchronous" in error(r, 403, "AccessDenied")


@pytest.mark.parametrize(
    ("path", "payload", "words"),
    [
        (T2V, body(size="1280x720"), "size"),  # "x" is not Wan's separator
        (T2V, body("wan2.2-t2v-plus", size="1280*720"), "size"),  # 720P is not a wan2.2 tier
        (T2V, body("wan2.2-t2v-plus", duration=10), "duration"),
        (T2V, body("wan2.2-t2v-plus", audio=True), "audio"),
        (T2V, body(resolution="720P"), "size"),
        (T2V, body(seed=-1), "seed"),
        (T2V, {**body(), "input": {"prompt": "x", "img_url": "https://e.com/a.png"}}, "img_url"),
        (T2V, body("no-such-model"), "Model not exist"),
        (T2V, body("wanx2.1-kf2v-plus"), "not supported by this API"),
        (KF2V, body("wanx2.1-kf2v-plus"), "first_frame_url"),
        (T2V, {"model": "wan2.5-t2v-preview"}, "input"),
    ],
)
async def test_rejections(
    client: httpx.AsyncClient, path: str, payload: dict[str, Any], words: str
) -> None:
    r = await client.post(path, json=payload)
    assert r.status_code == 400, r.text
    assert words in r.json()["message"]


async def test_image_led_jobs_keep_the_image_shape(client: httpx.AsyncClient, app: Any) -> None:
    frame = "https://example.com/first.png"
    payload = {
        "model": "wanx2.1-kf2v-plus",
        "input": {"first_frame_url": frame, "last_frame_url": frame},
        "parameters": {"resolution": "720P"},
    }
    r = await client.post(KF2V, json=payload)
    assert r.status_code == 200, r.text
    [task] = list(app.state.emulator.contexts["wan"].store)
    assert (task.video.width, task.video.height) == (1280, 720)  # a remote image: 16:9


async def test_expired_and_unknown_tasks_poll_unknown(client: httpx.AsyncClient) -> None:
    r = await client.get("/wan/api/v1/tasks/never-issued")
    assert r.status_code == 200
    assert r.json()["output"] == {"task_id": "never-issued", "task_status": "UNKNOWN"}
    created = await client.post(T2V, json={**body(), "input": {"prompt": "[emulator:expire] x"}})
    task_id = created.json()["output"]["task_id"]
    for _ in range(3):
        last = (await client.get(f"/wan/api/v1/tasks/{task_id}")).json()
    assert last["output"]["task_status"] == "UNKNOWN"


async def test_moderation_fails_the_task(client: httpx.AsyncClient) -> None:
    created = await client.post(T2V, json={**body(), "input": {"prompt": "[emulator:moderation]"}})
    task_id = created.json()["output"]["task_id"]
    for _ in range(3):
        last = (await client.get(f"/wan/api/v1/tasks/{task_id}")).json()
    assert last["output"]["task_status"] == "FAILED"
    assert last["output"]["code"] == "DataInspectionFailed"
