"""Submit, poll and cancel answers, from JSON fixtures, map to reelkit's statuses and errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from runway_helpers import TASK_ID, load, reply

from reelkit.errors import AuthenticationFailed, ProviderError, RateLimited, ResponseFormatError
from reelkit.models import Failed, Queued, Running, Succeeded
from reelkit_runway.responses import parse_cancel, parse_submit, parse_task

NOW = datetime(2026, 12, 2, 14, 0, tzinfo=timezone.utc)


def poll(name: str) -> object:
    return parse_task(reply(200, load(name)), now=NOW)


def test_submit_answers_the_task_id() -> None:
    job = parse_submit("gen4.5", reply(200, load("submit.json")))
    assert (job.provider, job.model, job.task_id, job.data) == ("runway", "gen4.5", TASK_ID, {})


def test_a_submit_without_an_id_is_a_format_error() -> None:
    with pytest.raises(ResponseFormatError):
        parse_submit("gen4.5", reply(200, {"status": "PENDING"}))


@pytest.mark.parametrize("name", ["poll_pending.json", "poll_throttled.json"])
def test_pending_and_throttled_are_queued(name: str) -> None:
    assert isinstance(poll(name), Queued)  # THROTTLED waits for a slot: it has not failed


def test_running_reports_progress() -> None:
    status = poll("poll_running.json")
    assert isinstance(status, Running) and status.progress == pytest.approx(0.42)


def test_succeeded_has_the_url_its_lifetime_and_the_credits_charged() -> None:
    status = poll("poll_succeeded.json")
    assert isinstance(status, Succeeded)
    (asset,) = status.assets
    assert asset.url.startswith("https://dnznrvs05pmza.cloudfront.net/")
    assert asset.expires_at == NOW + timedelta(hours=24)  # "expire within 24-48 hours"
    assert status.charge is not None
    assert (status.charge.amount, status.charge.currency) == (0.6, "USD")  # 60 credits × $0.01


def test_a_malformed_cost_never_fails_a_finished_job() -> None:
    status = poll("poll_malformed_cost.json")
    assert isinstance(status, Succeeded) and status.charge is None


def test_succeeded_without_output_is_a_format_error() -> None:
    with pytest.raises(ResponseFormatError):
        poll("poll_succeeded_no_output.json")


def test_safety_failures_are_filtered_and_not_retryable() -> None:
    status = poll("poll_failed_safety.json")
    assert isinstance(status, Failed)
    assert (status.code, status.filtered, status.retryable) == ("SAFETY.INPUT.TEXT", True, False)
    assert status.reasons == ("SAFETY.INPUT.TEXT",)


def test_internal_failures_may_be_tried_again() -> None:
    status = poll("poll_failed_internal.json")
    assert isinstance(status, Failed)
    assert (status.code, status.filtered, status.retryable) == (
        "INTERNAL.BAD_OUTPUT.CODE01",
        False,
        True,
    )


def test_an_invalid_asset_is_a_plain_failure() -> None:
    status = poll("poll_failed_asset.json")
    assert isinstance(status, Failed)
    assert (status.code, status.filtered, status.retryable) == ("ASSET.INVALID", False, False)


def test_cancelled_is_failed_cancelled() -> None:
    status = poll("poll_cancelled.json")
    assert isinstance(status, Failed) and status.code == "cancelled"


def test_an_unknown_status_keeps_polling() -> None:
    assert isinstance(poll("poll_unknown_status.json"), Running)


def test_a_poll_without_a_status_is_a_format_error() -> None:
    with pytest.raises(ResponseFormatError):
        parse_task(reply(200, {"id": TASK_ID}), now=NOW)


def test_validation_errors_name_the_issue() -> None:
    with pytest.raises(ProviderError) as err:
        parse_submit("gen4.5", reply(400, load("error_400_validation.json")))
    assert err.value.status == 400 and not err.value.retryable
    assert "ratio: Invalid enum value" in str(err.value)


def test_a_bad_key_is_an_authentication_failure() -> None:
    with pytest.raises(AuthenticationFailed):
        parse_submit("gen4.5", reply(401, load("error_401.json")))


def test_429_is_rate_limited_with_retry_after() -> None:
    with pytest.raises(RateLimited) as err:
        parse_task(reply(429, load("error_429.json"), headers={"retry-after": "7"}), now=NOW)
    assert err.value.retry_after == 7


def test_500_is_retryable() -> None:
    with pytest.raises(ProviderError) as err:
        parse_task(reply(500, load("error_500.json")), now=NOW)
    assert err.value.retryable


def test_cancel_answers_204_and_refuses_errors() -> None:
    status = parse_cancel(reply(204, b""))
    assert isinstance(status, Failed) and status.code == "cancelled"
    with pytest.raises(ProviderError):
        parse_cancel(reply(404, {"error": "Task not found"}))


def test_the_core_default_adopted_handle_is_the_submitted_one() -> None:
    # Polling needs only the task id, so `reelkit jobs adopt JOB TASK_ID` needs no hook here.
    from reelkit.models import JobHandle

    submitted = parse_submit("gen4.5", reply(200, load("submit.json")))
    assert submitted == JobHandle(provider="runway", model="gen4.5", task_id=TASK_ID)
