"""Fidelity: for the same intent, reelkit sends what the official ``runwayml`` SDK sends.

The SDK (``runwayml`` >= 5.24, https://github.com/runwayml/sdk-python) is pointed at a base URL
of our own and its requests are captured with an ``httpx.MockTransport``: nothing leaves the
process. Compared: method, URL, the ``X-Runway-Version`` header, the bearer scheme and the JSON
body, for each endpoint reelkit uses (submit per mode, poll, cancel).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from runway_helpers import PNG, TASK_ID, config, model

import reelkit_runway
from reelkit import clamp
from reelkit.models import JobHandle, Media, VideoRequest

runwayml = pytest.importorskip("runwayml")
pytestmark = pytest.mark.fidelity

BASE = "https://runway.capture.test"
URL = "https://example.com/frame.png"
TASK = {"id": TASK_ID, "status": "PENDING", "createdAt": "2026-12-02T14:06:07.912Z"}


def _sdk() -> tuple[Any, list[httpx.Request]]:
    captured: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        captured.append(request)
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(200, json={**TASK, "estimatedCost": {"credits": 1}})

    client = runwayml.RunwayML(
        api_key="key_test",
        base_url=BASE,
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    return client, captured


def _ours(model_id: str, request: VideoRequest) -> httpx.Request:
    m = model(model_id)
    applied, _ = clamp(request, m)
    return reelkit_runway.reelkit_translate(model=m, request=applied, config=config(BASE))


def _same(ours: httpx.Request, sdk: httpx.Request) -> None:
    assert (ours.method, ours.url) == (sdk.method, sdk.url)
    assert ours.headers["x-runway-version"] == sdk.headers["x-runway-version"] == "2024-11-06"
    assert sdk.headers["authorization"].startswith("Bearer ")
    if sdk.content:
        assert json.loads(ours.content) == json.loads(sdk.content)


def test_text_to_video_gen45() -> None:
    client, captured = _sdk()
    client.text_to_video.create(
        model="gen4.5", prompt_text="A calico cat", ratio="720:1280", duration=6, seed=11
    )
    ours = _ours(
        "gen4.5",
        VideoRequest(prompt="A calico cat", aspect_ratio="9:16", duration=6, seed=11),
    )
    _same(ours, captured[0])


def test_image_to_video_gen4_turbo_with_a_url_and_moderation() -> None:
    client, captured = _sdk()
    client.image_to_video.create(
        model="gen4_turbo",
        prompt_image=URL,
        prompt_text="She turns around",
        ratio="960:960",
        duration=5,
        content_moderation={"public_figure_threshold": "low"},
    )
    ours = _ours(
        "gen4_turbo",
        VideoRequest(
            prompt="She turns around",
            first_frame=Media(url=URL),
            aspect_ratio="1:1",
            duration=5,
            params={"public_figure_threshold": "low"},
        ),
    )
    _same(ours, captured[0])


def test_first_and_last_frame_on_veo31() -> None:
    data_uri = f"data:image/png;base64,{PNG.base64()}"
    client, captured = _sdk()
    client.image_to_video.create(
        model="veo3.1",
        prompt_image=[{"uri": URL, "position": "first"}, {"uri": data_uri, "position": "last"}],
        prompt_text="Morph",
        ratio="1920:1080",
        duration=8,
        audio=True,
        negative_prompt="blur",
    )
    ours = _ours(
        "veo3.1",
        VideoRequest(
            prompt="Morph",
            first_frame=Media(url=URL),
            last_frame=PNG,
            resolution="1080p",
            duration=8,
            audio=True,
            negative_prompt="blur",
        ),
    )
    _same(ours, captured[0])


def test_video_to_video_aleph2() -> None:
    video = "https://example.com/in.mp4"
    client, captured = _sdk()
    client.video_to_video.create(model="aleph2", video_uri=video, prompt_text="Snow", seed=5)
    ours = _ours("aleph2", VideoRequest(prompt="Snow", video=Media(url=video), seed=5))
    _same(ours, captured[0])


def test_poll_and_cancel() -> None:
    client, captured = _sdk()
    client.tasks.retrieve(TASK_ID)
    client.tasks.delete(TASK_ID)
    job = JobHandle(provider="runway", model="gen4.5", task_id=TASK_ID)
    poll = reelkit_runway.reelkit_poll_request(job=job, config=config(BASE))
    cancel = reelkit_runway.reelkit_cancel_request(job=job, config=config(BASE))
    _same(poll, captured[0])
    _same(cancel, captured[1])
    assert cancel.headers["accept"] == captured[1].headers["accept"] == "*/*"
