"""End to end through ``reelkit.Client`` against the emulator's new-api fake, for every mode.

The ``reelkit_emulator`` fixture sets ``REELKIT_NEWAPI_BASE_URL`` (the gateway root) and a dummy
``NEWAPI_API_KEY``. Both create routes are exercised: ``/v1/videos`` and seed 004's
``/v1/video/generations``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("reelkit.client", reason="the core client is not there yet")
pytest.importorskip(
    "reelkit_emulator.providers.newapi", reason="the emulator has no new-api fake yet"
)

from openai_videos_fixtures import (
    assert_downloaded,
    check_429_poll_is_retried,
    create_directly,
    lose_a_submit,
)
from reelkit import Client
from reelkit.errors import ContentFiltered, InvalidRequest, MissingCredentials
from reelkit.testing import png_bytes
from reelkit_openai_videos.dialect import FeatureNotOffered

IMAGE = "https://example.com/frame.png"
OTHER = "https://example.com/other.png"
VIDEO = "https://example.com/source.mp4"


@pytest.fixture
def client(reelkit_emulator: Any) -> Any:
    with Client() as c:
        yield c


CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("sora-2", "t2v", {"duration": 8}),
    ("sora-2-pro", "t2v", {"size": "1792x1024"}),
    ("sora-2", "i2v", {"first_frame": "PNG-1280x720"}),
    (
        "veo3.1-video-1080p",
        "t2v",
        {"duration": 8, "audio": True, "negative_prompt": "blur", "seed": 7},
    ),
    ("veo3.1-video-720p", "i2v", {"first_frame": IMAGE, "duration": 6}),
    ("veo3.1-fast-video-1080p", "first_last", {"first_frame": IMAGE, "last_frame": OTHER}),
    ("veo3.1-video-4k", "reference", {"reference_images": [IMAGE, OTHER]}),
    ("veo3.1", "i2v", {"first_frame": IMAGE}),
    ("veo3-frames", "first_last", {"first_frame": IMAGE, "last_frame": OTHER}),
    ("kling-v2-6", "t2v", {"aspect_ratio": "9:16"}),
    ("kling-v2-5-turbo", "i2v", {"first_frame": "PNG-640x360"}),
    ("kling-v1-6", "reference", {"reference_images": [IMAGE, OTHER]}),
    ("doubao-seedance-1-0-pro-250528", "first_last", {"first_frame": IMAGE, "last_frame": OTHER}),
    ("doubao-seedance-1-0-lite-t2v-250428", "t2v", {"duration": 3}),
    ("grok-imagine-1.0-video", "reference", {"reference_images": [IMAGE], "duration": 10}),
    ("gemini-omni", "t2v", {}),
    ("gemini-omni", "reference", {"reference_images": [IMAGE]}),
    ("gemini-omni", "edit", {"video": VIDEO}),
    ("viduq3-turbo", "first_last", {"first_frame": IMAGE, "last_frame": OTHER}),
    ("hailuo-video", "i2v", {"first_frame": IMAGE}),
    ("happyhorse-1.0-video-edit", "edit", {"video": VIDEO}),
]


def _inputs(inputs: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    value = inputs.get("first_frame", "")
    if isinstance(value, str) and value.startswith("PNG-"):
        width, height = (int(x) for x in value[4:].split("x"))
        path = tmp_path / "first.png"
        path.write_bytes(png_bytes(width, height))
        return {**inputs, "first_frame": str(path)}
    return inputs


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
    result = client.generate(
        "the scene comes alive",
        provider="gateway",
        model=model,
        output=tmp_path,
        **_inputs(inputs, tmp_path),
    )
    assert_downloaded(result)
    assert (result.provider, result.model, result.mode) == ("newapi", model, mode)
    assert result.task_id.startswith("task_")  # the gateway's own id, never the upstream's
    assert reelkit_emulator.stats()["newapi"]["submits"] == 1


def test_sora_remix_where_the_deployment_offers_it(
    reelkit_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stock new-api routes remix; seed 003's deployment does not, so it is off by default.
    monkeypatch.chdir(tmp_path)
    with Client() as off:
        first = off.generate("A city by day", provider="newapi", model="sora-2", output=tmp_path)
        with pytest.raises(FeatureNotOffered, match="remix = true"):
            off.generate("Make it night", provider="newapi", remix_of=first.job_id)
    assert reelkit_emulator.stats()["newapi"]["submits"] == 1  # refused before sending
    (tmp_path / "reelkit.toml").write_text("[providers.newapi]\nremix = true\n")
    with Client() as on:
        remixed = on.generate(
            "Make it night", provider="newapi", model="sora-2", remix_of=first.job_id,
            output=tmp_path,
        )  # fmt: skip
    assert_downloaded(remixed)
    assert remixed.mode == "remix"
    assert reelkit_emulator.stats()["newapi"]["submits"] == 2


def test_seed_004_extension_sends_the_earlier_video_url(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    first = client.generate(
        "A car on a road", provider="newapi", model="veo3.1-video-720p", output=tmp_path
    )
    extended = client.generate(
        "It drives away",
        provider="newapi",
        model="veo3.1-video-720p",
        continue_from=first.job_id,
        output=tmp_path,
    )
    assert_downloaded(extended)
    assert extended.mode == "extend"


def test_kling_extension_by_task_id(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    first = client.generate("A cat walks", provider="newapi", model="kling-v1", output=tmp_path)
    extended = client.generate(
        "It keeps walking",
        provider="newapi",
        model="kling-v1",
        continue_from=first.job_id,
        output=tmp_path,
    )
    assert_downloaded(extended)
    assert extended.mode == "extend"


def test_the_generations_dialect_by_configuration(
    reelkit_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "reelkit.toml").write_text('[providers.newapi]\ndialect = "generations"\n')
    monkeypatch.chdir(tmp_path)
    with Client() as client:
        plan = client.plan("Rain on a window", provider="newapi", model="veo3.1", duration=6)
        assert plan.http is not None and plan.http.url.endswith("/v1/video/generations")
        result = client.generate(
            "Rain on a window", provider="newapi", model="veo3.1", duration=6, output=tmp_path
        )
    assert_downloaded(result)


def test_moderation_is_content_filtered(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    with pytest.raises(ContentFiltered):
        client.generate(
            "[emulator:moderation] a cat", provider="newapi", model="sora-2", output=tmp_path
        )


def test_a_rate_limited_poll_is_retried_without_a_second_submit(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    check_429_poll_is_retried(client, reelkit_emulator, "newapi", tmp_path)


def test_without_a_base_url_the_error_names_the_variable(
    reelkit_emulator: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("REELKIT_NEWAPI_BASE_URL")
    monkeypatch.chdir(tmp_path)
    with Client() as client, pytest.raises((InvalidRequest, MissingCredentials)) as info:
        client.generate("a cat", provider="newapi", output=tmp_path)
    assert "REELKIT_NEWAPI_BASE_URL" in str(info.value)
    assert reelkit_emulator.stats()["newapi"]["requests"] == 0


def test_a_lost_submit_is_adopted_by_task_id_no_list_to_reconcile(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    job_id = lose_a_submit(client, reelkit_emulator, "newapi", "A lost cat", tmp_path)
    found = client.reconcile(job_id)  # the API documents no task list
    assert found.outcome == "unsupported" and "jobs adopt" in found.message
    task_id = create_directly(
        reelkit_emulator,
        "newapi",
        {"prompt": "A lost cat", "model": "sora-2", "seconds": "4", "size": "1280x720"},
    )
    client.adopt(job_id, task_id)  # the core's default handle: JobHandle('newapi', model, task_id)
    result = client.resume(job_id).wait()
    assert_downloaded(result)
    assert (result.task_id, result.model) == (task_id, "sora-2")


@pytest.mark.parametrize(
    ("model", "params"),
    [
        ("sora-2", {"characters": [{"id": "char_1"}]}),
        ("doubao-seedance-1-0-pro-250528", {"metadata": {"camera_fixed": True}}),
        ("kling-v1", {"cfg_scale": 0.7, "camera_control": {"type": "forward_up"}}),
        ("veo3.1-video-720p", {"extra_body": {"enhance_prompt": True}}),
    ],
)
def test_declared_params_reach_the_gateway(
    client: Any, reelkit_emulator: Any, tmp_path: Path, model: str, params: dict[str, Any]
) -> None:
    result = client.generate(
        "A calm lake", provider="newapi", model=model, params=params, output=tmp_path
    )
    assert_downloaded(result, expires=False)
