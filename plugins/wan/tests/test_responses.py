"""Parsing recorded DashScope answers: submit, every task status, every error shape."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from wan_helpers import TASK_ID, handle, load, reply

from reelkit.errors import (
    AuthenticationFailed,
    ContentFiltered,
    ProviderError,
    RateLimited,
    ResponseFormatError,
)
from reelkit.models import Failed, Queued, Running, Succeeded
from reelkit_wan.responses import parse_status, parse_submit

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)


def poll(name: str, status: int = 200) -> object:
    return parse_status(handle(), reply(status, load(name)), now=NOW)


def test_submit_gives_the_task_id() -> None:
    job = parse_submit("wan2.5", reply(200, load("submit.json")), {"wire_model": "x"})
    assert (job.provider, job.model, job.task_id) == ("wan", "wan2.5", TASK_ID)
    assert job.data == {"wire_model": "x"}


def test_submit_without_a_task_id_is_a_format_error() -> None:
    with pytest.raises(ResponseFormatError) as err:
        parse_submit("wan2.5", reply(200, {"request_id": "r", "output": {}}), {})
    assert err.value.missing == "output.task_id"


def test_pending_and_running() -> None:
    assert isinstance(poll("poll_pending.json"), Queued)
    assert isinstance(poll("poll_running.json"), Running)


def test_succeeded_has_the_video_and_its_24_hours() -> None:
    status = poll("poll_succeeded.json")
    assert isinstance(status, Succeeded)
    [asset] = status.assets
    assert asset.url.startswith("https://dashscope-result-sh.oss-cn-shanghai.aliyuncs.com/")
    assert asset.expires_at == NOW + timedelta(hours=24)
    assert status.metadata["duration"] == 10
    assert status.metadata["video_count"] == 1
    assert status.metadata["actual_prompt"].startswith("A small orange kitten")


def test_succeeded_without_a_url_is_a_format_error() -> None:
    with pytest.raises(ResponseFormatError) as err:
        poll("poll_succeeded_no_url.json")
    assert err.value.missing == "output.video_url"


def test_a_missing_status_is_a_format_error() -> None:
    with pytest.raises(ResponseFormatError):
        poll("poll_no_status.json")


def test_unknown_is_a_terminal_failure_that_says_the_task_expired() -> None:
    status = poll("poll_unknown.json")
    assert isinstance(status, Failed)
    assert status.code == "UNKNOWN"
    assert "24 hours" in status.message and "expired" in status.message
    assert not status.retryable


def test_failed_statuses() -> None:
    plain = poll("poll_failed.json")
    assert isinstance(plain, Failed)
    assert (plain.code, plain.filtered, plain.retryable) == ("InvalidParameter", False, False)
    moderated = poll("poll_failed_moderation.json")
    assert isinstance(moderated, Failed)
    assert moderated.filtered and moderated.reasons
    internal = poll("poll_failed_internal.json")
    assert isinstance(internal, Failed) and internal.retryable
    canceled = poll("poll_canceled.json")
    assert isinstance(canceled, Failed) and canceled.code == "CANCELED"


def test_an_unknown_status_word_keeps_polling() -> None:
    body = load("poll_running.json")
    body["output"]["task_status"] = "SUSPENDED"
    body["output"]["new_field"] = {"tolerated": True}
    assert isinstance(parse_status(handle(), reply(200, body), now=NOW), Running)


@pytest.mark.parametrize(
    ("status", "name", "kind", "retryable"),
    [
        (401, "error_401_api_key.json", AuthenticationFailed, None),
        (429, "error_429_throttling.json", RateLimited, True),
        (429, "error_429_allocation.json", ProviderError, False),
        (400, "error_400_inspection.json", ContentFiltered, False),
        (400, "error_400_parameter.json", ProviderError, False),
        (400, "error_400_arrearage.json", ProviderError, False),
        (403, "error_403_sync.json", ProviderError, False),
        (500, "error_500.json", ProviderError, True),
    ],
)
def test_errors_are_typed(status: int, name: str, kind: type, retryable: bool | None) -> None:
    with pytest.raises(kind) as err:
        parse_submit("wan2.5", reply(status, load(name)), {})
    assert type(err.value) is kind
    if retryable is not None:
        assert err.value.retryable is retryable  # type: ignore[attr-defined]
    assert load(name)["code"] in str(err.value)


def test_rate_limits_keep_retry_after() -> None:
    response = reply(429, load("error_429_throttling.json"), headers={"retry-after": "7"})
    with pytest.raises(RateLimited) as err:
        parse_status(handle(), response, now=NOW)
    assert err.value.retry_after == 7


def test_a_key_in_a_message_is_masked() -> None:
    body = {"code": "InvalidApiKey", "message": "Invalid API-key provided: sk-abcdef123456"}
    with pytest.raises(AuthenticationFailed) as err:
        parse_submit("wan2.5", reply(401, body), {})
    assert "sk-abcdef123456" not in str(err.value)


def test_a_non_json_error_body() -> None:
    with pytest.raises(ProviderError) as err:
        parse_submit("wan2.5", reply(502, b"<html>Bad Gateway</html>"), {})
    assert err.value.retryable
