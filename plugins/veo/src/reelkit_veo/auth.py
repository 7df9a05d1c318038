"""``x-goog-api-key`` signing, only ever for the configured origin.

The core already drops credentials when a download redirect leaves the provider's origin; this
guard makes the key stay home even if some caller applies the auth to a foreign URL. (httpx
itself forwards a custom header like ``x-goog-api-key`` across origins on redirects; it strips
only ``Authorization`` [veo-grok §0.7, §1.7].)
"""

from __future__ import annotations

from collections.abc import Generator

import httpx

from reelkit.errors import MissingCredentials
from reelkit.models import Credentials

from .capabilities import PROVIDER

HEADER = "x-goog-api-key"


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host, url.port or default)


class GoogleApiKeyAuth(httpx.Auth):
    """Adds ``x-goog-api-key`` to requests for one origin; never shows the key."""

    def __init__(self, key: str, base_url: str) -> None:
        self._key = key
        self._origin = _origin(httpx.URL(base_url))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if _origin(request.url) == self._origin:
            request.headers[HEADER] = self._key
        else:
            request.headers.pop(HEADER, None)
        yield request

    def __repr__(self) -> str:
        return f"GoogleApiKeyAuth(key=***, origin={self._origin[0]}://{self._origin[1]})"

    __str__ = __repr__


def api_key(credentials: Credentials) -> str:
    """GEMINI_API_KEY, else GOOGLE_API_KEY (docs/design.md §1.2), else whatever single key was given."""
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY"):
        value = credentials.get(name)
        if value:
            return value
    secrets = credentials.secrets()
    if not secrets:
        raise MissingCredentials(PROVIDER.name, PROVIDER.credential_env)
    return secrets[0]
