"""The MiniMax fake against the documented v1 flow (no official Python SDK exists).

``POST /v1/video_generation`` → ``{"task_id", "base_resp"}``; ``GET /v1/query/video_generation``
walks Preparing → Queueing → Processing → Success (``file_id``); ``GET /v1/files/retrieve`` gives
``file.download_url``; ``GET /v1/files/retrieve_content`` the bytes. Every refusal is HTTP 200
with a non-zero ``base_resp.status_code``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reelkit_emulator import EmulatorConfig, create_app
from reelkit_emulator.providers import minimax as m

pytestmark = pytest.mark.anyio

AUTH = {"authorization": "Bearer eyJ-emulator"}
IMG = "https://example.com/cat.png"
#: The documented answer of files/retrieve (recorded in the plugin's fixtures).
RETRIEVE = Path(__file__).parents[3] / "plugins/minimax/tests/fixtures/files_retrieve.json"


@pytest.fixture
def app(cache_dir: Path) -> Any:
    config = EmulatorConfig(cache_dir=cache_dir, polls_to_complete=4, queued_polls=2)
    return create_app(config, fakes=[m.FAKE])


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://emu", headers=AUTH
    ) as c:
        yield c


async def create(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    body.setdefault("model", "MiniMax-Hailuo-2.3")
    body.setdefault("prompt", "A lighthouse at dusk")
    response = await client.post("/minimax/v1/video_generation", json=body)
    assert response.status_code == 200  # MiniMax answers 200, errors included
    return response.json()  # type: ignore[no-any-return]


async def query(client: httpx.AsyncClient, task_id: str) -> dict[str, Any]:
    response = await client.get("/minimax/v1/query/video_generation", params={"task_id": task_id})
    return response.json()  # type: ignore[no-any-return]


def code(answer: dict[str, Any]) -> int:
    return answer["base_resp"]["status_code"]  # type: ignore[no-any-return]


async def test_the_documented_walk_to_a_real_mp4(
    client: httpx.AsyncClient, app: Any, probe: Any
) -> None:
    created = await create(client, duration=6, resolution="1080P")
    assert code(created) == 0 and created["task_id"].isdigit()
    walk = [await query(client, created["task_id"]) for _ in range(4)]
    assert [w["status"] for w in walk] == ["Preparing", "Queueing", "Processing", "Success"]
    done = walk[-1]
    assert (done["video_width"], done["video_height"]) == (1920, 1080)
    retrieved = (
        await client.get("/minimax/v1/files/retrieve", params={"file_id": done["file_id"]})
    ).json()
    documented = json.loads(RETRIEVE.read_text())
    assert set(retrieved) == set(documented)
    assert set(retrieved["file"]) == set(documented["file"])
    linked = await client.get(retrieved["file"]["download_url"])  # no auth: a signed link
    content = await client.get(
        "/minimax/v1/files/retrieve_content", params={"file_id": done["file_id"]}
    )
    for response in (linked, content):
        assert response.headers["content-type"].startswith("video/")
        width, height, seconds = probe(response.content)
        assert (width, height) == (1920, 1080) and seconds == pytest.approx(6, abs=0.2)
    stats = app.state.emulator.stats.snapshot()["minimax"]
    assert (stats["submits"], stats["polls"], stats["downloads"], stats["other"]) == (1, 4, 2, 1)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"model": "MiniMax-Hailuo-02", "duration": 10, "resolution": "1080P"}, "duration 6"),
        ({"resolution": "512P"}, "resolution 512P"),  # 512P is image-to-video on Hailuo-02 only
        ({"model": "MiniMax-Hailuo-2.3-Fast"}, "first_frame_image"),
        ({"model": "S2V-01"}, "subject_reference"),
        ({"prompt": "  "}, "prompt is required"),
        ({"seed": 3}, "unknown parameter seed"),
        ({"duration": "6"}, "duration must be of type integer"),
        ({"model": "T2V-01", "fast_pretreatment": True}, "fast_pretreatment"),
        ({"model": "Hailuo-99"}, "not one of"),
        ({"first_frame_image": "cat.png"}, "image URL"),
        ({"last_frame_image": IMG, "model": "MiniMax-Hailuo-02"}, "needs first_frame_image"),
    ],
)
async def test_refusals_are_2013_at_http_200(
    client: httpx.AsyncClient, body: dict[str, Any], words: str
) -> None:
    answer = await create(client, **body)
    assert code(answer) == 2013 and answer["task_id"] == ""
    assert words in answer["base_resp"]["status_msg"]


async def test_every_task_kind_is_accepted(client: httpx.AsyncClient) -> None:
    bodies = [
        {"model": "MiniMax-Hailuo-02", "first_frame_image": IMG, "resolution": "512P"},
        {"model": "MiniMax-Hailuo-02", "first_frame_image": IMG, "last_frame_image": IMG},
        {"model": "S2V-01", "subject_reference": [{"type": "character", "image": [IMG]}]},
        {"model": "I2V-01-live", "first_frame_image": "data:image/png;base64,iVBORw0KGgo="},
        {"model": "T2V-01-Director", "duration": 6, "resolution": "720P"},
    ]
    for body in bodies:
        assert code(await create(client, **body)) == 0, body


async def test_credentials_and_unknown_ids(client: httpx.AsyncClient) -> None:
    bare = await client.post(
        "/minimax/v1/video_generation",
        json={"model": "MiniMax-Hailuo-2.3", "prompt": "x"},
        headers={"authorization": ""},
    )
    assert bare.status_code == 200 and code(bare.json()) == 1004
    assert code(await query(client, "123")) == 2013
    missing = await client.get("/minimax/v1/files/retrieve_content", params={"file_id": "9"})
    assert code(missing.json()) == 2013


async def test_moderation_and_failure_end_in_fail(client: httpx.AsyncClient) -> None:
    for prompt, expected in (("[emulator:moderation] x", 1027), ("[emulator:fail] x", 1000)):
        task_id = (await create(client, prompt=prompt))["task_id"]
        answers = [await query(client, task_id) for _ in range(4)]
        assert answers[-1]["status"] == "Fail" and code(answers[-1]) == expected


async def test_faults_speak_minimax(client: httpx.AsyncClient, app: Any) -> None:
    app.state.emulator.faults.schedule("429", provider="minimax", endpoint="submit")
    app.state.emulator.faults.schedule("500", provider="minimax", endpoint="submit")
    limited, broken = await create(client), await create(client)
    assert (code(limited), code(broken)) == (1002, 1000)
    assert app.state.emulator.stats.snapshot()["minimax"]["submits"] == 0


async def test_results_expire_after_nine_hours(client: httpx.AsyncClient, app: Any) -> None:
    task_id = (await create(client))["task_id"]
    done = [await query(client, task_id) for _ in range(4)][-1]
    app.state.emulator.clock.advance(9 * 3600 + 1)
    gone = await client.get("/minimax/v1/files/retrieve", params={"file_id": done["file_id"]})
    assert code(gone.json()) == 2013 and "expired" in gone.json()["base_resp"]["status_msg"]


# --- v2: MiniMax-H3 ---------------------------------------------------------------------------


def text(prompt: str = "A lighthouse at dusk") -> dict[str, Any]:
    return {"type": "text", "text": prompt}


def image(role: str | None = "first_frame") -> dict[str, Any]:
    item: dict[str, Any] = {"type": "image_url", "image_url": {"url": IMG}}
    if role is not None:
        item["role"] = role
    return item


async def create_v2(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    body.setdefault("model", "MiniMax-H3")
    body.setdefault("content", [text()])
    body.setdefault("resolution", "2K")
    body.setdefault("duration", 5)
    body.setdefault("ratio", "16:9")
    response = await client.post("/minimax/v2/video_generation", json=body)
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


async def test_v2_walk_to_a_real_mp4(client: httpx.AsyncClient, probe: Any) -> None:
    created = await create_v2(client, ratio="9:16", resolution="768P", duration=4)
    assert code(created) == 0
    tasks = [
        (await client.get(f"/minimax/v2/query/video_generation/{created['task_id']}")).json()[
            "task"
        ]
        for _ in range(4)
    ]
    assert [t["status"] for t in tasks] == ["queued", "queued", "running", "succeeded"]
    video = await client.get(tasks[-1]["content"]["url"])
    width, height, seconds = probe(video.content)
    assert (width, height) == (768, 1366) and seconds == pytest.approx(4, abs=0.2)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"content": [text("  ")]}, "one non-empty text item"),
        ({"content": [image()]}, "one non-empty text item"),
        ({"content": [text(), image(), image("reference_image")]}, "cannot be used together"),
        ({"content": [text(), image("last_frame"), image("last_frame")]}, "at most one"),
        ({"content": [text(), image("reference_video")]}, "role must be one of"),
        (
            {
                "content": [
                    text(),
                    {"type": "audio_url", "audio_url": {"url": IMG}, "role": "reference_audio"},
                ]
            },
            "requires a reference image or video",
        ),
        ({"ratio": "adaptive"}, "concrete ratio"),
        ({"duration": 16}, "from 4 to 15"),
        ({"resolution": "1080P"}, "not one of"),
        ({"model": "MiniMax-Hailuo-2.3"}, "not one of"),
        ({"content": [text("x" * 7001)]}, "7000"),
    ],
)
async def test_v2_refusals(client: httpx.AsyncClient, body: dict[str, Any], words: str) -> None:
    answer = await create_v2(client, **body)
    assert code(answer) == 2013 and words in answer["base_resp"]["status_msg"]


async def test_v2_accepts_frames_and_references(client: httpx.AsyncClient) -> None:
    refs = [image("reference_image")] * 9 + [
        {"type": "video_url", "video_url": {"url": IMG}, "role": "reference_video"}
    ]
    for content in ([text(), image(None)], [text(), image(), image("last_frame")], [text(), *refs]):
        assert code(await create_v2(client, content=content, ratio="adaptive")) == 0, content


async def test_v2_moderation_fails_the_task(client: httpx.AsyncClient) -> None:
    task_id = (await create_v2(client, content=[text("[emulator:moderation] x")]))["task_id"]
    answers = [
        (await client.get(f"/minimax/v2/query/video_generation/{task_id}")).json()["task"]
        for _ in range(4)
    ]
    assert answers[-1]["status"] == "failed" and "sensitive" in answers[-1]["error"]["message"]
