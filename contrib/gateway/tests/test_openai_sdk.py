"""The official ``openai`` SDK, unchanged, against ``reelkit serve`` in front of several providers."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openai
import pytest

from reelkit import probe
from reelkit_emulator.server import RunningServer

pytestmark = pytest.mark.slow

#: One endpoint, four providers: the model names the provider.
MODELS = {
    "sora": ("sora/sora-2", {}),
    "veo": ("veo/veo-3.1-fast-generate-preview", {"size": "1280x720", "seconds": "4"}),
    "seedance": ("seedance/doubao-seedance-1-0-pro-fast-251015", {"seconds": "5"}),
    "local": ("local/local-title-card", {"seconds": "4"}),
}


def sdk(gateway: Any, key: str) -> openai.OpenAI:
    return openai.OpenAI(api_key=key, base_url=gateway.base_url, max_retries=0)


def png(width: int, height: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_create_and_poll_then_download_for_every_provider(
    gateway: Any,
    reelkit_emulator: RunningServer,
    tmp_path: Path,
    dev_keys: tuple[str, ...],
    canaries: dict[str, str],
) -> None:
    client = sdk(gateway, dev_keys[0])
    for provider, (model, extra) in MODELS.items():
        video = client.videos.create_and_poll(
            prompt=f"a lighthouse at dusk, by {provider}",
            model=model,
            poll_interval_ms=50,
            **extra,  # type: ignore[arg-type]
        )
        assert video.status == "completed", (provider, video.error)
        assert video.object == "video" and video.progress == 100
        assert video.model == model
        assert video.completed_at is not None and video.completed_at >= video.created_at
        content = client.videos.download_content(video.id)
        target = tmp_path / f"{provider}.mp4"
        content.write_to_file(target)
        delivered = probe.probe(str(target))
        assert delivered is not None and delivered.duration and delivered.duration > 0, provider
    stats = reelkit_emulator.stats()
    assert stats["sora"]["submits"] == 1
    assert stats["veo"]["submits"] == 1
    assert stats["seedance"]["submits"] == 1
    everything = gateway.logs()
    for secret in canaries.values():
        assert secret not in everything


def test_list_retrieve_delete_and_keys_see_only_their_own(
    gateway: Any, dev_keys: tuple[str, ...]
) -> None:
    alice, bob = sdk(gateway, dev_keys[0]), sdk(gateway, dev_keys[1])
    first = alice.videos.create_and_poll(
        prompt="first card", model="local/local-title-card", poll_interval_ms=50
    )
    second = alice.videos.create_and_poll(
        prompt="second card", model="local/local-title-card", poll_interval_ms=50
    )
    theirs = bob.videos.create_and_poll(
        prompt="first card", model="local/local-title-card", poll_interval_ms=50
    )
    assert theirs.id not in (first.id, second.id)  # an identical request is not shared across keys

    listed = [v.id for v in alice.videos.list()]
    assert listed == [second.id, first.id]
    page = alice.videos.list(limit=1)
    assert [v.id for v in page.data] == [second.id] and page.has_more
    assert [v.id for v in alice.videos.list(order="asc")] == [first.id, second.id]
    assert [v.id for v in bob.videos.list()] == [theirs.id]

    assert alice.videos.retrieve(first.id).status == "completed"
    with pytest.raises(openai.NotFoundError) as missing:
        bob.videos.retrieve(first.id)
    assert missing.value.status_code == 404
    assert missing.value.body["code"] == "not_found"  # type: ignore[index]

    deleted = alice.videos.delete(first.id)
    assert deleted.deleted and deleted.id == first.id and deleted.object == "video.deleted"
    assert [v.id for v in alice.videos.list()] == [second.id]
    with pytest.raises(openai.NotFoundError):
        alice.videos.retrieve(first.id)


def test_remix_and_multipart_input_reference(
    gateway: Any, reelkit_emulator: RunningServer, tmp_path: Path, dev_keys: tuple[str, ...]
) -> None:
    client = sdk(gateway, dev_keys[0])
    image = tmp_path / "first.png"
    image.write_bytes(png(720, 1280))
    started = client.videos.create_and_poll(
        prompt="a paper boat from this frame",
        model="sora/sora-2",
        input_reference=image,
        size="720x1280",
        poll_interval_ms=50,
    )
    assert started.status == "completed", started.error
    assert started.model_extra["reelkit"]["mode"] == "i2v"  # type: ignore[index]
    sora_task = reelkit_emulator.tasks("sora")[-1]
    assert sora_task.params["input_reference"] is not None  # the upload reached the provider

    remixed = client.videos.remix(started.id, prompt="the same boat, at night")
    assert remixed.remixed_from_video_id == started.id
    finished = client.videos.poll(remixed.id, poll_interval_ms=50)
    assert finished.status == "completed", finished.error
    assert reelkit_emulator.stats()["sora"]["submits"] == 2


def test_reelkit_options_ride_in_extra_body_and_adjustments_are_reported(
    gateway: Any, dev_keys: tuple[str, ...]
) -> None:
    client = sdk(gateway, dev_keys[0])
    raw = client.videos.with_raw_response.create(
        prompt="a slow pan over dunes",
        model="sora/sora-2",
        seconds="8",
        extra_body={"aspect_ratio": "16:9", "strict": False},
    )
    video = raw.parse()
    assert video.size == "1280x720"
    reelkit = video.model_extra["reelkit"]  # type: ignore[index]
    assert reelkit["provider"] == "sora" and reelkit["state"] in ("submitted", "queued", "running")
    done = client.videos.poll(video.id, poll_interval_ms=50)
    assert done.status == "completed"

    adjusted = client.videos.with_raw_response.create(
        prompt="a slow pan over dunes", model="sora/sora-2", seconds="7"
    )
    assert "x-reelkit-adjustments" in adjusted.headers
    assert adjusted.parse().seconds == "8"
    strict = client.videos.with_raw_response
    with pytest.raises(openai.BadRequestError) as refused:
        strict.create(
            prompt="a slow pan over dunes",
            model="sora/sora-2",
            seconds="7",
            extra_body={"strict": True},
        )
    error = refused.value.body
    assert error["param"] == "duration" and "allowed" in error["message"]  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as unknown:
        client.videos.create(prompt="x", model="sora/sora-2", extra_body={"colour": "red"})
    assert unknown.value.body["param"] == "colour"  # type: ignore[index]
