"""End to end through reelkit's own plugins: sora, qiniu and newapi against their fakes.

Also runs the examples of ``docs/emulator.md`` as written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reelkit_emulator.server import RunningServer

client_module = pytest.importorskip("reelkit.client", reason="the core client is not there yet")


def generate(provider: str, tmp_path: Path, **kwargs: Any) -> Any:
    with client_module.Client() as client:
        return client.generate("a lighthouse at dusk", provider=provider, output=tmp_path, **kwargs)


@pytest.mark.parametrize(
    ("provider", "kwargs", "size", "seconds"),
    [
        ("sora", {"duration": 8, "size": "1280x720"}, "1280x720", 8),
        ("qiniu", {"model": "sora-2", "duration": 4}, None, 4),
        ("qiniu", {"model": "kling-v2-5-turbo", "duration": 10}, None, 10),
        ("newapi", {"model": "sora-2", "duration": 4}, None, 4),
        ("newapi", {"model": "veo3.1-video-720p", "duration": 6}, "1280x720", 6),
    ],
)
def test_generate_downloads_the_requested_video(
    reelkit_emulator: RunningServer,
    tmp_path: Path,
    probe: Any,
    provider: str,
    kwargs: dict[str, Any],
    size: str | None,
    seconds: int,
) -> None:
    result = generate(provider, tmp_path, **kwargs)
    width, height, duration = probe(Path(result.path).read_bytes())
    assert duration == pytest.approx(seconds, abs=0.2)
    if size is not None:
        assert f"{width}x{height}" == size
    stats = reelkit_emulator.stats()[provider]
    assert (stats["submits"], stats["downloads"], stats["faults"], stats["rejected"]) == (
        1,
        1,
        0,
        0,
    )


def test_docs_example_my_app_makes_a_video(reelkit_emulator: RunningServer, tmp_path: Path) -> None:
    import reelkit

    result = reelkit.generate("a lighthouse at dusk", provider="sora", duration=8, output=tmp_path)
    assert Path(result.path).suffix == ".mp4"
    stats = reelkit_emulator.stats()["sora"]
    assert (stats["submits"], stats["downloads"], stats["faults"]) == (1, 1, 0)


def test_docs_example_survives_rate_limits(reelkit_emulator: RunningServer, tmp_path: Path) -> None:
    import reelkit

    reelkit_emulator.inject("429", provider="sora", endpoint="poll", times=2)
    reelkit.generate("a cat", provider="sora", output=tmp_path)
    stats = reelkit_emulator.stats()["sora"]
    assert stats["fault_kinds"] == {"429": 2}
    assert stats["submits"] == 1  # polls were retried, the submit was not repeated


def test_moderation_surfaces_as_content_filtered(
    reelkit_emulator: RunningServer, tmp_path: Path
) -> None:
    from reelkit.errors import ContentFiltered, JobFailed

    reelkit_emulator.inject("moderation", provider="sora")
    with pytest.raises((ContentFiltered, JobFailed)) as caught:
        generate("sora", tmp_path)
    assert "moderation" in str(caught.value).lower()


def test_jimeng_faults_aimed_at_polls_hit_polls(
    reelkit_emulator: RunningServer, tmp_path: Path
) -> None:
    # Jimeng submits and polls on one URL; the Action parameter decides which a fault targets.
    reelkit_emulator.inject("429", provider="jimeng", endpoint="poll")
    result = generate("jimeng", tmp_path, duration=5)
    assert result.status == "downloaded"
    stats = reelkit_emulator.stats()["jimeng"]
    assert stats["submits"] == 1  # the poll was retried; the submit was not repeated
    assert stats["faults"] == 1
