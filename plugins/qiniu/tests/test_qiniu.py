"""Qiniu's pure hooks against JSON fixtures built from seed 002's documented examples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from openai_videos_fixtures import FixtureSuite, config
from reelkit import clamp
from reelkit.capabilities import Mode
from reelkit.errors import InvalidRequest, UnsupportedMode
from reelkit.models import JobHandle, Media, SourceJob, VideoRequest
from reelkit.testing import ProviderContract
from reelkit_qiniu import catalogue, videos

FIXTURES = Path(__file__).parent / "fixtures"
MODELS = {m.id: m for m in catalogue.MODELS}
BASE = "https://api.qnaigc.com/v1"
JOB = JobHandle(provider="qiniu", model="sora-2", task_id="qvideo-user123-1234567890123456789")
SUITE = FixtureSuite(
    videos.API,
    MODELS,
    base_url=BASE,
    job=JOB,
    poll_url=f"{BASE}/videos/{JOB.task_id}",
    submit_url=f"{BASE}/videos",
    submit_model="sora-2",
)


class TestQiniuContract(ProviderContract):
    plugin = "reelkit_qiniu"


def _translate(model_id: str, request: VideoRequest) -> httpx.Request:
    applied, _ = clamp(request, MODELS[model_id])
    return videos.API.translate(MODELS[model_id], applied, config("qiniu", BASE))


def test_contract_values() -> None:
    p = catalogue.PROVIDER
    assert (p.name, p.aliases, p.credential_env) == ("qiniu", (), (("QINIU_API_KEY",),))
    assert p.base_url_envs == ("REELKIT_QINIU_BASE_URL",)
    assert p.base_url == BASE
    assert {"sora-2", "kling-video-o1", "kling-v2-1", "kling-v2-5-turbo"} <= set(MODELS)


@pytest.mark.parametrize(("kind", "case"), SUITE.params(FIXTURES))
def test_fixture_case(kind: str, case: dict[str, Any]) -> None:
    SUITE.check(kind, case)


def test_every_status_of_the_seed_is_normalised() -> None:
    # seed 002 任务状态说明: initializing, queued, in_progress, downloading, uploading, completed, failed, cancelled
    seed = [
        "initializing",
        "queued",
        "in_progress",
        "downloading",
        "uploading",
        "completed",
        "failed",
        "cancelled",
    ]
    assert set(seed) <= set(videos.QINIU_STATUSES)


def test_sora_image_must_be_a_url() -> None:
    frame = Media(data=b"\x89PNG", mime_type="image/png", width=1280, height=720)
    with pytest.raises(InvalidRequest) as err:
        _translate("sora-2", VideoRequest(prompt="p", first_frame=frame))
    assert err.value.field == "first_frame"


def test_sora_image_must_match_the_size() -> None:
    frame = Media(url="https://example.com/a.jpg", width=1024, height=1024)
    request = VideoRequest(
        prompt="p", duration=4, size="1280x720", first_frame=frame, mode=Mode.I2V
    )
    with pytest.raises(InvalidRequest, match="1280x720"):
        videos.API.translate(MODELS["sora-2"], request, config("qiniu", BASE))


def test_kling_v2_1_has_no_text_to_video() -> None:
    with pytest.raises(UnsupportedMode):
        _translate("kling-v2-1", VideoRequest(prompt="人在奔跑"))


def test_remix_is_sora_only() -> None:
    with pytest.raises(UnsupportedMode):
        _translate(
            "kling-video-o1", VideoRequest(prompt="p", remix_of=SourceJob(task_id="qvideo-u-1"))
        )


def test_reference_video_limits() -> None:
    video = Media(data=b"mp4", mime_type="video/mp4")
    with pytest.raises(InvalidRequest, match="URL"):
        _translate("kling-video-o1", VideoRequest(prompt="p", video=video))
    small = Media(url="https://example.com/v.mp4", mime_type="video/mp4", width=640, height=360)
    with pytest.raises(InvalidRequest, match="720"):
        _translate("kling-video-o1", VideoRequest(prompt="p", video=small))
    gif = Media(url="https://example.com/v.gif", mime_type="image/gif")
    with pytest.raises(InvalidRequest, match="mp4"):
        _translate("kling-video-o1", VideoRequest(prompt="p", video=gif))
    with pytest.raises(InvalidRequest) as err:
        _translate(
            "kling-video-o1",
            VideoRequest(
                prompt="p",
                video=Media(url="https://example.com/v.mp4"),
                params={"refer_type": "style"},
            ),
        )
    assert "base" in str(err.value)


def test_image_list_holds_at_most_four_images_frames_included() -> None:
    refs = [Media(url=f"https://example.com/{i}.jpg") for i in range(4)]
    first = Media(url="https://example.com/first.jpg")
    request = VideoRequest(
        prompt="p",
        duration=5,
        resolution="1080p",
        aspect_ratio="16:9",
        size="1920x1080",
        first_frame=first,
        reference_images=refs,
        mode=Mode.REFERENCE,
    )
    with pytest.raises(InvalidRequest, match="at most 4"):
        videos.API.translate(MODELS["kling-video-o1"], request, config("qiniu", BASE))


def test_o1_has_sound_only_from_a_reference_video() -> None:
    with pytest.raises(InvalidRequest) as err:
        _translate("kling-video-o1", VideoRequest(prompt="p", audio=True))
    assert err.value.field == "audio"


def test_kling_v2_6_sound_needs_pro() -> None:
    with pytest.raises(InvalidRequest) as err:
        _translate("kling-v2-6", VideoRequest(prompt="p", audio=True, resolution="720p"))
    assert err.value.field == "audio"
