"""Webhooks in: a reelkit service's callback URL in the submit body, the callback read back."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kling_helpers import config, load, model

import reelkit_kling
from reelkit.callbacks import CALLBACK_OPTION, Callback
from reelkit.capabilities import Mode
from reelkit.errors import ResponseFormatError
from reelkit.models import Failed, Queued, Running, Succeeded, VideoRequest

HOOK = "https://videos.example.com/webhooks/kling?job=rk_1&token=abc"


def body_of(params: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
    request = VideoRequest(
        prompt="a cat", mode=Mode.T2V, duration=5.0, resolution="720p", params=params or {}
    )
    sent = reelkit_kling.reelkit_translate(
        model=model("kling-v2-5-turbo"), request=request, config=config(**options)
    )
    return json.loads(sent.content)  # type: ignore[no-any-return]


def test_the_services_callback_url_is_sent_and_a_callers_own_wins() -> None:
    assert body_of(**{CALLBACK_OPTION: HOOK})["callback_url"] == HOOK
    assert body_of().get("callback_url") is None
    own = "https://mine.example.com/hook"
    assert body_of({"callback_url": own}, **{CALLBACK_OPTION: HOOK})["callback_url"] == own


def parse(task: object) -> Callback:
    return reelkit_kling.reelkit_parse_callback(
        provider="kling", headers={}, body=json.dumps(task).encode()
    )


def test_a_callback_body_is_the_task_object() -> None:
    data = load("poll_succeed.json")["data"]
    done = parse(data)
    assert done.task_id == data["task_id"]
    assert isinstance(done.status, Succeeded)
    assert done.status.assets[0].url == data["task_result"]["videos"][0]["url"]
    assert isinstance(parse({"task_id": "t1", "task_status": "submitted"}).status, Queued)
    assert isinstance(parse({"task_id": "t1", "task_status": "processing"}).status, Running)
    failed = parse({"task_id": "t1", "task_status": "failed", "task_status_msg": "no"})
    assert isinstance(failed.status, Failed)
    # An enveloped body (the query answer's shape) is read the same way.
    assert parse(load("poll_succeed.json")).task_id == data["task_id"]


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"task_status": "succeed"}'])
def test_a_callback_without_a_task_is_a_typed_error(body: bytes) -> None:
    with pytest.raises(ResponseFormatError):
        reelkit_kling.reelkit_parse_callback(provider="kling", headers={}, body=body)
