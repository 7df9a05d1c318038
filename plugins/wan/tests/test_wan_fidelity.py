"""Fidelity: for the same intent, reelkit sends what the official ``dashscope`` SDK sends.

The SDK (``VideoSynthesis.async_call``, ``fetch``) talks to a capture server on loopback
(``dashscope.base_http_api_url`` points at it): nothing leaves the machine. Compared: the method
and path, ``X-DashScope-Async``, the JSON content type, and the body. The SDK also sends two
fields of its own in ``input`` that the HTTP reference does not list: ``extend_prompt`` (its
deprecated spelling of ``parameters.prompt_extend``, always ``true``) and ``function``
("video-synthesis", from its module name); those are set aside, nothing else.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from wan_helpers import config, model

from reelkit import clamp
from reelkit.models import JobHandle, Media, VideoRequest
from reelkit_wan.translate import build_request, poll_url

dashscope = pytest.importorskip("dashscope")
pytestmark = pytest.mark.fidelity

SDK_ONLY_INPUT = ("extend_prompt", "function")
SUBMITTED = {"request_id": "r-1", "output": {"task_id": "t-1", "task_status": "PENDING"}}


class Capture(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]]

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        self.seen.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": json.loads(raw) if raw else None,
            }
        )
        out = json.dumps(SUBMITTED).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = _answer

    def log_message(self, *args: Any) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def sdk(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, list[dict[str, Any]], str]]:
    seen: list[dict[str, Any]] = []
    handler = type("Handler", (Capture,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setattr(dashscope, "base_http_api_url", base + "/api/v1")
    try:
        yield dashscope.VideoSynthesis, seen, base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def ours(model_id: str, request: VideoRequest, base: str) -> httpx.Request:
    info = model(model_id)
    applied, _ = clamp(request, info)
    return build_request(info, applied, config(base))


def assert_same(mine: httpx.Request, theirs: dict[str, Any]) -> None:
    assert (mine.method, mine.url.path) == (theirs["method"], theirs["path"])
    assert mine.headers["x-dashscope-async"] == theirs["headers"]["x-dashscope-async"] == "enable"
    assert mine.headers["content-type"].startswith("application/json")
    assert theirs["headers"]["content-type"].startswith("application/json")
    body = dict(theirs["body"])
    body["input"] = {k: v for k, v in body["input"].items() if k not in SDK_ONLY_INPUT}
    assert json.loads(mine.content) == body


def test_text_to_video(sdk: Any) -> None:
    synthesis, seen, base = sdk
    synthesis.async_call(
        api_key="sk-test",
        model="wan2.5-t2v-preview",
        prompt="A kitten running in the moonlight",
        negative_prompt="blurry",
        size="1280*720",
        duration=10,
        seed=12345,
        prompt_extend=False,
        watermark=True,
    )
    request = VideoRequest(
        prompt="A kitten running in the moonlight",
        negative_prompt="blurry",
        resolution="720p",
        aspect_ratio="16:9",
        duration=10,
        seed=12345,
        params={"prompt_extend": False, "watermark": True},
    )
    assert_same(ours("wan2.5", request, base), seen[0])


def test_silent_text_to_video_on_a_fixed_length_model(sdk: Any) -> None:
    synthesis, seen, base = sdk
    synthesis.async_call(
        api_key="sk-test", model="wanx2.1-t2v-turbo", prompt="Waves", size="832*480", duration=5
    )
    request = VideoRequest(prompt="Waves", resolution="480p", aspect_ratio="16:9")
    assert_same(ours("wanx2.1-t2v-turbo", request, base), seen[0])


def test_image_to_video(sdk: Any) -> None:
    synthesis, seen, base = sdk
    synthesis.async_call(
        api_key="sk-test",
        model="wan2.5-i2v-preview",
        prompt="She turns around",
        img_url="https://example.com/first.png",
        resolution="480P",
        duration=5,
        audio=False,
    )
    frame = Media(url="https://example.com/first.png", mime_type="image/png")
    request = VideoRequest(
        prompt="She turns around", first_frame=frame, resolution="480p", audio=False
    )
    assert_same(ours("wan2.5", request, base), seen[0])


def test_first_and_last_frame(sdk: Any) -> None:
    synthesis, seen, base = sdk
    synthesis.async_call(
        api_key="sk-test",
        model="wanx2.1-kf2v-plus",
        prompt="The cat looks up",
        first_frame_url="https://example.com/first.png",
        last_frame_url="https://example.com/last.png",
        resolution="720P",
        duration=5,
    )
    first = Media(url="https://example.com/first.png", mime_type="image/png")
    last = Media(url="https://example.com/last.png", mime_type="image/png")
    request = VideoRequest(prompt="The cat looks up", first_frame=first, last_frame=last)
    mine = ours("wanx2.1-kf2v-plus", request, base)
    assert mine.url.path.endswith("/image2video/video-synthesis")  # the SDK's task for kf2v
    assert_same(mine, seen[0])


def test_polling_matches_fetch(sdk: Any) -> None:
    synthesis, seen, base = sdk
    synthesis.fetch("t-1", api_key="sk-test")
    job = JobHandle(provider="wan", model="wan2.5", task_id="t-1")
    url = httpx.URL(poll_url(config(base), job.task_id))
    assert ("GET", url.path) == (seen[0]["method"], seen[0]["path"])
    assert seen[0]["path"] == "/api/v1/tasks/t-1"


def test_the_sdk_runs_a_whole_job_on_the_emulator(
    reelkit_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fake that reelkit's end-to-end tests trust accepts the official client too."""
    monkeypatch.setattr(dashscope, "base_http_api_url", reelkit_emulator.url("wan") + "/api/v1")
    created = dashscope.VideoSynthesis.async_call(
        api_key="sk-test", model="wan2.5-t2v-preview", prompt="A lighthouse", size="832*480"
    )
    assert created.status_code == 200, created
    done = dashscope.VideoSynthesis.wait(created, api_key="sk-test")
    assert done.output.task_status == "SUCCEEDED"
    assert done.output.video_url.startswith(reelkit_emulator.url("wan"))
