"""The in-process transport, driven by plain httpx clients, and the hooks against its answers."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import reelkit_local
from reelkit.capabilities import Mode
from reelkit.errors import InvalidRequest, ProviderError
from reelkit.models import (
    JobHandle,
    Media,
    ProviderConfig,
    Queued,
    Running,
    Succeeded,
    VideoRequest,
)
from reelkit_local.capabilities import TITLE_CARD
from reelkit_local.transport import LocalTransport

pytestmark = pytest.mark.slow

BASE = "local://render"


def config(state: Path) -> ProviderConfig:
    return ProviderConfig(
        name="local",
        base_url=BASE,
        poll_interval_s=0.05,
        timeout_s=60,
        options={"state_dir": str(state)},
    )


def spec(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "prompt": "A robot walking through a city",
        "duration": 1.0,
        "fps": 24,
        "width": 320,
        "height": 240,
    }
    body.update(changes)
    return body


def wait_sync(client: httpx.Client, render_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(f"{BASE}/v1/renders/{render_id}").json()
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError("render did not finish")


# --- the hook pipeline over a sync client ----------------------------------------------------


def test_sync_pipeline_translate_submit_poll_download(
    tmp_path: Path, probe_video: Callable[[Path], Any], make_image_bytes: Callable[..., bytes]
) -> None:
    cfg = config(tmp_path / "state")
    transport = reelkit_local.reelkit_transport(provider="local", config=cfg)
    request = VideoRequest(
        prompt="pan over a red picture",
        duration=1.5,
        fps=25,
        size="480x480",
        seed=3,
        first_frame=Media(data=make_image_bytes(300, 200, (200, 30, 30)), mime_type="image/png"),
        mode=Mode.I2V,
    )
    with httpx.Client(transport=transport) as client:
        sent = reelkit_local.reelkit_translate(
            provider="local", model=TITLE_CARD, request=request, config=cfg
        )
        job = reelkit_local.reelkit_parse_submit(
            provider="local", model=TITLE_CARD, request=request, response=client.send(sent)
        )
        seen: list[Any] = []
        while True:
            poll = reelkit_local.reelkit_poll_request(provider="local", job=job, config=cfg)
            status = reelkit_local.reelkit_parse_poll(
                provider="local", job=job, response=client.send(poll)
            )
            seen.append(type(status))
            if isinstance(status, Succeeded):
                break
            assert isinstance(status, (Queued, Running))
            time.sleep(0.05)
        assert status.metadata["size"] == "480x480"
        assert status.metadata["duration"] == pytest.approx(1.52)  # 38 frames at 25 fps
        video = status.video
        assert video is not None
        # The core's default download: an unsigned GET of the asset URL, through the transport.
        with client.stream("GET", video.url) as download:
            assert download.status_code == 200
            assert download.headers["content-type"] == "video/mp4"
            out = tmp_path / "out.mp4"
            out.write_bytes(b"".join(download.iter_bytes()))
        assert int(download.headers["content-length"]) == out.stat().st_size
    measured = probe_video(out)
    assert (measured.frames, measured.fps, measured.width, measured.height) == (38, 25, 480, 480)
    assert abs(measured.duration - 1.5) <= 1 / 25


def test_submit_answers_at_once_and_the_state_is_on_disk(tmp_path: Path) -> None:
    transport = LocalTransport(tmp_path)
    with httpx.Client(transport=transport) as client:
        started = time.monotonic()
        created = client.post(f"{BASE}/v1/renders", json=spec(duration=3.0))
        assert time.monotonic() - started < 1.0  # the render runs in the background
        assert created.status_code == 201
        body = created.json()
        assert body["status"] == "queued"
        assert (body["frames"], body["duration"], body["fps"]) == (72, 3.0, 24)
        render_id = body["id"]
        assert (tmp_path / f"{render_id}.json").exists()
        not_yet = client.get(f"{BASE}/v1/renders/{render_id}/content")
        assert not_yet.status_code == 409
        assert not_yet.json()["error"]["code"] == "not_ready"
        done = wait_sync(client, render_id)
        assert done["status"] == "succeeded"
        assert done["content_url"] == f"{BASE}/v1/renders/{render_id}/content"
        assert (tmp_path / f"{render_id}.mp4").exists()
        assert not list(tmp_path.glob("*.part"))  # no temporary file left behind


def test_prefixed_base_url_round_trips(tmp_path: Path) -> None:
    with httpx.Client(transport=LocalTransport(tmp_path)) as client:
        created = client.post("local://render/prefix/v1/renders", json=spec()).json()
        render_id = created["id"]
        deadline = time.monotonic() + 30
        while (body := client.get(f"local://render/prefix/v1/renders/{render_id}").json())[
            "status"
        ] != "succeeded":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert body["content_url"] == f"local://render/prefix/v1/renders/{render_id}/content"
        assert client.get(body["content_url"]).status_code == 200


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (spec(width=321), "width"),
        (spec(fps=0), "fps"),
        (spec(fps=24.5), "fps"),
        (spec(duration="5"), "duration"),
        (spec(duration=-1), "duration"),
        (spec(seed="x"), "seed"),
        (spec(first_frame={"data": "not base64!"}), "first_frame"),
        (spec(first_frame={"data": base64.b64encode(b"not an image").decode()}), "first_frame"),
        (spec(last_frame={"data": ""}), "last_frame"),
        ([1, 2], "body"),
    ],
)
def test_bad_submits_are_400_naming_the_field(tmp_path: Path, body: Any, field: str) -> None:
    with httpx.Client(transport=LocalTransport(tmp_path)) as client:
        answer = client.post(f"{BASE}/v1/renders", json=body)
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == field
    assert not list(tmp_path.glob("*.json"))  # nothing was created


def test_a_gif_is_refused_with_the_allowed_formats(tmp_path: Path) -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 32)).save(buffer, "GIF")
    body = spec(first_frame={"data": base64.b64encode(buffer.getvalue()).decode()})
    with httpx.Client(transport=LocalTransport(tmp_path)) as client:
        answer = client.post(f"{BASE}/v1/renders", json=body)
    # ... and parse_submit turns it into InvalidRequest for the user.
    with pytest.raises(InvalidRequest) as caught:
        reelkit_local.reelkit_parse_submit(
            provider="local", model=TITLE_CARD, request=VideoRequest(prompt="x"), response=answer
        )
    assert caught.value.field == "first_frame"
    assert caught.value.allowed == "jpeg, png, webp"


def test_unknown_ids_routes_and_methods(tmp_path: Path) -> None:
    job = JobHandle(provider="local", model="local-title-card", task_id="render_nope")
    cfg = config(tmp_path)
    with httpx.Client(transport=LocalTransport(tmp_path)) as client:
        answer = client.send(
            reelkit_local.reelkit_poll_request(provider="local", job=job, config=cfg)
        )
        assert answer.status_code == 404
        with pytest.raises(ProviderError) as caught:
            reelkit_local.reelkit_parse_poll(provider="local", job=job, response=answer)
        assert (caught.value.code, caught.value.status) == ("not_found", 404)
        assert client.get(f"{BASE}/v1/renders/render_nope/content").status_code == 404
        # Ids never become paths outside the state directory.
        assert client.get(f"{BASE}/v1/renders/..%2F..%2Fetc%2Fpasswd").status_code == 404
        assert client.get(f"{BASE}/v2/other").status_code == 404
        assert client.get(f"{BASE}/v1/renders").status_code == 405
        assert client.put(f"{BASE}/v1/renders/render_nope").status_code == 405
        assert client.post(f"{BASE}/v1/renders", content=b"{").json()["error"]["field"] == "body"


def test_cancel(tmp_path: Path) -> None:
    with httpx.Client(transport=LocalTransport(tmp_path)) as client:
        render_id = client.post(f"{BASE}/v1/renders", json=spec(duration=20.0)).json()["id"]
        cancelled = client.delete(f"{BASE}/v1/renders/{render_id}")
        assert cancelled.status_code == 200
        assert cancelled.json()["error"]["code"] == "cancelled"
        body = wait_sync(client, render_id)
        assert (body["status"], body["error"]["code"]) == ("failed", "cancelled")
        transport: LocalTransport = client._transport  # type: ignore[assignment]
        transport.store.wait(render_id)
        assert not (tmp_path / f"{render_id}.mp4").exists()
        # A finished render cannot be cancelled.
        done_id = client.post(f"{BASE}/v1/renders", json=spec()).json()["id"]
        wait_sync(client, done_id)
        refused = client.delete(f"{BASE}/v1/renders/{done_id}")
        assert (refused.status_code, refused.json()["error"]["code"]) == (409, "already_finished")


# --- async -----------------------------------------------------------------------------------


def test_async_round_trip_never_blocks_the_loop(
    tmp_path: Path, probe_video: Callable[[Path], Any]
) -> None:
    cfg = config(tmp_path / "state")
    transport = reelkit_local.reelkit_transport(provider="local", config=cfg)
    request = VideoRequest(prompt="async", duration=2.0, fps=30, size="640x360", mode=Mode.T2V)

    async def main() -> tuple[bytes, float]:
        gaps: list[float] = []
        done = asyncio.Event()

        async def ticker() -> None:  # measures how long the loop was stuck between ticks
            last = time.monotonic()
            while not done.is_set():
                await asyncio.sleep(0.01)
                now = time.monotonic()
                gaps.append(now - last)
                last = now

        tick = asyncio.create_task(ticker())
        async with httpx.AsyncClient(transport=transport) as client:
            sent = reelkit_local.reelkit_translate(
                provider="local", model=TITLE_CARD, request=request, config=cfg
            )
            job = reelkit_local.reelkit_parse_submit(
                provider="local",
                model=TITLE_CARD,
                request=request,
                response=await client.send(sent),
            )
            while True:
                poll = reelkit_local.reelkit_poll_request(provider="local", job=job, config=cfg)
                answer = await client.send(poll)
                status = reelkit_local.reelkit_parse_poll(
                    provider="local", job=job, response=answer
                )
                if isinstance(status, Succeeded):
                    break
                await asyncio.sleep(0.05)
            assert status.video is not None
            chunks = []
            async with client.stream("GET", status.video.url) as download:
                assert download.status_code == 200
                async for chunk in download.aiter_bytes():
                    chunks.append(chunk)
        done.set()
        await tick
        return b"".join(chunks), max(gaps)

    data, worst_gap = asyncio.run(main())
    out = tmp_path / "async.mp4"
    out.write_bytes(data)
    video = probe_video(out)
    assert (video.frames, video.fps, video.width, video.height) == (60, 30, 640, 360)
    # Rendering takes far longer than this; the loop kept ticking throughout.
    assert worst_gap < 0.25


def test_renders_beyond_the_concurrency_limit_wait_queued(tmp_path: Path) -> None:
    from reelkit_local import store

    # Hold every render slot of this process (waiting for other tests' renders to let go), so
    # a new render must queue: decided by the semaphore, not by how fast this machine renders.
    held = 0
    try:
        for _ in range(store.MAX_CONCURRENT):
            assert store._SLOTS.acquire(timeout=120)
            held += 1
        transport = LocalTransport(tmp_path)
        with httpx.Client(transport=transport) as client:
            render_id = client.post(f"{BASE}/v1/renders", json=spec(duration=30.0)).json()["id"]
            for _ in range(3):  # however often it is asked, it waits for a slot
                assert client.get(f"{BASE}/v1/renders/{render_id}").json()["status"] == "queued"
                time.sleep(0.05)
            store._SLOTS.release()
            held -= 1
            deadline = time.monotonic() + 120
            while client.get(f"{BASE}/v1/renders/{render_id}").json()["status"] == "queued":
                assert time.monotonic() < deadline, "a freed slot was never taken"
                time.sleep(0.02)
            client.delete(f"{BASE}/v1/renders/{render_id}")
            transport.store.wait(render_id)
            assert wait_sync(client, render_id)["error"]["code"] == "cancelled"
    finally:
        for _ in range(held):
            store._SLOTS.release()
