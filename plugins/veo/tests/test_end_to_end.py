"""End to end through ``reelkit.Client`` against the emulator's Veo fake, for every mode.

The ``reelkit_emulator`` fixture serves the fakes on a loopback port, points
``REELKIT_VEO_BASE_URL`` at it, sets a dummy ``GEMINI_API_KEY`` and a short poll interval.
The Veo fake answers the authenticated ``files/…:download`` with a 302 to the *other* loopback
host name, and records whether any credential arrived there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

reelkit = pytest.importorskip("reelkit.client", reason="the core client is not there yet")
pytest.importorskip("reelkit_emulator.providers.veo", reason="the emulator has no Veo fake yet")

from reelkit.errors import ContentFiltered, InvalidRequest  # noqa: E402
from reelkit.testing import png_bytes  # noqa: E402

PNG = png_bytes(64, 36)  # a real PNG: inputs are checked by content before sending


@pytest.fixture
def client(reelkit_emulator: Any) -> Any:
    with reelkit.Client() as c:
        yield c


@pytest.fixture
def image(tmp_path: Path) -> str:
    path = tmp_path / "frame.png"
    path.write_bytes(PNG)
    return str(path)


def stats(emulator: Any) -> dict[str, Any]:
    return dict(emulator.stats()["veo"])


def download_log(emulator: Any) -> dict[str, Any]:
    return dict(httpx.get(emulator.url("veo") + "/_emulator/downloads").json())


def assert_video(result: Any) -> None:
    assert result.status == "downloaded"
    assert result.path is not None
    data = Path(result.path).read_bytes()
    assert data[4:8] == b"ftyp"


def test_text_to_video_and_the_key_stays_home(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    result = client.generate(
        "Ocean waves crashing on rocks", provider="veo", duration=7, output=tmp_path
    )
    assert_video(result)
    assert result.provider == "veo"
    assert result.model == "veo-3.1-generate-preview"
    assert result.duration == 8  # 7 s snapped to the discrete set, reported
    assert [a.field for a in result.adjustments] == ["duration"]
    assert result.aspect_ratio == "16:9"
    assert result.requested["audio"] is True  # Veo 3.x always makes sound
    # The emulator's file is silent: the result says what was delivered, and warns.
    assert result.audio is False
    assert any(w.startswith("audio: delivered False") for w in result.warnings)
    log = download_log(reelkit_emulator)
    assert log["redirects"] == 1
    assert log["served"] == 1
    assert log["key_forwarded"] == 0, log["events"]
    assert stats(reelkit_emulator)["submits"] == 1


def test_aliases_and_dropped_parameters(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    result = client.generate(
        "A drone over mountains",
        provider="google",
        seed=3,
        fps=30,
        audio=False,
        resolution="1080p",
        duration=4,
        output=tmp_path,
    )
    assert_video(result)
    fields = {a.field: a for a in result.adjustments}
    assert set(fields) == {"seed", "fps", "audio", "duration"}
    assert fields["duration"].applied == 8  # 1080p requires 8 s
    with pytest.raises(InvalidRequest) as err:
        client.generate("x", provider="gemini", seed=3, strict=True)
    assert err.value.field == "seed"


def test_image_to_video_with_negative_prompt(
    client: Any, reelkit_emulator: Any, image: str, tmp_path: Path
) -> None:
    result = client.generate(
        "Animate this scene",
        provider="veo",
        first_frame=image,
        negative_prompt="blurry",
        aspect_ratio="9:16",
        duration=6,
        output=tmp_path,
    )
    assert_video(result)
    assert result.mode == "i2v"
    (task,) = reelkit_emulator.tasks("veo")
    assert task.params["parameters"]["negativePrompt"] == "blurry"
    assert "bytesBase64Encoded" in task.params["instances"][0]["image"]


def test_first_and_last_frame(
    client: Any, reelkit_emulator: Any, image: str, tmp_path: Path
) -> None:
    result = client.generate(
        "The door opens", provider="veo", first_frame=image, last_frame=image, output=tmp_path
    )
    assert_video(result)
    assert result.mode == "first_last"


def test_reference_images(client: Any, reelkit_emulator: Any, image: str, tmp_path: Path) -> None:
    result = client.generate(
        "The woman walks her dog",
        provider="veo",
        reference_images=[image] * 4,
        duration=4,
        output=tmp_path,
    )
    assert_video(result)
    assert result.mode == "reference"
    assert result.duration == 8
    assert {a.field for a in result.adjustments} == {"duration", "reference_images"}
    (task,) = reelkit_emulator.tasks("veo")
    assert len(task.params["instances"][0]["referenceImages"]) == 3


def test_remote_image_url_is_refused_before_any_submit(client: Any, reelkit_emulator: Any) -> None:
    with pytest.raises(InvalidRequest) as err:
        client.generate("x", provider="veo", first_frame="https://example.com/cat.png")
    assert err.value.field == "first_frame"
    assert stats(reelkit_emulator)["submits"] == 0


def test_extension_chain_of_two_steps(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    first = client.generate(
        "A robot walks", provider="veo", aspect_ratio="9:16", output=tmp_path / "a.mp4"
    )
    second = client.generate(
        "It turns the corner", continue_from=first.job_id, output=tmp_path / "b.mp4"
    )
    third = client.generate("It waves", continue_from=second.job_id, output=tmp_path / "c.mp4")
    for result in (first, second, third):
        assert_video(result)
    assert second.provider == third.provider == "veo"  # an extension goes back to its source
    assert second.mode == third.mode == "extend"
    assert second.aspect_ratio == third.aspect_ratio == "9:16"  # the source's, not 16:9
    tasks = {t.id: t for t in reelkit_emulator.tasks("veo")}
    assert len(tasks) == 3
    durations = sorted(t.video.duration for t in tasks.values())
    assert durations == [8, 15, 22]  # each extension adds about 7 s to one combined video
    record = client.records()[0]
    assert record.handle.data["extensions"] == 2
    assert record.handle.data["estimated_duration"] == 22
    assert download_log(reelkit_emulator)["key_forwarded"] == 0


def test_rai_filtered_result(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    with pytest.raises(ContentFiltered) as err:
        client.generate("[emulator:moderation] a scene", provider="veo", output=tmp_path)
    assert err.value.reasons
    assert "Support codes" in err.value.reasons[0]
    assert err.value.billed is False
    assert stats(reelkit_emulator)["downloads"] == 0


def test_rate_limited_poll_backs_off(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    reelkit_emulator.inject("429", provider="veo", endpoint="poll")
    result = client.generate("Clouds", provider="veo", output=tmp_path)
    assert_video(result)
    assert stats(reelkit_emulator)["faults"] >= 1


def test_dry_run_plan_redacts_the_key(client: Any) -> None:
    plan = client.plan("Clouds", provider="veo", duration=5)
    body = plan.to_dict()
    assert body["request"]["duration"] == 6
    assert body["http"]["url"].endswith(
        "/v1beta/models/veo-3.1-generate-preview:predictLongRunning"
    )
    assert "reelkit-emulator" not in json.dumps(body)


def test_async_client_runs_the_same_flow(reelkit_emulator: Any, tmp_path: Path) -> None:
    import asyncio

    async def main() -> Any:
        async with reelkit.AsyncClient() as c:
            return await c.generate("Clouds drifting", provider="veo", duration=4, output=tmp_path)

    result = asyncio.run(main())
    assert_video(result)
    assert result.duration == 4
    assert download_log(reelkit_emulator)["key_forwarded"] == 0
