"""Fake of the Volcengine visual API as Jimeng video uses it (``CVSync2Async*``).

Facts: ``docs/reference/volcengine-kling.md`` §1 (API, req_keys, shapes, error codes)
and §2 (V4 signing, gateway errors, test vectors); seed ``001_a53dfa32f06bb03d.txt``.

Served at ``/jimeng`` and ``/jimeng/`` with ``?Action=CVSync2AsyncSubmitTask|CVSync2AsyncGetResult
&Version=2022-08-31`` (POST, JSON). Order of checks, as the gateway does them: ``Action`` and
``Version`` (``MissingParameter`` / ``InvalidActionOrVersion``), then the HMAC-SHA256 V4 signature
over the exact path, query, signed headers and body bytes received (region ``cn-north-1``,
service ``cv``; failures answer ``{"ResponseMetadata": {..., "Error": {"Code", "CodeN",
"Message"}}}``), then the body (HTTP 400, ``code`` 50215 with the reason appended to the
message). Polls answer ``in_queue`` -> ``generating`` -> ``done`` with a ``video_url`` valid for
one hour; an unknown task, one polled with another ``req_key``, or one older than 12 h answers
``not_found``.

Secret keys: the real service knows each account's secret; the emulator must too, so it can
verify the signature. Any non-empty access key is accepted; the signature must verify with
(1) that key's own secret when ``$REELKIT_EMULATOR_VOLC_SECRETS`` (a JSON object ``{"AK": "SK"}``)
lists it, else (2) ``$REELKIT_EMULATOR_VOLC_SECRETKEY`` or ``$VOLC_SECRETKEY`` or
:data:`DEFAULT_SECRET_KEY` (``reelkit-emulator-secret``, the value ``reelkit emulator`` exports).
The environment is read when the app answers its first Jimeng request; :func:`configure` gives a
running app other :class:`JimengSettings`. The ``X-Date`` must be within 15 minutes of the real
UTC clock (not the emulator's movable clock, which only ages tasks and links).

Triggers (prompt markers):

- ``[emulator:moderation]``: the last poll answers HTTP 400, 50511 "Post Img Risk Not Pass";
- ``[emulator:fail]``: the last poll answers HTTP 400, 50215;
- ``[emulator:expire]``: the last poll answers ``data.status: "expired"``;
- ``[emulator:input-moderation]``: the submit answers HTTP 400, 50412 "Text Risk Not Pass";
- ``[emulator:code=NNNNN]``: the submit answers that documented business code (50411, 50413,
  50429, 50430, 50501, ...) with its documented HTTP status;
- injected faults: ``429`` answers 50429 (HTTP 429), ``500`` answers 50500 (HTTP 500);
- ``$REELKIT_EMULATOR_JIMENG_CONCURRENCY=N``: with N unfinished tasks, a submit answers 50430.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import os
import random
import re
import struct
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from reelkit_emulator.provider import Endpoint, ProviderContext, ProviderFake
from reelkit_emulator.responses import Reject, json_response
from reelkit_emulator.tasks import Outcome, Phase, Task, VideoSpec

REGION = "cn-north-1"
SERVICE = "cv"
VERSION = "2022-08-31"
SUBMIT_ACTION = "CVSync2AsyncSubmitTask"
RESULT_ACTION = "CVSync2AsyncGetResult"
ALGORITHM = "HMAC-SHA256"
#: Secret used for every access key when neither a mapping nor an environment variable gives one.
DEFAULT_SECRET_KEY = "reelkit-emulator-secret"
#: How far ``X-Date`` may be from the emulator's clock (the service rejects stale signatures).
DEFAULT_MAX_SKEW = timedelta(minutes=15)
#: The ``video_url`` lifetime (reference §0.1 and §1.5: one hour, not 24 h).
VIDEO_URL_TTL = timedelta(hours=1)
#: A task older than this polls as ``not_found`` (reference §1.5).
TASK_RETENTION = timedelta(hours=12)


# --------------------------------------------------------------------------------------------
# Gateway (signature) errors: ``ResponseMetadata.Error`` (reference §2.1, common error codes)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GatewayError(Exception):
    """A gateway-level rejection; the body shape differs from business errors."""

    code: str
    code_n: int
    http_status: int
    message: str
    #: Why the emulator rejected the request (not in the real body's fixed message).
    hint: str = ""


def _gateway(code: str, hint: str, *args: str) -> GatewayError:
    code_n, status, template = _GATEWAY_ERRORS[code]
    return GatewayError(code, code_n, status, template % args if args else template, hint)


# Code -> (CodeN, HTTP status, Message) from the official common-error-code table.
_GATEWAY_ERRORS: dict[str, tuple[int, int, str]] = {
    "MissingParameter": (100002, 400, "The request is missing %s parameter."),
    "MissingRequestInfo": (100004, 400, "The request is missing %s information."),
    "InvalidTimestamp": (100006, 400, "The Signature of the request is expired."),
    "InvalidActionOrVersion": (100008, 404, "Could not find operation %s for version %s."),
    "InvalidAccessKey": (100009, 401, "The accesskey [%s] included in the request is invalid."),
    "SignatureDoesNotMatch": (
        100010,
        401,
        "The request signature we calculated does not match the signature you provided. "
        "Check your Secret Access Key and signing method. "
        "Consult the service documentation for details.",
    ),
    "FlowLimitExceeded": (
        100018,
        429,
        "Request was rejected because the request speed of this openAPI is beyond the "
        "current flow control limit.",
    ),
    "InvalidAuthorization": (
        100024,
        400,
        "Invalid 'Authorization' header, Pls check authorization header.",
    ),
    "InvalidCredential": (
        100025,
        400,
        "Invalid credential in 'Authorization', Pls check credential in authorization header.",
    ),
}


def gateway_error_body(
    error: GatewayError, *, action: str, version: str, request_id: str
) -> dict[str, Any]:
    """The documented error body (``返回结构``): no ``Result``, an ``Error`` in the metadata.

    ``EmulatorHint`` is the emulator's own addition (clients ignore unknown keys): it says which
    check failed, which the real service never tells you.
    """
    err: dict[str, Any] = {"CodeN": error.code_n, "Code": error.code, "Message": error.message}
    if error.hint:
        err["EmulatorHint"] = error.hint
    return {
        "ResponseMetadata": {
            "RequestId": request_id,
            "Action": action,
            "Version": version,
            "Service": SERVICE,
            "Region": REGION,
            "Error": err,
        }
    }


# --------------------------------------------------------------------------------------------
# HMAC-SHA256 V4 (reference §2.1: no "AWS4" prefix, scope date/region/service/request)
# --------------------------------------------------------------------------------------------


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret_key: str, date: str, region: str = REGION, service: str = SERVICE) -> bytes:
    """kSigning: HMAC chain over date, region, service and ``request``, raw digests as keys."""
    k_date = _hmac(secret_key.encode("utf-8"), date)
    k_region = _hmac(k_date, region)
    k_service = _hmac(k_region, service)
    return _hmac(k_service, "request")


def _quote(value: str) -> str:
    return quote(value, safe="-_.~")


def canonical_query(raw_query: str) -> str:
    """Keys sorted, each key and value RFC 3986-encoded, a repeated key kept in its order."""
    grouped: dict[str, list[str]] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        grouped.setdefault(key, []).append(value)
    return "&".join(
        f"{_quote(key)}={_quote(value)}" for key in sorted(grouped) for value in grouped[key]
    )


def canonical_uri(path: str) -> str:
    """The decoded path, percent-encoded again with ``/`` kept (the SDK's ``norm_uri``)."""
    return quote(path or "/", safe="/~")


def _host_value(value: str) -> str:
    # The SDK drops a default port before signing; a non-default port stays part of the value.
    host, sep, port = value.rpartition(":")
    if sep and port in ("80", "443") and "]" not in port:
        return host
    return value


def canonical_request(
    *,
    method: str,
    path: str,
    raw_query: str,
    headers: Mapping[str, str],
    signed_headers: list[str],
    body_hash: str,
) -> str:
    """``METHOD\\nURI\\nQUERY\\nname:value\\n...\\n\\nsigned;names\\nbody_hash``."""
    lines = []
    for name in signed_headers:
        value = headers[name]
        lines.append(f"{name}:{_host_value(value) if name == 'host' else value}\n")
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query(raw_query),
            "".join(lines),
            ";".join(signed_headers),
            body_hash,
        ]
    )


def string_to_sign(x_date: str, scope: str, canonical: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{x_date}\n{scope}\n{digest}"


@dataclass(frozen=True)
class ParsedAuthorization:
    access_key: str
    scope: str
    date: str
    region: str
    service: str
    signed_headers: list[str]
    signature: str


def parse_authorization(value: str) -> ParsedAuthorization:
    """``HMAC-SHA256 Credential=AK/scope, SignedHeaders=a;b, Signature=hex``."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM or not rest:
        raise _gateway("InvalidAuthorization", f"the algorithm must be {ALGORITHM}")
    parts: dict[str, str] = {}
    for item in rest.split(","):
        name, eq, val = item.strip().partition("=")
        if not eq:
            raise _gateway("InvalidAuthorization", f"malformed component {item.strip()!r}")
        parts[name] = val
    missing = [n for n in ("Credential", "SignedHeaders", "Signature") if not parts.get(n)]
    if missing:
        raise _gateway("InvalidAuthorization", f"missing {', '.join(missing)}")
    credential = parts["Credential"].split("/")
    if len(credential) != 5 or credential[4] != "request" or not credential[0]:
        raise _gateway("InvalidCredential", "Credential must be AK/YYYYMMDD/region/service/request")
    access_key, date, region, service, _ = credential
    signed = parts["SignedHeaders"].split(";")
    if signed != sorted(signed) or any(not h or h != h.lower() for h in signed):
        raise _gateway("InvalidAuthorization", "SignedHeaders must be lowercase and sorted")
    return ParsedAuthorization(
        access_key=access_key,
        scope="/".join(credential[1:]),
        date=date,
        region=region,
        service=service,
        signed_headers=signed,
        signature=parts["Signature"],
    )


def verify_signature(
    *,
    method: str,
    path: str,
    raw_query: str,
    headers: Mapping[str, str],
    body: bytes,
    secret_for: Callable[[str], str | None],
    region: str = REGION,
    service: str = SERVICE,
    now: datetime | None = None,
    max_skew: timedelta = DEFAULT_MAX_SKEW,
) -> str:
    """Verify a V4-signed request over the exact bytes received; return the access key.

    Raises :class:`GatewayError` with the code the real gateway uses for each failure.
    ``headers`` may be any mapping; names are compared case-insensitively.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    authorization = lowered.get("authorization")
    if not authorization:
        raise _gateway("MissingRequestInfo", "no Authorization header", "Authorization")
    x_date = lowered.get("x-date")
    if not x_date:
        raise _gateway("MissingRequestInfo", "no X-Date header", "X-Date")
    auth = parse_authorization(authorization)
    try:
        signed_at = datetime.strptime(x_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise _gateway(
            "InvalidTimestamp", f"X-Date {x_date!r} is not YYYYMMDD'T'HHMMSS'Z' (UTC)"
        ) from None
    clock = now or datetime.now(timezone.utc)
    if abs(clock - signed_at) > max_skew:
        raise _gateway(
            "InvalidTimestamp",
            f"X-Date {x_date} is more than {int(max_skew.total_seconds())} s from the "
            f"emulator's UTC clock ({clock:%Y%m%dT%H%M%SZ})",
        )
    for required in ("host", "x-date"):
        if required not in auth.signed_headers:
            raise _gateway("SignatureDoesNotMatch", f"SignedHeaders must include {required}")
    absent = [h for h in auth.signed_headers if h not in lowered]
    if absent:
        raise _gateway("SignatureDoesNotMatch", f"signed header(s) not sent: {', '.join(absent)}")
    expected_scope = f"{x_date[:8]}/{region}/{service}/request"
    if auth.scope != expected_scope:
        raise _gateway(
            "SignatureDoesNotMatch",
            f"credential scope {auth.scope!r} must be {expected_scope!r} "
            f"(date of X-Date, region {region}, service {service})",
        )
    body_hash = hashlib.sha256(body).hexdigest()
    sent_hash = lowered.get("x-content-sha256")
    if sent_hash is not None and sent_hash != body_hash:
        raise _gateway(
            "SignatureDoesNotMatch",
            "X-Content-Sha256 is not the SHA-256 of the body received",
        )
    secret = secret_for(auth.access_key)
    if secret is None:
        raise _gateway("InvalidAccessKey", "unknown access key", auth.access_key)
    canonical = canonical_request(
        method=method,
        path=path,
        raw_query=raw_query,
        headers=lowered,
        signed_headers=auth.signed_headers,
        body_hash=body_hash,
    )
    key = signing_key(secret, x_date[:8], region, service)
    expected = hmac.new(
        key, string_to_sign(x_date, expected_scope, canonical).encode("utf-8"), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, auth.signature.lower()):
        raise _gateway(
            "SignatureDoesNotMatch",
            "signature differs: sign the exact body bytes, path, query and header values sent",
        )
    return auth.access_key


def sign_headers(
    *,
    method: str,
    path: str,
    raw_query: str,
    headers: Mapping[str, str],
    body: bytes,
    access_key: str,
    secret_key: str,
    x_date: str,
    region: str = REGION,
    service: str = SERVICE,
) -> dict[str, str]:
    """Sign like the official SDK (for the emulator's own tests and examples).

    Returns ``headers`` plus ``X-Date``, ``X-Content-Sha256`` and ``Authorization``; the signed
    headers are ``content-type`` (if given), ``host`` and every ``x-`` header.
    """
    body_hash = hashlib.sha256(body).hexdigest()
    out = {**headers, "X-Date": x_date, "X-Content-Sha256": body_hash}
    lowered = {k.lower(): v for k, v in out.items()}
    signed = sorted(
        k for k in lowered if k in ("content-type", "content-md5", "host") or k.startswith("x-")
    )
    canonical = canonical_request(
        method=method,
        path=path,
        raw_query=raw_query,
        headers=lowered,
        signed_headers=signed,
        body_hash=body_hash,
    )
    scope = f"{x_date[:8]}/{region}/{service}/request"
    signature = hmac.new(
        signing_key(secret_key, x_date[:8], region, service),
        string_to_sign(x_date, scope, canonical).encode("utf-8"),
        hashlib.sha256,
    ).hexdigest()
    out["Authorization"] = (
        f"{ALGORITHM} Credential={access_key}/{scope}, "
        f"SignedHeaders={';'.join(signed)}, Signature={signature}"
    )
    return out


# --------------------------------------------------------------------------------------------
# Business responses and errors (reference §1.5, §1.6)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BusinessError(Exception):
    """A business error: a non-200 status whose body is still the usual JSON envelope."""

    http_status: int
    code: int
    message: str


# code -> (HTTP status, message) from the official business error table.
BUSINESS_ERRORS: dict[int, tuple[int, str]] = {
    50411: (400, "Pre Img Risk Not Pass"),
    50511: (400, "Post Img Risk Not Pass"),
    50412: (400, "Text Risk Not Pass"),
    50512: (400, "Post Text Risk Not Pass"),
    50413: (400, "Post Text Risk Not Pass"),
    50516: (400, "Post Video Risk Not Pass"),
    50517: (400, "Post Audio Risk Not Pass"),
    50518: (400, "Pre Img Risk Not Pass: Copyright"),
    50519: (400, "Post Img Risk Not Pass: Copyright"),
    50520: (400, "Risk Internal Error"),
    50521: (400, "Antidirt Internal Error"),
    50522: (400, "Image Copyright Internal Error"),
    50215: (400, "Input invalid for this service."),
    50429: (429, "Request Has Reached API Limit, Please Try Later"),
    50430: (429, "Request Has Reached API Concurrent Limit, Please Try Later"),
    50500: (500, "Internal Error"),
    50501: (500, "Internal RPC Error"),
}


def business_error(code: int, detail: str = "") -> BusinessError:
    """The documented status and message for ``code``; ``detail`` is the emulator's hint."""
    status, message = BUSINESS_ERRORS[code]
    return BusinessError(status, code, f"{message} ({detail})" if detail else message)


def invalid(detail: str) -> BusinessError:
    # 50215 "Input invalid for this service." is what the service answers for a bad req_key or
    # parameters (observed by several integrations; see reference §1.6 "other products").
    return business_error(50215, detail)


def new_request_id(now: datetime | None = None, rng: random.Random | None = None) -> str:
    """``20240720103939AF0029465CF6A74E51EC``: a timestamp then 18 upper-case hex digits."""
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%d%H%M%S")
    r = rng or random
    return stamp + "".join(r.choice("0123456789ABCDEF") for _ in range(18))


def envelope(
    *, code: int, message: str, data: Any, request_id: str, elapsed_ms: float = 12.5
) -> dict[str, Any]:
    """``{code, data, message, request_id, status, time_elapsed}`` (``status`` mirrors code)."""
    return {
        "code": code,
        "data": data,
        "message": message,
        "request_id": request_id,
        "status": code,
        "time_elapsed": f"{elapsed_ms:.6f}ms",
    }


def error_envelope(error: BusinessError, request_id: str) -> dict[str, Any]:
    return envelope(code=error.code, message=error.message, data=None, request_id=request_id)


def new_task_id(rng: random.Random | None = None) -> str:
    """A numeric string like ``7392616336519610409``."""
    r = rng or random
    return str(r.randrange(7_000_000_000_000_000_000, 7_999_999_999_999_999_999))


# --------------------------------------------------------------------------------------------
# req_keys and submit-body validation (reference §1.2, §1.3)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReqKey:
    req_key: str
    #: The seed's mode name (``t2v_720p``...).
    mode: str
    min_images: int
    max_images: int
    #: "1080p" or "720p": the output class.
    resolution: str
    #: Whether ``aspect_ratio`` is honoured (T2V only; I2V follows the image).
    aspect_ratio: bool = False
    recamera: bool = False


#: Every documented Jimeng 3.0 req_key (reference §1.2; note the missing ``p`` on I2V 1080).
REQ_KEYS: dict[str, ReqKey] = {
    k.req_key: k
    for k in (
        ReqKey("jimeng_ti2v_v30_pro", "ti2v_pro", 0, 1, "1080p", aspect_ratio=True),
        ReqKey("jimeng_t2v_v30_1080p", "t2v_1080p", 0, 0, "1080p", aspect_ratio=True),
        ReqKey("jimeng_i2v_first_v30_1080", "i2v_first_1080p", 1, 1, "1080p"),
        ReqKey("jimeng_i2v_first_tail_v30_1080", "i2v_first_tail_1080p", 2, 2, "1080p"),
        ReqKey("jimeng_t2v_v30", "t2v_720p", 0, 0, "720p", aspect_ratio=True),
        ReqKey("jimeng_i2v_first_v30", "i2v_first_720p", 1, 1, "720p"),
        ReqKey("jimeng_i2v_first_tail_v30", "i2v_first_tail_720p", 2, 2, "720p"),
        ReqKey("jimeng_i2v_recamera_v30", "i2v_recamera_720p", 1, 1, "720p", recamera=True),
    )
}

ASPECT_RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9")
#: frames = 24·n + 1: 121 is 5 s, 241 is 10 s (there is no ``duration`` field).
FRAMES = {121: 5, 241: 10}
FPS = 24
MAX_PROMPT_CHARS = 800
TEMPLATES = (
    "hitchcock_dolly_in",
    "hitchcock_dolly_out",
    "robo_arm",
    "dynamic_orbit",
    "central_orbit",
    "crane_push",
    "quick_pull_back",
    "counterclockwise_swivel",
    "clockwise_swivel",
    "handheld",
    "rapid_push_pull",
)
CAMERA_STRENGTHS = ("weak", "medium", "strong")
MAX_IMAGE_BYTES = int(4.7 * 1024 * 1024)

#: 1080P-class output sizes (reference §1.3, 3.0 Pro table).
SIZES_1080P = {
    "21:9": (2176, 928),
    "16:9": (1920, 1088),
    "4:3": (1664, 1248),
    "1:1": (1440, 1440),
    "3:4": (1248, 1664),
    "9:16": (1088, 1920),
}
#: 720P-class sizes: not in the Jimeng docs; the ByteDance Seedance 1.0 720p table is used.
SIZES_720P = {
    "21:9": (1504, 640),
    "16:9": (1248, 704),
    "4:3": (1120, 832),
    "1:1": (960, 960),
    "3:4": (832, 1120),
    "9:16": (704, 1248),
}


@dataclass(frozen=True)
class SubmitSpec:
    """A validated submit body: what the task will render."""

    req_key: str
    prompt: str
    frames: int
    aspect_ratio: str
    width: int
    height: int
    image_count: int

    @property
    def duration(self) -> int:
        return FRAMES[self.frames]


def image_size(data: bytes) -> tuple[str, int, int] | None:
    """(format, width, height) of a PNG or JPEG, from its header; None for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return "png", width, height
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return "jpeg", 0, 0
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return "jpeg", width, height
            i += 2 + length
        return "jpeg", 0, 0
    return None


def _check_image_bytes(index: int, encoded: Any) -> tuple[int, int]:
    where = f"binary_data_base64[{index}]"
    if not isinstance(encoded, str) or not encoded:
        raise invalid(f"{where} must be a non-empty base64 string")
    if encoded.startswith("data:"):
        raise invalid(f"{where} must be raw base64 without a data: prefix")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(f"{where} is not valid base64") from None
    if len(raw) > MAX_IMAGE_BYTES:
        raise invalid(f"{where} is {len(raw)} bytes; the limit is 4.7 MB")
    info = image_size(raw)
    if info is None:
        raise invalid(f"{where} must be a JPEG or PNG image")
    _, width, height = info
    if width and height:
        if max(width, height) > 4096:
            raise invalid(f"{where} is {width}x{height}; at most 4096x4096")
        if min(width, height) < 320:
            raise invalid(f"{where} is {width}x{height}; the short side must be >= 320")
        if max(width, height) / min(width, height) > 3:
            raise invalid(f"{where} is {width}x{height}; long:short must be <= 3")
    return width, height


def _closest_ratio(width: int, height: int) -> str:
    target = width / height
    return min(ASPECT_RATIOS, key=lambda r: abs(_ratio(r) - target))


def _ratio(text: str) -> float:
    a, b = text.split(":")
    return int(a) / int(b)


def validate_submit(body: Any) -> SubmitSpec:
    """Validate a ``CVSync2AsyncSubmitTask`` body; raise :class:`BusinessError` (50215)."""
    if not isinstance(body, dict):
        raise invalid("the body must be a JSON object")
    req_key = body.get("req_key")
    if not isinstance(req_key, str) or not req_key:
        raise invalid("req_key is required")
    spec = REQ_KEYS.get(req_key)
    if spec is None:
        raise invalid(f"unknown req_key {req_key!r}; one of {', '.join(REQ_KEYS)}")

    urls = body.get("image_urls")
    blobs = body.get("binary_data_base64")
    if urls is not None and blobs is not None:
        raise invalid("send image_urls or binary_data_base64, not both")
    dims: list[tuple[int, int]] = []
    if urls is not None:
        if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
            raise invalid("image_urls must be a list of URL strings")
        for i, url in enumerate(urls):
            if not url.startswith(("http://", "https://")):
                raise invalid(f"image_urls[{i}] must be a public http(s) URL")
        dims = [(0, 0)] * len(urls)
    elif blobs is not None:
        if not isinstance(blobs, list):
            raise invalid("binary_data_base64 must be a list of base64 strings")
        dims = [_check_image_bytes(i, b) for i, b in enumerate(blobs)]
    count = len(dims)
    if not spec.min_images <= count <= spec.max_images:
        allowed = (
            str(spec.min_images)
            if spec.min_images == spec.max_images
            else f"{spec.min_images} to {spec.max_images}"
        )
        raise invalid(f"{req_key} takes {allowed} image(s), got {count}")
    if count == 2 and all(w and h for w, h in dims):
        (w1, h1), (w2, h2) = dims
        if abs(w1 / h1 - w2 / h2) > 0.01:
            raise invalid("the tail image must have the same aspect ratio as the first")

    prompt = body.get("prompt", "")
    if prompt is None:
        prompt = ""
    if not isinstance(prompt, str):
        raise invalid("prompt must be a string")
    if not prompt.strip() and not (spec.req_key == "jimeng_ti2v_v30_pro" and count == 1):
        raise invalid(f"prompt is required for {req_key}")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise invalid(f"prompt has {len(prompt)} characters; at most {MAX_PROMPT_CHARS}")

    seed = body.get("seed", -1)
    if isinstance(seed, bool) or not isinstance(seed, int) or not -1 <= seed < 2**32:
        raise invalid("seed must be an integer from -1 to 4294967295")
    frames = body.get("frames", 121)
    if isinstance(frames, bool) or frames not in FRAMES:
        raise invalid(f"frames must be 121 (5 s) or 241 (10 s), got {frames!r}")
    ratio = body.get("aspect_ratio", "16:9")
    if ratio not in ASPECT_RATIOS:
        raise invalid(f"aspect_ratio must be one of {', '.join(ASPECT_RATIOS)}, got {ratio!r}")
    if spec.recamera:
        template = body.get("template_id")
        if template not in TEMPLATES:
            raise invalid(f"template_id is required: one of {', '.join(TEMPLATES)}")
        strength = body.get("camera_strength")
        if strength not in CAMERA_STRENGTHS:
            raise invalid(f"camera_strength is required: one of {', '.join(CAMERA_STRENGTHS)}")

    if count:
        # Image-to-video follows the first image's ratio (centre crop to the closest one).
        w, h = dims[0]
        ratio = _closest_ratio(w, h) if w and h else "16:9"
    sizes = SIZES_1080P if spec.resolution == "1080p" else SIZES_720P
    width, height = sizes[str(ratio)]
    return SubmitSpec(
        req_key=req_key,
        prompt=prompt,
        frames=int(frames),
        aspect_ratio=str(ratio),
        width=width,
        height=height,
        image_count=count,
    )


@dataclass(frozen=True)
class ResultQuery:
    req_key: str
    task_id: str
    req_json: str | None


def validate_get_result(body: Any) -> ResultQuery:
    """Validate a ``CVSync2AsyncGetResult`` body (reference §1.4)."""
    if not isinstance(body, dict):
        raise invalid("the body must be a JSON object")
    req_key = body.get("req_key")
    if not isinstance(req_key, str) or req_key not in REQ_KEYS:
        raise invalid(f"req_key {req_key!r} is missing or unknown")
    task_id = body.get("task_id")
    if not isinstance(task_id, str) or not task_id:
        raise invalid("task_id is required (a string)")
    req_json = body.get("req_json")
    if req_json is not None and not isinstance(req_json, str):
        raise invalid("req_json must be a serialised JSON string")
    return ResultQuery(req_key=req_key, task_id=task_id, req_json=req_json)


# --------------------------------------------------------------------------------------------
# The fake: routes on the framework (FRAMEWORK.md)
# --------------------------------------------------------------------------------------------

#: A prompt with this marker is refused at submit: HTTP 400, 50412 "Text Risk Not Pass".
INPUT_MODERATION_MARKER = "[emulator:input-moderation]"
#: ``[emulator:code=50413]`` in a prompt: the submit answers that business error.
CODE_MARKER = re.compile(r"\[emulator:code=(\d{5})\]")
#: A task whose prompt has this marker ends with ``data.status: "expired"`` (resubmit).
EXPIRE_MARKER = "[emulator:expire]"
#: The AK the emulator exports as dummy credential (any non-empty AK is accepted).
DEFAULT_ACCESS_KEY = "AKLTreelkitemulator"


@dataclass
class JimengSettings:
    """Per-app settings, read from the environment when the app serves its first request.

    - ``REELKIT_EMULATOR_VOLC_SECRETS``: a JSON object ``{"AK": "SK", ...}``; a listed AK is
      verified with its own secret only.
    - ``REELKIT_EMULATOR_VOLC_SECRETKEY`` (else ``VOLC_SECRETKEY``): the secret for every other
      AK, besides :data:`DEFAULT_SECRET_KEY` (what ``reelkit emulator`` exports).
    - ``REELKIT_EMULATOR_JIMENG_CONCURRENCY``: unfinished tasks allowed at once; beyond it a
      submit answers 429 / 50430 (default: no limit; the real free tier allows 1).
    """

    secrets: Mapping[str, str] = field(default_factory=dict)
    default_secrets: tuple[str, ...] = (DEFAULT_SECRET_KEY,)
    concurrency: int | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> JimengSettings:
        env = os.environ if environ is None else environ
        secrets: dict[str, str] = {}
        raw = env.get("REELKIT_EMULATOR_VOLC_SECRETS")
        if raw:
            loaded = json.loads(raw)
            if not isinstance(loaded, dict):
                raise ValueError("REELKIT_EMULATOR_VOLC_SECRETS must be a JSON object")
            secrets = {str(k): str(v) for k, v in loaded.items()}
        extra = env.get("REELKIT_EMULATOR_VOLC_SECRETKEY") or env.get("VOLC_SECRETKEY")
        defaults = tuple(dict.fromkeys(s for s in (extra, DEFAULT_SECRET_KEY) if s))
        limit = env.get("REELKIT_EMULATOR_JIMENG_CONCURRENCY")
        return cls(
            secrets=secrets, default_secrets=defaults, concurrency=int(limit) if limit else None
        )

    def candidates(self, access_key: str) -> tuple[str, ...]:
        if not access_key:
            return ()
        if access_key in self.secrets:
            return (self.secrets[access_key],)
        return self.default_secrets


_settings: weakref.WeakKeyDictionary[ProviderContext, JimengSettings] = weakref.WeakKeyDictionary()


def settings_for(ctx: ProviderContext) -> JimengSettings:
    found = _settings.get(ctx)
    if found is None:
        found = _settings[ctx] = JimengSettings.from_env()
    return found


def configure(ctx: ProviderContext, settings: JimengSettings) -> None:
    """Give one running app its own settings (tests, host applications)."""
    _settings[ctx] = settings


def _verify(
    request: Request, body: bytes, settings: JimengSettings, action: str, version: str
) -> None:
    """Try each candidate secret; a request signed with any of them is genuine."""
    keys: list[str] = []

    def secret_for(access_key: str) -> str | None:
        keys.append(access_key)
        found = settings.candidates(access_key)
        return found[0] if found else None

    def attempt(lookup: Callable[[str], str | None]) -> None:
        verify_signature(
            method=request.method,
            path=request.url.path,
            raw_query=request.url.query,
            headers=request.headers,
            body=body,
            secret_for=lookup,
        )

    try:
        attempt(secret_for)
        return
    except GatewayError as first:
        error = first
    if error.code == "SignatureDoesNotMatch" and keys:
        for secret in settings.candidates(keys[0])[1:]:
            try:
                attempt(functools.partial(_constant, secret))
                return
            except GatewayError:
                pass
    raise Reject(
        json_response(
            gateway_error_body(error, action=action, version=version, request_id=new_request_id()),
            error.http_status,
        )
    )


def _constant(value: str, _access_key: str) -> str:
    return value


def _business(error: BusinessError, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return json_response(error_envelope(error, new_request_id()), error.http_status, headers)


def _success(data: Any) -> JSONResponse:
    return json_response(
        envelope(code=10000, message="Success", data=data, request_id=new_request_id())
    )


async def _dispatch(request: Request, ctx: ProviderContext) -> Response:
    query = request.query_params
    action, version = query.get("Action"), query.get("Version")
    for name, value in (("Action", action), ("Version", version)):
        if not value:
            err = _gateway("MissingParameter", f"no {name} in the query", name)
            raise Reject(
                json_response(
                    gateway_error_body(
                        err, action=action or "", version=version or "", request_id=new_request_id()
                    ),
                    err.http_status,
                )
            )
    assert action is not None and version is not None
    if action not in (SUBMIT_ACTION, RESULT_ACTION) or version != VERSION:
        err = _gateway(
            "InvalidActionOrVersion",
            f"this fake serves {SUBMIT_ACTION} and {RESULT_ACTION} at Version={VERSION}",
            action,
            version,
        )
        raise Reject(
            json_response(
                gateway_error_body(
                    err, action=action, version=version, request_id=new_request_id()
                ),
                err.http_status,
            )
        )
    settings = settings_for(ctx)
    raw = await request.body()
    _verify(request, raw, settings, action, version)
    try:
        body = json.loads(raw) if raw else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Reject(_business(invalid("the body is not valid JSON"))) from None
    if action == SUBMIT_ACTION:
        return _submit(request, ctx, body, settings)
    return _result(request, ctx, body)


def _submit(
    request: Request, ctx: ProviderContext, body: Any, settings: JimengSettings
) -> Response:
    try:
        spec = validate_submit(body)
    except BusinessError as exc:
        raise Reject(_business(exc)) from None
    if INPUT_MODERATION_MARKER in spec.prompt:
        raise Reject(_business(business_error(50412)))
    forced = CODE_MARKER.search(spec.prompt)
    if forced and int(forced.group(1)) in BUSINESS_ERRORS:
        raise Reject(_business(business_error(int(forced.group(1)))))
    if settings.concurrency is not None:
        busy = sum(1 for t in ctx.store if not t.phase.terminal)
        if busy >= settings.concurrency:
            raise Reject(_business(business_error(50430)))
    task = ctx.create_task(
        request,
        model=spec.req_key,
        prompt=spec.prompt,
        video=VideoSpec(duration=spec.duration, width=spec.width, height=spec.height),
        params=body,
        id_factory=new_task_id,
        extra={"expire": EXPIRE_MARKER in spec.prompt, "aspect_ratio": spec.aspect_ratio},
    )
    return _success({"task_id": task.id})


def _result(request: Request, ctx: ProviderContext, body: Any) -> Response:
    try:
        query = validate_get_result(body)
    except BusinessError as exc:
        raise Reject(_business(exc)) from None
    task = ctx.store.get(query.task_id)
    too_old = task is not None and ctx.now() - task.created_at > TASK_RETENTION.total_seconds()
    if task is None or task.model != query.req_key or too_old:
        # Unknown, expired (12 h) or asked with another req_key: all answer not_found.
        return _success({"status": "not_found", "video_url": ""})
    task = ctx.store.poll(task.id) or task
    return _status(request, ctx, task)


def _status(request: Request, ctx: ProviderContext, task: Task) -> Response:
    if task.phase is Phase.QUEUED:
        return _success({"status": "in_queue", "video_url": ""})
    if task.phase is Phase.RUNNING:
        return _success({"status": "generating", "video_url": ""})
    if task.extra.get("expire"):
        return _success({"status": "expired", "video_url": ""})
    if task.phase is Phase.FAILED:
        if task.outcome is Outcome.MODERATION:
            raise Reject(_business(business_error(50511)))
        raise Reject(_business(invalid("generation failed")))
    link = ctx.media_link(request, task)
    return _success(
        {"aigc_meta_tagged": True, "status": "done", "video_url": link.url, "resp_data": ""}
    )


def _fault(status: int, headers: Mapping[str, str]) -> Response:
    code = 50429 if status == 429 else 50500
    return _business(business_error(code), headers)


def _action_kind(request: Request) -> str:
    """Submit and poll share one URL; the ``Action`` query parameter tells them apart."""
    return "poll" if request.query_params.get("Action") == "CVSync2AsyncGetResult" else "submit"


FAKE = ProviderFake(
    name="jimeng",
    endpoints=[
        Endpoint("", _dispatch, methods=("POST",), kind="submit", classify=_action_kind),
        Endpoint("/", _dispatch, methods=("POST",), kind="submit", classify=_action_kind),
    ],
    credentials={"VOLC_ACCESSKEY": DEFAULT_ACCESS_KEY, "VOLC_SECRETKEY": DEFAULT_SECRET_KEY},
    signed_with=("VOLC_ACCESSKEY", "VOLC_SECRETKEY"),
    signing_secret_env="REELKIT_EMULATOR_VOLC_SECRETKEY",
    fault_response=_fault,
    url_ttl=VIDEO_URL_TTL.total_seconds(),
    natural_fps=FPS,
    description="Volcengine visual API (Jimeng 3.0 video), HMAC-V4 signed",
)
