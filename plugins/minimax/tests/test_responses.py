"""Recorded MiniMax answers: errors in ``base_resp`` with HTTP 200, the query's statuses."""

from __future__ import annotations

import httpx
import pytest
from minimax_helpers import SUBMIT, answer

from reelkit.errors import (
    AuthenticationFailed,
    ContentFiltered,
    InvalidRequest,
    ProviderError,
    RateLimited,
    ResponseFormatError,
)
from reelkit.models import Failed, Queued, Running, Succeeded
from reelkit_minimax.responses import parse_status, parse_submit


def test_submit_gives_the_task_id() -> None:
    handle = parse_submit("MiniMax-Hailuo-2.3", answer("submit", request=SUBMIT))
    assert (handle.provider, handle.model, handle.task_id) == (
        "minimax",
        "MiniMax-Hailuo-2.3",
        "106916112212032",
    )
    assert handle.data == {}  # the task id is all the query needs: adopting needs no hook


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (1002, RateLimited),
        (1004, AuthenticationFailed),
        (2049, AuthenticationFailed),
        (1026, ContentFiltered),
        (2013, InvalidRequest),
        (1008, ProviderError),
        (1000, ProviderError),
    ],
)
def test_submit_errors_arrive_as_http_200(code: int, error: type[Exception]) -> None:
    with pytest.raises(error) as err:
        parse_submit("MiniMax-Hailuo-2.3", answer(f"submit_error_{code}", request=SUBMIT))
    if isinstance(err.value, ProviderError):
        assert err.value.code == code
        assert err.value.retryable is (code in (1000, 1002))
    assert str(code) in str(err.value)


def test_an_http_error_status_is_typed_too() -> None:
    response = httpx.Response(503, json={"base_resp": {}}, request=SUBMIT)
    with pytest.raises(ProviderError) as err:
        parse_submit("MiniMax-Hailuo-2.3", response)
    assert err.value.retryable
    with pytest.raises(AuthenticationFailed):
        parse_submit("x", httpx.Response(401, text="no", request=SUBMIT))


def test_a_submit_without_task_id_is_a_format_error() -> None:
    response = httpx.Response(200, json={"base_resp": {"status_code": 0}}, request=SUBMIT)
    with pytest.raises(ResponseFormatError) as err:
        parse_submit("x", response)
    assert err.value.missing == "task_id"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("poll_preparing", Queued),
        ("poll_queueing", Queued),
        ("poll_processing", Running),
        ("poll_unknown_status", Running),
    ],
)
def test_the_walk_to_success(name: str, kind: type) -> None:
    assert isinstance(parse_status(answer(name)), kind)


def test_success_points_at_the_file_on_the_same_host() -> None:
    status = parse_status(answer("poll_success"))
    assert isinstance(status, Succeeded)
    video = status.video
    assert video is not None
    assert video.url == ("https://api.minimax.io/v1/files/retrieve_content?file_id=205258526306433")
    assert video.data == {"file_id": "205258526306433"}
    assert status.metadata == {"size": "1366x768"}
    bare = parse_status(answer("poll_success_no_size"))
    assert isinstance(bare, Succeeded) and bare.metadata == {}


def test_success_keeps_a_base_url_prefix() -> None:
    request = httpx.Request("GET", "http://127.0.0.1:9/minimax/v1/query/video_generation?task_id=1")
    status = parse_status(answer("poll_success", request=request))
    assert isinstance(status, Succeeded) and status.video is not None
    assert status.video.url.startswith("http://127.0.0.1:9/minimax/v1/files/retrieve_content?")


def test_missing_required_fields_raise() -> None:
    with pytest.raises(ResponseFormatError) as err:
        parse_status(answer("poll_success_no_file"))
    assert err.value.missing == "file_id"
    with pytest.raises(ResponseFormatError):
        parse_status(answer("poll_no_status"))


def test_failures() -> None:
    moderated = parse_status(answer("poll_fail_sensitive"))
    assert isinstance(moderated, Failed)
    assert (moderated.filtered, moderated.code, moderated.reasons) == (
        True,
        1027,
        ("output video is sensitive",),
    )
    failed = parse_status(answer("poll_fail"))
    assert isinstance(failed, Failed) and not failed.filtered and failed.retryable
    plain = parse_status(answer("poll_fail_no_reason"))
    assert isinstance(plain, Failed) and plain.code == "fail" and plain.message


def test_poll_errors_in_base_resp() -> None:
    with pytest.raises(RateLimited):
        parse_status(answer("poll_rate_limited"))
    with pytest.raises(AuthenticationFailed) as err:
        parse_status(answer("poll_auth"))
    assert "sk-abcdefghijklmnop1234" not in str(err.value)  # an echoed key never leaks


def test_a_truncated_answer_is_a_retryable_error() -> None:
    response = httpx.Response(200, content=b'{"task_id": "1", "sta', request=SUBMIT)
    with pytest.raises(ProviderError):
        parse_status(response)


@pytest.mark.parametrize(
    ("code", "error", "retryable"),
    [(1039, ContentFiltered, False), (1030, ProviderError, False), (1033, ProviderError, True)],
)
def test_the_codes_minimax_s_cli_knows(code: int, error: type, retryable: bool) -> None:
    body = {"task_id": "", "base_resp": {"status_code": code, "status_msg": "no"}}
    with pytest.raises(error) as err:
        parse_submit("x", httpx.Response(200, json=body, request=SUBMIT))
    assert err.value.retryable is retryable
