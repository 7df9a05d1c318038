"""Submit, poll and error parsing against the documented xAI answers [veo-grok §2.3]."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import pytest
from grok_helpers import BASE, REQUEST_ID, config, handle, load, make_request, model, reply

import reelkit_grok
from reelkit.errors import AuthenticationFailed, ProviderError, RateLimited, ResponseFormatError
from reelkit.models import Failed, Queued, Running, Succeeded


def poll(name: str, status: int = 200):
    return reelkit_grok.reelkit_parse_poll(job=handle(), response=reply(status, load(name)))


def submit(case: str, status: int = 200, body: object = None):
    spec = load(f"golden/{case}.json")
    return reelkit_grok.reelkit_parse_submit(
        model=model(spec["model"]),
        request=make_request(spec["request"]),
        response=reply(status, load("submit.json") if body is None else body),
    )


# --- submit -------------------------------------------------------------------------------


def test_submit_keeps_the_request_id() -> None:
    job = submit("t2v_base")
    assert job.provider == "grok"
    assert job.model == "grok-imagine-video"
    assert job.task_id == REQUEST_ID
    assert job.data == {"mode": "t2v", "endpoint": "generations", "total_duration": 10}


def test_extension_handle_counts_the_added_seconds() -> None:
    job = submit("extend_base")
    assert job.data["endpoint"] == "extensions"
    assert job.data["total_duration"] == 14.0  # 8 s source + 6 s added
    assert job.data["source_job"] == "job-7"


def test_edit_handle() -> None:
    assert submit("edit_base").data == {"mode": "edit", "endpoint": "edits"}
    remix = submit("remix_base").data
    assert remix["endpoint"] == "edits"
    assert remix["total_duration"] == 8.0


def test_submit_without_request_id() -> None:
    with pytest.raises(ResponseFormatError) as err:
        submit("t2v_base", body={"id": "x"})
    assert err.value.missing == "request_id"


def test_bad_key_is_an_authentication_error_that_hides_the_key() -> None:
    with pytest.raises(AuthenticationFailed) as err:
        submit("t2v_base", 400, load("error_400_api_key.json"))
    text = str(err.value)
    assert "Incorrect API key provided: ***" in text
    assert "Ab12" not in text and "wXyZ" not in text


def test_out_of_credits_is_not_retried() -> None:
    with pytest.raises(ProviderError) as err:
        submit("t2v_base", 429, load("error_429_credits.json"))
    assert not isinstance(err.value, RateLimited)
    assert not err.value.retryable
    assert "ran out of credits" in str(err.value)
    assert err.value.code == 429


def test_rate_limit_openai_like_shape() -> None:
    response = reply(429, load("error_429_rate.json"), headers={"retry-after": "7"})
    with pytest.raises(RateLimited) as err:
        reelkit_grok.reelkit_parse_poll(job=handle(), response=response)
    assert err.value.retry_after == 7.0
    assert err.value.code == "rate_limit_exceeded"
    assert "requests-per-minute" in str(err.value)


@pytest.mark.parametrize(
    ("fixture", "status", "code", "retryable"),
    [
        ("error_400_openai_like.json", 400, "invalid_argument", False),
        ("error_404_model.json", 404, "Some requested entity was not found", False),
        ("error_500.json", 500, "internal_error", True),
    ],
)
def test_other_errors(fixture: str, status: int, code: str, retryable: bool) -> None:
    with pytest.raises(ProviderError) as err:
        submit("t2v_base", status, load(fixture))
    assert err.value.code == code
    assert err.value.status == status
    assert err.value.retryable is retryable


def test_error_that_is_not_json() -> None:
    response = httpx.Response(
        503, content=b"upstream connect error", request=httpx.Request("GET", BASE)
    )
    with pytest.raises(ProviderError) as err:
        reelkit_grok.reelkit_parse_poll(job=handle(), response=response)
    assert err.value.retryable
    assert "upstream connect error" in str(err.value)


# --- poll ---------------------------------------------------------------------------------


def test_poll_request() -> None:
    request = reelkit_grok.reelkit_poll_request(
        job=handle(), config=config("http://127.0.0.1:9/grok")
    )
    assert request.method == "GET"
    assert str(request.url) == f"http://127.0.0.1:9/grok/v1/videos/{REQUEST_ID}"


def test_pending() -> None:
    assert isinstance(poll("poll_pending.json"), Queued)
    running = poll("poll_pending_progress.json")
    assert isinstance(running, Running)
    assert running.progress == pytest.approx(0.42)


def test_unknown_status_keeps_polling() -> None:
    assert isinstance(poll("poll_unknown_status.json"), Running)


def test_done() -> None:
    before = datetime.now(timezone.utc)
    status = poll("poll_done.json")
    assert isinstance(status, Succeeded)
    assert status.video is not None
    assert status.video.url == load("poll_done.json")["video"]["url"]
    assert status.video.mime_type == "video/mp4"
    assert status.video.expires_at is not None
    assert timedelta(hours=24) <= status.video.expires_at - before < timedelta(hours=24, minutes=1)
    assert status.metadata == {"model": "grok-imagine-video", "duration": 8.0, "cost_usd": 0.4}


def test_done_without_a_status_field() -> None:
    status = poll("poll_done_no_status.json")
    assert isinstance(status, Succeeded)
    assert status.metadata["duration"] == 6.0


def test_done_but_moderated_is_filtered() -> None:
    status = poll("poll_done_moderated.json")
    assert isinstance(status, Failed)
    assert status.filtered
    assert status.code == "moderated"
    assert status.reasons


def test_done_without_url_is_a_format_error() -> None:
    with pytest.raises(ResponseFormatError) as err:
        reelkit_grok.reelkit_parse_poll(
            job=handle(), response=reply(200, {"status": "done", "video": {"duration": 8}})
        )
    assert err.value.missing == "video.url"


def test_expired() -> None:
    status = poll("poll_expired.json")
    assert isinstance(status, Failed)
    assert status.code == "expired"
    assert not status.filtered


@pytest.mark.parametrize(
    ("fixture", "code", "filtered", "retryable"),
    [
        ("poll_failed.json", "invalid_argument", False, False),
        ("poll_failed_moderation.json", "invalid_argument", True, False),
        ("poll_failed_precondition.json", "failed_precondition", False, False),
        ("poll_failed_unavailable.json", "service_unavailable", False, True),
        ("poll_failed_internal.json", "internal_error", False, True),
    ],
)
def test_failed(fixture: str, code: str, filtered: bool, retryable: bool) -> None:
    status = poll(fixture)
    assert isinstance(status, Failed)
    assert status.code == code
    assert status.message == load(fixture)["error"]["message"]
    assert status.filtered is filtered
    assert status.retryable is retryable
    if filtered:
        assert status.reasons == (status.message,)


def test_keys_in_any_message_are_masked() -> None:
    from reelkit_grok.responses import scrub

    assert scrub("bad token xai-AbCdEf1234567890 for team") == "bad token *** for team"
    body = {
        "error": {"code": "permission_denied", "message": "key xai-AbCdEf1234567890 is disabled"}
    }
    with pytest.raises(ProviderError) as err:
        submit("t2v_base", 404, body)
    assert "AbCdEf" not in str(err.value)
