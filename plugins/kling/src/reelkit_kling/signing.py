"""Kling's credentials as ``httpx.Auth``: an HS256 JWT signed per request, or a plain API key.

The JWT ([volcengine-kling §4.1] in ``docs/reference/volcengine-kling.md``; the official sample and
https://tryagi.github.io/KlingAI/guides/authentication, read 2026-12-02):
header ``{"alg": "HS256", "typ": "JWT"}``, payload ``{"iss": <access key>, "exp": now + 1800,
"nbf": now - 5}``, signed with the secret key, sent as ``Authorization: Bearer <jwt>``.

A token is made inside ``auth_flow``, i.e. for every request the core sends (polls and retries
included), so a job that polls for longer than 30 minutes never presents an expired token.
Pure stdlib (hmac, hashlib, base64, json): no PyJWT dependency. The token is a credential too:
it lives only in the request's ``Authorization`` header, which reelkit never shows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Generator

import httpx

from .capabilities import JWT_LEEWAY_S, JWT_LIFETIME_S

_HEADER = {"alg": "HS256", "typ": "JWT"}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _compact(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def encode_jwt(access_key: str, secret_key: str, *, now: float) -> str:
    """The compact HS256 JWT for ``now`` (claims in Kling's order: iss, exp, nbf)."""
    issued = int(now)
    payload = {"iss": access_key, "exp": issued + JWT_LIFETIME_S, "nbf": issued - JWT_LEEWAY_S}
    signing_input = f"{_b64url(_compact(_HEADER))}.{_b64url(_compact(payload))}"
    mac = hmac.new(secret_key.encode("utf-8"), signing_input.encode("ascii"), hashlib.sha256)
    return f"{signing_input}.{_b64url(mac.digest())}"


class KlingJWTAuth(httpx.Auth):
    """Signs each request with a fresh JWT from the access/secret key pair."""

    def __init__(
        self, access_key: str, secret_key: str, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._access_key = access_key
        self._secret_key = secret_key
        self._clock = clock

    def __repr__(self) -> str:
        return "KlingJWTAuth(access_key=***, secret_key=***)"

    def token(self) -> str:
        return encode_jwt(self._access_key, self._secret_key, now=self._clock())

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        yield request


class KlingKeyAuth(httpx.Auth):
    """The single API key of newer Kling accounts, as ``Authorization: Bearer <key>``."""

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key

    def __repr__(self) -> str:
        return "KlingKeyAuth(api_key=***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._api_key}"
        yield request
