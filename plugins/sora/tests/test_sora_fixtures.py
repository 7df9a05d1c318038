"""Sora's pure hooks against JSON fixtures built from the documented examples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from openai_videos_fixtures import FixtureSuite, build_response, config
from reelkit import clamp
from reelkit.capabilities import Mode
from reelkit.errors import InvalidRequest
from reelkit.models import JobHandle, Media, VideoRequest
from reelkit_sora import catalogue, videos

FIXTURES = Path(__file__).parent / "fixtures"
MODELS = {m.id: m for m in catalogue.MODELS}
BASE = "https://api.openai.com/v1"
JOB = JobHandle(provider="sora", model="sora-2", task_id="video_123")


SUITE = FixtureSuite(
    videos.API,
    MODELS,
    base_url=BASE,
    job=JOB,
    poll_url=f"{BASE}/videos/video_123",
    submit_url=f"{BASE}/videos",
    submit_model="sora-2",
)


@pytest.mark.parametrize(("kind", "case"), SUITE.params(FIXTURES))
def test_fixture_case(kind: str, case: dict[str, Any]) -> None:
    SUITE.check(kind, case)


def test_completed_video_also_offers_the_thumbnail() -> None:
    poll = videos.API.poll_request(JOB, config("sora", BASE))
    body = {"id": "video_123", "status": "completed", "expires_at": 1764908643}
    result = videos.API.parse_poll(JOB, build_response({"body": body}, poll))
    assert [(a.kind, a.url.rsplit("?", 1)[1]) for a in result.assets] == [  # type: ignore[union-attr]
        ("video", "variant=video"),
        ("thumbnail", "variant=thumbnail"),
    ]


def test_local_bytes_go_as_a_multipart_upload() -> None:
    png = b"\x89PNG\r\n\x1a\nfake"
    frame = Media(data=png, mime_type="image/png", name="ref.png", width=1280, height=720)
    applied, _ = clamp(
        VideoRequest(prompt="A cat", duration=8, first_frame=frame), MODELS["sora-2"]
    )
    request = videos.API.translate(MODELS["sora-2"], applied, config("sora", BASE))
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=reelkit-")
    body = request.content
    for part in (
        b'name="model"\r\n\r\nsora-2',
        b'name="seconds"\r\n\r\n8',
        b'name="size"\r\n\r\n1280x720',
    ):
        assert part in body
    assert (
        b'name="input_reference"; filename="ref.png"\r\nContent-Type: image/png\r\n\r\n' + png
        in body
    )
    # Same inputs, same bytes: plans and journal fingerprints are reproducible.
    again = videos.API.translate(MODELS["sora-2"], applied, config("sora", BASE))
    assert (
        again.content == body and again.headers["content-type"] == request.headers["content-type"]
    )


def test_first_frame_of_the_wrong_size_is_refused_before_sending() -> None:
    frame = Media(url="https://example.com/a.png", width=1024, height=1024)
    # Built directly (as if clamping had let it through): translate checks again.
    request = VideoRequest(
        prompt="p", duration=4, size="1280x720", first_frame=frame, mode=Mode.I2V
    )
    with pytest.raises(InvalidRequest) as err:
        videos.API.translate(MODELS["sora-2"], request, config("sora", BASE))
    assert err.value.field == "first_frame"
    assert "1280x720" in str(err.value)


def test_an_oversized_inline_data_url_is_refused() -> None:
    frame = Media(data=b"x" * 16_000_000, mime_type="image/png", width=1280, height=720)
    request = VideoRequest(
        prompt="p", duration=4, size="1280x720", first_frame=frame, mode=Mode.I2V
    )
    with pytest.raises(InvalidRequest, match="data URL"):
        videos.API.translate(
            MODELS["sora-2"], request, config("sora", BASE, {"upload": "data_url"})
        )


def test_download_is_the_authenticated_content_endpoint() -> None:
    poll = videos.API.poll_request(JOB, config("sora", BASE))
    result = videos.API.parse_poll(
        JOB, build_response({"body": {"id": "video_123", "status": "completed"}}, poll)
    )
    asset = result.video  # type: ignore[union-attr]
    request = videos.API.download_request(JOB, asset, config("sora", BASE))
    assert (request.method, str(request.url)) == (
        "GET",
        f"{BASE}/videos/video_123/content?variant=video",
    )
    assert request.headers["accept"] == "application/binary"


def test_remix_without_a_source_id_names_the_field() -> None:
    request = VideoRequest(prompt="p", duration=4, size="1280x720", mode=Mode.REMIX)
    with pytest.raises(InvalidRequest) as err:
        videos.API.translate(MODELS["sora-2"], request, config("sora", BASE))
    assert err.value.field == "remix_of"
