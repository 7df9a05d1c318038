"""The Seedance (Ark) fake in process: create / get / list / delete and every rejection."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reelkit_emulator import EmulatorConfig, create_app
from reelkit_emulator.providers import seedance as s

pytestmark = pytest.mark.anyio

TASKS = "/seedance/api/v3/contents/generations/tasks"
AUTH = {"authorization": "Bearer ark-key"}
PRO = "doubao-seedance-1-0-pro-250528"


@pytest.fixture
async def client(cache_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(EmulatorConfig(cache_dir=cache_dir), fakes=[s.FAKE])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://emu", headers=AUTH
    ) as c:
        c.app = app  # type: ignore[attr-defined]
        yield c


def text(prompt: str = "a cat running") -> dict[str, Any]:
    return {"type": "text", "text": prompt}


def image(role: str | None = None, url: str = "https://example.com/a.png") -> dict[str, Any]:
    item: dict[str, Any] = {"type": "image_url", "image_url": {"url": url}}
    if role:
        item["role"] = role
    return item


def png_uri(width: int, height: int) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height)).save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


async def create(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    body.setdefault("model", PRO)
    body.setdefault("content", [text()])
    return await client.post(TASKS, json=body)


def assert_ark_error(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) == {"code", "message", "param", "type"}
    assert err["code"] == code
    assert "Request id:" in err["message"]
    return err


async def test_documented_flow_to_succeeded_and_real_mp4(client: httpx.AsyncClient) -> None:
    r = await create(client, resolution="720p", ratio="16:9", duration=5, watermark=False)
    assert r.status_code == 200, r.text
    task_id = r.json()["id"]
    assert task_id.startswith("cgt-") and len(task_id.split("-")) == 3
    seen = []
    for _ in range(3):
        got = (await client.get(f"{TASKS}/{task_id}")).json()
        seen.append(got["status"])
    assert seen == ["queued", "running", "succeeded"]
    assert got["model"] == PRO
    assert got["error"] is None
    assert (got["resolution"], got["ratio"], got["duration"], got["framespersecond"]) == (
        "720p",
        "16:9",
        5,
        24,
    )
    assert "frames" not in got
    assert got["usage"]["completion_tokens"] == 1248 * 704 * 121 // 1024
    assert got["service_tier"] == "default" and got["execution_expires_after"] == 172800
    video = await client.get(got["content"]["video_url"])
    assert video.status_code == 200
    import av

    with av.open(io.BytesIO(video.content)) as container:
        st = container.streams.video[0]
        assert (st.width, st.height) == (1248, 704)
        assert container.duration is not None
        assert abs(container.duration / 1e6 - 5) < 0.3


async def test_sdk_style_nulls_are_unset(client: httpx.AsyncClient) -> None:
    nulls = dict.fromkeys(
        [
            "safety_identifier",
            "callback_url",
            "return_last_frame",
            "service_tier",
            "execution_expires_after",
            "priority",
            "generate_audio",
            "draft",
            "camera_fixed",
            "watermark",
            "seed",
            "resolution",
            "ratio",
            "duration",
            "frames",
            "tools",
            "output_format",
            "omni_reference_task_type",
        ]
    )
    r = await create(client, **nulls)
    assert r.status_code == 200, r.text
    got = (await client.get(f"{TASKS}/{r.json()['id']}")).json()
    assert got["resolution"] == "1080p"  # pro's default
    assert got["duration"] == 5


async def test_frames_take_priority_and_come_back_instead_of_duration(
    client: httpx.AsyncClient,
) -> None:
    r = await create(client, frames=57, duration=10)
    got = (await client.get(f"{TASKS}/{r.json()['id']}")).json()
    assert got["frames"] == 57 and "duration" not in got
    task = client.app.state.emulator.context("seedance").store.get(r.json()["id"])  # type: ignore[attr-defined]
    assert task.video.duration == pytest.approx(57 / 24, abs=0.01)


async def test_legacy_text_flags_are_lenient(client: httpx.AsyncClient) -> None:
    r = await create(client, content=[text("a dog --rs 480p --rt 9:16 --dur 3 --cf bogus")])
    got = (await client.get(f"{TASKS}/{r.json()['id']}")).json()
    assert (got["resolution"], got["ratio"], got["duration"]) == ("480p", "9:16", 3)
    bad = await create(client, content=[text("a dog --rs 9000p --dur 99x")])
    assert bad.status_code == 200  # bad flag values silently fall back to defaults
    got = (await client.get(f"{TASKS}/{bad.json()['id']}")).json()
    assert (got["resolution"], got["duration"]) == ("1080p", 5)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"model": None}, 400, "MissingParameter"),
        ({"model": "doubao-seedance-9-9"}, 404, "InvalidEndpointOrModel.NotFound"),
        ({"content": []}, 400, "InvalidParameter.Content"),
        ({"resolution": "2k"}, 400, "InvalidParameter.Resolution"),
        ({"ratio": "2:1"}, 400, "InvalidParameter.Ratio"),
        ({"duration": 13}, 400, "InvalidParameter.Duration"),
        ({"duration": 1}, 400, "InvalidParameter.Duration"),
        ({"frames": 30}, 400, "InvalidParameter.Frames"),
        ({"seed": 2**32}, 400, "InvalidParameter.Seed"),
        ({"generate_audio": True}, 400, "InvalidParameter.GenerateAudio"),
        ({"execution_expires_after": 60}, 400, "InvalidParameter.ExecutionExpiresAfter"),
        ({"service_tier": "gold"}, 400, "InvalidParameter.ServiceTier"),
        (
            {"content": [{"type": "video_url", "video_url": {"url": "https://v"}}]},
            400,
            "InvalidParameter.Content",
        ),
        (
            {"content": [text(), image(url="data:image/PNG;base64,AAAA")]},
            400,
            "InvalidParameter.Content",
        ),
        ({"content": [text(), image("last_frame")]}, 400, "InvalidParameter.Content"),
        ({"content": [text(), image(), image()]}, 400, "MissingParameter"),
        ({"content": [text(), image("first_frame"), image()]}, 400, "MissingParameter"),
        (
            {"content": [text(), image("first_frame"), image("first_frame")]},
            400,
            "InvalidParameter.Content",
        ),
        ({"content": [text(), image("reference_image")]}, 400, "InvalidParameter.Content"),
        ({"content": [text(), image("hero")]}, 400, "InvalidParameter.Content"),
    ],
)
async def test_rejections_in_ark_shape(
    client: httpx.AsyncClient, body: dict[str, Any], status: int, code: str
) -> None:
    r = await create(client, **body)
    assert_ark_error(r, status, code)


async def test_bearer_is_required(client: httpx.AsyncClient) -> None:
    r = await client.post(
        TASKS, json={"model": PRO, "content": [text()]}, headers={"authorization": ""}
    )
    err = assert_ark_error(r, 401, "AuthenticationError")
    assert err["type"] == "Unauthorized"


async def test_per_model_modes(client: httpx.AsyncClient) -> None:
    t2v_on_i2v = await create(client, model="doubao-seedance-1-0-lite-i2v-250428")
    assert_ark_error(t2v_on_i2v, 400, "InvalidParameter.Content")
    fast_first_last = await create(
        client,
        model="seedance-1-0-pro-fast-251015",
        content=[text(), image("first_frame"), image("last_frame")],
    )
    assert_ark_error(fast_first_last, 400, "InvalidParameter.Content")
    refs = [image("reference_image") for _ in range(4)]
    lite_refs = await create(
        client, model="doubao-seedance-1-0-lite-i2v-250428", content=[text(), *refs]
    )
    assert lite_refs.status_code == 200
    too_many = await create(
        client,
        model="doubao-seedance-1-0-lite-i2v-250428",
        content=[text(), *refs, image("reference_image")],
    )
    assert_ark_error(too_many, 400, "InvalidParameter.Content")
    ref_1080 = await create(
        client,
        model="doubao-seedance-1-0-lite-i2v-250428",
        content=[text(), *refs],
        resolution="1080p",
    )
    assert_ark_error(ref_1080, 400, "InvalidParameter.Resolution")
    v15 = await create(
        client, model="doubao-seedance-1-5-pro-251215", duration=-1, generate_audio=False
    )
    assert v15.status_code == 200
    v15_frames = await create(client, model="doubao-seedance-1-5-pro-251215", frames=57)
    assert_ark_error(v15_frames, 400, "InvalidParameter.Frames")
    v20_seed = await create(client, model="doubao-seedance-2-0-260128", seed=3)
    assert_ark_error(v20_seed, 400, "InvalidParameter.Seed")
    v20_mixed = await create(
        client,
        model="dreamina-seedance-2-0-260128",
        content=[text(), image("first_frame"), image("reference_image")],
    )
    assert_ark_error(v20_mixed, 400, "InvalidParameter.Content")
    v20_refs = await create(
        client,
        model="doubao-seedance-2-0-260128",
        duration=15,
        content=[
            text(),
            image("reference_image"),
            {"type": "video_url", "video_url": {"url": "https://v.mp4"}, "role": "reference_video"},
        ],
    )
    assert v20_refs.status_code == 200, v20_refs.text


async def test_image_first_frame_adaptive_ratio_follows_the_image(
    client: httpx.AsyncClient,
) -> None:
    r = await create(client, content=[text(), image(url=png_uri(720, 1280))], resolution="720p")
    assert r.status_code == 200, r.text
    got = (await client.get(f"{TASKS}/{r.json()['id']}")).json()
    assert got["ratio"] == "9:16"
    bad = await create(client, content=[text(), image(url=png_uri(1000, 200))])
    assert_ark_error(bad, 400, "InvalidParameter.Content")


async def test_draft_then_final_from_draft_task(client: httpx.AsyncClient) -> None:
    m = "doubao-seedance-1-5-pro-251215"
    bad = await create(client, model=m, draft=True, resolution="720p")
    assert_ark_error(bad, 400, "InvalidParameter.Resolution")
    draft = (await create(client, model=m, draft=True, resolution="480p")).json()["id"]
    early = await create(
        client, model=m, content=[{"type": "draft_task", "draft_task": {"id": draft}}]
    )
    assert_ark_error(early, 400, "InvalidParameter.Content")  # not finished yet
    for _ in range(3):
        await client.get(f"{TASKS}/{draft}")
    final = await create(
        client,
        model=m,
        resolution="720p",
        content=[{"type": "draft_task", "draft_task": {"id": draft}}],
    )
    assert final.status_code == 200, final.text
    got = (await client.get(f"{TASKS}/{final.json()['id']}")).json()
    assert got["draft_task_id"] == draft and got["draft"] is False


async def test_moderation_failure_and_expire_markers(client: httpx.AsyncClient) -> None:
    ids = {
        m: (await create(client, content=[text(f"x {m}")])).json()["id"]
        for m in ("[emulator:moderation]", "[emulator:fail]", "[emulator:expire]")
    }
    for _ in range(3):
        got = {m: (await client.get(f"{TASKS}/{i}")).json() for m, i in ids.items()}
    assert got["[emulator:moderation]"]["status"] == "failed"
    assert got["[emulator:moderation]"]["error"]["code"] == "OutputVideoSensitiveContentDetected"
    assert got["[emulator:fail]"]["error"]["code"] == "InternalServiceError"
    assert got["[emulator:expire]"]["status"] == "expired"
    assert "content" not in got["[emulator:expire]"]
    refused = await create(client, content=[text("x [emulator:input-moderation]")])
    assert_ark_error(refused, 400, "InputTextSensitiveContentDetected")


async def test_unpolled_task_expires_after_execution_expires_after(
    client: httpx.AsyncClient,
) -> None:
    task_id = (await create(client, execution_expires_after=3600)).json()["id"]
    client.app.state.emulator.clock.advance(3601)  # type: ignore[attr-defined]
    got = (await client.get(f"{TASKS}/{task_id}")).json()
    assert got["status"] == "expired"


async def test_list_filters_and_pages(client: httpx.AsyncClient) -> None:
    a = (await create(client)).json()["id"]
    b = (await create(client, model="doubao-seedance-1-0-lite-t2v-250428")).json()["id"]
    c = (await create(client)).json()["id"]
    for _ in range(3):
        await client.get(f"{TASKS}/{a}")
    everything = (await client.get(TASKS)).json()
    assert everything["total"] == 3
    assert [t["id"] for t in everything["items"]] == [c, b, a]  # newest first
    done = (await client.get(TASKS, params={"filter.status": "succeeded"})).json()
    assert [t["id"] for t in done["items"]] == [a]
    by_ids = (
        await client.get(TASKS, params=[("filter.task_ids", a), ("filter.task_ids", b)])
    ).json()
    assert {t["id"] for t in by_ids["items"]} == {a, b}
    by_model = (
        await client.get(TASKS, params={"filter.model": "doubao-seedance-1-0-lite-t2v-250428"})
    ).json()
    assert [t["id"] for t in by_model["items"]] == [b]
    page = (await client.get(TASKS, params={"page_num": 2, "page_size": 2})).json()
    assert page["total"] == 3 and [t["id"] for t in page["items"]] == [a]
    bad = await client.get(TASKS, params={"page_size": 501})
    assert_ark_error(bad, 400, "InvalidParameter.PageSize")
    bad = await client.get(TASKS, params={"filter.status": "done"})
    assert_ark_error(bad, 400, "InvalidParameter.Filter")
    client.app.state.emulator.clock.advance(8 * 24 * 3600)  # type: ignore[attr-defined]
    assert (await client.get(TASKS)).json()["total"] == 0  # only the last 7 days


async def test_delete_cancels_queued_and_deletes_finished(client: httpx.AsyncClient) -> None:
    queued = (await create(client)).json()["id"]
    r = await client.delete(f"{TASKS}/{queued}")
    assert r.status_code == 200
    assert (await client.get(f"{TASKS}/{queued}")).json()["status"] == "cancelled"
    again = await client.delete(f"{TASKS}/{queued}")
    assert_ark_error(again, 400, "InvalidParameter")  # cancelled cannot be deleted

    running = (await create(client)).json()["id"]
    await client.get(f"{TASKS}/{running}")
    await client.get(f"{TASKS}/{running}")
    assert_ark_error(await client.delete(f"{TASKS}/{running}"), 400, "InvalidParameter")
    await client.get(f"{TASKS}/{running}")  # now succeeded
    assert (await client.delete(f"{TASKS}/{running}")).status_code == 200
    assert_ark_error(await client.get(f"{TASKS}/{running}"), 404, "ResourceNotFound")


async def test_injected_faults_use_ark_errors(client: httpx.AsyncClient) -> None:
    faults = client.app.state.emulator.faults  # type: ignore[attr-defined]
    faults.schedule("429", provider="seedance")
    err = assert_ark_error(await create(client), 429, "RateLimitExceeded.EndpointRPMExceeded")
    assert err["type"] == "TooManyRequests"
    faults.schedule("500", provider="seedance")
    assert_ark_error(await create(client), 500, "InternalServiceError")


def test_model_resolution_and_sizes() -> None:
    assert s.resolve_model("doubao-seedance-1-5-pro-251215") is s.MODELS["seedance-1-5-pro-251215"]
    assert s.resolve_model("dreamina-seedance-2-0-fast-260128") is not None
    assert s.resolve_model("ep-20250101-abc") is s.MODELS[s.ENDPOINT_MODEL]
    assert s.resolve_model("seedance-3") is None
    assert s.frame_size(s.MODELS["seedance-1-5-pro-251215"], "720p", "16:9") == (1280, 720)
    assert s.frame_size(s.MODELS["seedance-1-0-pro-250528"], "1080p", "21:9") == (2176, 928)
