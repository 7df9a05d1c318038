"""Volcengine helpers shared by the jimeng and seedance fakes: the HMAC-SHA256 V4 signature
(verified over the exact bytes received, as the gateway does) and an image header reader.

Facts: the signing guide (签名方法, mirrored at https://github.com/Hajimi-Commune/VolcanoArkDocs)
and the official SDK
(``volcengine`` on PyPI: ``volcengine/auth/SignerV4.py``), summarised with test vectors in
``docs/reference/volcengine-kling.md`` §2; gateway error codes from
https://www.volcengine.com/docs/6444/69728 (§2.1).
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, quote

import attrs

from reelkit_emulator.errors import VOLC_GATEWAY, ApiError

REGION = "cn-north-1"
SERVICE = "cv"
ALGORITHM = "HMAC-SHA256"
#: How far ``X-Date`` may be from the real UTC clock (the service rejects stale signatures).
DEFAULT_MAX_SKEW = timedelta(minutes=15)


# --------------------------------------------------------------------------------------------
# Gateway (signature) errors: ``ResponseMetadata.Error`` (reference §2.1, common error codes)
# --------------------------------------------------------------------------------------------


def _gateway(code: str, hint: str, *args: str) -> ApiError:
    """A gateway-level rejection (``ResponseMetadata.Error``); ``hint`` says which check failed,
    which the real service never tells you."""
    code_n, status, template = _GATEWAY_ERRORS[code]
    message = template % args if args else template
    return VOLC_GATEWAY.error(status, message, code=code, extra={"code_n": code_n, "hint": hint})


def gateway_error(error: ApiError, *, action: str, version: str) -> ApiError:
    """The error with the Action and Version of the request it answers."""
    return error.evolve(extra={**error.extra, "action": action, "version": version})


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


@attrs.frozen
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

    Raises an :class:`~reelkit_emulator.errors.ApiError` with the code the real gateway uses.
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
