"""The qiniu fake against the documented examples of seed 002 (no official SDK exists).

``reference §n`` cites ``docs/reference/openai-videos.md`` section n.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from reelkit_emulator.server import RunningServer

AUTH = {"authorization": "Bearer sk-test"}
PIC = "https://fastly.picsum.photos/id/173/1280/720.jpg"
PIC2 = "https://fastly.picsum.photos/id/999/1280/720.jpg"

#: Every request body in seed 002's HTTP examples.
SEED_EXAMPLES: list[dict[str, Any]] = [
    {"model": "sora-2", "prompt": "一只可爱的橘猫在阳光明媚的花园里追逐蝴蝶,照片风格,高清画质"},
    {"model": "kling-video-o1", "prompt": "一只可爱的橘猫在阳光下奔跑", "size": "1920x1080", "mode": "pro"},
    {"model": "sora-2", "prompt": "镜头缓慢推进", "input_reference": "https://example.com/reference-image.jpg", "seconds": "4", "size": "1280x720"},
    {"model": "kling-video-o1", "prompt": "这个人在跑马拉松", "image_list": [{"image": PIC}], "size": "1920x1080", "mode": "pro"},
    {"model": "kling-v2-1", "prompt": "人在奔跑", "input_reference": PIC, "size": "1280x720", "mode": "pro"},
    {"model": "kling-v2-5-turbo", "prompt": "人在奔跑", "input_reference": PIC, "image_tail": PIC2, "size": "1280x720", "mode": "pro"},
    {"model": "kling-video-o1", "prompt": "画面中增加一个小狗", "video_list": [{"video_url": "https://aitoken-public.qnaigc.com/example/dog.mp4", "refer_type": "feature", "keep_original_sound": "yes"}], "size": "1920x1080", "mode": "pro"},
    {"model": "kling-video-o1", "prompt": "视频连贯在一起", "image_list": [{"image": PIC, "type": "first_frame"}, {"image": PIC2, "type": "end_frame"}], "size": "1920x1080", "mode": "pro"},
    {"model": "sora-2", "prompt": "未来科技城市的天际线", "seconds": "4", "size": "1280x720"},
]  # fmt: skip


@pytest.fixture
def api(reelkit_emulator: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=reelkit_emulator.url("qiniu"), headers=AUTH) as client:
        yield client


def error_of(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request_error", "invalid_request")
    return str(error["message"])


def finish(api: httpx.Client, video_id: str) -> dict[str, Any]:
    for _ in range(10):
        body: dict[str, Any] = api.get(f"/v1/videos/{video_id}").json()
        if body["status"] in ("completed", "failed", "cancelled"):
            return body
    raise AssertionError("never finished")


@pytest.mark.parametrize("body", SEED_EXAMPLES, ids=lambda b: b["model"])
def test_seed_examples_are_accepted(api: httpx.Client, body: dict[str, Any]) -> None:
    response = api.post("/v1/videos", json=body)
    assert response.status_code == 200, response.text
    created = response.json()
    assert created["id"].startswith("qvideo-")
    assert {k: created[k] for k in ("object", "model", "status")} == {
        "object": "video",
        "model": body["model"],
        "status": "queued",
    }
    assert ("mode" in created) == body["model"].startswith("kling")
    assert "progress" not in created  # reference §2.3


def test_completed_task_result_is_a_real_video(
    api: httpx.Client,
    reelkit_emulator: RunningServer,
    probe: Callable[[bytes], tuple[int, int, float]],
) -> None:
    created = api.post("/v1/videos", json=SEED_EXAMPLES[4]).json()  # kling-v2-1, 1280x720, pro
    done = finish(api, created["id"])
    assert done["status"] == "completed"
    assert done["expires_at"] == done["completed_at"] + 86400  # as in the seed's example
    [video] = done["task_result"]["videos"]
    assert video["id"] == created["id"] + "-1" and video["duration"] == "5"
    assert "?e=" in video["url"] and "&token=" in video["url"]
    with httpx.Client() as cdn:  # the link needs no credentials
        data = cdn.get(video["url"]).content
        # kling: size picks the orientation, mode the resolution (pro = 1080p)
        assert probe(data) == (1920, 1080, pytest.approx(5.0, abs=0.2))
        reelkit_emulator.advance(7 * 86400)  # seed: links expire after 7 days
        expired = cdn.get(video["url"])
        assert (expired.status_code, expired.json()) == (401, {"error": "token out of date"})
    stats = reelkit_emulator.stats()["qiniu"]
    assert (stats["submits"], stats["polls"], stats["downloads"]) == (1, 3, 1)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"model": "sora-2", "prompt": "x", "seconds": 4}, "seconds must be a string"),
        ({"model": "sora-2", "prompt": "x", "seconds": "5"}, "invalid seconds"),
        ({"model": "sora-2", "prompt": "x", "size": "1920x1080"}, "invalid size"),
        ({"model": "kling-v2-5-turbo", "prompt": "x", "seconds": "4"}, "invalid seconds"),
        ({"model": "kling-v2-5-turbo", "prompt": "x", "mode": "max"}, "invalid mode"),
        ({"model": "kling-v2-1", "prompt": "x"}, "input_reference is required"),
        ({"model": "kling-v2-5-turbo", "prompt": "x", "image_tail": PIC}, "image_tail needs input_reference"),
        ({"model": "sora-2", "prompt": "x", "image_tail": PIC}, "not supported by model sora-2"),
        ({"model": "kling-video-o1", "prompt": "x", "input_reference": PIC}, "not supported by model"),
        ({"model": "kling-video-o1", "prompt": "x", "image_list": [{"image": PIC, "type": "end_frame"}]}, "end_frame needs a first_frame"),
        ({"model": "kling-video-o1", "prompt": "x", "image_list": [{"image": "data:image/png;base64,AAAA"}]}, "without a data: prefix"),
        ({"model": "kling-video-o1", "prompt": "x", "video_list": [{"video_url": "a.mp4"}, {"video_url": "b.mp4"}]}, "at most 1 video"),
        ({"model": "kling-video-o1", "prompt": "x", "image_list": [{"image": PIC, "type": "first_frame"}], "video_list": [{"video_url": "https://e.com/v.mp4", "refer_type": "base"}]}, "base video cannot be combined"),
        ({"model": "kling-v9", "prompt": "x"}, "not supported"),
        ({"model": "sora-2", "prompt": "x" * 2501}, "prompt is too long"),
        ({"model": "sora-2"}, "prompt is required"),
    ],
)  # fmt: skip
def test_rejections(api: httpx.Client, body: dict[str, Any], fragment: str) -> None:
    assert fragment in error_of(api.post("/v1/videos", json=body), 400)


def test_credentials_and_content_type(reelkit_emulator: RunningServer) -> None:
    base = reelkit_emulator.url("qiniu")
    body = {"model": "sora-2", "prompt": "x"}
    with httpx.Client(base_url=base) as client:
        assert client.post("/v1/videos", json=body).status_code == 401
        # seed 002's kling examples send the bare key: accepted
        bare = client.post("/v1/videos", json=body, headers={"authorization": "sk-xxxxx"})
        assert bare.status_code == 200
        form = client.post("/v1/videos", data=body, headers=AUTH)
        assert "application/json" in error_of(form, 400)


def test_remix_is_sora_only_and_inherits(api: httpx.Client) -> None:
    source = api.post(
        "/v1/videos", json={"model": "sora-2", "prompt": "x", "seconds": "8", "size": "1280x720"}
    ).json()
    early = api.post(f"/v1/videos/{source['id']}/remix", json={"prompt": "night"})
    assert "not completed" in error_of(early, 400)
    finish(api, source["id"])
    assert "only prompt" in error_of(
        api.post(f"/v1/videos/{source['id']}/remix", json={"prompt": "n", "seconds": "4"}), 400
    )
    remix = api.post(f"/v1/videos/{source['id']}/remix", json={"prompt": "night"}).json()
    assert (remix["remixed_from_video_id"], remix["seconds"], remix["size"]) == (
        source["id"],
        "8",
        "1280x720",
    )
    kling = api.post("/v1/videos", json=SEED_EXAMPLES[1]).json()
    finish(api, kling["id"])
    assert "only available for sora" in error_of(
        api.post(f"/v1/videos/{kling['id']}/remix", json={"prompt": "n"}), 400
    )
    assert error_of(api.get("/v1/videos/qvideo-nope"), 404)


@pytest.mark.anyio
async def test_status_vocabulary_over_more_polls(
    emulator_client: Callable[..., httpx.AsyncClient],
) -> None:
    async with emulator_client(polls_to_complete=5, providers=("qiniu",)) as client:
        created = await client.post(
            "/qiniu/v1/videos", json={"model": "sora-2", "prompt": "x"}, headers=AUTH
        )
        statuses = [
            (await client.get(f"/qiniu/v1/videos/{created.json()['id']}", headers=AUTH)).json()[
                "status"
            ]
            for _ in range(5)
        ]
    assert statuses == ["queued", "in_progress", "downloading", "uploading", "completed"]


def test_moderation_failure(api: httpx.Client) -> None:
    created = api.post(
        "/v1/videos", json={"model": "sora-2", "prompt": "x [emulator:moderation]"}
    ).json()
    done = finish(api, created["id"])
    assert done["status"] == "failed" and "task_result" not in done
    assert done["error"] == {
        "code": "moderation_blocked",
        "message": "Your request was blocked by our moderation system.",
    }
