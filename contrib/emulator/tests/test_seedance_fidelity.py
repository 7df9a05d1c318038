"""Fidelity: the official Ark SDK (``volcengine-python-sdk[ark]``) against the Seedance fake."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.fidelity

ark = pytest.importorskip("volcenginesdkarkruntime")

MODEL = "doubao-seedance-1-0-pro-250528"


@pytest.fixture
def client(reelkit_emulator: Any) -> Any:
    return ark.Ark(base_url=reelkit_emulator.url("seedance") + "/api/v3", api_key="ark-emulator")


def test_create_get_until_succeeded_then_download(client: Any, reelkit_emulator: Any) -> None:
    created = client.content_generation.tasks.create(
        model=MODEL,
        content=[{"type": "text", "text": "a kitten yawning"}],
        resolution="720p",
        ratio="16:9",
        duration=5,
        watermark=False,
    )
    assert created.id.startswith("cgt-")
    statuses = []
    for _ in range(reelkit_emulator.config.polls_to_complete):
        task = client.content_generation.tasks.get(task_id=created.id)
        statuses.append(task.status)
    assert statuses[-1] == "succeeded"
    assert task.model == MODEL
    assert (task.resolution, task.ratio, task.duration) == ("720p", "16:9", 5)
    assert task.usage.completion_tokens > 0
    video = httpx.get(task.content.video_url)
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"
    stats = reelkit_emulator.stats()["seedance"]
    assert (stats["submits"], stats["downloads"], stats["rejected"]) == (1, 1, 0)


def test_image_to_video_list_and_delete(client: Any) -> None:
    tasks = client.content_generation.tasks
    first = tasks.create(
        model=MODEL,
        content=[
            {"type": "text", "text": "the cat turns its head"},
            {
                "type": "image_url",
                "image_url": {"url": "https://example.com/cat.png"},
                "role": "first_frame",
            },
        ],
    )
    other = tasks.create(model=MODEL, content=[{"type": "text", "text": "waves"}])
    listed = tasks.list(page_num=1, page_size=10, status="queued", task_ids=[first.id, other.id])
    assert listed.total == 2
    assert {t.id for t in listed.items} == {first.id, other.id}
    tasks.delete(first.id)  # queued -> cancelled
    assert tasks.get(task_id=first.id).status == "cancelled"


def test_sdk_surfaces_ark_errors(client: Any) -> None:
    with pytest.raises(ark._exceptions.ArkBadRequestError) as exc:
        client.content_generation.tasks.create(
            model=MODEL, content=[{"type": "text", "text": "x"}], duration=30
        )
    assert exc.value.status_code == 400
    assert exc.value.code == "InvalidParameter.Duration"
    with pytest.raises(ark._exceptions.ArkNotFoundError):
        client.content_generation.tasks.get(task_id="cgt-20250101000000-nope0")
