"""Parsing recorded Kling answers: the envelope, every status, every error family."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from kling_helpers import TASK_ID, handle, load, reply

from reelkit.errors import (
    AuthenticationFailed,
    ContentFiltered,
    ProviderError,
    RateLimited,
    ResponseFormatError,
)
from reelkit.models import Failed, JobStatus, Queued, Running, Succeeded
from reelkit_kling.responses import parse_status, parse_submit

NOW = datetime(2026, 12, 2, tzinfo=timezone.utc)


def status(name: str, code: int = 200) -> JobStatus:
    return parse_status(handle(), reply(code, load(name)), now=NOW)


def test_submit_keeps_the_endpoint_family() -> None:
    job = parse_submit("kling-v1", reply(200, load("submit.json")), {"endpoint": "image2video"})
    assert (job.provider, job.model, job.task_id) == ("kling", "kling-v1", TASK_ID)
    assert job.data == {"endpoint": "image2video"}


def test_a_submit_without_task_id_is_a_format_error() -> None:
    with pytest.raises(ResponseFormatError) as err:
        parse_submit("kling-v1", reply(200, load("submit_no_task_id.json")), {})
    assert err.value.missing == "data.task_id"


def test_statuses() -> None:
    assert isinstance(status("poll_submitted.json"), Queued)
    assert isinstance(status("poll_processing.json"), Running)
    assert isinstance(status("poll_unknown_status.json"), Running)  # keep polling


def test_succeed_gives_the_video_and_its_30_days() -> None:
    done = status("poll_succeed.json")
    assert isinstance(done, Succeeded)
    asset = done.assets[0]
    assert asset.url.endswith("/video.mp4")
    finished = datetime.fromtimestamp(1775872159, tz=timezone.utc)
    assert asset.expires_at == finished + timedelta(days=30)
    assert done.metadata["duration"] == pytest.approx(5.042)
    assert done.metadata["unit_deduction"] == "2.5"


def test_succeed_without_a_video_is_a_format_error() -> None:
    with pytest.raises(ResponseFormatError):
        status("poll_succeed_no_videos.json")


def test_failures() -> None:
    failed = status("poll_failed.json")
    assert isinstance(failed, Failed) and not failed.filtered
    moderated = status("poll_failed_moderation.json")
    assert isinstance(moderated, Failed) and moderated.filtered and moderated.reasons


@pytest.mark.parametrize(
    ("name", "http", "kind", "retryable"),
    [
        ("error_1002_auth.json", 401, AuthenticationFailed, None),
        ("error_1004_expired.json", 401, AuthenticationFailed, None),
        ("error_1102_resource_pack.json", 429, ProviderError, False),
        ("error_1201_illegal.json", 400, ProviderError, False),
        ("error_1301_content.json", 400, ContentFiltered, False),
        ("error_1303_concurrency.json", 429, RateLimited, True),
        ("error_5000.json", 500, ProviderError, True),
    ],
)
def test_error_codes(name: str, http: int, kind: type, retryable: bool | None) -> None:
    with pytest.raises(kind) as err:
        status(name, http)
    if retryable is not None:
        assert err.value.retryable is retryable
        assert err.value.code == load(name)["code"]
    if kind is RateLimited:
        assert not isinstance(err.value, ContentFiltered)


def test_a_business_error_inside_a_200_is_an_error() -> None:
    with pytest.raises(ProviderError) as err:
        status("error_1201_illegal.json", 200)
    assert err.value.code == 1201


def test_a_non_json_error_falls_back_to_the_status() -> None:
    with pytest.raises(ProviderError) as err:
        parse_status(handle(), reply(502, b"<html>bad gateway</html>"), now=NOW)
    assert err.value.retryable
