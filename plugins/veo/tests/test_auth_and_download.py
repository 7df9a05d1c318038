"""The key travels only as ``x-goog-api-key`` to the configured origin, and never shows."""

from __future__ import annotations

import httpx
import pytest
from veo_helpers import BASE, config

import reelkit_veo
from reelkit.errors import MissingCredentials
from reelkit.models import Asset, Credentials

KEY = "AIza-test-secret-key"


def sign(auth: httpx.Auth, url: str) -> httpx.Request:
    request = httpx.Request("GET", url)
    flow = auth.sync_auth_flow(request)
    signed = next(flow)
    flow.close()
    return signed


def test_auth_sets_the_header_for_the_base_origin_only() -> None:
    auth = reelkit_veo.reelkit_auth(
        credentials=Credentials({"GEMINI_API_KEY": KEY}), config=config()
    )
    assert sign(auth, BASE + "/v1beta/models/x:predictLongRunning").headers["x-goog-api-key"] == KEY
    assert "authorization" not in sign(auth, BASE + "/v1beta/x").headers
    # A redirect target on another host never gets the key, even if the auth were applied.
    assert "x-goog-api-key" not in sign(auth, "https://storage.googleapis.com/veo/abc.mp4").headers
    assert (
        "x-goog-api-key"
        not in sign(auth, "http://generativelanguage.googleapis.com/v1beta/x").headers
    )


def test_auth_follows_a_base_url_override() -> None:
    auth = reelkit_veo.reelkit_auth(
        credentials=Credentials({"GOOGLE_API_KEY": KEY}), config=config("http://127.0.0.1:8765/veo")
    )
    assert (
        sign(auth, "http://127.0.0.1:8765/veo/v1beta/files/a:download?alt=media").headers[
            "x-goog-api-key"
        ]
        == KEY
    )
    assert "x-goog-api-key" not in sign(auth, "http://127.0.0.1:9999/elsewhere").headers


def test_gemini_key_wins_over_google_key() -> None:
    creds = Credentials({"GOOGLE_API_KEY": "google", "GEMINI_API_KEY": "gemini"})
    auth = reelkit_veo.reelkit_auth(credentials=creds, config=config())
    assert sign(auth, BASE + "/v1beta/x").headers["x-goog-api-key"] == "gemini"


def test_auth_never_shows_the_key() -> None:
    auth = reelkit_veo.reelkit_auth(
        credentials=Credentials({"GEMINI_API_KEY": KEY}), config=config()
    )
    assert KEY not in repr(auth)
    assert KEY not in str(auth)


def test_no_key_names_both_variables() -> None:
    with pytest.raises(MissingCredentials) as err:
        reelkit_veo.reelkit_auth(credentials=Credentials({}), config=config())
    assert "GEMINI_API_KEY" in str(err.value)
    assert "GOOGLE_API_KEY" in str(err.value)


def test_download_request_is_a_plain_get_of_the_uri() -> None:
    uri = BASE + "/v1beta/files/qu4d28uipuqh:download?alt=media"
    request = reelkit_veo.reelkit_download_request(asset=Asset(url=uri))
    assert request.method == "GET"
    assert str(request.url) == uri
    # Signing is the core's job (and only for the provider's origin); the hook adds no key.
    assert "x-goog-api-key" not in request.headers
