"""Fidelity: for the same intent, reelkit sends the fields the official ``openai`` SDK sends.

The SDK's requests are captured with an ``httpx.MockTransport``; nothing leaves the process.
openai >= 2.27 always sends multipart for ``videos.create`` (docs/reference/openai-videos.md §0.3), reelkit sends JSON
when there is no file: the comparison is of the *fields*, decoded from either encoding.
"""

from __future__ import annotations

import json
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import httpx
import pytest

from openai_videos_fixtures import config
from reelkit import clamp
from reelkit.models import JobHandle, Media, SourceJob, VideoRequest
from reelkit_sora import catalogue, videos

openai = pytest.importorskip("openai")
pytestmark = pytest.mark.fidelity

BASE = "https://api.openai.com/v1"
MODELS = {m.id: m for m in catalogue.MODELS}
VIDEO = {
    "id": "video_123",
    "object": "video",
    "model": "sora-2",
    "status": "queued",
    "progress": 0,
    "created_at": 1,
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _sdk() -> tuple[Any, list[httpx.Request]]:
    captured: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        captured.append(request)
        if request.url.path.endswith("/content"):
            return httpx.Response(200, content=b"mp4", headers={"content-type": "video/mp4"})
        return httpx.Response(200, json=VIDEO)

    client = openai.OpenAI(
        api_key="sk-test",
        base_url=BASE,
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    return client, captured


def _fields(request: httpx.Request) -> dict[str, Any]:
    """name -> value for JSON bodies; name -> value or (filename, content type, bytes) for multipart."""
    content_type = request.headers["content-type"]
    if content_type.startswith("application/json"):
        return {k: v for k, v in json.loads(request.content).items()}
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.content
    )
    out: dict[str, Any] = {}
    for part in message.iter_parts():
        assert isinstance(part, Message)
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        filename = part.get_filename()
        out[str(name)] = (
            (filename, part.get_content_type(), payload) if filename else payload.decode()
        )  # type: ignore[union-attr]
    return out


def _ours(request: VideoRequest, model: str = "sora-2") -> httpx.Request:
    applied, _ = clamp(request, MODELS[model])
    return videos.API.translate(MODELS[model], applied, config("sora", BASE))


@pytest.mark.parametrize(
    ("model", "seconds", "size"),
    [("sora-2", "8", "1280x720"), ("sora-2", "4", "720x1280"), ("sora-2-pro", "12", "1792x1024")],
)
def test_text_to_video_fields_match(model: str, seconds: str, size: str) -> None:
    client, captured = _sdk()
    client.videos.create(
        model=model, prompt="A calico cat playing a piano", seconds=seconds, size=size
    )
    sdk = captured[0]
    ours = _ours(
        VideoRequest(prompt="A calico cat playing a piano", duration=float(seconds), size=size),
        model,
    )
    assert (ours.method, ours.url) == (sdk.method, sdk.url)
    assert _fields(ours) == _fields(sdk)


def test_image_upload_matches_the_sdk_file_part() -> None:
    client, captured = _sdk()
    client.videos.create(
        model="sora-2",
        prompt="She turns around",
        seconds="8",
        size="1280x720",
        input_reference=("ref.png", PNG, "image/png"),
    )
    frame = Media(data=PNG, mime_type="image/png", name="ref.png", width=1280, height=720)
    ours = _ours(VideoRequest(prompt="She turns around", duration=8, first_frame=frame))
    assert ours.headers["content-type"].startswith("multipart/form-data")
    assert _fields(ours) == _fields(captured[0])


def test_remix_matches() -> None:
    client, captured = _sdk()
    client.videos.remix("video_123", prompt="Make it night")
    ours = _ours(VideoRequest(prompt="Make it night", remix_of=SourceJob(task_id="video_123")))
    sdk = captured[0]
    assert (ours.method, ours.url) == (sdk.method, sdk.url)
    assert _fields(ours) == _fields(sdk)


def test_retrieve_and_download_match() -> None:
    client, captured = _sdk()
    client.videos.retrieve("video_123")
    client.videos.download_content("video_123", variant="video")
    job = JobHandle(provider="sora", model="sora-2", task_id="video_123")
    poll = videos.API.poll_request(job, config("sora", BASE))
    assert (poll.method, poll.url) == (captured[0].method, captured[0].url)
    completed = httpx.Response(200, json={**VIDEO, "status": "completed"}, request=poll)
    asset = videos.API.parse_poll(job, completed).video  # type: ignore[union-attr]
    download = videos.API.download_request(job, asset, config("sora", BASE))
    sdk = captured[1]
    assert (download.method, download.url) == (sdk.method, sdk.url)
    assert download.headers["accept"] == sdk.headers["accept"] == "application/binary"
