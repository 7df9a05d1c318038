"""The newapi fake against stock new-api behaviour (reference §3) and seeds 003/004.

``reference §n`` cites ``docs/reference/openai-videos.md`` section n.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from reelkit_emulator.server import RunningServer

AUTH = {"authorization": "Bearer sk-test"}

#: seed 004's request examples (POST /v1/video/generations).
SEED_004: list[dict[str, Any]] = [
    {"model": "veo3.1-video-1080p", "prompt": "A golden-hour street interview shot", "size": "1080p", "aspect_ratio": "16:9", "duration": 8, "extra_body": {"generate_audio": True, "negative_prompt": "watermark, blur", "seed": 7}},
    {"model": "veo3.1-video-720p", "prompt": "A product slowly rotates", "image": "https://example.com/keyframe.png", "size": "720p", "aspect_ratio": "16:9", "duration": 6, "extra_body": {"generate_audio": False, "negative_prompt": "artifacts, camera shake"}},
    {"model": "veo3.1-fast-video-1080p", "prompt": "Transition naturally", "image": "https://example.com/start-frame.png", "last_image": "https://example.com/end-frame.png", "size": "1080p", "aspect_ratio": "16:9", "duration": 6},
]  # fmt: skip
#: seed 003's request examples (POST /v1/videos).
SEED_003: list[dict[str, Any]] = [
    {"model": "grok-imagine-1.0-video", "prompt": "雨夜霓虹街道上的电影感推镜", "reference_images": ["https://example.com/ref-1.jpg"], "seconds": 10, "aspect_ratio": "16:9", "resolution": "720P"},
    {"model": "kling-video", "model_name": "kling-v2-6", "mode": "t2v", "prompt": "海边日落镜头,电影感,风吹长发", "duration": 5, "aspect_ratio": "16:9"},
]  # fmt: skip


@pytest.fixture
def api(reelkit_emulator: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=reelkit_emulator.url("newapi"), headers=AUTH) as client:
        yield client


def relay_error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["code"], body["data"]) == (code, None)
    return str(body["message"])


def finish(api: httpx.Client, task_id: str) -> dict[str, Any]:
    for _ in range(10):
        body: dict[str, Any] = api.get(f"/v1/videos/{task_id}").json()
        if body["status"] in ("completed", "failed"):
            return body
    raise AssertionError("never finished")


def test_sora_through_the_gateway(
    api: httpx.Client,
    reelkit_emulator: RunningServer,
    probe: Callable[[bytes], tuple[int, int, float]],
) -> None:
    created = api.post(
        "/v1/videos",
        json={"model": "sora-2", "prompt": "a cat", "seconds": "4", "size": "1280x720"},
    )
    assert created.status_code == 200
    assert created.headers["x-new-api-other-ratios"] == '{"seconds": 4, "size": 1}'
    body = created.json()
    assert (
        body["id"].startswith("task_") and len(body["id"]) == 37 and body["task_id"] == body["id"]
    )
    early = api.get(f"/v1/videos/{body['id']}/content")
    assert early.json() == {
        "error": {
            "message": "Task is not completed yet, current status: SUBMITTED",
            "type": "invalid_request_error",
        }
    }
    progress = [api.get(f"/v1/videos/{body['id']}").json() for _ in range(3)]
    assert [(p["status"], p["progress"]) for p in progress] == [
        ("queued", 20),
        ("in_progress", 67),
        ("completed", 100),
    ]
    assert "metadata" not in progress[-1]  # Sora results come only through /content
    content = api.get(f"/v1/videos/{body['id']}/content")
    assert content.headers["cache-control"] == "public, max-age=86400"
    assert probe(content.content) == (1280, 720, pytest.approx(4.0, abs=0.2))
    reelkit_emulator.advance(3601)  # the upstream Sora link lived about an hour
    gone = api.get(f"/v1/videos/{body['id']}/content")
    assert (
        gone.status_code == 502
        and gone.json()["error"]["message"] == "Failed to fetch video content"
    )


@pytest.mark.parametrize("body", SEED_004, ids=lambda b: b["model"])
def test_seed_004_generations(api: httpx.Client, body: dict[str, Any]) -> None:
    created = api.post("/v1/video/generations", json=body)
    assert created.status_code == 200, created.text
    task = created.json()
    assert (task["status"], task["progress"], task["object"]) == (
        "queued",
        0,
        "video.generation.job",
    )
    done = finish(api, task["id"])
    # seed 004's query example: id, task_id, object, model, status, progress, video_url
    assert {k: done[k] for k in ("task_id", "object", "model", "status", "progress")} == {
        "task_id": task["id"], "object": "video.generation.job", "model": body["model"],
        "status": "completed", "progress": 100,
    }  # fmt: skip
    assert done["video_url"] == done["metadata"]["url"]
    assert done["seconds"] == str(body["duration"])
    assert done["size"] == "1920x1080" if body["size"] == "1080p" else "1280x720"


def test_video_url_downloads_without_credentials(
    api: httpx.Client, probe: Callable[[bytes], tuple[int, int, float]]
) -> None:
    task = api.post("/v1/video/generations", json=SEED_004[1]).json()
    url = finish(api, task["id"])["video_url"]
    with httpx.Client() as cdn:
        assert probe(cdn.get(url).content) == (1280, 720, pytest.approx(6.0, abs=0.2))


@pytest.mark.parametrize("body", SEED_003, ids=lambda b: b["model"])
def test_seed_003_examples(api: httpx.Client, body: dict[str, Any]) -> None:
    created = api.post("/v1/videos", json=body)
    assert created.status_code == 200, created.text
    assert finish(api, created.json()["id"])["status"] == "completed"


@pytest.mark.parametrize(
    ("route", "body", "status", "code", "fragment"),
    [
        ("/v1/videos", {"prompt": "x"}, 400, "missing_model", "model is required"),
        ("/v1/videos", {"model": "sora-2", "prompt": " "}, 400, "invalid_request", "prompt is required"),
        ("/v1/videos", {"model": "sora-2", "prompt": "x", "seconds": 4}, 400, "invalid_json", "TaskSubmitReq.seconds of type string"),
        ("/v1/videos", {"model": "sora-2", "prompt": "x", "input_reference": {"image_url": "u"}}, 400, "invalid_json", "input_reference"),
        ("/v1/videos", {"model": "sora-2", "prompt": "x", "size": "1792x1024"}, 400, "invalid_size", "sora-2 size is invalid"),
        ("/v1/videos", {"model": "sora-2-pro", "prompt": "x", "size": "1920x1080"}, 400, "invalid_size", "sora-2-pro size is invalid"),
        ("/v1/videos", {"model": "kling-video", "prompt": "x", "mode": "t2v"}, 400, "invalid_request", "model_name is required"),
        ("/v1/videos", {"model": "kling-video", "model_name": "kling-v2-6", "prompt": "x", "mode": "i2v"}, 400, "invalid_request", "needs image"),
        ("/v1/video/generations", {**SEED_004[0], "duration": 5}, 400, "invalid_request", "4, 6, 8"),
        ("/v1/video/generations", {**SEED_004[0], "size": "720p"}, 400, "invalid_request", "tier"),
        ("/v1/video/generations", {**SEED_004[2], "images": ["a", "b"]}, 400, "invalid_request", "multi-image"),
        ("/v1/video/generations", {**SEED_004[0], "images": ["a", "b", "c", "d"]}, 400, "invalid_request", "2 to 3"),
        ("/v1/video/generations", {"model": "veo3.1-video-720p", "prompt": "x", "last_image": "u"}, 400, "invalid_request", "needs image"),
    ],
)  # fmt: skip
def test_rejections(
    api: httpx.Client, route: str, body: dict[str, Any], status: int, code: str, fragment: str
) -> None:
    assert fragment in relay_error(api.post(route, json=body), status, code)


def test_middleware_errors(reelkit_emulator: RunningServer) -> None:
    with httpx.Client(base_url=reelkit_emulator.url("newapi")) as client:
        missing = client.post("/v1/videos", json={"model": "sora-2", "prompt": "x"})
        assert missing.status_code == 401
        error = missing.json()["error"]
        assert error["type"] == "new_api_error" and error["message"].startswith(
            "未提供令牌 (request id: "
        )
        unknown = client.post("/v1/videos", json={"model": "nope-1", "prompt": "x"}, headers=AUTH)
        assert unknown.status_code == 503 and unknown.json()["error"]["code"] == "model_not_found"
        assert relay_error(client.get("/v1/videos/task_nope", headers=AUTH), 400, "task_not_exist")


def test_multipart(api: httpx.Client) -> None:
    files = {"input_reference": ("ref.png", b"\x89PNG", "image/png")}
    created = api.post(
        "/v1/videos", data={"model": "sora-2", "prompt": "x", "seconds": "8"}, files=files
    )
    assert created.status_code == 200 and created.json()["seconds"] == "8"
    done = finish(api, created.json()["id"])
    assert (done["status"], done["seconds"]) == ("completed", "8")


def test_remix_is_locked_to_sora(api: httpx.Client) -> None:
    sora = api.post("/v1/videos", json={"model": "sora-2", "prompt": "x"}).json()["id"]
    finish(api, sora)
    remix = api.post(f"/v1/videos/{sora}/remix", json={"prompt": "night"}).json()
    assert remix["remixed_from_video_id"] == sora and remix["id"] != sora
    kling = api.post("/v1/videos", json=SEED_003[1]).json()["id"]
    finish(api, kling)
    assert "not supported" in relay_error(
        api.post(f"/v1/videos/{kling}/remix", json={"prompt": "n"}), 400, "invalid_request"
    )


def test_moderation(api: httpx.Client, reelkit_emulator: RunningServer) -> None:
    reelkit_emulator.inject("moderation", provider="newapi")
    task = api.post("/v1/videos", json=SEED_003[1]).json()["id"]
    done = finish(api, task)
    assert done["status"] == "failed" and done["error"]["code"] == "moderation_blocked"
    assert "moderation" in done["error"]["message"]


def test_expired_fault_on_the_content_proxy(
    api: httpx.Client, reelkit_emulator: RunningServer
) -> None:
    task = api.post("/v1/videos", json={"model": "sora-2", "prompt": "x"}).json()["id"]
    finish(api, task)
    reelkit_emulator.inject("expired", provider="newapi", endpoint="download")
    gone = api.get(f"/v1/videos/{task}/content")
    assert (gone.status_code, gone.json()["error"]["type"]) == (502, "server_error")
    assert api.get(f"/v1/videos/{task}/content").status_code == 200
