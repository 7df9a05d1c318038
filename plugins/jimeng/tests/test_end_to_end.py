"""End to end through ``reelkit.Client`` against the emulator's Jimeng fake, for every mode.

The ``reelkit_emulator`` fixture serves the fakes on a loopback port, points
``REELKIT_JIMENG_BASE_URL`` at it and exports dummy ``VOLC_ACCESSKEY``/``VOLC_SECRETKEY``; the
fake verifies every HMAC-V4 signature with that secret, so each test here also proves the
signer end to end.

``reference §n`` cites ``docs/reference/volcengine-kling.md`` section n.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("reelkit.client", reason="the core client is not there yet")
pytest.importorskip(
    "reelkit_emulator.providers.jimeng", reason="the emulator has no Jimeng fake yet"
)

from reelkit import Client
from reelkit.errors import AuthenticationFailed, ContentFiltered, InvalidRequest

from .conftest import make_png


@pytest.fixture
def client(reelkit_emulator: Any) -> Any:
    with Client() as c:
        yield c


@pytest.fixture
def frames(tmp_path: Path) -> tuple[str, str]:
    first, last = tmp_path / "first.png", tmp_path / "last.png"
    first.write_bytes(make_png(640, 360))
    last.write_bytes(make_png(1280, 720, rgb=(20, 40, 200)))
    return str(first), str(last)


def task(emulator: Any) -> Any:
    (only,) = emulator.tasks("jimeng")
    return only


def assert_video(result: Any) -> None:
    assert result.status == "downloaded"
    assert result.path is not None
    assert Path(result.path).read_bytes()[4:8] == b"ftyp"
    assert result.expires_at is not None  # 1 h URL lifetime (reference §1.5)


def test_text_to_video_by_default(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    result = client.generate(
        "a golden retriever in sunflowers",
        provider="volcengine",
        duration=8,
        fps=30,
        output=tmp_path,
    )
    assert_video(result)
    assert (result.provider, result.model, result.mode) == ("jimeng", "jimeng-video-3.0", "t2v")
    assert (result.duration, result.resolution) == (10.0, "720p")
    assert result.requested["fps"] == 24  # asked 30: Jimeng renders at 24
    assert {a.field for a in result.adjustments} == {"duration", "fps"}
    # What the file holds is reported, not the request (the emulator renders at its own fps).
    assert result.delivered and result.fps == reelkit_emulator.config.video_fps
    sent = task(reelkit_emulator).params
    assert (sent["req_key"], sent["frames"]) == ("jimeng_t2v_v30", 241)
    assert reelkit_emulator.stats()["jimeng"]["submits"] == 1


MODES: list[tuple[str, dict[str, Any], str]] = [
    ("ti2v_pro", {}, "jimeng_ti2v_v30_pro"),
    ("ti2v_pro", {"first_frame": "first"}, "jimeng_ti2v_v30_pro"),
    ("t2v_1080p", {"aspect_ratio": "9:16"}, "jimeng_t2v_v30_1080p"),
    ("i2v_first_1080p", {"first_frame": "first"}, "jimeng_i2v_first_v30_1080"),
    (
        "i2v_first_tail_1080p",
        {"first_frame": "first", "last_frame": "last"},
        "jimeng_i2v_first_tail_v30_1080",
    ),
    ("t2v_720p", {"aspect_ratio": "21:9"}, "jimeng_t2v_v30"),
    ("i2v_first_720p", {"first_frame": "first"}, "jimeng_i2v_first_v30"),
    (
        "i2v_first_tail_720p",
        {"first_frame": "first", "last_frame": "last"},
        "jimeng_i2v_first_tail_v30",
    ),
    (
        "i2v_recamera_720p",
        {
            "first_frame": "first",
            "params": {"template_id": "dynamic_orbit", "camera_strength": "strong"},
        },
        "jimeng_i2v_recamera_v30",
    ),
]


@pytest.mark.parametrize(
    ("mode", "inputs", "req_key"), MODES, ids=[f"{m}-{k}" for m, _, k in MODES]
)
def test_every_seed_mode_name(
    mode: str,
    inputs: dict[str, Any],
    req_key: str,
    client: Any,
    reelkit_emulator: Any,
    frames: tuple[str, str],
    tmp_path: Path,
) -> None:
    values = {
        k: {"first": frames[0], "last": frames[1]}.get(v, v) if isinstance(v, str) else v
        for k, v in inputs.items()
    }
    result = client.generate(
        "the scene comes alive", provider="jimeng", model=mode, output=tmp_path, **values
    )
    assert_video(result)
    assert result.model == req_key
    sent = task(reelkit_emulator).params
    assert sent["req_key"] == req_key
    if "first_frame" in inputs:
        assert len(sent["binary_data_base64"]) == (2 if "last_frame" in inputs else 1)


def test_inference_picks_the_1080p_first_frame_key(
    client: Any, reelkit_emulator: Any, frames: tuple[str, str], tmp_path: Path
) -> None:
    result = client.generate(
        "it moves", provider="jimeng", resolution="1080p", first_frame=frames[0], output=tmp_path
    )
    assert_video(result)
    assert result.mode == "i2v"
    assert task(reelkit_emulator).params["req_key"] == "jimeng_i2v_first_v30_1080"


def test_a_rate_limited_poll_is_retried_without_a_second_submit(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    job = client.submit("a slow cat", provider="jimeng", output=tmp_path)
    # The next request to the fake (the first poll) answers HTTP 429 / code 50429.
    reelkit_emulator.inject("429", provider="jimeng")
    result = job.wait()
    assert_video(result)
    stats = reelkit_emulator.stats()["jimeng"]
    assert stats["submits"] == 1
    assert stats["faults"] == 1
    assert stats["polls"] >= 3


def test_output_moderation_is_content_filtered(
    client: Any, reelkit_emulator: Any, tmp_path: Path
) -> None:
    with pytest.raises(ContentFiltered) as info:
        client.generate("[emulator:moderation] a cat", provider="jimeng", output=tmp_path)
    assert info.value.code == 50511


def test_input_moderation_at_submit(client: Any, reelkit_emulator: Any, tmp_path: Path) -> None:
    with pytest.raises(ContentFiltered) as info:
        client.generate("[emulator:input-moderation] a cat", provider="jimeng", output=tmp_path)
    assert info.value.code == 50412
    assert reelkit_emulator.stats()["jimeng"]["submits"] == 0


def test_a_wrong_secret_is_an_authentication_failure(
    reelkit_emulator: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VOLC_SECRETKEY", "not-the-emulators-secret")
    with Client() as c, pytest.raises(AuthenticationFailed, match="SignatureDoesNotMatch"):
        c.generate("a cat", provider="jimeng", output=tmp_path)


def test_recamera_without_a_template_fails_before_sending(
    client: Any, reelkit_emulator: Any, frames: tuple[str, str]
) -> None:
    with pytest.raises(InvalidRequest) as info:
        client.generate(
            "orbit", provider="jimeng", model="i2v_recamera_720p", first_frame=frames[0]
        )
    assert info.value.field == "params.template_id"
    assert reelkit_emulator.stats()["jimeng"]["requests"] == 0
