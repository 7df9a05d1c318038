"""Webhooks out, received by a real local HTTP server and verified with ``standardwebhooks``:
from the gateway (``extra_body.webhook_url``) and from the Python API (``webhook_url=``),
retried after the receiver fails, recorded in the journal, delivered by a later process."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import openai
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from reelkit import Client

pytestmark = pytest.mark.slow

SAFETY_S = 60.0  # a safety net for a delivery that never comes, not a speed check


class Receiver:
    """Answers 500 to the first ``failures`` requests (or to all while ``down``), then 204."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.down = False
        self.received: list[tuple[dict[str, str], bytes, int]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver._lock:
                    failing = receiver.down or receiver.failures > 0
                    if receiver.failures > 0:
                        receiver.failures -= 1
                    status = 500 if failing else 204
                    receiver.received.append((dict(self.headers.items()), body, status))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/reelkit"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def delivered(self) -> list[tuple[dict[str, str], bytes]]:
        with self._lock:
            return [(h, b) for h, b, status in self.received if status == 204]

    def wait_delivered(self) -> tuple[dict[str, str], bytes]:
        deadline = time.monotonic() + SAFETY_S
        while time.monotonic() < deadline:
            done = self.delivered()
            if done:
                return done[0]
            time.sleep(0.02)
        raise AssertionError(f"no delivery; received {self.received}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.close()


def verified(secret: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    lowered = {k.lower(): v for k, v in headers.items()}
    assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= set(lowered)
    payload = Webhook(secret).verify(body, lowered)  # raises if the signature is wrong
    assert isinstance(payload, dict)
    return payload


def test_the_gateway_sends_a_signed_event_and_retries_after_a_failure(
    gateway: Any, receiver: Receiver, dev_keys: tuple[str, ...], webhook_secret: str
) -> None:
    receiver.failures = 1
    client = openai.OpenAI(api_key=dev_keys[0], base_url=gateway.base_url, max_retries=0)
    video = client.videos.create_and_poll(
        prompt="a lantern festival",
        model="sora/sora-2",
        poll_interval_ms=50,
        extra_body={"webhook_url": receiver.url},
    )
    assert video.status == "completed"
    headers, body = receiver.wait_delivered()
    event = verified(webhook_secret, headers, body)
    assert event["type"] == "video.completed"
    assert event["data"]["id"] == video.id and event["data"]["status"] == "downloaded"
    failed, succeeded = receiver.received[0], receiver.received[1]
    assert failed[2] == 500 and succeeded[2] == 204
    assert failed[0]["webhook-id"] == succeeded[0]["webhook-id"]  # one event, two attempts
    assert receiver.url not in json.dumps(event)

    deadline = time.monotonic() + SAFETY_S  # the journal's record follows the delivery
    while time.monotonic() < deadline:
        webhook = client.videos.retrieve(video.id).model_extra["reelkit"]["webhook"]  # type: ignore[index]
        if webhook["state"] == "delivered":
            break
        time.sleep(0.02)
    assert webhook["state"] == "delivered"
    assert [a["status"] for a in webhook["attempts"]] == [500, 204]
    assert webhook["attempts"][0]["error"] == "HTTP 500"


def test_a_bad_webhook_url_is_refused_before_anything_is_sent(
    gateway: Any, dev_keys: tuple[str, ...], reelkit_emulator: Any
) -> None:
    client = openai.OpenAI(api_key=dev_keys[0], base_url=gateway.base_url, max_retries=0)
    with pytest.raises(openai.BadRequestError) as refused:
        client.videos.create(
            prompt="x", model="sora/sora-2", extra_body={"webhook_url": "file:///etc/passwd"}
        )
    assert refused.value.body["param"] == "webhook_url"  # type: ignore[index]
    assert reelkit_emulator.stats()["sora"]["submits"] == 0


def python_env(secret: str, home: Path, scale: str) -> dict[str, str]:
    env = dict(os.environ)  # the emulator fixture's environment
    env.update(
        REELKIT_WEBHOOK_SECRET=secret, REELKIT_WEBHOOK_RETRY_SCALE=scale, REELKIT_HOME=str(home)
    )
    return env


def test_the_python_api_sends_it_and_a_later_process_delivers_what_is_owed(
    reelkit_emulator: Any, receiver: Receiver, webhook_secret: str, tmp_path: Path
) -> None:
    env = python_env(webhook_secret, tmp_path / "home", "0.001")
    receiver.down = True
    with Client(env=env) as first:
        result = first.generate(
            "a title card", provider="local", webhook_url=receiver.url, output=tmp_path / "out"
        )
        job_id = result.job_id
    assert receiver.received and not receiver.delivered()  # tried, refused, still owed
    with Client(env=env) as later:
        assert later.journal.get(job_id).webhook_state == "owed"
        receiver.down = False
        deadline = time.monotonic() + SAFETY_S
        while not receiver.delivered() and time.monotonic() < deadline:
            later.deliver_webhooks()
            time.sleep(0.01)
        record = later.journal.get(job_id)
    headers, body = receiver.wait_delivered()
    event = verified(webhook_secret, headers, body)
    assert event["type"] == "video.completed" and event["data"]["id"] == job_id
    assert record.webhook_state == "delivered"
    statuses = [a["status"] for a in record.webhook_attempts]
    assert statuses[-1] == 204 and set(statuses[:-1]) == {500}
    with pytest.raises(WebhookVerificationError):  # another secret does not verify it
        Webhook("whsec_" + "A" * 32).verify(body, {k.lower(): v for k, v in headers.items()})


def test_without_a_secret_a_webhook_is_refused(reelkit_emulator: Any, tmp_path: Path) -> None:
    from reelkit.errors import ConfigurationError

    env = python_env("", tmp_path / "home", "1")
    env.pop("REELKIT_WEBHOOK_SECRET")
    with Client(env=env) as client, pytest.raises(ConfigurationError) as refused:
        client.generate("x", provider="local", webhook_url="http://127.0.0.1:9/x")
    assert refused.value.field == "webhook_url"
    assert client.records() == []


def test_a_failed_job_is_a_failed_video_and_a_video_failed_event(
    gateway: Any, receiver: Receiver, dev_keys: tuple[str, ...], webhook_secret: str
) -> None:
    client = openai.OpenAI(api_key=dev_keys[0], base_url=gateway.base_url, max_retries=0)
    video = client.videos.create_and_poll(
        prompt="a storm that never renders [emulator:fail]",
        model="sora/sora-2",
        poll_interval_ms=50,
        extra_body={"webhook_url": receiver.url},
    )
    assert video.status == "failed"
    assert video.error is not None and video.error.code and video.error.message
    headers, body = receiver.wait_delivered()
    event = verified(webhook_secret, headers, body)
    assert event["type"] == "video.failed" and event["data"]["id"] == video.id
    assert event["data"]["error"]["message"]
    with pytest.raises(openai.BadRequestError) as not_ready:
        client.videos.download_content(video.id)
    assert not_ready.value.body["code"] == "video_not_ready"  # type: ignore[index]
