"""The shared OpenAI Videos dialect's own behaviour: URLs, statuses, errors, params."""

from __future__ import annotations

import httpx
import pytest

from reelkit.errors import (
    AuthenticationFailed,
    ContentFiltered,
    InvalidRequest,
    ProviderError,
    RateLimited,
)
from reelkit_openai_videos import dialect


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("https://api.openai.com/v1", "https://api.openai.com/v1/videos"),
        ("https://api.openai.com/v1/", "https://api.openai.com/v1/videos"),
        ("https://api.openai.com", "https://api.openai.com/v1/videos"),
        ("http://127.0.0.1:8765/sora", "http://127.0.0.1:8765/sora/v1/videos"),
        ("https://openrouter.ai/api/v1", "https://openrouter.ai/api/v1/videos"),
    ],
)
def test_api_url_with_and_without_v1(base: str, url: str) -> None:
    assert dialect.api_url(base, "/videos") == url


def test_api_url_refuses_empty_and_odd_bases() -> None:
    with pytest.raises(InvalidRequest) as err:
        dialect.api_url("", "/videos", env="REELKIT_X_BASE_URL")
    assert err.value.field == "base_url" and "REELKIT_X_BASE_URL" in str(err.value)
    with pytest.raises(InvalidRequest):
        dialect.api_url("ftp://host", "/videos")


@pytest.mark.parametrize(
    ("value", "phase"),
    [
        ("queued", dialect.Phase.QUEUED),
        ("IN_PROGRESS", dialect.Phase.RUNNING),
        ("Completed", dialect.Phase.SUCCEEDED),
        ("SUCCESS", dialect.Phase.SUCCEEDED),
        ("NOT_START", dialect.Phase.QUEUED),
        ("FAILURE", dialect.Phase.FAILED),
        ("canceled", dialect.Phase.CANCELLED),
        ("expired", dialect.Phase.EXPIRED),
    ],
)
def test_gateway_vocabulary_is_case_insensitive(value: str, phase: dialect.Phase) -> None:
    assert dialect.normalise_status(value, dialect.GATEWAY_STATUSES, provider="x") is phase


@pytest.mark.parametrize(
    ("value", "fraction"), [(42, 0.42), ("30%", 0.3), ("100", 1.0), (None, None), ("n/a", None)]
)
def test_progress(value: object, fraction: float | None) -> None:
    assert dialect.progress_fraction(value) == fraction


def _response(status: int, body: object, **headers: str) -> httpx.Response:
    return httpx.Response(
        status, json=body, headers=headers, request=httpx.Request("GET", "https://h/v1/videos/x")
    )


def test_both_error_envelopes() -> None:
    openai_style = dialect.error_from_response(
        _response(
            400,
            {
                "error": {
                    "message": "bad size",
                    "type": "invalid_request_error",
                    "code": "invalid_size",
                }
            },
        ),
        "p",
    )
    assert (
        isinstance(openai_style, ProviderError)
        and openai_style.code == "invalid_size"
        and "bad size" in str(openai_style)
    )
    newapi_style = dialect.error_from_response(
        _response(400, {"code": "task_not_exist", "message": "task_not_exist", "data": None}), "p"
    )
    assert isinstance(newapi_style, ProviderError) and newapi_style.code == "task_not_exist"
    assert isinstance(
        dialect.error_from_response(_response(403, {"error": {"message": "no"}}), "p"),
        AuthenticationFailed,
    )
    limited = dialect.error_from_response(
        _response(429, {"code": "x", "message": "saturated"}, **{"retry-after": "7"}), "p"
    )
    assert isinstance(limited, RateLimited) and limited.retry_after == 7.0
    blocked = dialect.error_from_response(
        _response(400, {"error": {"code": "moderation_blocked", "message": "no"}}), "p"
    )
    assert isinstance(blocked, ContentFiltered) and blocked.reasons == ["moderation_blocked"]
    text = httpx.Response(502, text="upstream down", request=httpx.Request("GET", "https://h"))
    error = dialect.error_from_response(text, "p")
    assert isinstance(error, ProviderError) and error.retryable and "upstream down" in str(error)


def test_extra_fields_keep_own_namespace_only() -> None:
    params = {"a": 1, "sora.b": 2, "openai.c": 3, "veo.d": 4}
    assert dialect.extra_fields(params, ("sora", "openai")) == {"a": 1, "b": 2, "c": 3}


def test_moderation_detection() -> None:
    assert dialect.is_moderation("moderation_blocked")
    assert dialect.is_moderation("OutputVideoSensitiveContentDetected")
    assert dialect.is_moderation(None, "Your request was blocked by our moderation system.")
    assert not dialect.is_moderation("internal_error")
    # A failure whose code is not a moderation code is not filtered, whatever its message says.
    failed = dialect.failure(
        {"code": "internal_error", "message": "moderation service down"}, phase=dialect.Phase.FAILED
    )
    assert not failed.filtered
    assert dialect.failure(
        {"message": "blocked by moderation"}, phase=dialect.Phase.FAILED
    ).filtered


def test_dialect_exports_the_list_helpers() -> None:
    assert {"list_request", "parse_video_list", "declared_extras"} <= set(dialect.__all__)
