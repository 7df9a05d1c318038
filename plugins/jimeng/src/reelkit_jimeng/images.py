"""Image inputs for the visual API: URLs or raw base64, checked against the documented limits.

Checks happen here, before any network call, so a bad image costs nothing (ref §1.3:
JPEG/PNG only, ≤4.7 MB, ≤4096×4096, short side ≥320, long:short ≤3, URL *or* base64).
``ref §n`` cites ``docs/reference/volcengine-kling.md`` section n.
"""

from __future__ import annotations

import base64

from attrs import frozen

from reelkit.capabilities import ImageLimits
from reelkit.errors import InvalidRequest
from reelkit.media import sniff, to_media
from reelkit.models import Media

from .capabilities import MAX_IMAGE_RATIO


@frozen
class ImageInput:
    """One image as the API takes it: ``kind`` is ``"url"`` or ``"base64"`` (raw, no prefix)."""

    kind: str
    value: str
    width: int | None = None
    height: int | None = None


def prepare_image(media: Media, field: str, limits: ImageLimits) -> ImageInput:
    """Check ``media`` against ``limits`` and return it in the API's form."""
    if media.url is not None and not media.url.startswith("data:"):
        if not media.url.startswith(("https://", "http://")):
            raise InvalidRequest(
                field,
                f"not a public http(s) URL: {media.url[:80]!r}",
                allowed="http(s) URL, local file",
            )
        if "url" not in limits.transports:
            raise InvalidRequest(field, "URLs are not accepted", allowed=limits.transports)
        _check_pixels(field, media.width, media.height, limits)
        return ImageInput("url", media.url, media.width, media.height)

    if media.data is None:  # a data: URL: decoded (and checked) the way the core reads inputs
        media = to_media(media.url or "", field)
    data = media.data or b""
    if "base64" not in limits.transports:
        raise InvalidRequest(field, "local images are not accepted", allowed=limits.transports)
    # The bytes decide the format and size (the core measures local files the same way); a
    # MIME type the caller claims is only a fallback.
    mime, size = sniff(data)
    fmt = (mime or media.mime_type or "").split("/")[-1].lower() or None
    if fmt == "jpg":
        fmt = "jpeg"
    if fmt not in limits.formats:
        raise InvalidRequest(
            field, f"image format {fmt or 'unknown'} is not accepted", allowed=limits.formats
        )
    if limits.max_bytes is not None and len(data) > limits.max_bytes:
        raise InvalidRequest(
            field,
            f"image is {len(data) / 1048576:.1f} MB, over the {limits.max_bytes / 1048576:.1f} MB limit",
            allowed=f"≤ {limits.max_bytes} bytes",
        )
    width, height = size if size else (media.width, media.height)
    _check_pixels(field, width, height, limits)
    return ImageInput("base64", base64.b64encode(data).decode("ascii"), width, height)


def _check_pixels(field: str, width: int | None, height: int | None, limits: ImageLimits) -> None:
    if not width or not height:
        return  # unknown (a URL without declared size): the API checks it
    long_side, short_side = max(width, height), min(width, height)
    if limits.max_side is not None and long_side > limits.max_side:
        raise InvalidRequest(
            field,
            f"image is {width}x{height}, larger than allowed",
            allowed=f"sides ≤ {limits.max_side} px",
        )
    if limits.min_side is not None and short_side < limits.min_side:
        raise InvalidRequest(
            field,
            f"image is {width}x{height}, too small",
            allowed=f"short side ≥ {limits.min_side} px",
        )
    if long_side / short_side > MAX_IMAGE_RATIO:
        raise InvalidRequest(
            field,
            f"image is {width}x{height}, too elongated",
            allowed=f"long:short ≤ {MAX_IMAGE_RATIO:g}",
        )
