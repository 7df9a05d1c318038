"""Results report what was delivered, read from the file, not what was asked."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import awkward
import httpx
import pytest

from reelkit import Client

KEY = "sekrit-key-123"


@pytest.fixture(scope="module")
def small_mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from reelkit_local.render import RenderSpec, render_mp4

    path = tmp_path_factory.mktemp("render") / "small.mp4"
    render_mp4(path, RenderSpec(prompt="small", duration=2.0, fps=8, width=320, height=180))
    return path.read_bytes()


class ServesAClip(awkward.FakeService):
    def __init__(self, clip: bytes) -> None:
        super().__init__()
        self.clip = clip

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "cdn.awkward.test":
            return httpx.Response(200, content=self.clip, headers={"content-type": "video/mp4"})
        return super().__call__(request)


def test_the_result_reports_the_file_and_warns_about_each_difference(
    isolated_env: Path, tmp_path: Path, small_mp4: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    env = {"REELKIT_HOME": str(isolated_env), "AWKWARD_KEY": KEY}
    service = ServesAClip(small_mp4)
    with (
        caplog.at_level(logging.WARNING, logger="reelkit"),
        Client(
            env=env, plugins=[awkward], entry_points=False, transport=service.transport()
        ) as client,
    ):
        result = client.generate("a heron", duration=4, output=tmp_path / "heron.mp4")
        stored = client.result(result.job_id)
    assert result.delivered
    assert (result.size, result.duration, result.fps, result.audio) == ("320x180", 2.0, 8, False)
    assert result.requested["size"] == "1280x720" and result.requested["duration"] == 4.0
    data = result.to_dict()
    assert data["size"] == "320x180" and data["requested"]["size"] == "1280x720"
    assert any(w.startswith("size: delivered 320x180") for w in result.warnings)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "size delivered 320x180, asked 1280x720" in logged
    assert stored.to_dict() == data | {"elapsed_s": stored.to_dict()["elapsed_s"]}


def test_a_remix_stays_on_its_sources_model_and_shape(
    reelkit_emulator: Any, tmp_path: Path
) -> None:
    with Client() as client:
        source = client.generate(
            "a paper crane", provider="sora", model="sora-2-pro", size="1792x1024", output=tmp_path
        )
        remix = client.generate("the crane, in gold", remix_of=source.job_id, output=tmp_path)
    assert (source.model, source.requested["size"]) == ("sora-2-pro", "1792x1024")
    assert (remix.provider, remix.model, remix.mode) == ("sora", "sora-2-pro", "remix")
    assert remix.requested["size"] == "1792x1024"
