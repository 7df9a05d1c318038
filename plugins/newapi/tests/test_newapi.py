"""new-api's pure hooks against JSON fixtures built from seeds 003/004 and the reference notes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from openai_videos_fixtures import FixtureSuite, build_response, config
from reelkit import clamp
from reelkit.capabilities import Mode
from reelkit.errors import InvalidRequest
from reelkit.models import JobHandle, Media, SourceJob, VideoRequest
from reelkit.testing import ProviderContract
from reelkit_newapi import catalogue, videos

FIXTURES = Path(__file__).parent / "fixtures"
MODELS = {m.id: m for m in catalogue.MODELS}
BASE = "https://gw.example.com"
JOB = JobHandle(provider="newapi", model="veo3.1-video-1080p", task_id="task_xxx")
SUITE = FixtureSuite(
    videos.API,
    MODELS,
    base_url=BASE,
    job=JOB,
    poll_url=f"{BASE}/v1/videos/task_xxx",
    submit_url=f"{BASE}/v1/videos",
    submit_model="sora-2",
)


_TWO_IMAGES = (Media(url="https://example.com/a.png"), Media(url="https://example.com/b.png"))


class TestNewapiContract(ProviderContract):
    plugin = "reelkit_newapi"
    # Every declared mode, remix included, as on a deployment that offers it (stock new-api).
    options: ClassVar[dict[str, Any]] = {"remix": True}
    # seed 004: multi-image reference takes 2–3 images.
    mode_values: ClassVar[dict[tuple[str, str], dict[str, Any]]] = {
        (m, "reference"): {"reference_images": _TWO_IMAGES} for m in videos.MIN_REFERENCES
    }


def _translate(model_id: str, request: VideoRequest, **options: Any) -> httpx.Request:
    applied, _ = clamp(request, MODELS[model_id])
    return videos.API.translate(MODELS[model_id], applied, config("newapi", BASE, options))


def test_contract_values() -> None:
    p = catalogue.PROVIDER
    assert (p.name, p.aliases, p.credential_env, p.base_url) == (
        "newapi",
        ("gateway",),
        (("NEWAPI_API_KEY",),),
        "",
    )
    assert p.base_url_envs == ("REELKIT_NEWAPI_BASE_URL",)


def test_the_seed_catalogues_are_registered() -> None:
    seed_003 = [
        "sora-2",
        "sora-2-pro",
        "gemini-omni",
        "happyhorse-1.0",
        "happyhorse-1.0-i2v",
        "happyhorse-1.0-t2v",
        "happyhorse-1.0-r2v",
        "happyhorse-1.0-video-edit",
        "doubao-seedance-1-0-lite-i2v-250428",
        "doubao-seedance-1-0-lite-t2v-250428",
        "doubao-seedance-1-0-pro-250528",
        "doubao-seedance-1-0-pro-fast-251015",
        "doubao-seedance-1-5-pro-251215",
        "doubao-seedance-2-0-260128",
        "doubao-seedance-2-0-fast-260128",
        "veo3",
        "veo3-fast",
        "veo3-fast-frames",
        "veo3-frames",
        "veo3-pro",
        "veo3-pro-frames",
        "veo3.1",
        "veo3.1-4k",
        "veo3.1-components",
        "veo3.1-fast",
        "veo3.1-pro",
        "veo3.1-pro-4k",
        "kling-video",
        "grok-imagine-1.0-video",
        "grok-imagine-video-1.5-preview",
        "grok-video-3",
        "viduq3-turbo",
        "hailuo-video",
    ]
    kling_names = [
        "kling-v1",
        "kling-v1-5",
        "kling-v1-6",
        "kling-v2-master",
        "kling-v2-1",
        "kling-v2-1-master",
        "kling-v2-5-turbo",
        "kling-v2-6",
        "kling-v3",
    ]
    seed_004 = [
        f"veo3.1{tier}-video-{r}" for tier in ("", "-fast") for r in ("720p", "1080p", "4k")
    ]
    names = {n for m in catalogue.MODELS for n in m.names()}
    assert set(seed_003 + kling_names + seed_004) <= names


def test_seed_004_capabilities() -> None:
    for model_id in ("veo3.1-video-720p", "veo3.1-fast-video-4k"):
        model = MODELS[model_id]
        t2v = model.mode(Mode.T2V)
        assert t2v is not None
        assert t2v.variants[0].durations.describe() == "4, 6, 8 s"
        assert t2v.variants[0].aspect_ratios == ("16:9", "9:16")
        assert t2v.variants[0].resolutions == (model_id.rsplit("-", 1)[1],)
    assert MODELS["veo3.1-video-1080p"].mode(Mode.REFERENCE) is not None
    assert (
        MODELS["veo3.1-fast-video-1080p"].mode(Mode.REFERENCE) is None
    )  # no multi-image reference


@pytest.mark.parametrize(("kind", "case"), SUITE.params(FIXTURES))
def test_fixture_case(kind: str, case: dict[str, Any]) -> None:
    SUITE.check(kind, case)


def test_a_missing_base_url_names_the_variable() -> None:
    applied, _ = clamp(VideoRequest(prompt="p"), MODELS["sora-2"])
    for call in (
        lambda: videos.API.translate(MODELS["sora-2"], applied, config("newapi", "")),
        lambda: videos.API.poll_request(JOB, config("newapi", "")),
    ):
        with pytest.raises(InvalidRequest) as err:
            call()
        assert err.value.field == "base_url" and "REELKIT_NEWAPI_BASE_URL" in str(err.value)


def test_an_unknown_dialect_is_refused() -> None:
    with pytest.raises(InvalidRequest) as err:
        _translate("sora-2", VideoRequest(prompt="p"), dialect="kling")
    assert err.value.field == "dialect" and "generations" in str(err.value)


def test_sora_bytes_go_as_a_multipart_file() -> None:
    frame = Media(data=b"\x89PNG\r\n\x1a\nxx", mime_type="image/png", width=1280, height=720)
    request = _translate("sora-2", VideoRequest(prompt="p", first_frame=frame))
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert b'name="seconds"\r\n\r\n4' in request.content
    assert b'name="input_reference"; filename="input_reference.png"' in request.content


def test_seed_004_reference_needs_two_images() -> None:
    with pytest.raises(InvalidRequest) as err:
        _translate(
            "veo3.1-video-720p",
            VideoRequest(prompt="p", reference_images=[Media(url="https://e.com/a.png")]),
        )
    assert err.value.field == "reference_images" and "2" in str(err.value)


def test_seed_004_extension_needs_the_video_url() -> None:
    with pytest.raises(InvalidRequest) as err:
        _translate(
            "veo3.1-video-720p",
            VideoRequest(prompt="p", continue_from=SourceJob(task_id="task_prev")),
        )
    assert err.value.field == "continue_from"


def test_source_videos_are_urls_only() -> None:
    with pytest.raises(InvalidRequest) as err:
        _translate(
            "gemini-omni", VideoRequest(prompt="p", video=Media(data=b"mp4", mime_type="video/mp4"))
        )
    assert err.value.field == "video"


def test_completed_proxy_asset_is_marked() -> None:
    poll = videos.API.poll_request(JOB, config("newapi", BASE))
    result = videos.API.parse_poll(
        JOB, build_response({"body": {"id": "task_xxx", "status": "completed"}}, poll)
    )
    video = result.video  # type: ignore[union-attr]
    assert video is not None and video.data == {"proxy": True}
