"""OAuth 2 for Vertex AI as a sans-I/O ``httpx.Auth``: the flow yields its own token request.

Application Default Credentials, as google-auth finds them (``google.auth.default``):
``GOOGLE_APPLICATION_CREDENTIALS`` names a JSON file, else gcloud's
``application_default_credentials.json`` in its config directory. Two kinds are understood:

- ``service_account``: a JWT signed RS256 with the file's private key by google-auth's own pure
  signer (``google.auth.crypt.RSASigner``, ``google.auth.jwt.encode``), exchanged with the
  JWT-bearer grant (RFC 7523) at the file's ``token_uri``;
- ``authorized_user`` (``gcloud auth application-default login``): the refresh-token grant.

The token is cached (per credentials file, for every auth this process makes: the core builds
one per request) until shortly before it expires, fetched again on expiry, and once again when
the API answers 401. Only the key file is read here, lazily, as ``httpx.NetRCAuth`` reads
``.netrc``; every request goes through the core. A plan or dry run (``reelkit.wire.PREVIEW``)
gets a placeholder and reads nothing. Tokens, keys and assertions never appear in ``repr``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Generator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import attrs
import httpx

from reelkit.errors import AuthenticationFailed, ConfigurationError, MissingCredentials

from .capabilities import CREDENTIALS_ENV, NAME, OAUTH_SCOPE, PROJECT_ENV

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_LIFETIME_S = 3600  # Google's maximum for a self-signed assertion
#: Refresh this long before expiry (google-auth's ``REFRESH_THRESHOLD`` is 3 min 45 s), but never
#: more than half a token's life, so a short-lived token is still used.
REFRESH_MARGIN_S = 225.0
PLACEHOLDER = "reelkit-preview-token"
ADC_FILE = "application_default_credentials.json"


@attrs.frozen
class Token:
    value: str = attrs.field(repr=False)
    refresh_at: float


class _Cache:
    """Tokens by credentials identity; shared by the auths of one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, Token] = {}

    def get(self, key: str, now: float) -> Token | None:
        with self._lock:
            token = self._tokens.get(key)
        return token if token is not None and now < token.refresh_at else None

    def put(self, key: str, token: Token) -> None:
        with self._lock:
            if len(self._tokens) > 64:
                self._tokens.clear()
            self._tokens[key] = token

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()

    def drop(self, key: str, value: str) -> None:
        with self._lock:
            if (t := self._tokens.get(key)) is not None and t.value == value:
                del self._tokens[key]


TOKENS = _Cache()


def adc_path(credentials_file: str | None, gcloud_config: str | None) -> Path:
    """Where Application Default Credentials live (google-auth's ``_cloud_sdk`` rule)."""
    if credentials_file:
        return Path(credentials_file).expanduser()
    base = Path(gcloud_config).expanduser() if gcloud_config else Path.home() / ".config" / "gcloud"
    return base / ADC_FILE


def token_request(info: Mapping[str, Any], now: float) -> httpx.Request:
    """The grant request for one credentials file's contents."""
    kind = info.get("type")
    uri = str(info.get("token_uri") or GOOGLE_TOKEN_URI)
    if kind == "service_account":
        try:
            from google.auth import crypt, jwt
        except ImportError:
            raise ConfigurationError(
                CREDENTIALS_ENV,
                "signing a service-account assertion needs google-auth",
                allowed='pip install "reelkit[vertex]" (or "reelkit-veo[vertex]")',
            ) from None

        signer = crypt.RSASigner.from_service_account_info(info)  # type: ignore[no-untyped-call]
        payload = {
            "iss": info["client_email"],
            "scope": OAUTH_SCOPE,
            "aud": uri,
            "iat": int(now),
            "exp": int(now) + ASSERTION_LIFETIME_S,
        }
        assertion = jwt.encode(signer, payload).decode()  # type: ignore[no-untyped-call]
        form = {"grant_type": JWT_BEARER, "assertion": assertion}
    elif kind == "authorized_user":
        form = {
            "grant_type": "refresh_token",
            "client_id": info["client_id"],
            "client_secret": info["client_secret"],
            "refresh_token": info["refresh_token"],
        }
    else:
        raise AuthenticationFailed(
            f"{NAME}: credentials of type {kind!r} are not supported; use a service-account "
            "key file or `gcloud auth application-default login` (type authorized_user)"
        )
    return httpx.Request(
        "POST",
        uri,
        content=urlencode(form).encode(),
        headers={"content-type": "application/x-www-form-urlencoded", "accept": "application/json"},
    )


def parse_token(response: httpx.Response, now: float) -> Token:
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, Mapping) else {}
    value = body.get("access_token")
    if not response.is_success or not isinstance(value, str) or not value:
        why = body.get("error_description") or body.get("error") or f"HTTP {response.status_code}"
        raise AuthenticationFailed(
            f"{NAME}: the OAuth token endpoint refused the credentials: {why}"
        )
    try:
        lifetime = float(body.get("expires_in", 3600))
    except (TypeError, ValueError):
        lifetime = 3600.0
    return Token(value, now + lifetime - min(REFRESH_MARGIN_S, lifetime / 2))


class VertexAuth(httpx.Auth):
    """Bearer tokens from ADC, for Google's API and storage origins only."""

    requires_response_body = True  # the token answer is JSON the flow reads

    def __init__(
        self,
        path: Path,
        origins: tuple[str, ...],
        *,
        clock: Callable[[], float] = time.time,
        cache: _Cache = TOKENS,
    ) -> None:
        self._path = path
        self._origins = frozenset(_origin(httpx.URL(o)) for o in origins)
        self._clock = clock
        self._cache = cache
        self._info: Mapping[str, Any] | None = None

    def __repr__(self) -> str:
        return "VertexAuth(credentials=***, token=***)"

    __str__ = __repr__

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if _origin(request.url) not in self._origins:
            request.headers.pop("authorization", None)  # never a token to a foreign host
            yield request
            return
        if request.extensions.get("reelkit_preview"):  # reelkit.wire.PREVIEW: show, never fetch
            request.headers["authorization"] = f"Bearer {PLACEHOLDER}"
            yield request
            return
        token = self._cache.get(self._key(), self._clock())
        if token is None:
            token = yield from self._fetch()
        request.headers["authorization"] = f"Bearer {token.value}"
        response = yield request
        if response.status_code == 401:  # revoked or expired early: one new token, one retry
            self._cache.drop(self._key(), token.value)
            token = yield from self._fetch()
            request.headers["authorization"] = f"Bearer {token.value}"
            yield request

    def _fetch(self) -> Generator[httpx.Request, httpx.Response, Token]:
        info = self._load()
        response = yield token_request(info, self._clock())
        token = parse_token(response, self._clock())
        # Every error message, log line and journal entry of this process masks it from now on.
        from reelkit import redact

        redact.remember((token.value,))
        self._cache.put(self._key(), token)
        return token

    def _key(self) -> str:
        info = self._load()
        who = info.get("client_email") or info.get("client_id") or ""
        return f"{self._path}|{who}|{info.get('token_uri') or GOOGLE_TOKEN_URI}"

    def _load(self) -> Mapping[str, Any]:
        if self._info is None:
            try:
                info = json.loads(self._path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) else "not JSON"
                error = MissingCredentials(NAME, ((CREDENTIALS_ENV, PROJECT_ENV), (PROJECT_ENV,)))
                error.message = (
                    f"{error}: cannot read Application Default Credentials at {self._path} "
                    f"({reason}); point {CREDENTIALS_ENV} at a service-account key file or run "
                    "`gcloud auth application-default login`"
                )
                raise error from None
            if not isinstance(info, Mapping):
                raise AuthenticationFailed(f"{NAME}: {self._path} is not a credentials object")
            self._info = info
        return self._info


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host, url.port or default)
