"""The Grok fake against the documented REST examples (no official REST SDK exists).

Examples from ``docs/reference/veo-grok.md`` §2: ``POST /v1/videos/generations`` returns
``{"request_id"}``; ``GET /v1/videos/{request_id}`` returns ``pending|done|expired|failed``; a done
video is ``{"url", "duration", "respect_moderation"}``; a failed one ``{"error": {"code",
"message"}}``; synchronous errors are ``{"code", "error"}``.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reelkit_emulator import EmulatorConfig, create_app
from reelkit_emulator.providers import grok as g

pytestmark = pytest.mark.anyio

AUTH = {"authorization": "Bearer xai-key"}
BASE = "grok-imagine-video"
V15 = "grok-imagine-video-1.5"
IMG = {"url": "https://example.com/cat.jpg"}


@pytest.fixture
def app(cache_dir: Path) -> Any:
    return create_app(EmulatorConfig(cache_dir=cache_dir), fakes=[g.FAKE])


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://emu", headers=AUTH
    ) as c:
        yield c


async def post(
    client: httpx.AsyncClient, endpoint: str = "generations", **body: Any
) -> httpx.Response:
    body.setdefault("model", BASE)
    body.setdefault("prompt", "A timelapse of clouds over mountains")
    return await client.post(f"/grok/v1/videos/{endpoint}", json=body)


async def finish(client: httpx.AsyncClient, request_id: str, polls: int = 3) -> dict[str, Any]:
    for _ in range(polls):
        r = await client.get(f"/grok/v1/videos/{request_id}")
        assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def sync_error(r: httpx.Response, status: int) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"code", "error"}
    message: str = body["error"]
    return message


async def test_documented_generation_flow(client: httpx.AsyncClient) -> None:
    r = await post(client, duration=8, aspect_ratio="16:9", resolution="720p")
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"request_id"}
    request_id = r.json()["request_id"]
    assert len(request_id) == 36  # a UUID, like "d97415a1-..."
    pending = (await client.get(f"/grok/v1/videos/{request_id}")).json()
    assert pending["status"] == "pending"
    done = await finish(client, request_id, polls=2)
    assert done["status"] == "done"
    assert done["model"] == BASE
    assert done["video"]["duration"] == 8
    assert done["video"]["respect_moderation"] is True
    assert done["usage"]["cost_in_usd_ticks"] == 8 * 7 * 10**8  # $0.07/s at 720p
    video = await client.get(done["video"]["url"], headers={"authorization": ""})
    assert video.status_code == 200  # served without auth
    import av

    with av.open(io.BytesIO(video.content)) as container:
        st = container.streams.video[0]
        assert (st.width, st.height) == (1280, 720)
        assert container.duration is not None
        assert abs(container.duration / 1e6 - 8) < 0.3


async def test_defaults_are_480p_8s_16x9(client: httpx.AsyncClient, app: Any) -> None:
    request_id = (await post(client)).json()["request_id"]
    task = app.state.emulator.context("grok").store.get(request_id)
    assert (task.video.width, task.video.height, task.video.duration) == (854, 480, 8)


async def test_image_and_reference_inputs(client: httpx.AsyncClient, app: Any) -> None:
    assert (await post(client, image=IMG)).status_code == 200
    data_uri = {"url": "data:image/jpeg;base64,/9j/4AAQ"}
    assert (await post(client, image=data_uri, aspect_ratio="9:16")).status_code == 200
    refs = [IMG, {"url": "https://example.com/dog.jpg"}]
    r = await post(client, reference_images=refs, prompt="<IMAGE_1> meets <IMAGE_2>")
    assert r.status_code == 200
    # image + reference_images on the base model is a synchronous 400.
    message = sync_error(await post(client, image=IMG, reference_images=refs), 400)
    assert "cannot be combined" in message
    r = await post(client, model=V15, image=IMG, reference_images=refs)
    assert r.status_code == 200  # on 1.5, image pins the first frame


async def test_v15_only_features(client: httpx.AsyncClient) -> None:
    ok = await post(
        client,
        model=V15,
        prompt="",
        image=IMG,
        last_frame=IMG,
        keyframes=[{"image": IMG, "timestamp_s": 2.0}, {"image": IMG, "timestamp_s": 4.0}],
        resolution="1080p",
        duration=6,
    )
    assert ok.status_code == 200, ok.text
    voices = await post(
        client,
        model=V15,
        reference_images=[IMG],
        reference_audios=[{"voice_id": "eve"}],
        resolution="720p",
    )
    assert voices.status_code == 200


@pytest.mark.parametrize(
    ("body", "code", "needle"),
    [
        ({"prompt": ""}, "invalid_argument", "Prompt cannot be empty"),
        ({"duration": 16}, "invalid_argument", "1 to 15"),
        ({"duration": 0}, "invalid_argument", "1 to 15"),
        ({"reference_images": [IMG] * 8}, "invalid_argument", "1 to 7"),
        ({"resolution": "1080p"}, "failed_precondition", "1080p"),
        ({"last_frame": IMG}, "failed_precondition", "1.5"),
        (
            {"model": V15, "reference_images": [IMG], "resolution": "1080p"},
            "failed_precondition",
            "720p",
        ),
        (
            {"model": V15, "keyframes": [{"image": IMG, "timestamp_s": 9}], "duration": 8},
            "invalid_argument",
            "timestamp_s",
        ),
        (
            {
                "model": V15,
                "duration": 8,
                "keyframes": [
                    {"image": IMG, "timestamp_s": 2.0},
                    {"image": IMG, "timestamp_s": 2.1},
                ],
            },
            "invalid_argument",
            "1/3 s",
        ),
        (
            {"model": V15, "reference_audios": [{"voice_id": "eve"}]},
            "invalid_argument",
            "reference_images",
        ),
    ],
)
async def test_request_level_failures_are_reported_by_polling(
    client: httpx.AsyncClient, body: dict[str, Any], code: str, needle: str
) -> None:
    r = await post(client, **body)
    assert r.status_code == 200, r.text  # accepted...
    polled = (await client.get(f"/grok/v1/videos/{r.json()['request_id']}")).json()
    assert polled["status"] == "failed"  # ...and failed at once
    assert polled["error"]["code"] == code
    assert needle in polled["error"]["message"]


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"model": "grok-video-9"}, 404, "does not exist"),
        ({"model": None}, 400, "model is required"),
        ({"duration": "8"}, 400, "integer"),
        ({"aspect_ratio": "21:9"}, 400, "aspect_ratio"),
        ({"resolution": "4k"}, 400, "resolution"),
        ({"image": "https://example.com/cat.jpg"}, 400, "must be an object"),
        ({"image": {"url": "ftp://x"}}, 400, "https URL"),
        ({"image": {"url": "https://x", "file_id": "f"}}, 400, "exactly one"),
        ({"generate_audio": "yes"}, 400, "generate_audio"),
    ],
)
async def test_synchronous_rejections(
    client: httpx.AsyncClient, body: dict[str, Any], status: int, needle: str
) -> None:
    assert needle in sync_error(await post(client, **body), status)


async def test_missing_bearer_is_401(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/grok/v1/videos/generations",
        json={"model": BASE, "prompt": "x"},
        headers={"authorization": ""},
    )
    assert "API key" in sync_error(r, 401)


async def test_edit_and_extension_of_a_generated_video(client: httpx.AsyncClient, app: Any) -> None:
    source = await finish(
        client, (await post(client, duration=6, resolution="720p")).json()["request_id"]
    )
    video = {"url": source["video"]["url"]}
    edit = await post(client, "edits", prompt="make it snow", video=video)
    assert edit.status_code == 200, edit.text
    edited = await finish(client, edit.json()["request_id"])
    assert edited["video"]["duration"] == 6  # the edit keeps the input's length
    ext = await post(client, "extensions", prompt="keep going", video=video, duration=4)
    extended = await finish(client, ext.json()["request_id"])
    assert extended["video"]["duration"] == 10  # input 6 s + 4 s added
    task = app.state.emulator.context("grok").store.get(ext.json()["request_id"])
    assert (task.video.width, task.video.height) == (1280, 720)

    long_source = await finish(client, (await post(client, duration=12)).json()["request_id"])
    too_long = await post(client, "edits", video={"url": long_source["video"]["url"]})
    failed = (await client.get(f"/grok/v1/videos/{too_long.json()['request_id']}")).json()
    assert failed["status"] == "failed" and "8.7" in failed["error"]["message"]
    for endpoint, extra in (
        ("edits", {"duration": 5}),
        ("edits", {"resolution": "720p"}),
        ("extensions", {"aspect_ratio": "16:9"}),
        ("extensions", {"duration": 11}),
    ):
        r = await post(client, endpoint, video=video, **extra)
        polled = (await client.get(f"/grok/v1/videos/{r.json()['request_id']}")).json()
        assert polled["status"] == "failed", (endpoint, extra)
    assert "video is required" in sync_error(await post(client, "edits"), 400)
    assert "video is required" in sync_error(await post(client, "extensions"), 400)


async def test_moderated_done_has_no_url(client: httpx.AsyncClient) -> None:
    request_id = (await post(client, prompt="x [emulator:moderation]")).json()["request_id"]
    done = await finish(client, request_id)
    assert done["status"] == "done"
    assert done["video"]["respect_moderation"] is False
    assert "url" not in done["video"]


async def test_failed_and_expired(client: httpx.AsyncClient, app: Any) -> None:
    failed = await finish(
        client, (await post(client, prompt="x [emulator:fail]")).json()["request_id"]
    )
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "internal_error"
    expired = await finish(
        client, (await post(client, prompt="x [emulator:expire]")).json()["request_id"]
    )
    assert expired["status"] == "expired"
    request_id = (await post(client)).json()["request_id"]
    done = await finish(client, request_id)
    app.state.emulator.clock.advance(g.URL_TTL_SECONDS + 1)
    assert (await client.get(done["video"]["url"])).status_code == 403  # the URL is temporary
    assert (await client.get(f"/grok/v1/videos/{request_id}")).json()["status"] == "expired"


async def test_unknown_request_id_and_faults(client: httpx.AsyncClient, app: Any) -> None:
    assert "No video request" in sync_error(await client.get("/grok/v1/videos/nope"), 404)
    app.state.emulator.faults.schedule("429", provider="grok")
    r = await post(client)
    sync_error(r, 429)
    assert r.headers["retry-after"] == "1"


def test_frame_sizes() -> None:
    assert g.frame_size("720p", "16:9") == (1280, 720)
    assert g.frame_size("480p", "9:16") == (480, 854)
    assert g.frame_size("1080p", "1:1") == (1080, 1080)
    assert g.frame_size("720p", "3:2") == (1080, 720)
