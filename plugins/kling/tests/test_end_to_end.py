"""End to end through ``reelkit.Client`` against the emulator's Kling fake, for every mode.

The ``reelkit_emulator`` fixture serves the fakes on a loopback port, points
``REELKIT_KLING_BASE_URL`` at it and sets the access/secret key pair the fake verifies JWTs with.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

import reelkit.client as reelkit
from reelkit.errors import (
    AuthenticationFailed,
    ContentFiltered,
    InvalidRequest,
    ProviderError,
    SubmitOutcomeUnknown,
)
from reelkit.testing import assert_video, png_bytes
from reelkit_emulator.providers import kling as fake
from reelkit_kling.signing import encode_jwt

PNG = png_bytes(640, 360)  # ≥300 px a side, as Kling requires


@pytest.fixture
def client(reelkit_emulator: Any) -> Any:
    with reelkit.Client() as c:
        yield c


@pytest.fixture
def frame(tmp_path: Path) -> str:
    path = tmp_path / "frame.png"
    path.write_bytes(PNG)
    return str(path)


def last_task(emulator: Any) -> Any:
    return emulator.tasks("kling")[0]  # newest first


def test_text_to_video_signs_a_jwt_and_renders_1080p_in_pro(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    result = client.generate(
        "A lighthouse at dusk",
        provider="kling",
        resolution="1080p",
        aspect_ratio="9:16",
        duration=10,
        output=tmp_path,
    )
    assert_video(result)
    assert (result.model, result.mode, result.duration) == ("kling-v2-5-turbo", "t2v", 10)
    task = last_task(reelkit_emulator)
    assert task.params["mode"] == "pro" and task.params["duration"] == "10"
    assert (task.video.width, task.video.height) == (1080, 1920)
    stats = reelkit_emulator.stats()["kling"]
    assert (stats["submits"], stats["downloads"], stats["rejected"]) == (1, 1, 0)


def test_image_to_video_sends_raw_base64(
    client: Any, reelkit_emulator: Any, frame: str, tmp_path: Path
) -> None:
    result = client.generate(
        "The waves roll in",
        provider="kling",
        model="kling-v2-1",
        first_frame=frame,
        output=tmp_path,
    )
    assert_video(result)
    body = last_task(reelkit_emulator).params
    assert base64.b64decode(body["image"]) == PNG  # no data: prefix
    assert "aspect_ratio" not in body and body["mode"] == "std"


def test_first_and_last_frame_go_as_image_tail_in_pro(
    client: Any, reelkit_emulator: Any, frame: str, tmp_path: Path
) -> None:
    result = client.generate(
        "From dawn to dusk",
        provider="kling",
        first_frame=frame,
        last_frame=frame,
        output=tmp_path,
    )
    assert_video(result)
    assert result.mode == "first_last"
    assert result.resolution == "1080p"  # a tail frame needs pro: clamped and reported
    body = last_task(reelkit_emulator).params
    assert body["image_tail"] and body["mode"] == "pro"


def test_camera_control_on_kling_v1(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    camera = {"type": "simple", "config": {"zoom": 5}}
    result = client.generate(
        "A slow push into a forest",
        provider="kling",
        model="kling-v1",
        params={"camera_control": camera, "cfg_scale": 0.7},
        output=tmp_path,
    )
    assert_video(result)
    body = last_task(reelkit_emulator).params
    assert body["camera_control"]["config"]["zoom"] == 5
    assert body["camera_control"]["config"]["pan"] == 0
    assert body["cfg_scale"] == 0.7


def test_camera_control_elsewhere_is_refused_before_sending(
    client: Any, reelkit_emulator: Any
) -> None:
    with pytest.raises(InvalidRequest) as err:
        client.generate(
            "x",
            provider="kling",
            model="kling-v1",
            duration=10,
            params={"camera_control": {"type": "down_back"}},
        )
    assert err.value.field == "params.camera_control"
    assert reelkit_emulator.stats()["kling"]["requests"] == 0


def test_api_key_is_a_plain_bearer(
    reelkit_emulator: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("KLING_ACCESS_KEY")
    monkeypatch.delenv("KLING_SECRET_KEY")
    monkeypatch.setenv("KLING_API_KEY", "kling-api-key-from-the-console")
    with reelkit.Client() as client:
        assert_video(client.generate("Rain on a window", provider="kling", output=tmp_path))


def test_a_jwt_signed_with_another_secret_is_refused(
    reelkit_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KLING_SECRET_KEY", "not-the-secret-the-emulator-knows")
    with reelkit.Client() as client, pytest.raises(AuthenticationFailed) as err:
        client.generate("x", provider="kling")
    assert "1002" in str(err.value)
    assert "not-the-secret" not in str(err.value)
    assert reelkit_emulator.stats()["kling"]["submits"] == 0


def test_the_fake_checks_nbf_and_exp(reelkit_emulator: Any) -> None:
    url = reelkit_emulator.url("kling") + "/v1/videos/text2video/123"
    ak, sk = fake.DEFAULT_ACCESS_KEY, fake.DEFAULT_SECRET_KEY
    now = time.time()
    for issued, code in ((now + 600, 1003), (now - 3600, 1004)):
        token = encode_jwt(ak, sk, now=issued)
        answer = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
        assert (answer.status_code, answer.json()["code"]) == (401, code)
    assert httpx.get(url).json()["code"] == 1001


def test_moderation_is_content_filtered(client: Any, reelkit_emulator: Any) -> None:
    with pytest.raises(ContentFiltered):
        client.generate("[emulator:moderation] x", provider="kling")
    assert reelkit_emulator.stats()["kling"]["downloads"] == 0


def test_a_bad_value_gets_kling_s_1201(reelkit_emulator: Any) -> None:
    token = encode_jwt(fake.DEFAULT_ACCESS_KEY, fake.DEFAULT_SECRET_KEY, now=time.time())
    answer = httpx.post(
        reelkit_emulator.url("kling") + "/v1/videos/text2video",
        json={"model_name": "kling-v2-6", "prompt": "x", "duration": 5},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == 1201 and "request_id" in answer.json()


def test_rate_limited_poll_backs_off(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    reelkit_emulator.inject("429", provider="kling", endpoint="poll", times=2)
    assert_video(client.generate("Clouds", provider="kling", output=tmp_path))
    assert reelkit_emulator.stats()["kling"]["fault_kinds"] == {"429": 2}


def test_a_submit_whose_answer_is_lost_is_never_resent(client: Any, reelkit_emulator: Any) -> None:
    reelkit_emulator.inject("reset", provider="kling", endpoint="submit")
    with pytest.raises(SubmitOutcomeUnknown):
        client.generate("A paid clip", provider="kling")
    stats = reelkit_emulator.stats()["kling"]
    assert stats["requests"] == 1  # one attempt, never a second submit
    with pytest.raises(SubmitOutcomeUnknown):  # the same request again is refused, not paid
        client.generate("A paid clip", provider="kling")
    assert reelkit_emulator.stats()["kling"]["requests"] == 1


def test_a_server_error_on_submit_is_not_retried(client: Any, reelkit_emulator: Any) -> None:
    reelkit_emulator.inject("500", provider="kling", endpoint="submit")
    with pytest.raises((ProviderError, SubmitOutcomeUnknown)):
        client.generate("Another paid clip", provider="kling")
    assert reelkit_emulator.stats()["kling"]["requests"] == 1
    assert reelkit_emulator.stats()["kling"]["submits"] == 0


def test_a_job_resumed_in_another_client_polls_and_never_resubmits(
    reelkit_emulator: Any, tmp_path: Path
) -> None:
    with reelkit.Client() as first:
        job = first.submit("A harbour at night", provider="kling", output=tmp_path)
    reelkit_emulator.inject("500", provider="kling", endpoint="poll")
    with reelkit.Client() as second:
        assert_video(second.resume(job.id).wait())
    stats = reelkit_emulator.stats()["kling"]
    assert (stats["submits"], stats["downloads"]) == (1, 1)


def test_the_plan_shows_no_credential(client: Any, reelkit_emulator: Any) -> None:
    plan = client.plan("A cat", provider="kling")
    shown = json.dumps(plan.http.to_dict())
    assert fake.DEFAULT_SECRET_KEY not in shown and fake.DEFAULT_ACCESS_KEY not in shown
    assert "eyJ" not in shown  # no JWT either
    assert plan.http.url.endswith("/v1/videos/text2video")


def _post(emulator: Any, family: str, body: dict[str, Any]) -> httpx.Response:
    token = encode_jwt(fake.DEFAULT_ACCESS_KEY, fake.DEFAULT_SECRET_KEY, now=time.time())
    return httpx.post(
        f"{emulator.url('kling')}/v1/videos/{family}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.mark.parametrize(
    ("family", "body", "status", "code"),
    [
        ("text2video", {"model_name": "kling-v9", "prompt": "x"}, 404, 1203),
        ("text2video", {"model_name": "kling-v2-1", "prompt": "x"}, 400, 1201),
        ("text2video", {"prompt": "x", "cfg_scale": 0.5, "model_name": "kling-v2-6"}, 400, 1201),
        ("text2video", {"prompt": " "}, 400, 1200),
        ("image2video", {"image": "data:image/png;base64,AAAA"}, 400, 1201),
        ("image2video", {"model_name": "kling-v2-5-turbo", "image": "https://i/a.png",
                         "image_tail": "https://i/b.png", "mode": "std"}, 400, 1201),
    ],
)  # fmt: skip
def test_the_fake_rejects_what_kling_rejects(
    reelkit_emulator: Any, family: str, body: dict[str, Any], status: int, code: int
) -> None:
    answer = _post(reelkit_emulator, family, body)
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert reelkit_emulator.stats()["kling"]["submits"] == 0


def test_the_fake_finds_tasks_by_external_id_on_their_own_family(reelkit_emulator: Any) -> None:
    body = {"prompt": "x", "external_task_id": "shot-7"}
    created = _post(reelkit_emulator, "text2video", body).json()["data"]
    assert created["task_info"] == {"external_task_id": "shot-7"}
    assert _post(reelkit_emulator, "text2video", body).json()["code"] == 1201  # unique per user
    token = encode_jwt(fake.DEFAULT_ACCESS_KEY, fake.DEFAULT_SECRET_KEY, now=time.time())
    auth = {"Authorization": f"Bearer {token}"}
    base = reelkit_emulator.url("kling") + "/v1/videos"
    found = httpx.get(f"{base}/text2video/shot-7", headers=auth).json()["data"]
    assert found["task_id"] == created["task_id"]
    assert httpx.get(f"{base}/image2video/{created['task_id']}", headers=auth).status_code == 404


@pytest.mark.parametrize(
    ("inputs", "mode", "types"),
    [
        ({}, "t2v", None),
        ({"first_frame": "FRAME"}, "i2v", ["first_frame"]),
        ({"first_frame": "FRAME", "last_frame": "FRAME"}, "first_last", ["first_frame", "end_frame"]),
        ({"reference_images": ["FRAME", "FRAME"]}, "reference", [None, None]),
    ],
)  # fmt: skip
def test_the_omni_endpoint_for_every_mode(
    client: Any,
    reelkit_emulator: Any,
    frame: str,
    tmp_path: Path,
    inputs: dict[str, Any],
    mode: str,
    types: list[str | None] | None,
) -> None:
    given = {k: ([frame] * len(v) if isinstance(v, list) else frame) for k, v in inputs.items()}
    result = client.generate(
        "<<<image_1>>> waves", provider="kling", model="kling-video-o1", output=tmp_path, **given
    )
    assert_video(result)
    assert result.mode == mode
    body = last_task(reelkit_emulator).params
    if types is None:
        assert "image_list" not in body and body["aspect_ratio"] == "16:9"
    else:
        assert [item.get("type") for item in body["image_list"]] == types
    assert body["mode"] == "pro"  # 1080p, the O1 default
