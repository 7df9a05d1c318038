"""parse_submit / parse_poll for every documented status and error code (JSON fixtures).

``reference §n`` cites ``docs/reference/volcengine-kling.md`` section n.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

import reelkit_jimeng
from reelkit.capabilities import Mode
from reelkit.errors import (
    AuthenticationFailed,
    ContentFiltered,
    ProviderError,
    RateLimited,
    ResponseFormatError,
)
from reelkit.models import (
    Failed,
    JobHandle,
    ProviderConfig,
    Queued,
    Running,
    Succeeded,
    VideoRequest,
)
from reelkit.wire import utcnow
from reelkit_jimeng.capabilities import AUTO, T2V_720P

from .conftest import FIXTURES

JOB = JobHandle(
    provider="jimeng",
    model="jimeng-video-3.0",
    task_id="7392616336519610409",
    data={"req_key": "jimeng_i2v_first_v30"},
)
REQUEST = VideoRequest(prompt="a cat", mode=Mode.T2V, resolution="720p", duration=5.0)
Respond = Callable[..., httpx.Response]


def submit(response: httpx.Response, model: Any = AUTO) -> JobHandle:
    return reelkit_jimeng.reelkit_parse_submit(
        provider="jimeng", model=model, request=REQUEST, response=response
    )


def poll(response: httpx.Response) -> Any:
    return reelkit_jimeng.reelkit_parse_poll(provider="jimeng", job=JOB, response=response)


def _sent(config: ProviderConfig, model: Any = AUTO) -> httpx.Request:
    return reelkit_jimeng.reelkit_translate(
        provider="jimeng", model=model, request=REQUEST, config=config
    )


# --- submit ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["submit_ok.json", "submit_ok_with_status.json"])
def test_submit_keeps_task_id_and_req_key(
    name: str, load: Any, respond: Respond, config: ProviderConfig
) -> None:
    fixture = load(name)
    handle = submit(respond(fixture["status_code"], fixture["body"], _sent(config)))
    assert handle == JobHandle(
        provider="jimeng",
        model="jimeng-video-3.0",
        task_id="7392616336519610409",
        data={"req_key": "jimeng_t2v_v30"},  # inferred by translate, read back from the request
    )


def test_submit_handle_is_json_serialisable(
    load: Any, respond: Respond, config: ProviderConfig
) -> None:
    fixture = load("submit_ok.json")
    handle = submit(respond(200, fixture["body"], _sent(config)))
    assert json.loads(json.dumps(dict(handle.data))) == {"req_key": "jimeng_t2v_v30"}


def test_submit_without_a_task_id_is_a_format_error(
    respond: Respond, config: ProviderConfig
) -> None:
    body = {"code": 10000, "data": {}, "message": "Success", "request_id": "r"}
    with pytest.raises(ResponseFormatError) as info:
        submit(respond(200, body, _sent(config)))
    assert info.value.missing == "data.task_id"


def _error_body(entry: dict[str, Any]) -> dict[str, Any]:
    # reference §1.5 "Error": data is null, status mirrors code.
    return {
        "code": entry["code"],
        "data": None,
        "message": entry["message"],
        "request_id": "20250101000000AB12CD34EF",
        "status": entry["code"],
        "time_elapsed": "12.3ms",
    }


def _fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _business_errors() -> list[dict[str, Any]]:
    return list(_fixture("business_errors.json")["errors"])


@pytest.mark.parametrize("entry", _business_errors(), ids=lambda e: str(e["code"]))
def test_submit_business_errors_are_typed(
    entry: dict[str, Any], respond: Respond, config: ProviderConfig
) -> None:
    response = respond(
        entry["http"], _error_body(entry), _sent(config), headers={"Retry-After": "3"}
    )
    with pytest.raises(ProviderError) as info:
        submit(response)
    err = info.value
    assert err.code == entry["code"]
    if entry["kind"] == "filtered":
        assert isinstance(err, ContentFiltered)
        assert err.reasons and err.billed is False
    elif entry["kind"] == "rate_limited":
        assert isinstance(err, RateLimited)
        assert err.retry_after == 3.0
        assert err.retryable
    else:
        assert type(err) is ProviderError
        assert err.retryable is entry["retry"]
        assert err.status == entry["http"]


@pytest.mark.parametrize("entry", _business_errors(), ids=lambda e: str(e["code"]))
def test_poll_business_errors(entry: dict[str, Any], respond: Respond) -> None:
    response = respond(entry["http"], _error_body(entry))
    if entry["kind"] == "filtered":
        status = poll(response)
        assert isinstance(status, Failed)
        assert status.filtered and status.code == entry["code"]
        # reference §1.6 "retry?": output checks may pass on a new attempt.
        assert status.retryable is entry["retry"]
        assert status.billed is False
    elif entry["retry"]:
        # Transient: raised, so the core backs off and polls again.
        with pytest.raises(ProviderError) as info:
            poll(response)
        assert info.value.code == entry["code"]
        assert info.value.retryable
        assert isinstance(info.value, RateLimited) is (entry["kind"] == "rate_limited")
    else:
        # Any other code answered for this task is its outcome.
        status = poll(response)
        assert isinstance(status, Failed)
        assert status.code == entry["code"] and not status.filtered
        assert entry["message"] in status.message


def _gateway_errors() -> list[dict[str, Any]]:
    data = _fixture("gateway_errors.json")
    return [dict(e, template=data["template"]) for e in data["errors"]]


@pytest.mark.parametrize("entry", _gateway_errors(), ids=lambda e: e["code"])
def test_gateway_errors(entry: dict[str, Any], respond: Respond, config: ProviderConfig) -> None:
    body = copy.deepcopy(entry["template"])
    body["ResponseMetadata"]["Error"].update(Code=entry["code"], CodeN=entry["code_n"])
    for parse in (lambda r: submit(r), poll):
        response = respond(entry["http"], body, _sent(config))
        expected = AuthenticationFailed if entry["kind"] == "auth" else RateLimited
        with pytest.raises(expected) as info:
            parse(response)
        assert entry["code"] in str(info.value)


def test_signature_failure_is_an_authentication_error(respond: Respond, load: Any) -> None:
    body = load("gateway_errors.json")["template"]
    body["ResponseMetadata"]["Error"].update(Code="SignatureDoesNotMatch", CodeN=100010)
    with pytest.raises(AuthenticationFailed, match="SignatureDoesNotMatch"):
        poll(respond(401, body))


def test_non_json_error_pages_map_by_status(respond: Respond) -> None:
    request = httpx.Request("POST", "https://visual.volcengineapi.com/")
    with pytest.raises(ProviderError) as info:
        poll(httpx.Response(502, text="<html>Bad gateway</html>", request=request))
    assert info.value.retryable
    with pytest.raises(AuthenticationFailed):
        poll(httpx.Response(401, text="denied", request=request))
    with pytest.raises(RateLimited):
        poll(httpx.Response(429, text="slow down", request=request, headers={"Retry-After": "2"}))


def test_json_without_code_is_a_format_error(respond: Respond) -> None:
    with pytest.raises(ResponseFormatError):
        poll(respond(200, {"data": {"status": "done"}}))


# --- poll statuses ----------------------------------------------------------------------------


def _status(load: Any, respond: Respond, name: str) -> Any:
    fixture = load("poll_statuses.json")[name]
    return poll(respond(fixture["status_code"], fixture["body"]))


def test_poll_in_queue(load: Any, respond: Respond) -> None:
    assert _status(load, respond, "in_queue") == Queued()


@pytest.mark.parametrize("name", ["generating", "processing"])
def test_poll_running(name: str, load: Any, respond: Respond) -> None:
    assert _status(load, respond, name) == Running()


def test_poll_done_with_url(load: Any, respond: Respond) -> None:
    status = _status(load, respond, "done")
    assert isinstance(status, Succeeded)
    video = status.video
    assert video is not None and video.url.startswith("https://p9-aiop-sign.byteimg.com/")
    assert video.mime_type == "video/mp4"
    # reference §1.5: the URL lives 1 hour.
    assert video.expires_at is not None
    assert abs((video.expires_at - utcnow()) - timedelta(hours=1)) < timedelta(seconds=30)
    assert status.metadata["aigc_meta_tagged"] is True


def test_poll_done_without_url_is_a_failure(load: Any, respond: Respond) -> None:
    status = _status(load, respond, "done_without_url")
    assert isinstance(status, Failed)
    assert status.code == "no_video"
    assert not status.filtered


@pytest.mark.parametrize("name", ["not_found", "expired"])
def test_poll_not_found_and_expired_fail(name: str, load: Any, respond: Respond) -> None:
    status = _status(load, respond, name)
    assert isinstance(status, Failed)
    assert status.code == name


def test_poll_with_null_data_on_success_is_a_format_error(respond: Respond) -> None:
    with pytest.raises(ResponseFormatError):
        poll(respond(200, {"code": 10000, "data": None, "message": "Success"}))


def test_named_model_falls_back_to_its_req_key(respond: Respond, load: Any) -> None:
    response = httpx.Response(200, json=load("submit_ok.json")["body"])  # no request attached
    assert submit(response, model=T2V_720P).data == {"req_key": "jimeng_t2v_v30"}
    with pytest.raises(ResponseFormatError):
        submit(httpx.Response(200, json=load("submit_ok.json")["body"]), model=AUTO)
