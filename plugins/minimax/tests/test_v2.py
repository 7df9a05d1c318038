"""The v2 API for MiniMax-H3: the role-tagged ``content`` body and the ``task`` answers."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from minimax_helpers import CONFIG, answer, clamped, model

from reelkit.errors import InvalidRequest, RateLimited, ResponseFormatError
from reelkit.models import Failed, JobHandle, Media, Queued, Running, Succeeded
from reelkit_minimax import reelkit_parse_poll, reelkit_poll_request
from reelkit_minimax.translate import build_request

H3 = "MiniMax-H3"
URL = "https://example.com/cat.png"
QUERY = httpx.Request("GET", "https://api.minimax.io/v2/query/video_generation/386411627483590")
JOB = JobHandle(provider="minimax", model=H3, task_id="386411627483590")


def body(**fields: Any) -> dict[str, Any]:
    request = build_request(model(H3), clamped(H3, **fields), CONFIG)
    assert str(request.url) == "https://api.minimax.io/v2/video_generation"
    return json.loads(request.content)  # type: ignore[no-any-return]


def test_text_to_video_has_one_text_item_and_a_concrete_ratio() -> None:
    assert body(prompt="a cat", duration=20, aspect_ratio="9:16") == {
        "model": H3,
        "content": [{"type": "text", "text": "a cat"}],
        "resolution": "2K",
        "duration": 15,  # 4–15 s: clamped
        "ratio": "9:16",
    }
    assert body(prompt="a cat")["ratio"] == "16:9"  # the default, never "adaptive"


def test_frames_are_tagged_and_the_ratio_follows_them() -> None:
    sent = body(
        prompt="day to night",
        first_frame=Media(url=URL),
        last_frame=Media(url="https://example.com/night.png"),
        resolution="768p",
    )
    assert sent["content"][1:] == [
        {"type": "image_url", "image_url": {"url": URL}, "role": "first_frame"},
        {
            "type": "image_url",
            "image_url": {"url": "https://example.com/night.png"},
            "role": "last_frame",
        },
    ]
    assert (sent["ratio"], sent["resolution"]) == ("adaptive", "768P")


def test_references_carry_images_videos_and_audios() -> None:
    sent = body(
        prompt="<image 1> sings",
        reference_images=(Media(url=URL),),
        params={
            "reference_videos": ["https://e.com/v.mp4"],
            "reference_audios": "https://e.com/a.mp3",
        },
    )
    assert [item.get("role") for item in sent["content"]] == [
        None,
        "reference_image",
        "reference_video",
        "reference_audio",
    ]


def test_what_h3_refuses_is_refused_before_sending() -> None:
    with pytest.raises(InvalidRequest) as err:
        body(prompt="", first_frame=Media(url=URL))
    assert err.value.field == "prompt"  # a text item is always required
    with pytest.raises(InvalidRequest) as err:
        body(prompt="x", first_frame=Media(url=URL), params={"reference_videos": ["https://e/v"]})
    assert err.value.field == "params"
    with pytest.raises(InvalidRequest) as err:
        body(prompt="x", params={"reference_audios": ["https://e/a.mp3"]})
    assert err.value.field == "params.reference_audios"
    with pytest.raises(InvalidRequest) as err:
        body(prompt="x", reference_images=(Media(url=URL),), params={"reference_videos": ["v.mp4"]})
    assert err.value.field == "params.reference_videos[0]"


def test_polls_go_to_v2_by_model() -> None:
    request = reelkit_poll_request(job=JOB, config=CONFIG)
    assert str(request.url) == str(QUERY.url)


@pytest.mark.parametrize(
    ("name", "kind"),
    [("v2_poll_queued", Queued), ("v2_poll_running", Running), ("v2_poll_succeeded", Succeeded)],
)
def test_the_walk(name: str, kind: type) -> None:
    assert isinstance(reelkit_parse_poll(job=JOB, response=answer(name, request=QUERY)), kind)


def test_success_is_the_cdn_url() -> None:
    status = reelkit_parse_poll(job=JOB, response=answer("v2_poll_succeeded", request=QUERY))
    assert isinstance(status, Succeeded) and status.video is not None
    assert status.video.url == "https://cdn.hailuoai.com/prod/output_aigc.mp4?sign=abc"
    assert status.metadata == {"resolution": "2K", "duration": 5, "ratio": "16:9"}


def test_failures_and_errors() -> None:
    def parse(name: str) -> Any:
        return reelkit_parse_poll(job=JOB, response=answer(name, request=QUERY))

    moderated, failed, cancelled = (
        parse("v2_poll_failed_sensitive"),
        parse("v2_poll_failed"),
        parse("v2_poll_cancelled"),
    )
    assert isinstance(moderated, Failed) and moderated.filtered and moderated.reasons
    assert isinstance(failed, Failed) and not failed.filtered and failed.code == "internal_error"
    assert isinstance(cancelled, Failed) and cancelled.code == "cancelled"
    with pytest.raises(RateLimited):
        parse("v2_poll_rate_limited")
    with pytest.raises(ResponseFormatError) as err:
        parse("v2_poll_no_task")
    assert err.value.missing == "task"
    with pytest.raises(ResponseFormatError) as err:
        parse("v2_poll_succeeded_no_url")
    assert err.value.missing == "content.url"


def test_the_v2_submit_answer_gives_the_task_id() -> None:
    from reelkit_minimax import reelkit_parse_submit

    submit = httpx.Request("POST", "https://api.minimax.io/v2/video_generation")
    handle = reelkit_parse_submit(model=model(H3), response=answer("v2_submit", request=submit))
    assert (handle.model, handle.task_id) == (H3, "386411627483590")
