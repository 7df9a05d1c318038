"""End to end through ``reelkit.Client`` against the emulator's Seedance (Ark) fake.

The ``reelkit_emulator`` fixture points ``REELKIT_SEEDANCE_BASE_URL`` at the fake (which serves
``/api/v3/contents/generations/tasks``) and sets a dummy ``ARK_API_KEY``. The fake validates
bodies as strictly as Ark does, so every mode here also checks the wire format.

``reference §n`` cites ``docs/reference/volcengine-kling.md`` section n.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("reelkit.client", reason="the core client is not there yet")
pytest.importorskip(
    "reelkit_emulator.providers.seedance", reason="the emulator has no Seedance fake yet"
)

from reelkit import Client
from reelkit.errors import ContentFiltered, InvalidRequest, JobFailed

from .conftest import make_png


@pytest.fixture
def client(reelkit_emulator: Any) -> Any:
    with Client() as c:
        yield c


@pytest.fixture
def image(tmp_path: Path) -> str:
    path = tmp_path / "frame.png"
    path.write_bytes(make_png(640, 360))
    return str(path)


def sent(emulator: Any) -> dict[str, Any]:
    (task,) = emulator.tasks("seedance")
    return dict(task.params)


def assert_video(result: Any) -> None:
    assert result.status == "downloaded"
    assert result.path is not None
    assert Path(result.path).read_bytes()[4:8] == b"ftyp"
    assert result.expires_at is not None  # 24 h URL lifetime (reference §3.4)


def test_text_to_video_with_the_default_model(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    result = client.generate("a cat on a skateboard", provider="ark", duration=7, output=tmp_path)
    assert_video(result)
    assert (result.provider, result.model, result.mode) == (
        "seedance",
        "doubao-seedance-1-0-pro-250528",
        "t2v",
    )
    assert (result.duration, result.resolution, result.aspect_ratio, result.size) == (
        7.0,
        "1080p",
        "16:9",
        "1920x1088",
    )
    body = sent(reelkit_emulator)
    assert {k: body[k] for k in ("resolution", "ratio", "duration")} == {
        "resolution": "1080p",
        "ratio": "16:9",
        "duration": 7,
    }
    assert reelkit_emulator.stats()["seedance"]["submits"] == 1


CASES: list[tuple[str, dict[str, Any], str]] = [
    ("doubao-seedance-1-0-lite-t2v-250428", {"resolution": "480p", "aspect_ratio": "21:9"}, "t2v"),
    ("doubao-seedance-1-0-lite-i2v-250428", {"first_frame": "image"}, "i2v"),
    (
        "doubao-seedance-1-0-lite-i2v-250428",
        {"first_frame": "image", "last_frame": "image"},
        "first_last",
    ),
    ("doubao-seedance-1-0-lite-i2v-250428", {"reference_images": ["image", "image"]}, "reference"),
    ("seedance-1.0-pro", {"first_frame": "image", "params": {"camera_fixed": True}}, "i2v"),
    ("doubao-seedance-1-0-pro-fast-251015", {"first_frame": "image", "resolution": "720p"}, "i2v"),
    ("doubao-seedance-1-5-pro-251215", {"audio": True, "seed": 5}, "t2v"),
    (
        "doubao-seedance-1-5-pro-251215",
        {"first_frame": "image", "last_frame": "image", "audio": False},
        "first_last",
    ),
    ("seedance-2.0", {"duration": 15}, "t2v"),
    ("doubao-seedance-2-0-260128", {"reference_images": ["image"] * 3}, "reference"),
    ("doubao-seedance-2-0-fast-260128", {"first_frame": "image"}, "i2v"),
]


@pytest.mark.parametrize(
    ("model", "inputs", "mode"), CASES, ids=[f"{m}-{mode}" for m, _, mode in CASES]
)
def test_models_and_modes(
    model: str,
    inputs: dict[str, Any],
    mode: str,
    client: Any,
    reelkit_emulator: Any,
    image: str,
    tmp_path: Path,
) -> None:
    values = {
        k: (image if v == "image" else [image] * len(v) if isinstance(v, list) else v)
        for k, v in inputs.items()
    }
    result = client.generate(
        "the scene comes alive", provider="seedance", model=model, output=tmp_path, **values
    )
    assert_video(result)
    assert result.mode == mode
    body = sent(reelkit_emulator)
    roles = [item.get("role") for item in body["content"] if item["type"] == "image_url"]
    expected_roles = {
        "t2v": [],
        "i2v": ["first_frame"],
        "first_last": ["first_frame", "last_frame"],
        "reference": ["reference_image"] * len(inputs.get("reference_images", [])),
    }[mode]
    assert roles == expected_roles
    assert all(v is not None for v in body.values())  # nothing sent as null


def test_options_reach_the_body(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    result = client.generate(
        "a cat",
        provider="seedance",
        model="seedance-1.5-pro",
        output=tmp_path,
        params={
            "return_last_frame": True,
            "watermark": False,
            "callback_url": "https://hooks.example.com/ark",
            "execution_expires_after": 3600,
        },
    )
    assert_video(result)
    body = sent(reelkit_emulator)
    assert (body["return_last_frame"], body["watermark"], body["execution_expires_after"]) == (
        True,
        False,
        3600,
    )
    assert body["callback_url"] == "https://hooks.example.com/ark"


@pytest.mark.parametrize(
    "params",
    [{"watermark": "false"}, {"style": "anime"}, {"draft": True}],
    ids=["wrong-type", "undeclared", "other-models-param"],
)
def test_undeclared_or_mistyped_params_never_reach_ark(
    client: Any, reelkit_emulator: Any, tmp_path: Path, params: dict[str, Any]
) -> None:
    # The declared params (ModelInfo.params) are the core's first gate: nothing is submitted.
    with pytest.raises(InvalidRequest) as err:
        client.generate("a cat", provider="seedance", output=tmp_path, params=params)
    assert err.value.field.startswith("params")
    assert reelkit_emulator.stats()["seedance"]["submits"] == 0


def test_a_rate_limited_poll_is_retried_without_a_second_submit(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    reelkit_emulator.inject("429", provider="seedance", endpoint="poll")
    result = client.generate("a slow cat", provider="seedance", output=tmp_path)
    assert_video(result)
    stats = reelkit_emulator.stats()["seedance"]
    assert (stats["submits"], stats["faults"]) == (1, 1)


def test_output_moderation_is_content_filtered(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    with pytest.raises(ContentFiltered) as info:
        client.generate("[emulator:moderation] a cat", provider="seedance", output=tmp_path)
    assert info.value.code == "OutputVideoSensitiveContentDetected"


def test_input_moderation_at_submit(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    with pytest.raises(ContentFiltered) as info:
        client.generate("[emulator:input-moderation] a cat", provider="seedance", output=tmp_path)
    assert info.value.code == "InputTextSensitiveContentDetected"
    assert reelkit_emulator.stats()["seedance"]["submits"] == 0


def test_an_expired_task_fails(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    with pytest.raises(JobFailed) as info:
        client.generate("[emulator:expire] a cat", provider="seedance", output=tmp_path)
    assert info.value.code == "expired"


def test_cancel_a_queued_task(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    job = client.submit("a cat", provider="seedance", output=tmp_path)
    job.cancel()
    assert job.state == "cancelled"
    (task,) = reelkit_emulator.tasks("seedance")
    assert task.phase.value == "cancelled"
