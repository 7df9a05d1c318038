"""The JWT signer: Kling's claims, a known test vector, a fresh token per request, no leaks."""

from __future__ import annotations

import base64
import json

import httpx

from reelkit.models import Credentials
from reelkit_kling import reelkit_auth
from reelkit_kling.signing import KlingJWTAuth, KlingKeyAuth, encode_jwt

# docs/reference/volcengine-kling.md §4.1: checked there with PyJWT 2.x and by hand.
VECTOR = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJpc3MiOiJha190ZXN0XzEyMyIsImV4cCI6MTczNTY5MTQwMCwibmJmIjoxNzM1Njg5NTk1fQ."
    "5XwmpadqDTr7luLa2QzfkFYsnOiUsMgzmBUcZRCiOjI"
)


def claims(token: str) -> dict[str, object]:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # type: ignore[no-any-return]


def test_the_reference_test_vector() -> None:
    assert encode_jwt("ak_test_123", "sk_test_456", now=1735689600) == VECTOR


def test_every_request_gets_a_token_of_its_own_time() -> None:
    now = [1_000_000.0]
    auth = KlingJWTAuth("ak", "sk", clock=lambda: now[0])
    first = next(auth.sync_auth_flow(httpx.Request("GET", "https://x/1")))
    now[0] += 3600  # an hour of polling later: the first token has expired
    second = next(auth.sync_auth_flow(httpx.Request("GET", "https://x/2")))
    a = claims(first.headers["Authorization"].removeprefix("Bearer "))
    b = claims(second.headers["Authorization"].removeprefix("Bearer "))
    assert a == {"iss": "ak", "exp": 1_001_800, "nbf": 999_995}
    assert b["exp"] == 1_005_400 and b["nbf"] == 1_003_595


def test_the_pair_wins_and_the_key_is_a_bearer() -> None:
    pair = reelkit_auth(
        credentials=Credentials({"KLING_ACCESS_KEY": "ak-1", "KLING_SECRET_KEY": "sk-secret-1"})
    )
    assert isinstance(pair, KlingJWTAuth)
    key = reelkit_auth(credentials=Credentials({"KLING_API_KEY": "api-key-secret-2"}))
    assert isinstance(key, KlingKeyAuth)
    signed = next(key.sync_auth_flow(httpx.Request("GET", "https://x")))
    assert signed.headers["Authorization"] == "Bearer api-key-secret-2"


def test_repr_shows_no_secret() -> None:
    for auth in (KlingJWTAuth("ak-visible?", "sk-secret-1"), KlingKeyAuth("api-key-secret-2")):
        text = repr(auth) + str(auth)
        assert "secret" not in text.replace("secret_key", "") and "ak-visible" not in text
