"""parse_submit / parse_poll / parse_cancel for every status and error code (JSON fixtures).

``reference §n`` cites ``docs/reference/volcengine-kling.md`` section n.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

import reelkit_seedance
from reelkit.capabilities import Mode
from reelkit.errors import (
    AuthenticationFailed,
    ContentFiltered,
    ProviderError,
    RateLimited,
    ResponseFormatError,
)
from reelkit.models import Failed, JobHandle, Queued, Running, Succeeded, VideoRequest
from reelkit_seedance.capabilities import PRO

from .conftest import fixture

URL = "https://ark.cn-beijing.volces.com/api/v3/contents/generations/tasks"
JOB = JobHandle(provider="seedance", model=PRO.id, task_id="cgt-20250331175019-68d9t")
REQUEST = VideoRequest(prompt="a cat", mode=Mode.T2V, resolution="1080p", duration=5.0)
ERRORS = fixture("errors.json")["errors"]


def answer(
    status: int, body: Any, method: str = "GET", headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers, request=httpx.Request(method, URL))


def error_body(code: str) -> dict[str, Any]:
    # reference §3.3: the SDK reads body["error"]; message ends with the request id.
    return {
        "error": {
            "code": code,
            "message": f"{code} happened. Request id: 021743414619",
            "param": None,
            "type": "BadRequest",
        }
    }


def submit(response: httpx.Response) -> JobHandle:
    return reelkit_seedance.reelkit_parse_submit(
        provider="seedance", model=PRO, request=REQUEST, response=response
    )


def poll(response: httpx.Response) -> Any:
    return reelkit_seedance.reelkit_parse_poll(provider="seedance", job=JOB, response=response)


def test_create_returns_the_task_id() -> None:
    created = fixture("create_ok.json")
    handle = submit(answer(created["status_code"], created["body"], "POST", created["headers"]))
    assert handle == JobHandle(
        provider="seedance", model=PRO.id, task_id="cgt-20250331175019-68d9t"
    )


def test_create_without_id_is_a_format_error() -> None:
    with pytest.raises(ResponseFormatError):
        submit(answer(200, {"task": "x"}, "POST"))


@pytest.mark.parametrize("entry", ERRORS, ids=lambda e: e["code"])
def test_create_errors_are_typed(entry: dict[str, Any]) -> None:
    with pytest.raises((ProviderError, AuthenticationFailed)) as info:
        submit(answer(entry["http"], error_body(entry["code"]), "POST", {"Retry-After": "4"}))
    err = info.value
    kind = entry["kind"]
    if kind == "auth":
        assert isinstance(err, AuthenticationFailed)
        return
    assert isinstance(err, ProviderError)
    assert err.code == entry["code"]
    assert err.retryable is entry["retry"]
    assert isinstance(err, ContentFiltered) is (kind == "filtered")
    assert isinstance(err, RateLimited) is (kind == "rate_limited")
    if kind == "rate_limited":
        assert isinstance(err, RateLimited) and err.retry_after == 4.0
    if kind == "filtered":
        assert isinstance(err, ContentFiltered) and err.reasons == [entry["code"]]


def test_hints_are_added_for_account_problems() -> None:
    with pytest.raises(ProviderError, match="activate the model"):
        submit(answer(404, error_body("ModelNotOpen"), "POST"))


def test_x_should_retry_header_is_obeyed() -> None:
    with pytest.raises(ProviderError) as info:
        submit(answer(400, error_body("InvalidParameter"), "POST", {"x-should-retry": "true"}))
    assert info.value.retryable
    with pytest.raises(ProviderError) as info:
        poll(answer(503, error_body("ServiceUnavailable"), headers={"x-should-retry": "false"}))
    assert not info.value.retryable


def test_non_json_errors_map_by_status() -> None:
    request = httpx.Request("GET", URL)
    with pytest.raises(ProviderError) as info:
        poll(httpx.Response(502, text="<html>bad gateway</html>", request=request))
    assert info.value.retryable
    with pytest.raises(AuthenticationFailed):
        poll(httpx.Response(401, text="no", request=request))


# --- statuses ---------------------------------------------------------------------------------


def _status(name: str) -> Any:
    return poll(answer(200, fixture("get_statuses.json")[name]))


def test_queued_and_running() -> None:
    assert _status("queued") == Queued()
    assert _status("running") == Running()


def test_succeeded() -> None:
    status = _status("succeeded")
    assert isinstance(status, Succeeded)
    assert [a.kind for a in status.assets] == ["video"]
    video = status.video
    assert video is not None and video.url.endswith(".mp4?X-Tos-Expires=86400")
    # reference §3.4: 24 h from when the task finished (updated_at, Unix seconds).
    assert video.expires_at == datetime.fromtimestamp(1743414672, tz=timezone.utc) + timedelta(
        hours=24
    )
    assert status.metadata["usage"] == {"completion_tokens": 108900, "total_tokens": 108900}
    assert (status.metadata["resolution"], status.metadata["duration"]) == ("720p", 5)


def test_succeeded_with_last_frame() -> None:
    status = _status("succeeded_with_last_frame")
    assert isinstance(status, Succeeded)
    assert [(a.kind, a.mime_type) for a in status.assets] == [
        ("video", "video/mp4"),
        ("last_frame", "image/png"),
    ]
    assert status.metadata["generate_audio"] is True


def test_succeeded_without_url_is_a_failure() -> None:
    status = _status("succeeded_without_url")
    assert isinstance(status, Failed) and status.code == "no_video"


def test_failed() -> None:
    status = _status("failed")
    assert isinstance(status, Failed)
    assert (status.code, status.filtered) == ("InternalServiceError", False)
    assert "unexpected internal error" in status.message


def test_failed_by_moderation() -> None:
    status = _status("failed_moderation")
    assert isinstance(status, Failed)
    assert status.filtered and status.code == "OutputVideoSensitiveContentDetected"
    assert status.reasons == ("OutputVideoSensitiveContentDetected",)


@pytest.mark.parametrize("name", ["cancelled", "expired"])
def test_cancelled_and_expired(name: str) -> None:
    status = _status(name)
    assert isinstance(status, Failed) and status.code == name


def test_unknown_task_is_not_found() -> None:
    body = {"error": {"code": "ResourceNotFound", "message": "The specified task is not found."}}
    status = poll(answer(404, body))
    assert isinstance(status, Failed) and status.code == "not_found"


def test_poll_rate_limit_is_raised_for_the_core_to_back_off() -> None:
    with pytest.raises(RateLimited) as info:
        poll(answer(429, error_body("ServerOverloaded"), headers={"Retry-After": "2"}))
    assert info.value.retry_after == 2.0


# --- cancel -----------------------------------------------------------------------------------


def test_cancel_of_a_queued_task() -> None:
    response = httpx.Response(200, request=httpx.Request("DELETE", URL))  # no response body
    status = reelkit_seedance.reelkit_parse_cancel(provider="seedance", job=JOB, response=response)
    assert status == Failed(message="cancelled", code="cancelled")


def test_cancel_of_a_running_task_is_refused() -> None:
    body = error_body("InvalidParameter")
    body["error"]["message"] = "The task is running and cannot be cancelled or deleted."
    with pytest.raises(ProviderError, match="cannot be cancelled") as info:
        reelkit_seedance.reelkit_parse_cancel(
            provider="seedance", job=JOB, response=answer(400, body, "DELETE")
        )
    assert not info.value.retryable
