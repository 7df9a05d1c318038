"""Webhooks in: the service's callback URL in the body, and the callback body read back."""

from __future__ import annotations

import json

import attrs
import pytest

import reelkit_seedance
from reelkit.callbacks import CALLBACK_OPTION, Callback
from reelkit.capabilities import Mode
from reelkit.errors import ResponseFormatError
from reelkit.models import Failed, Running, Succeeded, VideoRequest
from reelkit_seedance.capabilities import MODELS

from .conftest import provider_config

HOOK = "https://videos.example.com/webhooks/seedance?job=rk_1&token=abc"
REQUEST = VideoRequest(prompt="a cat", mode=Mode.T2V, duration=5.0, fps=24)


def body_of(options: dict[str, str], params: dict[str, str] | None = None) -> dict[str, object]:
    config = attrs.evolve(provider_config(), options=options)
    request = attrs.evolve(REQUEST, params=params or {})
    sent = reelkit_seedance.reelkit_translate(
        provider="seedance", model=MODELS[0], request=request, config=config
    )
    return json.loads(sent.content)  # type: ignore[no-any-return]


def test_the_services_callback_url_is_sent_and_a_callers_own_wins() -> None:
    assert body_of({CALLBACK_OPTION: HOOK})["callback_url"] == HOOK
    assert "callback_url" not in body_of({})
    own = "https://mine.example.com/hook"
    assert body_of({CALLBACK_OPTION: HOOK}, {"callback_url": own})["callback_url"] == own


def parse(task: object) -> Callback:
    return reelkit_seedance.reelkit_parse_callback(
        provider="seedance", headers={}, body=json.dumps(task).encode()
    )


def test_a_callback_body_is_the_task_object() -> None:
    running = parse({"id": "cgt-1", "status": "running"})
    assert running.task_id == "cgt-1" and isinstance(running.status, Running)
    done = parse(
        {"id": "cgt-1", "status": "succeeded", "content": {"video_url": "https://cdn/x.mp4"}}
    )
    assert isinstance(done.status, Succeeded) and done.status.video is not None
    failed = parse({"id": "cgt-1", "status": "failed", "error": {"code": "X", "message": "no"}})
    assert isinstance(failed.status, Failed)


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"status": "running"}'])
def test_a_callback_without_a_task_is_a_typed_error(body: bytes) -> None:
    with pytest.raises(ResponseFormatError):
        reelkit_seedance.reelkit_parse_callback(provider="seedance", headers={}, body=body)
