"""End to end through ``reelkit.Client`` against the emulator's Sora fake, for every mode.

The ``reelkit_emulator`` fixture serves the fakes on a loopback port, sets
``REELKIT_SORA_BASE_URL`` (without ``/v1``: the plugin adds it) and a dummy ``OPENAI_API_KEY``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("reelkit.client", reason="the core client is not there yet")
pytest.importorskip("reelkit_emulator.providers.sora", reason="the emulator has no Sora fake yet")

from openai_videos_fixtures import (
    assert_downloaded,
    check_429_poll_is_retried,
    create_directly,
    lose_a_submit,
)
from reelkit import Client
from reelkit.errors import ContentFiltered, InvalidRequest
from reelkit.testing import png_bytes


@pytest.fixture
def client(reelkit_emulator: Any) -> Any:
    with Client() as c:
        yield c


def newest(emulator: Any) -> Any:
    return emulator.tasks("sora")[0]


def test_text_to_video_snaps_the_duration(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    result = client.generate(
        "A drone flying over mountains", provider="openai", duration=7, output=tmp_path
    )
    assert_downloaded(result)
    assert (result.provider, result.model, result.mode) == ("sora", "sora-2", "t2v")
    assert (result.duration, result.size) == (8.0, "1280x720")
    assert [a.field for a in result.adjustments] == ["duration"]
    assert result.expires_at is not None
    assert reelkit_emulator.stats()["sora"]["submits"] == 1
    assert reelkit_emulator.stats()["sora"]["downloads"] >= 1


def test_pro_sizes(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    result = client.generate(
        "Waves", provider="sora", model="sora-2-pro", size="1792x1024", duration=12, output=tmp_path
    )
    assert_downloaded(result)
    assert (result.size, result.duration) == ("1792x1024", 12.0)


def test_image_to_video_uploads_local_bytes(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    frame = tmp_path / "frame.png"
    frame.write_bytes(png_bytes(1280, 720))
    result = client.generate(
        "She turns around", provider="sora", first_frame=str(frame), output=tmp_path
    )
    assert_downloaded(result)
    assert (result.mode, result.size) == ("i2v", "1280x720")


def test_image_of_the_wrong_size_fails_before_sending(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    frame = tmp_path / "square.png"
    frame.write_bytes(png_bytes(512, 512))
    with pytest.raises(InvalidRequest) as info:
        client.generate(
            "x", provider="sora", first_frame=str(frame), size="1280x720", output=tmp_path
        )
    assert info.value.field == "first_frame"
    assert reelkit_emulator.stats()["sora"]["submits"] == 0


def test_remix_of_an_earlier_job(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    first = client.generate("A city by day", provider="sora", output=tmp_path)
    remixed = client.generate(
        "Make it night", provider="sora", remix_of=first.job_id, output=tmp_path
    )
    assert_downloaded(remixed)
    assert remixed.mode == "remix"
    assert remixed.task_id != first.task_id
    assert reelkit_emulator.stats()["sora"]["submits"] == 2


def test_extension_of_an_earlier_job(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    first = client.generate("A road trip", provider="sora", output=tmp_path)
    extended = client.generate(
        "The car keeps going",
        provider="sora",
        continue_from=first.job_id,
        duration=4,
        output=tmp_path,
    )
    assert_downloaded(extended)
    assert extended.mode == "extend"


def test_moderation_is_content_filtered(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    with pytest.raises(ContentFiltered) as info:
        client.generate("[emulator:moderation] a cat", provider="sora", output=tmp_path)
    assert info.value.code == "moderation_blocked"


def test_a_rate_limited_poll_is_retried_without_a_second_submit(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    check_429_poll_is_retried(client, reelkit_emulator, "sora", tmp_path)


def test_an_undeclared_param_never_reaches_the_network(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    with pytest.raises(InvalidRequest) as info:
        client.generate("A cat", provider="sora", params={"quality": "high"}, output=tmp_path)
    assert "characters" in str(info.value)
    assert reelkit_emulator.stats()["sora"]["submits"] == 0


def test_reconcile_finds_the_task_of_a_lost_submit(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    job_id = lose_a_submit(client, reelkit_emulator, "sora", "A lost cat", tmp_path)
    create_directly(reelkit_emulator, "sora", {"prompt": "Another cat", "model": "sora-2"})
    task_id = create_directly(reelkit_emulator, "sora", {"prompt": "A lost cat", "model": "sora-2"})
    found = client.reconcile(job_id)  # GET /v1/videos?limit=100&order=desc, matched by prompt
    assert (found.outcome, found.task_id) == ("adopted", task_id)
    result = client.resume(job_id).wait()
    assert_downloaded(result)
    assert result.task_id == task_id


def test_reconcile_without_a_task_finds_none(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    job_id = lose_a_submit(client, reelkit_emulator, "sora", "A cat nobody made", tmp_path)
    assert client.reconcile(job_id).outcome == "no_match"
