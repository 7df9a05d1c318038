"""HMAC-SHA256 V4 signing: the reference's test vectors, and equality with the official SDK.

``reference §n`` cites ``docs/reference/volcengine-kling.md`` section n.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

import reelkit_jimeng
from reelkit.capabilities import Mode
from reelkit.models import Credentials, ProviderConfig, VideoRequest
from reelkit_jimeng.capabilities import T2V_720P
from reelkit_jimeng.signing import (
    VolcengineSigner,
    compute_signature,
    derived_keys,
    format_date,
    sha256_hex,
)

# --- reference §2.2, test vector A: the official doc's example ------------------------------

A_AK = "AKLTYWViMTVmZGYzM2E0NDI5Mzk2MDZjNjFmMjc2MjRjMzg"
A_SK = "WkRZeE1EQmxPVGhsWWpWak5HVmtNbUUxTXpZeU9UVXlOMlE1TmpZeVlqTQ=="
A_DATE = "20250329T180937Z"


def test_vector_a_derived_keys() -> None:
    keys = [k.hex() for k in derived_keys(A_SK, A_DATE[:8], "cn-beijing", "billing")]
    assert keys == [
        "069b1da2ba9c0ecbd8e8aaf2a5742696ebc22f3fe95a649983d31b433ba94ff3",
        "2f41e8c797f1f0200484c9b0986f89cb371bf44d51e37ca7ad0e12dcbbd83cfd",
        "2d9caf568d4a1bd052daf42378d281e7f3233c7110dd6849988bd17fd5423777",
        "b491ed164936de3bb06c1eb23326aa9587b5aaa6a4e02144b9d523bbebb7ca9f",
    ]


@pytest.mark.parametrize(
    ("method", "action", "body", "body_hash", "canonical_hash", "signature"),
    [
        (
            "GET",
            "QueryBalanceAcct",
            b"",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "43171c1658c64b5db55c58d54988a4598d2d09a5613136beaa5eef40eae6e2c1",
            "1eda9e7e6b1728151a8e8791fdaf67cfbd28bd5c80d0fce2eb208746cf483105",
        ),
        (
            "POST",
            "ListBill",
            b'{"Limit":10,"BillPeriod":"2023-08"}',
            "e8cc56e129d9759d56c936e679a345d001a4235b58bee8e935ccad97f23ed663",
            "27383e3b56d03850f5634483527fbddcbf06cf98de1bc8a6679ef2300bff3b15",
            "5e8480ceea12d0000a23c054151c50dd02c1a7dec835004057d19f13d53a7658",
        ),
    ],
)
def test_vector_a_requests(
    method: str, action: str, body: bytes, body_hash: str, canonical_hash: str, signature: str
) -> None:
    result = compute_signature(
        method=method,
        path="/",
        query=[("Action", action), ("Version", "2022-01-01")],
        headers={"Host": "billing.volcengineapi.com", "X-Date": A_DATE},
        body=body,
        access_key=A_AK,
        secret_key=A_SK,
        x_date=A_DATE,
        region="cn-beijing",
        service="billing",
        signed_headers=("host", "x-date"),
    )
    assert result.body_hash == body_hash
    assert sha256_hex(result.canonical_request.encode()) == canonical_hash
    assert result.signature == signature


# --- reference §2.3, test vector B: the SDK's VisualService, through our httpx.Auth -----------

B_AK, B_SK = "AKLTtestaccesskey", "TestSecretKey=="
B_TIME = datetime(2025, 1, 1, tzinfo=timezone.utc)


def _signed(url: str, body: bytes, clock: datetime = B_TIME) -> httpx.Request:
    request = httpx.Request("POST", url, content=body, headers={"Content-Type": "application/json"})
    VolcengineSigner(B_AK, B_SK, clock=lambda: clock).sign(request)
    return request


def test_vector_b_submit() -> None:
    body = (
        b'{"req_key": "jimeng_t2v_v30", "prompt": "a cat", "seed": -1, "frames": 121, '
        b'"aspect_ratio": "16:9"}'
    )
    request = _signed(
        "http://visual.volcengineapi.com/?Action=CVSync2AsyncSubmitTask&Version=2022-08-31", body
    )
    assert request.headers["X-Date"] == "20250101T000000Z"
    assert request.headers["X-Content-Sha256"] == (
        "b174131cda48726ed69ae13b4d0c79ef90700a19549dadcce3687366e3c0028f"
    )
    assert request.headers["Authorization"] == (
        "HMAC-SHA256 Credential=AKLTtestaccesskey/20250101/cn-north-1/cv/request, "
        "SignedHeaders=content-type;host;x-content-sha256;x-date, "
        "Signature=3f8243d41ee930c6d0069cef0268f1c8701b6429bd90c09e9e1a462d8c64e3bf"
    )


def test_vector_b_canonical_request_and_string_to_sign() -> None:
    body = (
        b'{"req_key": "jimeng_t2v_v30", "prompt": "a cat", "seed": -1, "frames": 121, '
        b'"aspect_ratio": "16:9"}'
    )
    request = httpx.Request(
        "POST",
        "http://visual.volcengineapi.com/?Action=CVSync2AsyncSubmitTask&Version=2022-08-31",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    result = VolcengineSigner(B_AK, B_SK, clock=lambda: B_TIME).sign(request)
    assert result.canonical_request == (
        "POST\n/\nAction=CVSync2AsyncSubmitTask&Version=2022-08-31\n"
        "content-type:application/json\nhost:visual.volcengineapi.com\n"
        "x-content-sha256:b174131cda48726ed69ae13b4d0c79ef90700a19549dadcce3687366e3c0028f\n"
        "x-date:20250101T000000Z\n\n"
        "content-type;host;x-content-sha256;x-date\n"
        "b174131cda48726ed69ae13b4d0c79ef90700a19549dadcce3687366e3c0028f"
    )
    assert result.string_to_sign == (
        "HMAC-SHA256\n20250101T000000Z\n20250101/cn-north-1/cv/request\n"
        "1f29c4996ce75d8e8617c60d5da07c6977d201fd95bf991bb21a598be0154456"
    )


def test_vector_b_poll_through_the_plugin(config: ProviderConfig) -> None:
    """The plugin's own poll request, signed by the signer ``reelkit_auth`` returns."""
    from reelkit.models import JobHandle

    job = JobHandle(
        provider="jimeng",
        model="jimeng_t2v_v30",
        task_id="7392616336519610409",
        data={"req_key": "jimeng_t2v_v30"},
    )
    config = ProviderConfig(
        name="jimeng", base_url="http://visual.volcengineapi.com", poll_interval_s=5, timeout_s=300
    )
    request = reelkit_jimeng.reelkit_poll_request(provider="jimeng", job=job, config=config)
    assert request.content == b'{"req_key":"jimeng_t2v_v30","task_id":"7392616336519610409"}'
    VolcengineSigner(B_AK, B_SK, clock=lambda: B_TIME).sign(request)
    assert request.headers["X-Content-Sha256"] == (
        "fb9ad4e9500a5f8ce1fba86a5f8708142a074934631f559598ad89fbf5a8c123"
    )
    assert request.headers["Authorization"].endswith(
        "Signature=419d570a8bf820dc821d45d9521fb8554cc9ee33a4725ba86ddbf5fe3c16dcae"
    )


# --- equality with the official `volcengine` SDK ---------------------------------------------


@pytest.fixture
def sdk_sign(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Sign like ``volcengine`` (VisualService's Service.json) at a fixed time, capturing the send."""
    volcengine = pytest.importorskip("volcengine")
    from volcengine.auth.SignerV4 import SignerV4
    from volcengine.base.Service import Service
    from volcengine.Credentials import Credentials as VolcCredentials
    from volcengine.ServiceInfo import ServiceInfo
    from volcengine.visual.VisualService import VisualService

    assert volcengine

    def sign(host: str, action: str, body: bytes, when: datetime, scheme: str = "https") -> Any:
        monkeypatch.setattr(
            SignerV4, "get_current_format_date", staticmethod(lambda: format_date(when))
        )
        # A fresh Service, not the process-wide VisualService singleton (reference §1.1).
        info = ServiceInfo(
            host, {}, VolcCredentials(B_AK, B_SK, "cv", "cn-north-1"), 30, 30, scheme
        )
        service = Service(info, VisualService.get_api_info())
        captured: dict[str, Any] = {}

        class _Answer:
            status_code = 200

            @staticmethod
            def json() -> dict[str, Any]:
                return {"code": 10000}

        def post(url: str, headers: Any, data: Any, timeout: Any) -> _Answer:
            captured.update(url=url, headers=dict(headers), data=data)
            return _Answer()

        monkeypatch.setattr(service.session, "post", post)
        service.json(action, {}, body.decode("utf-8"))
        return captured

    return sign


@pytest.mark.fidelity
@pytest.mark.parametrize(
    ("host", "scheme", "prompt", "when"),
    [
        ("visual.volcengineapi.com", "https", "a cat", B_TIME),
        (
            "visual.volcengineapi.com",
            "https",
            '一只猫, 在雨中 "奔跑"',
            datetime(2026, 3, 9, 23, 59, 59, tzinfo=timezone.utc),
        ),
        (
            "127.0.0.1:8765",
            "http",
            "emulator with a port",
            datetime(2025, 12, 31, 8, 0, tzinfo=timezone(timedelta(hours=8))),
        ),
    ],
)
def test_signature_equals_the_official_sdk(
    sdk_sign: Any, host: str, scheme: str, prompt: str, when: datetime
) -> None:
    config = ProviderConfig(
        name="jimeng", base_url=f"{scheme}://{host}", poll_interval_s=5, timeout_s=300
    )
    request = reelkit_jimeng.reelkit_translate(
        provider="jimeng",
        model=T2V_720P,
        request=VideoRequest(prompt=prompt, mode=Mode.T2V, resolution="720p", duration=5.0, seed=3),
        config=config,
    )
    auth = reelkit_jimeng.reelkit_auth(
        provider="jimeng",
        credentials=Credentials({"VOLC_ACCESSKEY": B_AK, "VOLC_SECRETKEY": B_SK}),
        config=config,
    )
    assert isinstance(auth, VolcengineSigner)
    ours = VolcengineSigner(B_AK, B_SK, clock=lambda: when)
    ours.sign(request)

    sdk = sdk_sign(host, "CVSync2AsyncSubmitTask", request.content, when, scheme)
    assert sdk["data"].encode("utf-8") == request.content
    assert sdk["url"] == str(request.url)
    for name in ("X-Date", "X-Content-Sha256", "Authorization", "Content-Type"):
        assert request.headers[name] == sdk["headers"][name], name


# --- the signer as an httpx.Auth: the bytes on the wire are the bytes signed -----------------


def test_signer_signs_what_is_sent_and_resigns_each_attempt(config: ProviderConfig) -> None:
    seen: list[tuple[str, bytes]] = []

    def server(request: httpx.Request) -> httpx.Response:
        """Verify as the gateway does: recompute from what arrived."""
        seen.append((request.headers["X-Date"], request.content))
        expected = compute_signature(
            method=request.method,
            path=request.url.path,
            query=request.url.params.multi_items(),
            headers=request.headers,
            body=request.content,
            access_key=B_AK,
            secret_key=B_SK,
            x_date=request.headers["X-Date"],
        )
        ok = request.headers["Authorization"] == expected.authorization
        assert request.headers["X-Content-Sha256"] == sha256_hex(request.content)
        return httpx.Response(200 if ok else 401, json={"code": 10000, "data": {"task_id": "1"}})

    times = iter([B_TIME, B_TIME + timedelta(seconds=7)])
    signer = VolcengineSigner(B_AK, B_SK, clock=lambda: next(times))
    request = reelkit_jimeng.reelkit_translate(
        provider="jimeng",
        model=T2V_720P,
        request=VideoRequest(prompt="霓虹 city", mode=Mode.T2V, resolution="720p", duration=10.0),
        config=config,
    )
    with httpx.Client(transport=httpx.MockTransport(server), auth=signer) as client:
        first = client.send(request)
        second = client.send(request)
    assert first.status_code == second.status_code == 200
    assert [x_date for x_date, _ in seen] == ["20250101T000000Z", "20250101T000007Z"]
    assert json.loads(seen[0][1])["frames"] == 241


def test_signer_repr_and_credentials_never_show_the_secret(config: ProviderConfig) -> None:
    creds = Credentials({"VOLC_ACCESSKEY": "AKLTsecretish", "VOLC_SECRETKEY": "very-secret-sk"})
    auth = reelkit_jimeng.reelkit_auth(provider="jimeng", credentials=creds, config=config)
    assert "very-secret-sk" not in repr(auth)
    assert "AKLTsecretish" not in repr(auth)
    assert "very-secret-sk" not in repr(creds)


def test_auth_without_both_keys_names_both_variables(config: ProviderConfig) -> None:
    from reelkit.errors import MissingCredentials

    with pytest.raises(MissingCredentials) as info:
        reelkit_jimeng.reelkit_auth(
            provider="jimeng", credentials=Credentials({"VOLC_ACCESSKEY": "AK"}), config=config
        )
    assert info.value.env_vars == [["VOLC_ACCESSKEY", "VOLC_SECRETKEY"]]


def test_local_time_is_converted_to_utc() -> None:
    beijing = timezone(timedelta(hours=8))
    assert format_date(datetime(2025, 1, 1, 8, 0, tzinfo=beijing)) == "20250101T000000Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        format_date(datetime(2025, 1, 1))
