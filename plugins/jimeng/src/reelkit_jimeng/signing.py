"""Volcengine HMAC-SHA256 V4 request signing, as an ``httpx.Auth`` that signs the exact bytes sent.

The algorithm is the one of the official ``volcengine`` SDK (``volcengine/auth/SignerV4.py``),
described with test vectors in ``docs/reference/volcengine-kling.md`` §2. It differs from AWS SigV4 in
two ways that break copied implementations: the secret has no ``"AWS4"`` prefix, and the scope
ends in ``/request`` with the algorithm named ``HMAC-SHA256``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Generator, Iterable, Mapping
from datetime import datetime, timezone
from urllib.parse import quote

import httpx
from attrs import frozen

ALGORITHM = "HMAC-SHA256"
#: Fixed for the visual API (reference §1.1: "the docs state both as fixed values").
REGION = "cn-north-1"
SERVICE = "cv"
#: What the SDK signs for a JSON POST (reference §2.1 step 3). ``x-security-token`` joins
#: them when STS credentials are used.
DEFAULT_SIGNED_HEADERS = ("content-type", "host", "x-content-sha256", "x-date")


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def format_date(moment: datetime) -> str:
    """``20250101T000000Z``: always UTC (local time gives ``InvalidTimestamp``, code 100006)."""
    if moment.tzinfo is None:
        raise ValueError("signing time must be timezone-aware")
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def derived_keys(
    secret_key: str, date: str, region: str, service: str
) -> tuple[bytes, bytes, bytes, bytes]:
    """kDate, kRegion, kService, kSigning: raw digests chain, and the secret has no prefix."""
    k_date = _hmac(secret_key.encode("utf-8"), date)
    k_region = _hmac(k_date, region)
    k_service = _hmac(k_region, service)
    return k_date, k_region, k_service, _hmac(k_service, "request")


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    return derived_keys(secret_key, date, region, service)[3]


def canonical_query(items: Iterable[tuple[str, str]]) -> str:
    """Keys sorted (ASCII; a repeated key keeps its order), RFC 3986 encoding (space → %20)."""
    pairs = sorted(items, key=lambda kv: kv[0])
    return "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in pairs)


def _canonical_host(value: str) -> str:
    # The SDK strips only the default ports; a loopback emulator keeps its port.
    host, sep, port = value.rpartition(":")
    return host if sep and port in ("80", "443") else value


@frozen(kw_only=True)
class Signature:
    """Every intermediate of one signature, so tests can compare each step with the vectors."""

    x_date: str
    body_hash: str
    canonical_request: str
    string_to_sign: str
    signed_headers: str
    signature: str
    authorization: str


def compute_signature(
    *,
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
    access_key: str,
    secret_key: str,
    x_date: str,
    region: str = REGION,
    service: str = SERVICE,
    signed_headers: Iterable[str] = DEFAULT_SIGNED_HEADERS,
) -> Signature:
    """Sign one request. ``headers`` must hold every name in ``signed_headers`` (any case)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    names = sorted({name.lower() for name in signed_headers})
    missing = [n for n in names if n not in lowered]
    if missing:
        raise ValueError(f"cannot sign: request lacks header(s) {', '.join(missing)}")
    values = {n: _canonical_host(lowered[n]) if n == "host" else lowered[n] for n in names}
    canonical_headers = "".join(f"{n}:{values[n]}\n" for n in names)
    signed = ";".join(names)
    body_hash = sha256_hex(body)
    canonical_request = "\n".join(
        [
            method.upper(),
            quote(path or "/", safe="/"),
            canonical_query(query),
            canonical_headers,
            signed,
            body_hash,
        ]
    )
    date = x_date[:8]
    scope = f"{date}/{region}/{service}/request"
    string_to_sign = "\n".join([ALGORITHM, x_date, scope, sha256_hex(canonical_request.encode())])
    key = signing_key(secret_key, date, region, service)
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    authorization = f"{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={signed}, Signature={signature}"
    return Signature(
        x_date=x_date,
        body_hash=body_hash,
        canonical_request=canonical_request,
        string_to_sign=string_to_sign,
        signed_headers=signed,
        signature=signature,
        authorization=authorization,
    )


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class VolcengineSigner(httpx.Auth):
    """Signs each request (and each retry, with a fresh ``X-Date``) over the exact body bytes.

    The keys never appear in ``repr``; only a short prefix of the access key does.
    """

    requires_request_body = True

    def __init__(
        self,
        access_key: str,
        secret_key: str,
        *,
        session_token: str | None = None,
        region: str = REGION,
        service: str = SERVICE,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._access_key = access_key
        self._secret_key = secret_key
        self._session_token = session_token
        self.region = region
        self.service = service
        self._clock = clock

    def __repr__(self) -> str:
        shown = self._access_key[:4] + "***" if self._access_key else "<empty>"
        return f"VolcengineSigner(access_key={shown}, region={self.region!r}, service={self.service!r})"

    def sign(self, request: httpx.Request) -> Signature:
        """Add ``X-Date``, ``X-Content-Sha256`` and ``Authorization`` to ``request`` in place."""
        body = request.content  # the bytes httpx will send; read because requires_request_body
        x_date = format_date(self._clock())
        request.headers["X-Date"] = x_date
        request.headers["X-Content-Sha256"] = sha256_hex(body)
        if "content-type" not in request.headers:
            # Signing a header that is not sent breaks the signature, so send the one we sign.
            request.headers["Content-Type"] = "application/json"
        names = list(DEFAULT_SIGNED_HEADERS)
        if self._session_token:
            request.headers["X-Security-Token"] = self._session_token
            names.append("x-security-token")
        result = compute_signature(
            method=request.method,
            path=request.url.path,
            query=request.url.params.multi_items(),
            headers=request.headers,
            body=body,
            access_key=self._access_key,
            secret_key=self._secret_key,
            x_date=x_date,
            region=self.region,
            service=self.service,
            signed_headers=names,
        )
        request.headers["Authorization"] = result.authorization
        return result

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request
