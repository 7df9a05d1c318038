"""The sora fake: the official ``openai`` SDK completes its flow; the API's own rejections.

``reference §n`` cites ``docs/reference/openai-videos.md`` section n.
"""

from __future__ import annotations

import base64
import io
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from reelkit_emulator.server import RunningServer

openai = pytest.importorskip("openai")

AUTH = {"authorization": "Bearer sk-test"}


@pytest.fixture
def sdk(reelkit_emulator: RunningServer) -> Iterator[Any]:
    # The SDK marks the whole videos resource deprecated (reference §0.1); that is not our concern.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield openai.OpenAI(api_key="sk-test", base_url=reelkit_emulator.url("sora") + "/v1")


@pytest.fixture
def api(reelkit_emulator: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=reelkit_emulator.url("sora"), headers=AUTH) as client:
        yield client


def png(width: int, height: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def assert_openai_error(
    response: httpx.Response, status: int, param: str | None, code: str | None
) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert (error["param"], error["code"]) == (param, code)
    return str(error["message"])


@pytest.mark.fidelity
def test_official_sdk_create_retrieve_download(
    sdk: Any, reelkit_emulator: RunningServer, probe: Callable[[bytes], tuple[int, int, float]]
) -> None:
    video = sdk.videos.create(
        prompt="a lighthouse at dusk", model="sora-2", seconds="8", size="1280x720"
    )
    assert (video.status, video.progress, video.seconds, video.size) == (
        "queued",
        0,
        "8",
        "1280x720",
    )
    assert video.id.startswith("video_")
    statuses = []
    while video.status in ("queued", "in_progress"):
        video = sdk.videos.retrieve(video.id)
        statuses.append(video.status)
    assert statuses == ["queued", "in_progress", "completed"]
    assert video.progress == 100 and video.expires_at > video.completed_at
    content = sdk.videos.download_content(video.id)
    assert probe(content.content) == (1280, 720, pytest.approx(8.0, abs=0.2))
    thumbnail = sdk.videos.download_content(video.id, variant="thumbnail")
    assert thumbnail.content[:4] == b"RIFF"  # webp
    stats = reelkit_emulator.stats()["sora"]
    assert (stats["submits"], stats["polls"], stats["downloads"], stats["faults"]) == (1, 3, 2, 0)


@pytest.mark.fidelity
def test_official_sdk_upload_poll_remix_list(sdk: Any) -> None:
    video = sdk.videos.create_and_poll(
        prompt="the same room, animated",
        size="720x1280",
        input_reference=("ref.png", png(720, 1280), "image/png"),
        poll_interval_ms=1,
    )
    assert video.status == "completed"
    remix = sdk.videos.remix(video.id, prompt="at night")
    assert (remix.remixed_from_video_id, remix.seconds, remix.size) == (video.id, "4", "720x1280")
    assert [v.id for v in sdk.videos.list(order="asc")] == [video.id, remix.id]
    with pytest.raises(openai.NotFoundError):
        sdk.videos.retrieve("video_unknown")


@pytest.mark.fidelity
def test_official_sdk_lists_newest_first_in_pages(
    sdk: Any, reelkit_emulator: RunningServer
) -> None:
    prompts = ["a red kite", "a blue kite", "a green kite", "a gold kite", "a grey kite"]
    done = [sdk.videos.create_and_poll(prompt=p, poll_interval_ms=1) for p in prompts[:4]]
    waiting = sdk.videos.create(prompt=prompts[4], model="sora-2-pro", size="1792x1024")
    polls = reelkit_emulator.stats()["sora"]["polls"]

    first = sdk.videos.list(limit=2)  # reference §1.2: order defaults to desc, newest first
    assert [v.prompt for v in first.data] == ["a grey kite", "a gold kite"]
    assert (first.has_more, first.last_id) == (True, first.data[-1].id)
    second = first.get_next_page()  # the SDK pages with after=<last_id>
    assert [v.prompt for v in second.data] == ["a green kite", "a blue kite"]
    last = second.get_next_page()
    assert [v.prompt for v in last.data] == ["a red kite"] and last.has_more is False
    assert [v.prompt for v in sdk.videos.list(limit=2)] == prompts[::-1]  # auto-pagination
    assert [v.id for v in sdk.videos.list(order="asc", limit=100)] == [
        *(v.id for v in done),
        waiting.id,
    ]
    raw = sdk.videos.with_raw_response.list(limit=1).http_response.json()
    assert set(raw) == {"object", "data", "first_id", "last_id", "has_more"}
    assert raw["object"] == "list" and raw["first_id"] == raw["last_id"] == waiting.id
    # Listing is not a poll: the queued job stays queued, and no poll is counted.
    assert reelkit_emulator.stats()["sora"]["polls"] == polls
    listed = {v.id: v for v in sdk.videos.list(limit=100)}
    assert listed[waiting.id].status == "queued" and listed[waiting.id].size == "1792x1024"
    # The items are the Video objects retrieve returns (done jobs no longer change).
    for video in done:
        assert listed[video.id].model_dump() == sdk.videos.retrieve(video.id).model_dump()
        assert listed[video.id].expires_at is not None


def test_list_rejections(api: httpx.Client) -> None:
    for query, param in (
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"order": "newest"}, "order"),
    ):
        response = api.get("/v1/videos", params=query)
        assert response.status_code == 400 and response.json()["error"]["param"] == param
    empty = api.get("/v1/videos", params={"after": "video_unknown"}).json()
    assert (empty["data"], empty["has_more"], empty["first_id"]) == ([], False, None)


@pytest.mark.fidelity
def test_official_sdk_retries_an_injected_429(sdk: Any, reelkit_emulator: RunningServer) -> None:
    reelkit_emulator.inject("429", provider="sora", endpoint="submit")
    video = sdk.videos.create(prompt="a cat")  # the SDK honours Retry-After and retries
    assert video.status == "queued"
    stats = reelkit_emulator.stats()["sora"]
    assert stats["submits"] == 1 and stats["fault_kinds"] == {"429": 1}


@pytest.mark.fidelity
def test_official_sdk_sees_the_error_shape(sdk: Any) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.videos.create(prompt="a cat", seconds="7")
    assert caught.value.body == {
        "message": "Invalid value: '7'. Supported values are: '4', '8', '12', '16', and '20'.",
        "type": "invalid_request_error",
        "param": "seconds",
        "code": "invalid_value",
    }


def test_integer_seconds_is_rejected_like_openai(
    api: httpx.Client, reelkit_emulator: RunningServer
) -> None:
    response = api.post("/v1/videos", json={"prompt": "a cat", "seconds": 8})
    message = assert_openai_error(response, 400, "seconds", "invalid_type")
    # reference §0.4 quotes this message (for the older 4/8/12 set)
    assert message.startswith("Invalid type for 'seconds': expected one of '4', '8', '12'")
    assert message.endswith("but got an integer instead.")
    assert reelkit_emulator.stats()["sora"]["submits"] == 0


def test_sizes_depend_on_the_model(api: httpx.Client) -> None:
    response = api.post("/v1/videos", json={"prompt": "x", "size": "1920x1080"})
    assert "'720x1280' and '1280x720'" in assert_openai_error(
        response, 400, "size", "invalid_value"
    )
    ok = api.post(
        "/v1/videos",
        json={"prompt": "x", "model": "sora-2-pro", "size": "1920x1080", "seconds": "20"},
    )
    assert ok.status_code == 200 and ok.json()["size"] == "1920x1080"
    snapshot = api.post("/v1/videos", json={"prompt": "x", "model": "sora-2-2025-12-08"})
    assert snapshot.json()["model"] == "sora-2-2025-12-08"


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        ({}, "prompt", "missing_required_parameter"),
        ({"prompt": ""}, "prompt", "string_below_min_length"),
        ({"prompt": "x" * 32_001}, "prompt", "string_above_max_length"),
        ({"prompt": "x", "duration": 8}, "duration", "unknown_parameter"),
        ({"prompt": "x", "model": "sora-3"}, "model", "invalid_value"),
        (
            {"prompt": "x", "input_reference": "https://e.com/a.png"},
            "input_reference",
            "invalid_type",
        ),
        (
            {"prompt": "x", "input_reference": {"image_url": "u", "file_id": "f"}},
            "input_reference",
            "invalid_value",
        ),
        (
            {"prompt": "x", "characters": [{"id": "a"}, {"id": "b"}, {"id": "c"}]},
            "characters",
            "array_above_max_length",
        ),
    ],
)
def test_create_rejections(api: httpx.Client, body: dict[str, Any], param: str, code: str) -> None:
    assert_openai_error(api.post("/v1/videos", json=body), 400, param, code)


def test_reference_image_must_match_size(api: httpx.Client) -> None:
    data_url = "data:image/png;base64," + base64.b64encode(png(640, 480)).decode()
    body = {"prompt": "x", "size": "1280x720", "input_reference": {"image_url": data_url}}
    message = assert_openai_error(api.post("/v1/videos", json=body), 400, "input_reference", None)
    assert message == "Inpaint image must match the requested width and height"  # reference §0.5
    good = "data:image/png;base64," + base64.b64encode(png(1280, 720)).decode()
    body["input_reference"] = {"image_url": good}
    assert api.post("/v1/videos", json=body).status_code == 200
    remote = {"prompt": "x", "input_reference": {"image_url": "https://example.com/ref.png"}}
    assert api.post("/v1/videos", json=remote).status_code == 200
    files = {"input_reference": ("ref.gif", b"GIF89a", "image/gif")}
    upload = api.post("/v1/videos", data={"prompt": "x"}, files=files)
    assert_openai_error(upload, 400, "input_reference", "invalid_value")


def test_missing_key_and_bad_json(reelkit_emulator: RunningServer) -> None:
    with httpx.Client(base_url=reelkit_emulator.url("sora")) as client:
        missing = client.post("/v1/videos", json={"prompt": "x"})
        assert missing.status_code == 401
        assert "You didn't provide an API key" in missing.json()["error"]["message"]
        bad = client.post(
            "/v1/videos", content=b"{", headers={**AUTH, "content-type": "application/json"}
        )
        assert "could not parse the JSON body" in bad.json()["error"]["message"]


def poll_until_done(api: httpx.Client, video_id: str) -> dict[str, Any]:
    for _ in range(10):
        body: dict[str, Any] = api.get(f"/v1/videos/{video_id}").json()
        if body["status"] not in ("queued", "in_progress"):
            return body
    raise AssertionError("never finished")


def test_moderation_and_poll_hint(api: httpx.Client, reelkit_emulator: RunningServer) -> None:
    reelkit_emulator.inject("moderation", provider="sora")
    created = api.post("/v1/videos", json={"prompt": "x"})
    assert created.headers["openai-poll-after-ms"] == "250"
    done = poll_until_done(api, created.json()["id"])
    assert done["status"] == "failed"
    assert done["error"] == {
        "code": "moderation_blocked",
        "message": "Your request was blocked by our moderation system.",
    }
    content = api.get(f"/v1/videos/{done['id']}/content")
    assert content.status_code == 400


def test_assets_expire_after_an_hour(api: httpx.Client, reelkit_emulator: RunningServer) -> None:
    video_id = api.post("/v1/videos", json={"prompt": "x"}).json()["id"]
    assert poll_until_done(api, video_id)["status"] == "completed"
    reelkit_emulator.advance(3601)
    assert api.get(f"/v1/videos/{video_id}").json()["status"] == "expired"  # reference §1.4
    assert api.get(f"/v1/videos/{video_id}/content").status_code == 404


def test_extensions_stitch_and_are_capped(api: httpx.Client) -> None:
    current = api.post("/v1/videos", json={"prompt": "x", "seconds": "20"}).json()["id"]
    poll_until_done(api, current)
    for total in (40, 60, 80, 100, 120):
        extended = api.post(
            "/v1/videos/extensions",
            json={"prompt": "on", "seconds": "20", "video": {"id": current}},
        )
        assert extended.json()["seconds"] == str(total)  # reference §1.4: the stitched total
        current = extended.json()["id"]
        unfinished = api.post(f"/v1/videos/{current}/remix", json={"prompt": "x"})
        assert_openai_error(unfinished, 400, "video_id", "invalid_state")
        poll_until_done(api, current)
    too_long = api.post(
        "/v1/videos/extensions", json={"prompt": "on", "seconds": "4", "video": {"id": current}}
    )
    assert_openai_error(too_long, 400, "seconds", "invalid_value")  # at most 120 s in total


def test_bracket_encoded_form_reference_is_validated(api: httpx.Client) -> None:
    data_url = "data:image/png;base64," + base64.b64encode(png(64, 64)).decode()
    form = {"prompt": "x", "size": "1280x720", "input_reference[image_url]": data_url}
    response = api.post("/v1/videos", data=form)  # reference §1.3: nested objects in a form
    message = assert_openai_error(response, 400, "input_reference", None)
    assert message == "Inpaint image must match the requested width and height"
