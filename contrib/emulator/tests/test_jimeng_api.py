"""The Jimeng fake end to end, in process: signed submit, polls, download, every rejection."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from reelkit_emulator import EmulatorConfig, create_app
from reelkit_emulator.providers import _volc
from reelkit_emulator.providers import jimeng as j

pytestmark = pytest.mark.anyio

AK = j.DEFAULT_ACCESS_KEY
SUBMIT = "Action=CVSync2AsyncSubmitTask&Version=2022-08-31"
RESULT = "Action=CVSync2AsyncGetResult&Version=2022-08-31"


@pytest.fixture
async def client(cache_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(EmulatorConfig(cache_dir=cache_dir), fakes=[j.FAKE])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://emu") as c:
        c.app = app  # type: ignore[attr-defined]
        yield c


def ctx_of(client: httpx.AsyncClient) -> Any:
    return client.app.state.emulator.context("jimeng")  # type: ignore[attr-defined]


def sign(
    query: str,
    body: bytes,
    *,
    path: str = "/jimeng/",
    secret: str = j.DEFAULT_SECRET_KEY,
    access_key: str = AK,
) -> dict[str, str]:
    return _volc.sign_headers(
        method="POST",
        path=path,
        raw_query=query,
        headers={"Host": "emu", "Content-Type": "application/json"},
        body=body,
        access_key=access_key,
        secret_key=secret,
        x_date=datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
    )


def encode(form: dict[str, Any]) -> bytes:
    return json.dumps(form, separators=(",", ":"), ensure_ascii=False).encode()


async def call(
    client: httpx.AsyncClient, query: str, form: dict[str, Any], path: str = "/jimeng/"
) -> httpx.Response:
    body = encode(form)
    return await client.post(f"{path}?{query}", content=body, headers=sign(query, body, path=path))


async def submit(client: httpx.AsyncClient, **form: Any) -> httpx.Response:
    return await call(client, SUBMIT, {"req_key": "jimeng_t2v_v30", "prompt": "a cat", **form})


async def result(client: httpx.AsyncClient, task_id: str, req_key: str = "jimeng_t2v_v30") -> Any:
    return await call(client, RESULT, {"req_key": req_key, "task_id": task_id})


def png(width: int, height: int) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (10, 20, 30)).save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


def assert_envelope(body: dict[str, Any], code: int) -> None:
    assert set(body) == {"code", "data", "message", "request_id", "status", "time_elapsed"}
    assert body["code"] == body["status"] == code
    assert len(body["request_id"]) == 32
    assert body["time_elapsed"].endswith("ms")


async def test_happy_path_submit_poll_download_real_mp4(client: httpx.AsyncClient) -> None:
    r = await submit(client, frames=121, aspect_ratio="16:9", seed=-1)
    assert r.status_code == 200, r.text
    body = r.json()
    assert_envelope(body, 10000)
    assert body["message"] == "Success"
    task_id = body["data"]["task_id"]
    assert isinstance(task_id, str) and task_id.isdigit()

    statuses = []
    for _ in range(3):
        r = await result(client, task_id)
        assert r.status_code == 200
        statuses.append(r.json()["data"]["status"])
    assert statuses == ["in_queue", "generating", "done"]
    data = r.json()["data"]
    assert data["aigc_meta_tagged"] is True
    url = data["video_url"]
    assert url.startswith("http://emu/jimeng/_media/")

    video = await client.get(url)
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"
    import av

    with av.open(io.BytesIO(video.content)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == (1248, 704)  # 720p class, 16:9
        assert container.duration is not None
        assert abs(container.duration / 1_000_000 - 5) < 0.3
    stats = client.app.state.emulator.stats.snapshot()["jimeng"]  # type: ignore[attr-defined]
    assert (stats["submits"], stats["polls"], stats["downloads"]) == (1, 3, 1)


async def test_1080p_size(client: httpx.AsyncClient) -> None:
    r = await call(
        client,
        SUBMIT,
        {"req_key": "jimeng_t2v_v30_1080p", "prompt": "x", "aspect_ratio": "9:16", "frames": 241},
    )
    assert r.status_code == 200, r.text
    task = ctx_of(client).store.get(r.json()["data"]["task_id"])
    assert (task.video.width, task.video.height, task.video.duration) == (1088, 1920, 10)


async def test_video_url_expires_after_one_hour(client: httpx.AsyncClient) -> None:
    task_id = (await submit(client)).json()["data"]["task_id"]
    for _ in range(3):
        r = await result(client, task_id)
    url = r.json()["data"]["video_url"]
    ctx_of(client).clock.advance(3601)
    expired = await client.get(url)
    assert expired.status_code == 403
    assert b"AccessDenied" in expired.content


async def test_tampered_body_is_signature_does_not_match(client: httpx.AsyncClient) -> None:
    body = encode({"req_key": "jimeng_t2v_v30", "prompt": "a cat"})
    headers = sign(SUBMIT, body)
    r = await client.post(
        f"/jimeng/?{SUBMIT}", content=body.replace(b"cat", b"bat"), headers=headers
    )
    assert r.status_code == 401
    error = r.json()["ResponseMetadata"]["Error"]
    assert (error["Code"], error["CodeN"]) == ("SignatureDoesNotMatch", 100010)
    assert r.json()["ResponseMetadata"]["Action"] == "CVSync2AsyncSubmitTask"
    assert client.app.state.emulator.stats.snapshot()["jimeng"]["submits"] == 0  # type: ignore[attr-defined]


async def test_signature_over_another_path_or_secret_fails(client: httpx.AsyncClient) -> None:
    body = encode({"req_key": "jimeng_t2v_v30", "prompt": "a cat"})
    # Signed "/" but sent to "/jimeng/": the path is part of the signature.
    r = await client.post(f"/jimeng/?{SUBMIT}", content=body, headers=sign(SUBMIT, body, path="/"))
    assert r.json()["ResponseMetadata"]["Error"]["Code"] == "SignatureDoesNotMatch"
    r = await client.post(
        f"/jimeng/?{SUBMIT}", content=body, headers=sign(SUBMIT, body, secret="wrong")
    )
    assert r.status_code == 401


async def test_unsigned_request_is_missing_request_info(client: httpx.AsyncClient) -> None:
    r = await client.post(f"/jimeng/?{SUBMIT}", json={"req_key": "jimeng_t2v_v30", "prompt": "x"})
    assert r.status_code == 400
    assert r.json()["ResponseMetadata"]["Error"]["Code"] == "MissingRequestInfo"


async def test_action_and_version_checks(client: httpx.AsyncClient) -> None:
    r = await call(client, "Version=2022-08-31", {})
    assert r.status_code == 400
    assert r.json()["ResponseMetadata"]["Error"]["Code"] == "MissingParameter"
    r = await call(client, "Action=CVSync2AsyncSubmitTask&Version=2024-06-06", {})
    assert r.status_code == 404
    assert r.json()["ResponseMetadata"]["Error"]["Code"] == "InvalidActionOrVersion"


@pytest.mark.parametrize(
    ("form", "needle"),
    [
        ({"req_key": "jimeng_t2v_v30_720p"}, "unknown req_key"),
        ({"req_key": "jimeng_i2v_first_tail_v30_1080p"}, "unknown req_key"),
        ({"frames": 150}, "frames"),
        ({"aspect_ratio": "2:1"}, "aspect_ratio"),
        ({"prompt": ""}, "prompt is required"),
        ({"prompt": "x" * 801}, "at most 800"),
        ({"image_urls": ["https://x/a.png"]}, "takes 0 image"),
        ({"seed": 1.5}, "seed"),
    ],
)
async def test_invalid_submit_is_50215(
    client: httpx.AsyncClient, form: dict[str, Any], needle: str
) -> None:
    r = await submit(client, **form)
    assert r.status_code == 400
    body = r.json()
    assert_envelope(body, 50215)
    assert body["data"] is None
    assert body["message"].startswith("Input invalid for this service.")
    assert needle in body["message"]


async def test_image_modes_and_their_limits(client: httpx.AsyncClient) -> None:
    first, tail = png(640, 360), png(640, 360)
    ok = await call(
        client,
        SUBMIT,
        {
            "req_key": "jimeng_i2v_first_tail_v30",
            "prompt": "move",
            "binary_data_base64": [first, tail],
        },
    )
    assert ok.status_code == 200, ok.text
    task = ctx_of(client).store.get(ok.json()["data"]["task_id"])
    assert (task.video.width, task.video.height) == (1248, 704)

    cases = [
        ({"req_key": "jimeng_i2v_first_v30", "prompt": "p"}, "takes 1 image"),
        (
            {"req_key": "jimeng_i2v_first_v30", "prompt": "p", "binary_data_base64": ["data:x"]},
            "data: prefix",
        ),
        (
            {
                "req_key": "jimeng_i2v_first_v30",
                "prompt": "p",
                "binary_data_base64": [png(200, 200)],
            },
            "short side",
        ),
        (
            {
                "req_key": "jimeng_i2v_first_v30",
                "prompt": "p",
                "binary_data_base64": [first],
                "image_urls": ["https://x/a.png"],
            },
            "not both",
        ),
        (
            {
                "req_key": "jimeng_i2v_first_tail_v30",
                "prompt": "p",
                "binary_data_base64": [first, png(400, 400)],
            },
            "same aspect ratio",
        ),
        (
            {"req_key": "jimeng_i2v_recamera_v30", "prompt": "p", "image_urls": ["https://x/a"]},
            "template_id",
        ),
        (
            {
                "req_key": "jimeng_i2v_recamera_v30",
                "prompt": "p",
                "image_urls": ["https://x/a"],
                "template_id": "robo_arm",
            },
            "camera_strength",
        ),
    ]
    for form, needle in cases:
        r = await call(client, SUBMIT, form)
        assert r.status_code == 400, form
        assert needle in r.json()["message"], (form, r.json()["message"])

    recamera = await call(
        client,
        SUBMIT,
        {
            "req_key": "jimeng_i2v_recamera_v30",
            "prompt": "p",
            "image_urls": ["https://x/a.png"],
            "template_id": "robo_arm",
            "camera_strength": "strong",
        },
    )
    assert recamera.status_code == 200
    # Pro image-to-video needs no prompt.
    pro = await call(
        client, SUBMIT, {"req_key": "jimeng_ti2v_v30_pro", "image_urls": ["https://x/a"]}
    )
    assert pro.status_code == 200


async def test_poll_with_other_req_key_or_unknown_id_is_not_found(
    client: httpx.AsyncClient,
) -> None:
    task_id = (await submit(client)).json()["data"]["task_id"]
    r = await result(client, task_id, req_key="jimeng_t2v_v30_1080p")
    assert r.status_code == 200
    assert r.json()["code"] == 10000
    assert r.json()["data"]["status"] == "not_found"
    r = await result(client, "123")
    assert r.json()["data"]["status"] == "not_found"


async def test_task_older_than_12_hours_is_not_found(client: httpx.AsyncClient) -> None:
    task_id = (await submit(client)).json()["data"]["task_id"]
    ctx_of(client).clock.advance(12 * 3600 + 1)
    r = await result(client, task_id)
    assert r.json()["data"]["status"] == "not_found"


async def test_moderation_marker_ends_with_50511(client: httpx.AsyncClient) -> None:
    task_id = (await submit(client, prompt="a cat [emulator:moderation]")).json()["data"]["task_id"]
    for _ in range(2):
        assert (await result(client, task_id)).status_code == 200
    r = await result(client, task_id)
    assert r.status_code == 400
    assert_envelope(r.json(), 50511)
    assert r.json()["message"] == "Post Img Risk Not Pass"


async def test_failure_and_expire_markers(client: httpx.AsyncClient) -> None:
    failing = (await submit(client, prompt="x [emulator:fail]")).json()["data"]["task_id"]
    expiring = (await submit(client, prompt="x [emulator:expire]")).json()["data"]["task_id"]
    for _ in range(3):
        fail = await result(client, failing)
        exp = await result(client, expiring)
    assert fail.status_code == 400
    assert fail.json()["code"] == 50215
    assert exp.status_code == 200
    assert exp.json()["data"]["status"] == "expired"


async def test_input_text_moderation_is_50412_at_submit(client: httpx.AsyncClient) -> None:
    r = await submit(client, prompt="x [emulator:input-moderation]")
    assert r.status_code == 400
    assert_envelope(r.json(), 50412)
    assert r.json()["message"] == "Text Risk Not Pass"


@pytest.mark.parametrize(
    ("code", "status"), [(50411, 400), (50413, 400), (50430, 429), (50501, 500)]
)
async def test_code_marker_forces_a_documented_business_error(
    client: httpx.AsyncClient, code: int, status: int
) -> None:
    r = await submit(client, prompt=f"x [emulator:code={code}]")
    assert r.status_code == status
    assert_envelope(r.json(), code)
    assert r.json()["message"] == j.BUSINESS_ERRORS[code][1]


async def test_injected_429_and_500_use_business_codes(client: httpx.AsyncClient) -> None:
    faults = client.app.state.emulator.faults  # type: ignore[attr-defined]
    faults.schedule("429", provider="jimeng")
    r = await submit(client)
    assert r.status_code == 429
    assert r.headers["retry-after"] == "1"
    assert_envelope(r.json(), 50429)
    faults.schedule("500", provider="jimeng")
    r = await submit(client)
    assert r.status_code == 500
    assert_envelope(r.json(), 50500)


async def test_concurrency_limit_is_50430(client: httpx.AsyncClient) -> None:
    j.configure(ctx_of(client), j.JimengSettings(concurrency=1))
    assert (await submit(client)).status_code == 200
    r = await submit(client)
    assert r.status_code == 429
    assert_envelope(r.json(), 50430)


async def test_mapped_access_key_uses_its_own_secret(client: httpx.AsyncClient) -> None:
    j.configure(
        ctx_of(client),
        j.JimengSettings(secrets={"AKMINE": "mysecret"}, default_secrets=("fallback",)),
    )
    body = encode({"req_key": "jimeng_t2v_v30", "prompt": "x"})
    good = sign(SUBMIT, body, secret="mysecret", access_key="AKMINE")
    assert (await client.post(f"/jimeng/?{SUBMIT}", content=body, headers=good)).status_code == 200
    # The mapped key does not accept the fallback secret; other keys do.
    wrong = sign(SUBMIT, body, secret="fallback", access_key="AKMINE")
    assert (await client.post(f"/jimeng/?{SUBMIT}", content=body, headers=wrong)).status_code == 401
    other = sign(SUBMIT, body, secret="fallback", access_key="AKOTHER")
    assert (await client.post(f"/jimeng/?{SUBMIT}", content=body, headers=other)).status_code == 200


def test_settings_from_env() -> None:
    s = j.JimengSettings.from_env(
        {
            "REELKIT_EMULATOR_VOLC_SECRETS": '{"A": "x"}',
            "VOLC_SECRETKEY": "real",
            "REELKIT_EMULATOR_JIMENG_CONCURRENCY": "2",
        }
    )
    assert s.candidates("A") == ("x",)
    assert s.candidates("B") == ("real", j.DEFAULT_SECRET_KEY)
    assert s.candidates("") == ()
    assert s.concurrency == 2
