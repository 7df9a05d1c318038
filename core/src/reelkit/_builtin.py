"""The core's own hook implementations, registered like any plugin (pytest's default plugins).

All are ``trylast`` so a provider's implementation wins: bearer-token signing, the unsigned
download, "cannot cancel", and the network as transport.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .hookspecs import hookimpl
from .models import Asset, Credentials, Failed, JobHandle, JobStatus, ProviderConfig

if TYPE_CHECKING:
    import httpx

# httpx loads with the first hook call, not with the plugin host: listing providers needs no
# HTTP stack (``BearerAuth`` lives in ``reelkit.bearer`` for the same reason).


@hookimpl(trylast=True)
def reelkit_auth(
    provider: str, credentials: Credentials, config: ProviderConfig
) -> httpx.Auth | None:
    if not credentials:
        return None
    from .bearer import BearerAuth

    return BearerAuth(credentials.first())


@hookimpl(trylast=True)
def reelkit_download_request(
    provider: str, job: JobHandle, asset: Asset, config: ProviderConfig
) -> httpx.Request:
    import httpx

    return httpx.Request("GET", asset.url, headers={"accept": "video/*, application/octet-stream"})


@hookimpl(trylast=True)
def reelkit_cancel_request(
    provider: str, job: JobHandle, config: ProviderConfig
) -> httpx.Request | None:
    return None


@hookimpl(trylast=True)
def reelkit_parse_cancel(provider: str, job: JobHandle, response: httpx.Response) -> JobStatus:
    from .wire import error_for_status, read_json

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
