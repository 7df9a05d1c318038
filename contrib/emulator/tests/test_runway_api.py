"""The Runway fake against the official SDK's request and response types (``runwayml`` 5.24.0).

What it must refuse (a bad ratio for the model, a field the model does not take, a last frame
alone, an http URL, an oversized data URI), how tasks walk (PENDING or THROTTLED, RUNNING,
SUCCEEDED with ``cost.credits``), the version header, and DELETE as cancel or delete.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reelkit_emulator import EmulatorConfig, create_app
from reelkit_emulator.providers import runway as r

pytestmark = pytest.mark.anyio

HEADERS = {"authorization": "Bearer key_test", "x-runway-version": "2024-11-06"}
URL = "https://example.com/frame.png"
T2V = {"model": "gen4.5", "promptText": "Clouds", "ratio": "1280:720", "duration": 5}


@pytest.fixture
async def client(cache_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(EmulatorConfig(cache_dir=cache_dir), fakes=[r.FAKE])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://emu/runway", headers=HEADERS
    ) as c:
        yield c


async def refused(client: httpx.AsyncClient, endpoint: str, body: dict[str, Any]) -> str:
    answer = await client.post(f"/v1/{endpoint}", json=body)
    assert answer.status_code == 400, answer.text
    error = answer.json()
    assert isinstance(error["error"], str)
    return str(error["issues"][0]["path"][0]) if "issues" in error else ""


async def test_a_task_walks_to_succeeded_with_its_credits(client: httpx.AsyncClient) -> None:
    task_id = (await client.post("/v1/text_to_video", json=T2V)).json()["id"]
    seen = [(await client.get(f"/v1/tasks/{task_id}")).json() for _ in range(3)]
    assert [s["status"] for s in seen] == ["PENDING", "RUNNING", "SUCCEEDED"]
    assert 0 < seen[1]["progress"] < 1
    assert seen[2]["cost"] == {"credits": 60}  # 5 s × 12 credits
    video = await client.get(seen[2]["output"][0], headers={})
    assert video.headers["content-type"] == "video/mp4"


async def test_a_second_task_is_throttled_while_the_first_runs(client: httpx.AsyncClient) -> None:
    await client.post("/v1/text_to_video", json=T2V)
    second = (await client.post("/v1/text_to_video", json=T2V)).json()["id"]
    assert (await client.get(f"/v1/tasks/{second}")).json()["status"] == "THROTTLED"


@pytest.mark.parametrize(
    ("endpoint", "body", "field"),
    [
        ("text_to_video", {**T2V, "ratio": "1104:832"}, "ratio"),  # an i2v-only ratio
        ("text_to_video", {**T2V, "duration": 11}, "duration"),
        ("text_to_video", {**T2V, "model": "gen4_turbo"}, "model"),  # i2v only
        ("text_to_video", {**T2V, "model": "veo3.1", "duration": 5}, "duration"),
        ("text_to_video", {**T2V, "model": "veo3.1", "seed": 1, "duration": 8}, "seed"),
        ("text_to_video", {**T2V, "audio": True}, "audio"),  # gen4.5 has no sound
        ("text_to_video", {k: v for k, v in T2V.items() if k != "promptText"}, "promptText"),
        (
            "image_to_video",
            {**T2V, "model": "gen4.5", "promptImage": [{"uri": URL, "position": "last"}]},
            "promptImage.0.position",
        ),
        (
            "image_to_video",
            {
                **T2V,
                "model": "veo3.1",
                "duration": 8,
                "promptImage": [{"uri": URL, "position": "last"}],
            },
            "promptImage",
        ),
        ("image_to_video", {**T2V, "promptImage": "http://example.com/a.png"}, "promptImage"),
        ("video_to_video", {"model": "aleph2"}, "videoUri"),
        ("video_to_video", {"model": "gen4_aleph", "videoUri": URL}, "model"),
    ],
)
async def test_bodies_are_checked_per_model(
    client: httpx.AsyncClient, endpoint: str, body: dict[str, Any], field: str
) -> None:
    assert (await refused(client, endpoint, body)).startswith(field.split(".")[0])


async def test_data_uris_over_5_mb_are_refused(client: httpx.AsyncClient) -> None:
    data = base64.b64encode(bytes(4 * 1024 * 1024)).decode()
    body = {**T2V, "promptImage": f"data:image/png;base64,{data}"}
    assert await refused(client, "image_to_video", body) == "promptImage"


async def test_the_version_header_is_required_on_every_route(client: httpx.AsyncClient) -> None:
    task_id = (await client.post("/v1/text_to_video", json=T2V)).json()["id"]
    no_version = {"authorization": "Bearer key_test"}
    for method, path in (("GET", f"/v1/tasks/{task_id}"), ("DELETE", f"/v1/tasks/{task_id}")):
        answer = await client.request(method, path, headers={**no_version, "x-runway-version": ""})
        assert answer.status_code == 400


async def test_no_key_is_401(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/v1/text_to_video",
        json=T2V,
        headers={"authorization": "", "x-runway-version": "2024-11-06"},
    )
    assert answer.status_code == 401


async def test_delete_cancels_an_unfinished_task_and_deletes_a_finished_one(
    client: httpx.AsyncClient,
) -> None:
    task_id = (await client.post("/v1/text_to_video", json=T2V)).json()["id"]
    assert (await client.delete(f"/v1/tasks/{task_id}")).status_code == 204
    cancelled = (await client.get(f"/v1/tasks/{task_id}")).json()
    assert (cancelled["status"], cancelled["cost"]) == ("CANCELLED", {"credits": 0})
    assert (await client.delete(f"/v1/tasks/{task_id}")).status_code == 204
    assert (await client.get(f"/v1/tasks/{task_id}")).status_code == 404


async def test_moderation_ends_with_a_safety_code(client: httpx.AsyncClient) -> None:
    body = {**T2V, "promptText": "[emulator:moderation] x"}
    task_id = (await client.post("/v1/text_to_video", json=body)).json()["id"]
    last = [(await client.get(f"/v1/tasks/{task_id}")).json() for _ in range(3)][-1]
    assert (last["status"], last["failureCode"]) == ("FAILED", "SAFETY.OUTPUT.VIDEO")
