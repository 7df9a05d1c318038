"""The JSON form of ``POST /v1/videos`` (what plain HTTP clients send), media that must not read
the server's files, and a provider the server has no credentials for."""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
import openai
import pytest

pytestmark = pytest.mark.slow


def png_data_url(width: int, height: int) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 160)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_a_json_body_with_an_image_url_reference(gateway: Any, dev_keys: tuple[str, ...]) -> None:
    answer = httpx.post(
        gateway.base_url + "/videos",
        headers={"authorization": f"Bearer {dev_keys[0]}"},
        json={
            "prompt": "a kite over the sea",
            "model": "sora/sora-2",
            "size": "720x1280",
            "seconds": "4",
            "input_reference": {"image_url": png_data_url(720, 1280)},
        },
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    video = answer.json()
    assert video["object"] == "video" and video["reelkit"]["mode"] == "i2v"
    assert answer.headers["openai-poll-after-ms"] == "1000"


def test_media_paths_are_refused(gateway: Any, dev_keys: tuple[str, ...]) -> None:
    client = openai.OpenAI(api_key=dev_keys[0], base_url=gateway.base_url, max_retries=0)
    for field, value in (("first_frame", "/etc/passwd"), ("reference_images", ["../secret.png"])):
        with pytest.raises(openai.BadRequestError) as refused:
            client.videos.create(prompt="x", model="sora/sora-2", extra_body={field: value})
        assert str(refused.value.body["param"]).startswith(field)  # type: ignore[index]
        assert "URL" in refused.value.body["message"]  # type: ignore[index]


def test_a_provider_without_credentials_is_a_503_naming_no_variable(
    start_gateway: Any, dev_keys: tuple[str, ...]
) -> None:
    gateway = start_gateway(env={"XAI_API_KEY": None})
    client = openai.OpenAI(api_key=dev_keys[0], base_url=gateway.base_url, max_retries=0)
    with pytest.raises(openai.InternalServerError) as unavailable:
        client.videos.create(prompt="a comet", extra_body={"provider": "grok"})
    assert unavailable.value.status_code == 503
    body = unavailable.value.body
    assert body["code"] == "provider_unavailable"  # type: ignore[index]
    assert "XAI" not in body["message"]  # type: ignore[index]


def test_an_unknown_submit_outcome_is_a_failed_video_that_a_retry_never_resends(
    gateway: Any, dev_keys: tuple[str, ...], reelkit_emulator: Any
) -> None:
    reelkit_emulator.inject("reset", provider="sora", endpoint="submit")
    client = openai.OpenAI(api_key=dev_keys[0], base_url=gateway.base_url, max_retries=0)
    video = client.videos.create(prompt="a dropped line", model="sora/sora-2")
    assert video.status == "failed"
    assert video.error is not None and video.error.code == "submit_outcome_unknown"
    again = client.videos.create(prompt="a dropped line", model="sora/sora-2")  # a client retry
    assert again.id == video.id and again.status == "failed"
    assert reelkit_emulator.stats()["sora"]["submits"] <= 1  # sent once at most, never twice
