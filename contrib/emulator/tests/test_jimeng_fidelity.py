"""Fidelity: the official ``volcengine`` SDK's ``VisualService`` against the Jimeng fake.

The SDK signs with its own V4 implementation (code nobody here wrote); the fake must accept that
signature, and must reject the very same request once one byte of the body is changed after
signing, answering Volcengine's gateway error shape.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from typing import Any

import pytest

from reelkit_emulator.providers import jimeng as j

pytestmark = pytest.mark.fidelity

visual = pytest.importorskip("volcengine.visual.VisualService")


@pytest.fixture
def service(reelkit_emulator: Any) -> Iterator[Any]:
    from volcengine.ApiInfo import ApiInfo

    svc = visual.VisualService()  # a process-wide singleton: restore what we change
    saved = (svc.service_info.host, svc.service_info.scheme, svc.api_info)
    svc.set_ak(j.DEFAULT_ACCESS_KEY)
    svc.set_sk(j.DEFAULT_SECRET_KEY)
    svc.set_host(f"127.0.0.1:{reelkit_emulator.port}")
    svc.set_scheme("http")
    # The fake lives under /jimeng/: point the two actions' path there (the SDK signs that path).
    svc.api_info = {
        **svc.api_info,
        **{
            action: ApiInfo("POST", "/jimeng/", {"Action": action, "Version": j.VERSION}, {}, {})
            for action in (j.SUBMIT_ACTION, j.RESULT_ACTION)
        },
    }
    try:
        yield svc
    finally:
        svc.service_info.host, svc.service_info.scheme, svc.api_info = saved


def test_sdk_signed_submit_and_polls_complete(service: Any, reelkit_emulator: Any) -> None:
    submitted = service.cv_sync2async_submit_task(
        {
            "req_key": "jimeng_t2v_v30",
            "prompt": "a cat",
            "seed": -1,
            "frames": 121,
            "aspect_ratio": "16:9",
        }
    )
    assert submitted["code"] == 10000, submitted
    task_id = submitted["data"]["task_id"]
    statuses = []
    for _ in range(reelkit_emulator.config.polls_to_complete):
        polled = service.cv_sync2async_get_result({"req_key": "jimeng_t2v_v30", "task_id": task_id})
        assert polled["code"] == 10000, polled
        statuses.append(polled["data"]["status"])
    assert statuses[-1] == "done"
    assert polled["data"]["video_url"].startswith(reelkit_emulator.url("jimeng"))
    stats = reelkit_emulator.stats()["jimeng"]
    assert (stats["submits"], stats["polls"], stats["rejected"]) == (1, 3, 0)


def test_sdk_signed_request_with_one_byte_changed_is_rejected(
    service: Any, reelkit_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = service.session.post
    sent: list[bytes] = []

    def tamper(url: str, headers: dict[str, str], data: Any, **kw: Any) -> Any:
        raw = data.encode() if isinstance(data, str) else bytes(data)
        changed = raw.replace(b"a cat", b"a bat", 1)  # one byte, after the SDK signed
        assert len(changed) == len(raw) and changed != raw
        sent.append(changed)
        return original(url, headers=headers, data=changed, **kw)

    monkeypatch.setattr(service.session, "post", tamper)
    # The SDK raises a bare Exception carrying the body on any non-200 answer.
    with pytest.raises(Exception, match="SignatureDoesNotMatch") as exc:
        service.cv_sync2async_submit_task({"req_key": "jimeng_t2v_v30", "prompt": "a cat"})
    assert sent
    text = str(exc.value)
    body = json.loads(ast.literal_eval(text).decode() if text.startswith("b'") else text)
    error = body["ResponseMetadata"]["Error"]
    assert error["Code"] == "SignatureDoesNotMatch"
    assert error["CodeN"] == 100010
    assert body["ResponseMetadata"]["Action"] == j.SUBMIT_ACTION
    assert body["ResponseMetadata"]["Region"] == "cn-north-1"
    stats = reelkit_emulator.stats()["jimeng"]
    assert (stats["submits"], stats["rejected"]) == (0, 1)


def test_sdk_with_another_secret_is_rejected(service: Any) -> None:
    service.set_sk("not-the-emulator-secret")
    with pytest.raises(Exception, match="SignatureDoesNotMatch"):
        service.cv_sync2async_submit_task({"req_key": "jimeng_t2v_v30", "prompt": "a cat"})


def test_sdk_sees_business_errors_as_json(service: Any) -> None:
    # Non-200 business errors still carry the JSON envelope; the SDK hands it back parsed.
    with pytest.raises(Exception, match="50215") as exc:
        service.cv_sync2async_submit_task({"req_key": "jimeng_t2v_v30_720p", "prompt": "x"})
    text = str(exc.value)
    body = json.loads(ast.literal_eval(text).decode() if text.startswith("b'") else text)
    assert body["code"] == 50215
    assert body["data"] is None
