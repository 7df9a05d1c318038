"""The core's own hook implementations, registered like any plugin (pytest's default plugins).

All are ``trylast`` so a provider's implementation wins: bearer-token signing, the unsigned
download, "cannot cancel", and the network as transport.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import httpx

from .hookspecs import hookimpl
from .models import Asset, Credentials, Failed, JobHandle, JobStatus, ProviderConfig
from .wire import error_for_status, read_json


class BearerAuth(httpx.Auth):
    """``Authorization: Bearer <token>``; the token never appears in ``repr``."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "BearerAuth(***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


@hookimpl(trylast=True)
def reelkit_auth(
    provider: str, credentials: Credentials, config: ProviderConfig
) -> httpx.Auth | None:
    if not credentials:
        return None
    return BearerAuth(credentials.first())


@hookimpl(trylast=True)
def reelkit_download_request(
    provider: str, job: JobHandle, asset: Asset, config: ProviderConfig
) -> httpx.Request:
    return httpx.Request("GET", asset.url, headers={"accept": "video/*, application/octet-stream"})


@hookimpl(trylast=True)
def reelkit_cancel_request(
    provider: str, job: JobHandle, config: ProviderConfig
) -> httpx.Request | None:
    return None


@hookimpl(trylast=True)
def reelkit_parse_cancel(provider: str, job: JobHandle, response: httpx.Response) -> JobStatus:
    if response.is_success:
        return Failed(code="cancelled", message="cancelled by the user")
    message: Any = None
    if response.content:
        try:
            body = read_json(response, provider)
            message = body.get("error", {}).get("message") if isinstance(body, dict) else None
        except Exception:
            message = None
    raise error_for_status(response, provider, message=message)


@hookimpl(trylast=True)
def reelkit_transport(provider: str, config: ProviderConfig) -> Any:
    return None
