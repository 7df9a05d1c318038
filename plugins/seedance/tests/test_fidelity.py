"""For the same intent, reelkit's create body equals what the official Ark SDK sends, less its nulls.

The SDK (``volcengine-python-sdk[ark]``, a test dependency only) sends every optional field as
explicit ``null`` (reference §3.3); reelkit omits them. Everything else must match byte for byte
once parsed: field names, nesting, roles, types.

``reference §n`` cites ``docs/reference/volcengine-kling.md`` section n.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import reelkit_seedance
from reelkit.capabilities import Mode
from reelkit.models import Media, VideoRequest
from reelkit_seedance.capabilities import LITE_I2V, PRO, PRO_15, V2

from .conftest import provider_config

pytestmark = pytest.mark.fidelity


def _sdk_body(call: Callable[[Any], Any]) -> dict[str, Any]:
    ark = pytest.importorskip("volcenginesdkarkruntime")
    captured: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        captured.append(request)
        return httpx.Response(200, json={"id": "cgt-20250331175019-68d9t"})

    client = ark.Ark(
        api_key="test-key",
        base_url="https://ark.cn-beijing.volces.com/api/v3",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        max_retries=0,
    )
    call(client)
    (request,) = captured
    assert request.url.path == "/api/v3/contents/generations/tasks"
    assert request.headers["authorization"] == "Bearer test-key"
    body: dict[str, Any] = json.loads(request.content)
    assert None in body.values()  # the SDK's explicit nulls, which reelkit leaves out
    return {k: v for k, v in body.items() if v is not None}


def _ours(model: Any, request: VideoRequest) -> dict[str, Any]:
    sent = reelkit_seedance.reelkit_translate(
        provider="seedance", model=model, request=request, config=provider_config()
    )
    assert str(sent.url) == "https://ark.cn-beijing.volces.com/api/v3/contents/generations/tasks"
    return dict(json.loads(sent.content))


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def image(url: str, role: str) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url}, "role": role}


def test_text_to_video_matches_the_sdk() -> None:
    ours = _ours(
        PRO,
        VideoRequest(
            prompt="a cat",
            mode=Mode.T2V,
            resolution="1080p",
            aspect_ratio="16:9",
            duration=5.0,
            params={"watermark": False},
        ),
    )
    sdk = _sdk_body(
        lambda c: c.content_generation.tasks.create(
            model="doubao-seedance-1-0-pro-250528",
            content=[text("a cat")],
            resolution="1080p",
            ratio="16:9",
            duration=5,
            watermark=False,
        )
    )
    assert ours == sdk


def test_first_and_last_frame_with_options_matches_the_sdk() -> None:
    ours = _ours(
        PRO_15,
        VideoRequest(
            prompt="day to night",
            mode=Mode.FIRST_LAST,
            resolution="720p",
            aspect_ratio="adaptive",
            duration=8.0,
            seed=11,
            audio=False,
            first_frame=Media(url="https://example.com/first.png"),
            last_frame=Media(url="https://example.com/last.png"),
            params={
                "callback_url": "https://hooks.example.com/ark",
                "return_last_frame": "true",
                "camera_fixed": "false",
                "service_tier": "default",
                "execution_expires_after": 7200,
            },
        ),
    )
    sdk = _sdk_body(
        lambda c: c.content_generation.tasks.create(
            model="doubao-seedance-1-5-pro-251215",
            content=[
                text("day to night"),
                image("https://example.com/first.png", "first_frame"),
                image("https://example.com/last.png", "last_frame"),
            ],
            callback_url="https://hooks.example.com/ark",
            return_last_frame=True,
            service_tier="default",
            execution_expires_after=7200,
            generate_audio=False,
            camera_fixed=False,
            seed=11,
            resolution="720p",
            ratio="adaptive",
            duration=8,
        )
    )
    assert ours == sdk


def test_reference_images_match_the_sdk() -> None:
    refs = [f"https://example.com/ref-{i}.png" for i in (1, 2)]
    ours = _ours(
        LITE_I2V,
        VideoRequest(
            prompt="two friends dance",
            mode=Mode.REFERENCE,
            resolution="480p",
            aspect_ratio="1:1",
            duration=3.0,
            reference_images=tuple(Media(url=u) for u in refs),
        ),
    )
    sdk = _sdk_body(
        lambda c: c.content_generation.tasks.create(
            model="doubao-seedance-1-0-lite-i2v-250428",
            content=[text("two friends dance"), *(image(u, "reference_image") for u in refs)],
            resolution="480p",
            ratio="1:1",
            duration=3,
        )
    )
    assert ours == sdk


def test_seedance_2_with_audio_matches_the_sdk() -> None:
    ours = _ours(
        V2,
        VideoRequest(
            prompt="a drummer",
            mode=Mode.I2V,
            resolution="720p",
            aspect_ratio="adaptive",
            duration=10.0,
            audio=True,
            first_frame=Media(url="https://example.com/first.png"),
        ),
    )
    sdk = _sdk_body(
        lambda c: c.content_generation.tasks.create(
            model="doubao-seedance-2-0-260128",
            content=[text("a drummer"), image("https://example.com/first.png", "first_frame")],
            generate_audio=True,
            resolution="720p",
            ratio="adaptive",
            duration=10,
        )
    )
    assert ours == sdk
