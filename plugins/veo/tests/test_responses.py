"""Submit, poll and error parsing against recorded Gemini API answers."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from veo_helpers import BASE, config, handle, load, make_request, model, reply

import reelkit_veo
from reelkit.errors import AuthenticationFailed, ProviderError, RateLimited, ResponseFormatError
from reelkit.models import Failed, Running, Succeeded

OPERATION = "models/veo-3.1-generate-preview/operations/321kvdcepmcg"


def poll(name: str, status: int = 200, **data: object):
    return reelkit_veo.reelkit_parse_poll(job=handle(**data), response=reply(status, load(name)))


# --- submit -------------------------------------------------------------------------------


def test_submit_keeps_the_operation_and_what_was_sent() -> None:
    case = load("golden/extend_veo31_portrait_source.json")
    request = make_request(case["request"])
    sent = reelkit_veo.reelkit_translate(
        model=model(case["model"]), request=request, config=config()
    )
    job = reelkit_veo.reelkit_parse_submit(
        model=model(case["model"]),
        request=request,
        response=reply(200, load("submit.json"), request=sent),
    )
    assert job.provider == "veo"
    assert job.model == "veo-3.1-generate-preview"
    assert job.task_id == OPERATION
    assert job.data["operation"] == OPERATION
    # The API got the source's 9:16 although the request said 16:9; the handle says what was sent.
    assert job.data["aspect_ratio"] == "9:16"
    assert job.data["resolution"] == "720p"
    assert job.data["mode"] == "extend"
    assert job.data["extensions"] == 1
    assert job.data["estimated_duration"] == 15.0  # 8 s source + about 7 s
    json.dumps(job.data)  # serialisable for the journal


def test_submit_handle_of_a_text_job() -> None:
    case = load("golden/t2v_veo31.json")
    request = make_request(case["request"])
    sent = reelkit_veo.reelkit_translate(
        model=model(case["model"]), request=request, config=config()
    )
    job = reelkit_veo.reelkit_parse_submit(
        model=model(case["model"]),
        request=request,
        response=reply(200, load("submit.json"), request=sent),
    )
    assert job.data == {
        "operation": OPERATION,
        "mode": "t2v",
        "aspect_ratio": "16:9",
        "resolution": "720p",
        "duration": 8,
        "estimated_duration": 8,
    }


def test_submit_without_a_name_is_a_format_error() -> None:
    request = make_request(load("golden/t2v_veo31.json")["request"])
    with pytest.raises(ResponseFormatError) as err:
        reelkit_veo.reelkit_parse_submit(
            model=model("veo-3.1-generate-preview"),
            request=request,
            response=reply(200, {"done": False}),
        )
    assert err.value.missing == "name"


@pytest.mark.parametrize(
    ("fixture", "status", "error", "code"),
    [
        ("error_429.json", 429, RateLimited, "RESOURCE_EXHAUSTED"),
        ("error_400_inline_data.json", 400, ProviderError, "INVALID_ARGUMENT"),
        ("error_400_api_key.json", 400, AuthenticationFailed, None),
        ("error_403.json", 403, AuthenticationFailed, None),
        ("error_404.json", 404, ProviderError, "NOT_FOUND"),
        ("error_503.json", 503, ProviderError, "UNAVAILABLE"),
    ],
)
def test_submit_errors(fixture: str, status: int, error: type, code: str | None) -> None:
    request = make_request(load("golden/t2v_veo31.json")["request"])
    with pytest.raises(error) as err:
        reelkit_veo.reelkit_parse_submit(
            model=model("veo-3.1-generate-preview"),
            request=request,
            response=reply(status, load(fixture)),
        )
    assert load(fixture)["error"]["message"] in str(err.value)
    if code is not None:
        assert err.value.code == code
    if status == 503:
        assert err.value.retryable
    if error is ProviderError and status in (400, 404):
        assert not err.value.retryable


def test_rate_limit_uses_retry_info_when_no_header() -> None:
    with pytest.raises(RateLimited) as err:
        poll("error_429.json", 429)
    assert err.value.retry_after == 31.0


def test_rate_limit_prefers_the_retry_after_header() -> None:
    response = reply(429, load("error_429.json"), headers={"retry-after": "5"})
    with pytest.raises(RateLimited) as err:
        reelkit_veo.reelkit_parse_poll(job=handle(), response=response)
    assert err.value.retry_after == 5.0


def test_error_body_that_is_not_json() -> None:
    response = httpx.Response(
        502, content=b"<html>Bad Gateway</html>", request=httpx.Request("GET", BASE)
    )
    with pytest.raises(ProviderError) as err:
        reelkit_veo.reelkit_parse_poll(job=handle(), response=response)
    assert err.value.retryable
    assert err.value.status == 502


# --- poll ---------------------------------------------------------------------------------


def test_poll_request_uses_the_operation_name() -> None:
    request = reelkit_veo.reelkit_poll_request(
        job=handle(), config=config("http://127.0.0.1:9/veo")
    )
    assert request.method == "GET"
    assert str(request.url) == f"http://127.0.0.1:9/veo/v1beta/{OPERATION}"


@pytest.mark.parametrize("fixture", ["poll_running.json", "poll_running_done_false.json"])
def test_running(fixture: str) -> None:
    assert isinstance(poll(fixture), Running)


def test_done_with_a_video() -> None:
    before = datetime.now(timezone.utc)
    status = poll("poll_done.json", estimated_duration=8)
    assert isinstance(status, Succeeded)
    video = status.video
    assert video is not None
    assert (
        video.url
        == "https://generativelanguage.googleapis.com/v1beta/files/qu4d28uipuqh:download?alt=media"
    )
    assert video.mime_type == "video/mp4"
    assert video.data["video_uri"] == video.url
    assert video.expires_at is not None
    assert timedelta(days=2) <= video.expires_at - before < timedelta(days=2, minutes=1)
    assert status.metadata["estimated_duration"] == 8


@pytest.mark.parametrize(
    ("fixture", "retryable"),
    [("poll_rai_filtered.json", True), ("poll_rai_filtered_support_code.json", False)],
)
def test_rai_filtered(fixture: str, retryable: bool) -> None:
    status = poll(fixture)
    assert isinstance(status, Failed)
    assert status.filtered
    reasons = load(fixture)["response"]["generateVideoResponse"]["raiMediaFilteredReasons"]
    assert status.reasons == tuple(reasons)
    assert status.message == reasons[0]
    assert status.code == "rai_media_filtered"
    assert status.billed is False
    assert status.retryable is retryable


def test_rai_filtered_count_without_reasons() -> None:
    status = poll("poll_rai_count_only.json")
    assert isinstance(status, Failed)
    assert status.filtered
    assert "2 video(s)" in status.message


def test_done_without_samples_or_reasons() -> None:
    status = poll("poll_empty_done.json")
    assert isinstance(status, Failed)
    assert not status.filtered
    assert status.code == "no_video"


def test_operation_error() -> None:
    status = poll("poll_error.json")
    assert isinstance(status, Failed)
    assert status.code == "INVALID_ARGUMENT"
    assert status.message == "Request contains an invalid argument."
    assert not status.retryable
    internal = poll("poll_error_internal.json")
    assert isinstance(internal, Failed)
    assert internal.code == 13
    assert internal.retryable


def test_samples_without_uri_are_a_format_error() -> None:
    body = {
        "name": OPERATION,
        "done": True,
        "response": {"generateVideoResponse": {"generatedSamples": [{"video": {}}]}},
    }
    with pytest.raises(ResponseFormatError):
        reelkit_veo.reelkit_parse_poll(job=handle(), response=reply(200, body))


def test_unknown_fields_are_tolerated() -> None:
    body = load("poll_done.json")
    body["metadata"] = {"progress": "whatever"}
    body["response"]["generateVideoResponse"]["newField"] = [1, 2]
    body["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["encoding"] = (
        "video/mp4"
    )
    assert isinstance(
        reelkit_veo.reelkit_parse_poll(job=handle(), response=reply(200, body)), Succeeded
    )


@pytest.mark.parametrize(
    ("status", "error"), [(429, RateLimited), (403, AuthenticationFailed), (500, ProviderError)]
)
def test_poll_http_errors(status: int, error: type) -> None:
    body = {"error": {"code": status, "message": "nope", "status": "X"}}
    with pytest.raises(error) as err:
        reelkit_veo.reelkit_parse_poll(job=handle(), response=reply(status, body))
    if status != 403:
        assert err.value.retryable
