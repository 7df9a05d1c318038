"""The Jimeng fake's HMAC-V4 verifier against the two test vectors of the reference note.

The vectors are ``docs/reference/volcengine-kling.md`` §2.2 and §2.3; ``reference §n`` cites that
note's section n.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest

from reelkit_emulator.errors import ApiError
from reelkit_emulator.providers import _volc as j
from reelkit_emulator.providers import jimeng

# Vector B: produced by running volcengine==1.0.229 VisualService (reference §2.3).
AK, SK = "AKLTtestaccesskey", "TestSecretKey=="
WHEN = datetime(2025, 1, 1, tzinfo=timezone.utc)
SUBMIT_BODY = (
    b'{"req_key": "jimeng_t2v_v30", "prompt": "a cat", "seed": -1, "frames": 121, '
    b'"aspect_ratio": "16:9"}'
)
SUBMIT_QUERY = "Action=CVSync2AsyncSubmitTask&Version=2022-08-31"
SUBMIT_HEADERS = {
    "Host": "visual.volcengineapi.com",
    "User-Agent": "volc-sdk-python/v1.0.229",
    "Content-Type": "application/json",
    "X-Date": "20250101T000000Z",
    "X-Content-Sha256": "b174131cda48726ed69ae13b4d0c79ef90700a19549dadcce3687366e3c0028f",
    "Authorization": (
        "HMAC-SHA256 Credential=AKLTtestaccesskey/20250101/cn-north-1/cv/request, "
        "SignedHeaders=content-type;host;x-content-sha256;x-date, "
        "Signature=3f8243d41ee930c6d0069cef0268f1c8701b6429bd90c09e9e1a462d8c64e3bf"
    ),
}


def verify(headers=SUBMIT_HEADERS, body=SUBMIT_BODY, query=SUBMIT_QUERY, path="/", **kw):
    kw.setdefault("now", WHEN)
    kw.setdefault("secret_for", lambda ak: SK)
    return j.verify_signature(
        method="POST", path=path, raw_query=query, headers=headers, body=body, **kw
    )


def test_vector_b_canonical_request_and_signature_are_reproduced() -> None:
    canonical = j.canonical_request(
        method="POST",
        path="/",
        raw_query=SUBMIT_QUERY,
        headers={k.lower(): v for k, v in SUBMIT_HEADERS.items()},
        signed_headers=["content-type", "host", "x-content-sha256", "x-date"],
        body_hash=hashlib.sha256(SUBMIT_BODY).hexdigest(),
    )
    assert canonical.split("\n")[:3] == ["POST", "/", SUBMIT_QUERY]
    sts = j.string_to_sign("20250101T000000Z", "20250101/cn-north-1/cv/request", canonical)
    assert sts.endswith("1f29c4996ce75d8e8617c60d5da07c6977d201fd95bf991bb21a598be0154456")
    assert (
        j.signing_key(SK, "20250101").hex()
        == "f3cc865514064837df56b613f140bcddce26bab60c56ea928779cbc0603df534"
    )
    assert verify() == AK


def test_vector_b_sign_headers_matches_the_sdk_output() -> None:
    base = {k: v for k, v in SUBMIT_HEADERS.items() if k in ("Host", "Content-Type")}
    signed = j.sign_headers(
        method="POST",
        path="/",
        raw_query=SUBMIT_QUERY,
        headers=base,
        body=SUBMIT_BODY,
        access_key=AK,
        secret_key=SK,
        x_date="20250101T000000Z",
    )
    assert signed["Authorization"] == SUBMIT_HEADERS["Authorization"]
    assert signed["X-Content-Sha256"] == SUBMIT_HEADERS["X-Content-Sha256"]


def test_vector_b_get_result_signature() -> None:
    body = b'{"req_key":"jimeng_t2v_v30","task_id":"7392616336519610409"}'
    signed = j.sign_headers(
        method="POST",
        path="/",
        raw_query="Action=CVSync2AsyncGetResult&Version=2022-08-31",
        headers={"Host": "visual.volcengineapi.com", "Content-Type": "application/json"},
        body=body,
        access_key=AK,
        secret_key=SK,
        x_date="20250101T000000Z",
    )
    assert signed["X-Content-Sha256"] == (
        "fb9ad4e9500a5f8ce1fba86a5f8708142a074934631f559598ad89fbf5a8c123"
    )
    assert signed["Authorization"].endswith(
        "Signature=419d570a8bf820dc821d45d9521fb8554cc9ee33a4725ba86ddbf5fe3c16dcae"
    )


def test_vector_a_official_doc_example() -> None:
    # The official doc's example: other region/service, only host;x-date signed (reference §2.2).
    sk = "WkRZeE1EQmxPVGhsWWpWak5HVmtNbUUxTXpZeU9UVXlOMlE1TmpZeVlqTQ=="
    keys = j.signing_key(sk, "20250329", "cn-beijing", "billing")
    assert keys.hex() == "b491ed164936de3bb06c1eb23326aa9587b5aaa6a4e02144b9d523bbebb7ca9f"
    headers = {"host": "billing.volcengineapi.com", "x-date": "20250329T180937Z"}
    body = b'{"Limit":10,"BillPeriod":"2023-08"}'
    canonical = j.canonical_request(
        method="POST",
        path="/",
        raw_query="Action=ListBill&Version=2022-01-01",
        headers=headers,
        signed_headers=["host", "x-date"],
        body_hash=hashlib.sha256(body).hexdigest(),
    )
    assert hashlib.sha256(canonical.encode()).hexdigest() == (
        "27383e3b56d03850f5634483527fbddcbf06cf98de1bc8a6679ef2300bff3b15"
    )
    auth = (
        "HMAC-SHA256 Credential=AKLTYWViMTVmZGYzM2E0NDI5Mzk2MDZjNjFmMjc2MjRjMzg/20250329/"
        "cn-beijing/billing/request, SignedHeaders=host;x-date, "
        "Signature=5e8480ceea12d0000a23c054151c50dd02c1a7dec835004057d19f13d53a7658"
    )
    ak = j.verify_signature(
        method="POST",
        path="/",
        raw_query="Action=ListBill&Version=2022-01-01",
        headers={**headers, "authorization": auth},
        body=body,
        secret_for=lambda _: sk,
        region="cn-beijing",
        service="billing",
        now=datetime(2025, 3, 29, 18, 10, tzinfo=timezone.utc),
    )
    assert ak == "AKLTYWViMTVmZGYzM2E0NDI5Mzk2MDZjNjFmMjc2MjRjMzg"


def _code(exc: pytest.ExceptionInfo[ApiError]) -> tuple[str, int, int]:
    return exc.value.code, exc.value.extra["code_n"], exc.value.status


def test_one_changed_body_byte_is_signature_does_not_match() -> None:
    tampered = SUBMIT_BODY.replace(b"a cat", b"a bat")
    with pytest.raises(ApiError) as exc:
        verify(body=tampered)
    assert _code(exc) == ("SignatureDoesNotMatch", 100010, 401)
    assert "X-Content-Sha256" in exc.value.extra["hint"]


def test_changed_body_with_matching_hash_header_still_fails() -> None:
    tampered = SUBMIT_BODY.replace(b"a cat", b"a bat")
    headers = {**SUBMIT_HEADERS, "X-Content-Sha256": hashlib.sha256(tampered).hexdigest()}
    with pytest.raises(ApiError) as exc:
        verify(headers=headers, body=tampered)
    assert _code(exc) == ("SignatureDoesNotMatch", 100010, 401)


def test_wrong_secret_query_path_or_host_fail() -> None:
    for kwargs in (
        {"secret_for": lambda ak: "other"},
        {"query": "Action=CVSync2AsyncGetResult&Version=2022-08-31"},
        {"path": "/jimeng/"},
        {"headers": {**SUBMIT_HEADERS, "Host": "127.0.0.1:8765"}},
        {"headers": {**SUBMIT_HEADERS, "Content-Type": "application/json; charset=utf-8"}},
    ):
        with pytest.raises(ApiError) as exc:
            verify(**kwargs)
        assert exc.value.code == "SignatureDoesNotMatch", kwargs


def test_default_port_is_dropped_from_the_signed_host() -> None:
    assert verify(headers={**SUBMIT_HEADERS, "Host": "visual.volcengineapi.com:80"}) == AK


def test_wrong_region_or_service_in_scope() -> None:
    auth = SUBMIT_HEADERS["Authorization"].replace("cn-north-1", "cn-beijing")
    with pytest.raises(ApiError) as exc:
        verify(headers={**SUBMIT_HEADERS, "Authorization": auth})
    assert exc.value.code == "SignatureDoesNotMatch"
    assert "cn-north-1" in exc.value.extra["hint"]


def test_missing_pieces_use_the_gateway_codes() -> None:
    no_auth = {k: v for k, v in SUBMIT_HEADERS.items() if k != "Authorization"}
    no_date = {k: v for k, v in SUBMIT_HEADERS.items() if k != "X-Date"}
    cases = [
        (no_auth, ("MissingRequestInfo", 100004, 400)),
        (no_date, ("MissingRequestInfo", 100004, 400)),
        (
            {**SUBMIT_HEADERS, "Authorization": "AWS4-HMAC-SHA256 x"},
            ("InvalidAuthorization", 100024, 400),
        ),
        (
            {
                **SUBMIT_HEADERS,
                "Authorization": "HMAC-SHA256 Credential=/x, SignedHeaders=host, Signature=ab",
            },
            ("InvalidCredential", 100025, 400),
        ),
        ({**SUBMIT_HEADERS, "X-Date": "2025-01-01T00:00:00Z"}, ("InvalidTimestamp", 100006, 400)),
    ]
    for headers, expected in cases:
        with pytest.raises(ApiError) as exc:
            verify(headers=headers)
        assert _code(exc) == expected
    assert "Authorization" in j._gateway("MissingRequestInfo", "", "Authorization").message


def test_stale_x_date_is_invalid_timestamp() -> None:
    with pytest.raises(ApiError) as exc:
        verify(now=WHEN + timedelta(minutes=16))
    assert exc.value.code == "InvalidTimestamp"
    assert verify(now=WHEN + timedelta(minutes=14)) == AK


def test_unknown_access_key_is_invalid_access_key() -> None:
    with pytest.raises(ApiError) as exc:
        verify(secret_for=lambda ak: None)
    assert _code(exc) == ("InvalidAccessKey", 100009, 401)
    assert AK in exc.value.message


def test_signed_header_that_was_not_sent() -> None:
    auth = SUBMIT_HEADERS["Authorization"].replace(
        "content-type;host;x-content-sha256;x-date",
        "content-type;host;x-content-sha256;x-date;x-security-token",
    )
    with pytest.raises(ApiError) as exc:
        verify(headers={**SUBMIT_HEADERS, "Authorization": auth})
    assert exc.value.code == "SignatureDoesNotMatch"
    assert "x-security-token" in exc.value.extra["hint"]


def test_canonical_query_sorts_encodes_and_repeats() -> None:
    assert j.canonical_query("b=2&a=x+y&a=%2F&c=") == "a=x%20y&a=%2F&b=2&c="
    assert j.canonical_uri("/jimeng/") == "/jimeng/"


def test_gateway_error_body_shape() -> None:
    err = j._gateway("SignatureDoesNotMatch", "why")
    response = j.gateway_error(err, action=jimeng.SUBMIT_ACTION, version=jimeng.VERSION).render()
    body = json.loads(bytes(response.body))
    assert response.status_code == 401
    assert len(body["ResponseMetadata"]["RequestId"]) == 32
    meta = body["ResponseMetadata"]
    assert set(body) == {"ResponseMetadata"}
    assert meta["Error"]["Code"] == "SignatureDoesNotMatch"
    assert meta["Error"]["CodeN"] == 100010
    assert meta["Error"]["Message"].startswith("The request signature we calculated")
    assert (meta["Action"], meta["Version"], meta["Service"], meta["Region"]) == (
        "CVSync2AsyncSubmitTask",
        "2022-08-31",
        "cv",
        "cn-north-1",
    )
