"""End to end through ``reelkit.Client`` against the emulator's Qiniu fake, for every mode.

The ``reelkit_emulator`` fixture sets ``REELKIT_QINIU_BASE_URL`` and a dummy ``QINIU_API_KEY``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("reelkit.client", reason="the core client is not there yet")
pytest.importorskip("reelkit_emulator.providers.qiniu", reason="the emulator has no Qiniu fake yet")

from openai_videos_fixtures import (
    assert_downloaded,
    check_429_poll_is_retried,
    create_directly,
    lose_a_submit,
)
from reelkit import Client
from reelkit.errors import ContentFiltered
from reelkit.testing import png_bytes

IMAGE = "https://example.com/frame-1280x720.jpg"
VIDEO = "https://example.com/source.mp4"


@pytest.fixture
def client(reelkit_emulator: Any) -> Any:
    with Client() as c:
        yield c


# The fake rejects every field a model does not take (seed 002 table), so a finished job also
# proves the body carried only what that model reads.
CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("sora-2", "t2v", {"duration": 8}),
    ("sora-2", "i2v", {"first_frame": IMAGE, "size": "1280x720"}),
    ("kling-v2-5-turbo", "t2v", {"aspect_ratio": "9:16"}),
    ("kling-v2-1", "i2v", {"first_frame": IMAGE}),
    (
        "kling-v2-5-turbo",
        "first_last",
        {"first_frame": IMAGE, "last_frame": IMAGE, "resolution": "1080p"},
    ),
    ("kling-video-o1", "t2v", {}),
    ("kling-video-o1", "i2v", {"first_frame": "PNG"}),
    ("kling-video-o1", "first_last", {"first_frame": IMAGE, "last_frame": IMAGE}),
    ("kling-video-o1", "reference", {"reference_images": [IMAGE, IMAGE]}),
    ("kling-video-o1", "edit", {"video": VIDEO, "audio": True}),
    ("kling-v2-6", "t2v", {"audio": True, "resolution": "1080p"}),
    ("kling-v3", "t2v", {"duration": 12}),
]


@pytest.mark.parametrize(
    ("model", "mode", "inputs"), CASES, ids=[f"{m}-{mode}" for m, mode, _ in CASES]
)
def test_every_mode(
    model: str,
    mode: str,
    inputs: dict[str, Any],
    client: Any,
    reelkit_emulator: Any,
    tmp_path: Path,
) -> None:
    if inputs.get("first_frame") == "PNG":
        path = tmp_path / "first.png"
        path.write_bytes(png_bytes(640, 360))
        inputs = {**inputs, "first_frame": str(path)}
    result = client.generate("画面动起来", provider="qiniu", model=model, output=tmp_path, **inputs)
    assert_downloaded(result)
    assert (result.provider, result.model, result.mode) == ("qiniu", model, mode)
    assert reelkit_emulator.stats()["qiniu"]["submits"] == 1


def test_remix(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    first = client.generate("白天的城市", provider="qiniu", model="sora-2", output=tmp_path)
    remixed = client.generate(
        "改成夜晚,霓虹灯", provider="qiniu", remix_of=first.job_id, model="sora-2", output=tmp_path
    )
    assert_downloaded(remixed)
    assert remixed.mode == "remix" and remixed.task_id.startswith("qvideo-")
    assert reelkit_emulator.stats()["qiniu"]["submits"] == 2


def test_moderation_is_content_filtered(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    with pytest.raises(ContentFiltered) as info:
        client.generate(
            "[emulator:moderation] 一只猫", provider="qiniu", model="sora-2", output=tmp_path
        )
    assert info.value.code == "moderation_blocked"


def test_a_rate_limited_poll_is_retried_without_a_second_submit(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    check_429_poll_is_retried(client, reelkit_emulator, "qiniu", tmp_path)


def test_a_lost_submit_is_adopted_by_task_id_no_list_to_reconcile(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    job_id = lose_a_submit(client, reelkit_emulator, "qiniu", "一只走失的猫", tmp_path)
    found = client.reconcile(job_id)  # the API documents no task list
    assert found.outcome == "unsupported" and "jobs adopt" in found.message
    task_id = create_directly(
        reelkit_emulator,
        "qiniu",
        {"prompt": "一只走失的猫", "model": "kling-v2-5-turbo", "seconds": "5", "size": "1280x720"},
    )
    client.adopt(job_id, task_id)  # the core's default handle: JobHandle('qiniu', model, task_id)
    result = client.resume(job_id).wait()
    assert_downloaded(result)
    assert (result.task_id, result.model) == (task_id, "kling-v2-5-turbo")


@pytest.mark.parametrize(
    ("model", "params"),
    [
        ("kling-v2-1", {"mode": "std", "first_frame": IMAGE}),  # std: the default 720p
        (
            "kling-v2-6",
            {
                "image_url": IMAGE,
                "video_url": VIDEO,
                "character_orientation": "video",
                "keep_original_sound": "yes",
            },
        ),
        (
            "kling-v3-omni",
            {
                "multi_shot": True,
                "shot_type": "customize",
                "multi_prompt": [{"index": 1, "prompt": "城市", "duration": "5"}],
            },
        ),
    ],
)
def test_declared_params_are_fields_the_fake_accepts(
    client: Any, reelkit_emulator: Any, tmp_path: Path, model: str, params: dict[str, Any]
) -> None:
    values = dict(params)
    inputs = {"first_frame": values.pop("first_frame")} if "first_frame" in values else {}
    result = client.generate(
        "城市夜景", provider="qiniu", model=model, params=values, output=tmp_path, **inputs
    )
    assert_downloaded(result)
